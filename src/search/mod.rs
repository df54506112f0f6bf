//! Ranked full-text search over every record of the store, for chatbot backends.
//!
//! The index is a tantivy index held **in memory only**: [`SearchIndex::build`] rebuilds it
//! from the store, deterministically, at each start (it takes well under a second for the
//! repository's seed, and the start logs how long). Nothing is written to disk, so there is no
//! index to go stale or corrupt; the store stays the only source of truth.
//!
//! Ranking is BM25 over six fields with boosts: `name` and `aliases` ×3, `situations` ×2
//! (who and what situation a programme is for, in its own words), `summary` ×1.5, `body` ×1
//! (including the quotes the record cites). Text is split into words, ASCII-folded,
//! lower-cased, stripped of English stop words and question words, and stemmed (English).
//! Words in double quotes are a phrase, and neighbouring words also score as a phrase.
//! Everyday wording is mapped to the records' words (`SYNONYMS`, `PHRASES`; abbreviations
//! are spelt out only for a "what is" question). A word the index does not hold at all (a
//! typo: "Frankin", "Bevin") is also looked up with a fuzzy match on names and aliases (edit
//! distance 1 from 5 letters, 2 from 8). User text never reaches tantivy's query syntax:
//! everything but letters, digits, spaces and balanced double quotes is dropped first, so no
//! input can be a query syntax error.
//!
//! The score is then multiplied by what the wording asks for (`Intent`: a topic for "what
//! is", a figure for "how many", a story, a programme) and by 0.3 for a closed or historical
//! organisation, so a general question finds current records first. The kinds asked for are
//! a filter on a fast field applied by the collector, not a query clause, and the total is
//! counted exactly in the same pass as the best [`MAX_HITS`].
//!
//! Posts ("Chief Executive, X NHS Trust", ~2,300 near-identical records) are indexed by name
//! and holder only, and left out of results unless the caller asks for the post kind: they
//! would otherwise drown roles and programmes for any question about a role.
//!
//! Snippets are fragments of the summary (or else the body) with the matched words between
//! `«` and `»` (plain text, nothing escaped); without a match, the summary's first 200
//! characters.
//!
//! Invariant: this is the only module that knows tantivy; it depends on `store` and `domain`
//! only.

mod documents;

use std::time::Instant;

use serde::de::DeserializeOwned;
use tantivy::collector::{Count, FilterCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, QueryParser,
};
use tantivy::schema::{
    Field, IndexRecordOption, OwnedValue, Schema, TextFieldIndexing, TextOptions, Value, FAST,
    STORED, STRING,
};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{
    DocId, Index, IndexReader, ReloadPolicy, Score, SegmentReader, TantivyDocument, Term,
};

use crate::domain::{Code, Record, RecordKind, RecordRef};
use crate::store::Store;

/// The most hits one search returns.
pub const MAX_HITS: usize = 100;
/// The longest query text looked at, in characters; callers should refuse longer ones.
pub const MAX_QUERY_CHARS: usize = 500;
/// Length of the fallback snippet, in characters.
const FALLBACK_SNIPPET_CHARS: usize = 200;
/// At most this many pairs of neighbouring words are also searched as phrases.
const MAX_PHRASE_PAIRS: usize = 16;
/// How much more a pair of neighbouring words scores as a phrase, on top of its words.
const PHRASE_BOOST: f32 = 1.0;
/// At most this many words get a fuzzy lookup, to bound the work of one query.
const MAX_FUZZY_WORDS: usize = 8;

const TOKENIZER: &str = "en_search";
const NAME_BOOST: f32 = 3.0;
const ALIASES_BOOST: f32 = 3.0;
const SUMMARY_BOOST: f32 = 1.5;
const SITUATIONS_BOOST: f32 = 2.0;
/// A closed or historical organisation's score is multiplied by this: it still answers a
/// question naming it, but ranks below the current ones a general question is about.
const NOT_CURRENT_FACTOR: f32 = 0.3;
/// A question asking what something is ranks definitions (topics) this much higher; one
/// asking how many ranks figures this much higher.
const INTENT_FACTOR: f32 = 3.0;

/// Fast-field names: the record kind's index in `RecordKind::ALL`, and 1 for a current
/// record, 0 for a closed or historical organisation.
const KIND_FIELD: &str = "kind_id";
const CURRENT_FIELD: &str = "current";
const FUZZY_BOOST: f32 = 2.0;

