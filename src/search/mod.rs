//! Ranked full-text search over every record of the store, for chatbot backends.
//!
//! The index is a tantivy index built from the store. With a sled store it is kept on disk
//! in the data directory and opened at start when it was built from the store's current
//! data (`stored.rs`); otherwise, and always for a PostgreSQL-backed process, it is built at
//! start (`build.rs`). The store stays the only source of truth: an index that may not match
//! it is rebuilt, never served.
//!
//! Ranking is BM25 over six fields with boosts (`schema.rs`): `name` and `aliases` ×3,
//! `situations` ×2 (who and what situation a programme is for, in its own words), `summary`
//! ×1.5, `body` ×1 (including the quotes the record cites). What each kind indexes is in
//! `documents.rs`. A question's wording is read for what it asks (`wording.rs`: a topic for
//! "what is", a figure for "how many"...) and mapped to the records' words; the query is built
//! from its words, quoted phrases and fuzzy matches for typos, with neighbouring pairs as
//! phrases that only add to a score (`query.rs`). User text never reaches tantivy's query
//! syntax, so no input can be a query syntax error. The kinds asked for are a filter applied
//! to runs of documents before anything is read, the total is counted exactly, the score is
//! weighted by intent and by whether a record is current, and the pairs reorder the best
//! candidates (`ranking.rs`). Only the page asked for is loaded and given snippets
//! (`snippets.rs`).
//!
//! Posts ("Chief Executive, X NHS Trust", ~2,300 near-identical records) are indexed by name
//! and holder only, and left out of results unless the caller asks for the post kind: they
//! would otherwise drown roles and programmes for any question about a role.
//!
//! Invariant: this is the only module that knows tantivy; it depends on `store` and `domain`
//! only.

mod build;
mod documents;
mod query;
mod ranking;
mod runs;
mod schema;
mod snippets;
mod stemming;
mod stored;
mod wording;

use std::sync::Mutex;

use tantivy::schema::{Field, OwnedValue, Value};
use tantivy::{Index, IndexReader, TantivyDocument};

use crate::domain::{Code, RecordKind, RecordRef};

pub use build::{Opened, Prebuilt};

/// The most hits one search returns.
pub const MAX_HITS: usize = 100;
/// The longest query text looked at, in characters; callers should refuse longer ones.
pub const MAX_QUERY_CHARS: usize = 500;

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub reference: RecordRef,
    /// BM25 score (higher is better); comparable within one search only.
    pub score: f32,
    /// A fragment of the record's text with matched words between `«` and `»`.
    pub snippet: String,
    /// The record's summary.
    pub summary: String,
    /// The codes of the sources to cite.
    pub sources: Vec<Code>,
}

/// One page of a search: the hits of the ranks asked for, and how many there are in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// How many records of the kinds asked for matched: exact, not capped.
    pub total: usize,
    /// The hits of the ranks asked for, best first; `hits[0]` has the first rank asked for.
    pub hits: Vec<Hit>,
}

/// Why a search, or building the index, failed: never the user's text.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("reading the store for the search index: {0}")]
    Store(#[from] crate::store::Error),
    #[error("search index holds a malformed document")]
    MalformedDocument,
    #[error("search index writer lock poisoned")]
    Poisoned,
    #[error("search index: {action}: {source}")]
    Io {
        action: String,
        source: std::io::Error,
    },
}

/// A full-text index of every record in the store.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// Serialises the writes taken in while serving (tantivy allows one writer per index at
    /// a time), with the stored index's stamp when it is on disk.
    writing: Mutex<Option<build::Disk>>,
    fields: schema::Fields,
    /// Where each segment's documents of each kind lie, for the kinds filter.
    kind_runs: runs::KindRuns,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("documents", &self.len())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Bytes the index occupies (its segments).
    pub fn size_bytes(&self) -> u64 {
        self.reader
            .searcher()
            .space_usage()
            .map_or(0, |usage| usage.total().get_bytes())
    }

    /// The number of records indexed.
    pub fn len(&self) -> usize {
        self.reader.searcher().num_docs() as usize
    }

    /// Whether no record is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The hits of `ranks` (0 is the best) among the best [`MAX_HITS`] for `text`. `kinds`
    /// restricts the kinds searched; `None` searches every kind but posts. Any text is
    /// accepted: text with no searchable word gives no hits.
    ///
    /// Only the hits of `ranks` are loaded and given snippets: a page of 5 costs 5 snippets,
    /// not [`MAX_HITS`].
    pub fn search(
        &self,
        text: &str,
        kinds: Option<&[RecordKind]>,
        ranks: std::ops::Range<usize>,
    ) -> Result<Results, Error> {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let searcher = self.reader.searcher();
        let f = self.fields;
        let intent = wording::Intent::of(&text);
        let mut analyzer = self
            .index
            .tokenizers()
            .get(schema::TOKENIZER)
            .unwrap_or_else(schema::analyzer);
        let Some(plan) = query::text_query(&searcher, &f, &mut analyzer, &text, intent)? else {
            return Ok(Results {
                total: 0,
                hits: Vec::new(),
            });
        };
        let (total, top) =
            ranking::Ranking::new(kinds, intent).rank(&searcher, &plan, &self.kind_runs)?;
        let page: Vec<_> = top
            .into_iter()
            .skip(ranks.start)
            .take(ranks.len())
            .collect();
        if page.is_empty() {
            return Ok(Results {
                total,
                hits: Vec::new(),
            });
        }
        let snippets = snippets::Snippets::new(&searcher, &plan, &f)?;
        let mut hits = Vec::with_capacity(page.len());
        for (score, address) in page {
            let doc: TantivyDocument = searcher.doc(address)?;
            let reference = first_text(&doc, f.reference)
                .and_then(|text| RecordRef::parse(&text).ok())
                .ok_or(Error::MalformedDocument)?;
            let summary = first_text(&doc, f.shown_summary).unwrap_or_default();
            let sources = doc
                .get_all(f.source)
                .filter_map(|value| value.as_str())
                .filter_map(|code| Code::parse(code).ok())
                .collect();
            hits.push(Hit {
                reference,
                score,
                snippet: snippets.of(&doc, &summary),
                summary,
                sources,
            });
        }
        Ok(Results { total, hits })
    }
}

fn first_text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|value| (value as &OwnedValue).as_str())
        .map(str::to_owned)
}
