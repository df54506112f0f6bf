//! The `search` root field: ranked full-text search for chatbot backends, over the
//! in-memory index of [`crate::search`].

use std::sync::Arc;

use async_graphql::{Context, Object, Result};

use super::connection::{ranked_page, ranked_page_ranks, Page, PageArgs};
use super::data::graph;
use super::errors::{bad_user_input, internal};
use super::types::{load_record, read, Record, SourceObject};
use crate::domain::RecordKind;
use crate::search::{Hit, SearchIndex, MAX_HITS, MAX_QUERY_CHARS};

pub(crate) use super::types::SearchKind;

/// One search result: the record, why it matched, and what to cite.
pub(crate) struct SearchHit {
    hit: Hit,
}

/// One search result: the record, why it matched, and what to cite.
#[Object]
impl SearchHit {
    /// Relevance score (BM25, higher is better); comparable only within one search.
    async fn score(&self) -> f64 {
        f64::from(self.hit.score)
    }

    /// A fragment of the record's summary or text with the matched words between `«` and `»`
    /// (plain text, nothing escaped); the summary's first 200 characters if no word matched
    /// exactly (e.g. a typo found by fuzzy matching).
    async fn snippet(&self) -> &str {
        &self.hit.snippet
    }

    /// The record's summary: one or two sentences quotable as an answer.
    async fn summary(&self) -> &str {
        &self.hit.summary
    }

    /// The record found; query its fields and relationships with inline fragments.
    async fn record(&self, ctx: &Context<'_>) -> Result<Record> {
        load_record(graph(ctx), &self.hit.reference)?.ok_or_else(|| {
            internal(format!(
                "search index names {} that the store does not hold",
                self.hit.reference
            ))
        })
    }

    /// The documents the record comes from, to cite.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<SourceObject>> {
        read(ctx, &self.hit.sources)
    }
}

/// Runs a search for the `search` root field.
pub(crate) fn search(
    ctx: &Context<'_>,
    query: &str,
    kinds: Option<Vec<SearchKind>>,
    page: PageArgs,
) -> Result<Page<SearchHit>> {
    if query.trim().is_empty() {
        return Err(bad_user_input(
            "`query` must contain some words to search for",
        ));
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(bad_user_input(format!(
            "`query` must be at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let kinds: Option<Vec<RecordKind>> = match kinds {
        Some(kinds) if kinds.is_empty() => {
            return Err(bad_user_input(
                "`kinds` must not be empty; omit it to search every kind but posts",
            ))
        }
        kinds => kinds.map(|kinds| kinds.into_iter().map(Into::into).collect()),
    };
    let index = ctx.data_unchecked::<Arc<SearchIndex>>();
    // Counting back from the end (`last` without `before`) needs the number of hits first.
    let count = || {
        Ok(index
            .search(query, kinds.as_deref(), 0..0)
            .map_err(internal)?
            .total)
    };
    let ranks = ranked_page_ranks(&page, count)?;
    let start = ranks.start;
    let results = index
        .search(query, kinds.as_deref(), ranks)
        .map_err(internal)?;
    // The index leaves out courses retired when they were indexed; one whose scheduled
    // retirement came since is left out here (the page is then one hit shorter).
    let today = super::scalars::today();
    let graph = graph(ctx);
    let mut hits = Vec::with_capacity(results.hits.len());
    for hit in results.hits {
        if hit.reference.kind == RecordKind::Course {
            let course = graph.get::<crate::domain::Course>(&hit.reference.code)?;
            if course.is_some_and(|course| course.is_retired_on(today)) {
                continue;
            }
        }
        hits.push(SearchHit { hit });
    }
    let mut page = ranked_page(hits, start, results.total);
    // `totalCount` is exact, but pages reach only the best `MAX_HITS`.
    page.has_next_page = page.has_next_page && start + page.edges.len() < MAX_HITS;
    Ok(page)
}