/// Words that carry no meaning in a question, on top of Lucene's English stop words.
const QUESTION_WORDS: &[&str] = &[
    "what", "which", "who", "whom", "whose", "how", "why", "when", "where", "does", "do", "did",
    "can", "could", "should", "would", "i", "me", "my", "you", "your", "we", "our", "about",
    "tell", "much", "many", "any", "there", "have", "has", "get", "need", "offer", "offers",
];

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

/// What a question asks for, read from its wording, to rank the kind of record that
/// answers it higher: a definition for "what is...", a figure for "how many...".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    Definition,
    Count,
    Story,
    Programme,
    Other,
}

impl Intent {
    fn of(question: &str) -> Self {
        let question = format!(
            " {} ",
            question.to_lowercase().replace(['?', ',', '.', '\''], " ")
        );
        let has = |phrases: &[&str]| phrases.iter().any(|phrase| question.contains(phrase));
        if has(&[
            " how many ",
            " how big ",
            " how large ",
            " number of ",
            " what proportion ",
            " what percentage ",
            " what share ",
        ]) {
            return Intent::Count;
        }
        if has(&[
            " career story ",
            " story of ",
            " stories ",
            " whose career ",
        ]) {
            return Intent::Story;
        }
        if has(&[
            " programme ",
            " programmes ",
            " program ",
            " course ",
            " courses ",
            " scheme ",
            " training for ",
        ]) {
            return Intent::Programme;
        }
        // "what does a practice manager do" asks about a role, not for a definition.
        let asks_what_it_does = question.trim_end().ends_with(" do");
        let asks_what_it_is = has(&[
            " what is ",
            " what are ",
            " whats ",
            " what s ",
            " define ",
            " definition ",
            " meaning of ",
            " stand for ",
            " mean ",
        ]);
        if asks_what_it_is && !asks_what_it_does {
            Intent::Definition
        } else {
            Intent::Other
        }
    }

    /// The factor a hit of kind `kind_id` gets.
    fn factor(self, kind_id: Option<u64>) -> f32 {
        let favoured = match self {
            Intent::Definition => RecordKind::Topic,
            Intent::Count => RecordKind::Figure,
            Intent::Story => RecordKind::CareerStory,
            Intent::Programme => RecordKind::Programme,
            Intent::Other => return 1.0,
        };
        if kind_id != Some(self::kind_id(favoured)) {
            1.0
        } else if self == Intent::Programme {
            // Milder: "a course for a new ward manager" may still be answered by the role.
            INTENT_FACTOR / 1.5
        } else {
            INTENT_FACTOR
        }
    }
}

/// One page of a search: the hits of the ranks asked for, and how many there are in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// How many records of the kinds asked for matched: exact, not capped.
    pub total: usize,
    /// The hits of the ranks asked for, best first; `hits[0]` has the first rank asked for.
    pub hits: Vec<Hit>,
}

/// Why a search could not run: only tantivy failures, never the user's text.
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
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    reference: Field,
    name: Field,
    aliases: Field,
    summary: Field,
    shown_summary: Field,
    situations: Field,
    body: Field,
    source: Field,
    kind_id: Field,
    current: Field,
}

/// The indexing arena of a writer: tantivy's minimum. A writer exists only while the index
/// is built or a partner write is indexed, so its arena is not resident in between.
const WRITER_MEMORY_BYTES: usize = 15_000_000;

/// An in-memory full-text index of every record in the store.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// Serialises partner writes' indexing: tantivy allows one writer per index at a time.
    writing: std::sync::Mutex<()>,
    fields: Fields,
    documents: usize,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("documents", &self.documents)
            .finish_non_exhaustive()
    }
}

fn analyzer() -> TextAnalyzer {
    let mut stop_words: Vec<String> = Vec::new();
    // Lucene's English list (what `StopWordFilter::new(Language::English)` holds).
    stop_words.extend(
        [
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into",
            "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then",
            "there", "these", "they", "this", "to", "was", "will", "with",
        ]
        .map(String::from),
    );
    stop_words.extend(QUESTION_WORDS.iter().map(|&word| word.to_owned()));
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(AsciiFoldingFilter)
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(stop_words))
        .filter(Stemmer::new(Language::English))
        .build()
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        reference: builder.add_text_field("reference", STRING | STORED),
        name: builder.add_text_field("name", text.clone()),
        aliases: builder.add_text_field("aliases", text.clone()),
        summary: builder.add_text_field("summary", text.clone() | STORED),
        shown_summary: builder.add_text_field("shown_summary", STORED),
        situations: builder.add_text_field("situations", text.clone()),
        body: builder.add_text_field("body", text | STORED),
        source: builder.add_text_field("source", STORED),
        kind_id: builder.add_u64_field(KIND_FIELD, FAST),
        current: builder.add_u64_field(CURRENT_FIELD, FAST),
    };
    (builder.build(), fields)
}

