//! What a hit shows: a fragment of the record's summary (or else its body) with the matched
//! words between `«` and `»` (plain text, nothing escaped); without a match, the summary's
//! first [`FALLBACK_SNIPPET_CHARS`] characters. Made only for the hits of the page asked for.

use std::collections::BTreeMap;

use tantivy::schema::Field;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{Score, Searcher, TantivyDocument};

use super::query::Plan;
use super::schema::Fields;
use super::Error;

/// Length of a snippet, and of the fallback snippet, in characters.
const FALLBACK_SNIPPET_CHARS: usize = 200;

/// Makes the snippets of one search's hits.
pub(super) struct Snippets {
    summary: SnippetGenerator,
    body: SnippetGenerator,
}

impl Snippets {
    /// Snippet makers for the hits of `plan`.
    pub(super) fn new(searcher: &Searcher, plan: &Plan, fields: &Fields) -> Result<Self, Error> {
        let generator = |field: Field| -> Result<SnippetGenerator, Error> {
            // Rarer words weigh more in choosing the fragment, as in `SnippetGenerator::create`.
            let words: BTreeMap<String, Score> = plan
                .words_in(searcher, field)?
                .into_iter()
                .map(|(word, frequency)| (word, 1.0 / (1.0 + frequency as Score)))
                .collect();
            let analyzer = searcher.index().tokenizer_for_field(field)?;
            Ok(SnippetGenerator::new(
                words,
                analyzer,
                field,
                FALLBACK_SNIPPET_CHARS,
            ))
        };
        Ok(Self {
            summary: generator(fields.summary)?,
            body: generator(fields.body)?,
        })
    }

    /// The snippet of `doc`, whose summary as shown is `summary`.
    pub(super) fn of(&self, doc: &TantivyDocument, summary: &str) -> String {
        [&self.summary, &self.body]
            .into_iter()
            .map(|generator| generator.snippet_from_doc(doc))
            .find(|snippet| !snippet.highlighted().is_empty())
            .map_or_else(|| truncate(summary, FALLBACK_SNIPPET_CHARS), |s| mark(&s))
    }
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
    fn truncation_respects_characters() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hi", 5), "hi");
    }
}