fn to_tantivy(fields: &Fields, document: &documents::Document) -> TantivyDocument {
    let today = chrono::Utc::now().date_naive();
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.reference, document.reference.to_string());
    doc.add_u64(fields.kind_id, kind_id(document.reference.kind));
    doc.add_u64(fields.current, u64::from(document.is_current(today)));
    for situation in &document.situations {
        doc.add_text(fields.situations, situation);
    }
    doc.add_text(fields.name, &document.name);
    for alias in &document.aliases {
        doc.add_text(fields.aliases, alias);
    }
    doc.add_text(
        fields.summary,
        document
            .indexed_summary
            .as_deref()
            .unwrap_or(&document.summary),
    );
    doc.add_text(fields.shown_summary, &document.summary);
    for part in &document.body {
        doc.add_text(fields.body, part);
    }
    for source in &document.sources {
        doc.add_text(fields.source, source.as_str());
    }
    doc
}

/// The kind's position in `RecordKind::ALL`, as the `kind_id` fast field holds it.
fn kind_id(kind: RecordKind) -> u64 {
    RecordKind::ALL
        .iter()
        .position(|known| *known == kind)
        .expect("every kind is in ALL") as u64
}

impl SearchIndex {
    /// Builds the index from every record in `store`. Blocking: call it off the async runtime.
    pub fn build(store: &Store) -> Result<Self, Error> {
        let started = Instant::now();
        let mut documents = Vec::new();
        collect(store, &mut documents, documents::organisation)?;
        collect(store, &mut documents, documents::role)?;
        collect(store, &mut documents, documents::post)?;
        collect(store, &mut documents, documents::programme)?;
        // A retired course is not offered, so it is not indexed (see `upsert_courses`).
        let today = chrono::Utc::now().date_naive();
        let courses = store.all::<crate::domain::Course>()?;
        let offered = courses.iter().filter(|course| !course.is_retired_on(today));
        documents.extend(offered.map(documents::course));
        collect(store, &mut documents, documents::qualification)?;
        collect(store, &mut documents, documents::pay_band)?;
        collect(store, &mut documents, documents::topic)?;
        collect(store, &mut documents, documents::career_story)?;
        collect(store, &mut documents, documents::figure)?;
        collect(store, &mut documents, documents::source)?;
        let index = Self::from_documents(&documents)?;
        tracing::info!(
            documents = index.documents,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index built in memory"
        );
        Ok(index)
    }

    fn from_documents(documents: &[documents::Document]) -> Result<Self, Error> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(TOKENIZER, analyzer());
        let mut writer =
            index.writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY_BYTES)?;
        for document in documents {
            writer.add_document(to_tantivy(&fields, document))?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writing: std::sync::Mutex::new(()),
            fields,
            documents: documents.len(),
        })
    }

    /// Replaces the indexed documents of `courses` (adding new ones, removing those retired
    /// today), and makes the change visible to the next search: partner writes are
    /// searchable as soon as they are answered.
    pub fn upsert_courses(&self, courses: &[crate::domain::Course]) -> Result<(), Error> {
        let _writing = self.writing.lock().map_err(|_| Error::Poisoned)?;
        let mut writer = self
            .index
            .writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY_BYTES)?;
        for course in courses {
            let document = documents::course(course);
            writer.delete_term(Term::from_field_text(
                self.fields.reference,
                &document.reference.to_string(),
            ));
            if !course.is_retired_on(chrono::Utc::now().date_naive()) {
                writer.add_document(to_tantivy(&self.fields, &document))?;
            }
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Adds (or replaces) the documents of organisations an operator added and of the
    /// sources they cite, visible to the next search.
    pub fn upsert_organisations(
        &self,
        organisations: &[crate::domain::Organisation],
        sources: &[crate::domain::Source],
    ) -> Result<(), Error> {
        let _writing = self.writing.lock().map_err(|_| Error::Poisoned)?;
        let mut writer = self
            .index
            .writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY_BYTES)?;
        let documents = organisations
            .iter()
            .map(documents::organisation)
            .chain(sources.iter().map(documents::source));
        for document in documents {
            writer.delete_term(Term::from_field_text(
                self.fields.reference,
                &document.reference.to_string(),
            ));
            writer.add_document(to_tantivy(&self.fields, &document))?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Bytes the index occupies (its segments, in memory).
    pub fn size_bytes(&self) -> u64 {
        self.reader
            .searcher()
            .space_usage()
            .map_or(0, |usage| usage.total().get_bytes())
    }

    /// The number of records indexed.
    pub fn len(&self) -> usize {
        self.documents
    }

    /// Whether no record is indexed.
    pub fn is_empty(&self) -> bool {
        self.documents == 0
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
        let Some(matching) = self.text_query(&searcher, &text)? else {
            return Ok(Results {
                total: 0,
                hits: Vec::new(),
            });
        };
        // The kinds are a filter on a fast field, applied by the collector, not a clause
        // of the query: it takes no part in scoring. The count is exact (every match of an
        // allowed kind), collected in the same pass as the best hits.
        let allowed: Vec<u64> = match kinds {
            Some(kinds) => kinds.iter().map(|&kind| kind_id(kind)).collect(),
            None => RecordKind::ALL
                .iter()
                .filter(|&&kind| kind != RecordKind::Post)
                .map(|&kind| kind_id(kind))
                .collect(),
        };
        let intent = Intent::of(&text);
        let ranked = TopDocs::with_limit(MAX_HITS).tweak_score(move |segment: &SegmentReader| {
            let columns = segment.fast_fields();
            let kinds = columns.u64(KIND_FIELD).ok();
            let current = columns.u64(CURRENT_FIELD).ok();
            move |doc: DocId, score: Score| {
                let kind = kinds.as_ref().and_then(|column| column.first(doc));
                let is_current = current
                    .as_ref()
                    .and_then(|column| column.first(doc))
                    .is_none_or(|value| value == 1);
                score * intent.factor(kind) * if is_current { 1.0 } else { NOT_CURRENT_FACTOR }
            }
        });
        let collector = FilterCollector::new(
            KIND_FIELD.to_owned(),
            move |kind: u64| allowed.contains(&kind),
            (Count, ranked),
        );
        let (total, top) = searcher.search(&*matching, &collector)?;
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
        let mut summary_snippets = SnippetGenerator::create(&searcher, &*matching, f.summary)?;
        summary_snippets.set_max_num_chars(FALLBACK_SNIPPET_CHARS);
        let mut body_snippets = SnippetGenerator::create(&searcher, &*matching, f.body)?;
        body_snippets.set_max_num_chars(FALLBACK_SNIPPET_CHARS);

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
            let snippet = [&summary_snippets, &body_snippets]
                .into_iter()
                .map(|generator| generator.snippet_from_doc(&doc))
                .find(|snippet| !snippet.highlighted().is_empty())
                .map_or_else(|| truncate(&summary, FALLBACK_SNIPPET_CHARS), |s| mark(&s));
            hits.push(Hit {
                reference,
                score,
                snippet,
                summary,
                sources,
            });
        }
        Ok(Results { total, hits })
    }

    /// The query matching `text` (without kind filter), or `None` if it has no word to search.
    fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
    ) -> Result<Option<Box<dyn Query>>, Error> {
        let f = self.fields;
        let mut clean = sanitise(text);
        let extra = sanitise(&synonyms(&clean, Intent::of(text)));
        clean.push_str(&extra);
        let mut parser = QueryParser::for_index(
            &self.index,
            vec![f.name, f.aliases, f.situations, f.summary, f.body],
        );
        parser.set_field_boost(f.situations, SITUATIONS_BOOST);
        parser.set_field_boost(f.name, NAME_BOOST);
        parser.set_field_boost(f.aliases, ALIASES_BOOST);
        parser.set_field_boost(f.summary, SUMMARY_BOOST);
        let parsed = match parser.parse_query(&clean) {
            Ok(query) => query,
            Err(_) => parser.parse_query_lenient(&clean).0,
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, parsed)];

        let mut words = Vec::new();
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(&clean);
        while stream.advance() {
            words.push(stream.token().text.clone());
        }
        if words.is_empty() {
            return Ok(None);
        }
        // Two words side by side in the question ("staff college", "mid level") score more
        // where the record has them side by side too.
        let mut pairs: Vec<(String, String)> = words
            .windows(2)
            .map(|pair| (pair[0].clone(), pair[1].clone()))
            .filter(|(first, second)| first != second)
            .collect();
        pairs.dedup();
        for (first, second) in pairs.into_iter().take(MAX_PHRASE_PAIRS) {
            for (field, boost) in [
                (f.name, NAME_BOOST),
                (f.situations, SITUATIONS_BOOST),
                (f.summary, SUMMARY_BOOST),
                (f.body, 1.0),
            ] {
                let phrase = PhraseQuery::new(vec![
                    Term::from_field_text(field, &first),
                    Term::from_field_text(field, &second),
                ]);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(phrase), boost * PHRASE_BOOST)),
                ));
            }
        }
        words.sort();
        words.dedup();
        let mut fuzzy_words = 0;
        for word in words {
            let length = word.chars().count();
            if length < 5 || fuzzy_words >= MAX_FUZZY_WORDS {
                continue;
            }
            let mut known = false;
            for field in [f.name, f.aliases, f.situations, f.summary, f.body] {
                if searcher.doc_freq(&Term::from_field_text(field, &word))? > 0 {
                    known = true;
                    break;
                }
            }
            if known {
                continue;
            }
            fuzzy_words += 1;
            let distance = if length >= 8 { 2 } else { 1 };
            for field in [f.name, f.aliases] {
                let fuzzy =
                    FuzzyTermQuery::new(Term::from_field_text(field, &word), distance, true);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(fuzzy), FUZZY_BOOST)),
                ));
            }
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }
}

fn collect<T: Record + DeserializeOwned>(
    store: &Store,
    documents: &mut Vec<documents::Document>,
    document: fn(&T) -> documents::Document,
) -> Result<(), Error> {
    documents.extend(store.all::<T>()?.iter().map(document));
    Ok(())
}

fn first_text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|value| (value as &OwnedValue).as_str())
        .map(str::to_owned)
}

/// Abbreviations and everyday words users type, and the words the records use instead:
/// each is searched for as well as the word typed.
const SYNONYMS: &[(&str, &str)] = &[
    ("hr", "human resources"),
    ("ceo", "chief executive"),
    ("cfo", "chief financial officer"),
    ("coo", "chief operating officer"),
    ("vacancies", "unfilled positions"),
    ("work", "employs workforce"),
    ("physicist", "physics"),
    ("course", "programme"),
    ("job", "role"),
    ("nurses", "nursing clinical staff"),
    ("cost", "free funded budgets"),
    ("costs", "free funded budgets"),
    ("fee", "free funded"),
    ("fees", "free funded"),
    ("price", "free funded"),
    (
        "regulator",
        "regulators registration GMC NMC professional accountability",
    ),
    ("regulates", "regulators registration"),
    ("degree", "postgraduate degrees university"),
    ("masters", "postgraduate degrees"),
    ("msc", "postgraduate degrees"),
    ("called", "described known"),
    ("recommended", "suggested report"),
    ("recommend", "suggested report"),
];

/// Abbreviations and what they stand for, added only when the question asks what one is:
/// the definition spells it out, while every ICB's own record answers to "ICB" already.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("icb", "integrated care board"),
    ("icbs", "integrated care boards"),
    ("ics", "integrated care system"),
    ("ccg", "clinical commissioning group"),
    ("ccgs", "clinical commissioning groups"),
    ("pct", "primary care trust"),
];

/// Everyday descriptions of a situation or an audience, and the words the records use for
/// it (a programme's audience and level): people say where they are, not what to take.
const PHRASES: &[(&str, &str)] = &[
    ("mid-level", "mid-level leaders with management experience"),
    ("mid level", "mid-level leaders with management experience"),
    ("middle manager", "mid-level leaders middle management"),
    ("middle management", "mid-level leaders middle management"),
    ("manage a team", "mid-level leaders management experience"),
    ("beyond my team", "expand influence beyond immediate teams"),
    ("beyond it", "expand influence beyond immediate teams"),
    (
        "senior manager",
        "senior managers middle management executive roles",
    ),
    ("executive post", "executive roles executive positions"),
    ("executive role", "executive roles executive positions"),
    ("become a director", "executive roles aspiring directors"),
    ("board level", "board-level executive positions"),
    (
        "first line",
        "first-line managers first formal leadership supervisory",
    ),
    (
        "first-line",
        "first-line managers first formal leadership supervisory",
    ),
    (
        "new manager",
        "first formal leadership management responsibilities first-time team leaders",
    ),
    (
        "new ward manager",
        "first formal leadership management responsibilities ward managers",
    ),
    (
        "new to management",
        "first formal leadership management responsibilities first-time",
    ),
    (
        "first management",
        "first formal leadership management responsibilities first-time",
    ),
    (
        "first time",
        "first formal leadership first-time team leaders",
    ),
    (
        "first leadership",
        "first formal leadership first significant leadership role",
    ),
    ("how long", "duration months"),
    ("how many", "number"),
    ("number of", "number"),
    ("how much does", "free funded cost"),
    ("pay for", "free funded cost"),
];

/// The words of [`SYNONYMS`] and [`PHRASES`] (and for a definition question, of
/// [`ABBREVIATIONS`]) to add for `text`.
fn synonyms(text: &str, intent: Intent) -> String {
    let mut extra = String::new();
    let abbreviations = if intent == Intent::Definition {
        ABBREVIATIONS
    } else {
        &[]
    };
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        for (typed, used) in SYNONYMS.iter().chain(abbreviations) {
            if word == *typed {
                extra.push(' ');
                extra.push_str(used);
            }
        }
    }
    let lower = format!(
        " {} ",
        text.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (said, used) in PHRASES {
        if lower.contains(&format!(" {said}")) {
            extra.push(' ');
            extra.push_str(used);
        }
    }
    extra
}

/// Keeps letters, digits, spaces and balanced double quotes (phrases); anything else, which
/// tantivy's query language could read as syntax, becomes a space. Upper-case `AND`, `OR`
/// and `NOT` are operators to tantivy: they are lower-cased, so they are plain words.
fn sanitise(text: &str) -> String {
    let mut clean: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '"' {
                c
            } else {
                ' '
            }
        })
        .collect();
    if clean.matches('"').count() % 2 == 1 {
        if let Some(last) = clean.rfind('"') {
            clean.replace_range(last..=last, " ");
        }
    }
    clean
        .split(' ')
        .map(|word| match word {
            "AND" | "OR" | "NOT" | "IN" | "TO" => word.to_lowercase(),
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The snippet's fragment with each highlighted range between `«` and `»`.
fn mark(snippet: &Snippet) -> String {
    let fragment = snippet.fragment();
    let mut marked = String::with_capacity(fragment.len() + 16);
    let mut at = 0;
    for range in snippet.highlighted() {
        if range.start < at || range.end > fragment.len() {
            continue;
        }
        marked.push_str(&fragment[at..range.start]);
        marked.push('«');
        marked.push_str(&fragment[range.clone()]);
        marked.push('»');
        at = range.end;
    }
    marked.push_str(&fragment[at..]);
    marked.trim().to_owned()
}

fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wording_of_a_question_says_what_kind_of_record_answers_it() {
        assert_eq!(Intent::of("What is an ICB?"), Intent::Definition);
        assert_eq!(Intent::of("how many NHS trusts are there?"), Intent::Count);
        assert_eq!(Intent::of("what does a practice manager do"), Intent::Other);
        assert_eq!(
            Intent::of("career story of a finance director"),
            Intent::Story
        );
        assert_eq!(
            Intent::of("programmes for mid-level leaders"),
            Intent::Programme
        );
    }

    #[test]
    fn everyday_wording_adds_the_records_words() {
        let extra = synonyms(
            "I manage a team and want to influence beyond it",
            Intent::Other,
        );
        assert!(
            extra.contains("expand influence beyond immediate teams"),
            "{extra}"
        );
        assert!(!synonyms("Frimley ICB", Intent::Other).contains("integrated care board"));
        assert!(synonyms("what is an ICB", Intent::Definition).contains("integrated care board"));
    }

    #[test]
    fn sanitising_leaves_no_query_syntax() {
        assert_eq!(sanitise("a:b (c* AND \"d"), "a b  c  and  d");
        assert_eq!(sanitise("\"mary seacole\""), "\"mary seacole\"");
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hi", 5), "hi");
    }
}
