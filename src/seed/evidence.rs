//! The seed's evidence check: every quote a curated record cites is found verbatim in its
//! source's document (`seed/documents/<file>`), cites a source the record lists, and (once
//! [`super::REQUIRE_CITATIONS`] is on) every curated record cites each of its sources.
//!
//! Quotes are compared after [`normalise_for_quoting`] on both sides: runs of whitespace,
//! typographic quotes and dashes; nothing else. Each problem names the line of the citation.

use std::collections::BTreeMap;

use super::problems::Problems;
use super::tables::{Cited, CitedTables, Located, SeedFile, SourceEntry, Tables, DOCUMENTS_DIR};
use crate::domain::{normalise_for_quoting, Code};

/// The text of each source's document, normalised for quoting, by source code.
#[derive(Debug, Default)]
pub(crate) struct Documents {
    texts: BTreeMap<Code, Document>,
}

#[derive(Debug)]
struct Document {
    /// The path the quotes are checked against, relative to the seed directory.
    path: String,
    normalised: String,
}

impl Documents {
    /// Finds each source's document among the seed files: `documents/<document>`, or, for a
    /// dataset whose provenance file lives beside its rows, `<document>` itself. A source
    /// whose document is missing is a problem at its `document` field.
    pub(crate) fn read(
        sources: &[Located<SourceEntry>],
        files: &[SeedFile],
        problems: &mut Problems,
    ) -> Self {
        let mut texts = BTreeMap::new();
        for entry in sources {
            let document = &entry.value.document;
            let in_documents = format!("{DOCUMENTS_DIR}/{document}");
            let file = files
                .iter()
                .find(|file| file.relative_path == in_documents)
                .or_else(|| files.iter().find(|file| &file.relative_path == document));
            match file {
                Some(file) => {
                    texts.insert(
                        entry.value.code.clone(),
                        Document {
                            path: file.relative_path.clone(),
                            normalised: normalise_for_quoting(&file.content),
                        },
                    );
                }
                None => entry.problem(
                    problems,
                    "document",
                    format!("no file {in_documents} holds the text of this source"),
                ),
            }
        }
        Self { texts }
    }
}

/// Checks the citations of every curated entry of every table: each quote is found verbatim
/// in its source's document, and every entry cites each of its sources at least once.
pub(crate) fn check(tables: &Tables, documents: &Documents, problems: &mut Problems) {
    tables.visit_cited(&mut Checker {
        documents,
        problems,
    });
}

struct Checker<'a> {
    documents: &'a Documents,
    problems: &'a mut Problems,
}

impl<'t> CitedTables<'t> for Checker<'_> {
    fn visit<E: Cited>(&mut self, entries: &'t [Located<E>]) {
        for entry in entries {
            self.entry(entry);
        }
    }
}

impl Checker<'_> {
    fn entry<E: Cited>(&mut self, entry: &Located<E>) {
        let sources = entry.value.sources();
        let citations = entry.value.citations();
        for (index, citation) in citations.iter().enumerate() {
            let line = entry.citation_line(index);
            let mut problem = |message: String| {
                self.problems.push(&entry.file, line, "citations", message);
            };
            if !sources.contains(&citation.source) {
                problem(format!(
                    "cites {:?}, which is not in this record's `sources`",
                    citation.source.as_str()
                ));
                continue;
            }
            let quote = normalise_for_quoting(&citation.quote);
            if quote.is_empty() {
                problem("the quote is empty".to_owned());
                continue;
            }
            // An unknown source or a missing document is reported where it is declared.
            let Some(document) = self.documents.texts.get(&citation.source) else {
                continue;
            };
            if !document.normalised.contains(&quote) {
                problem(format!(
                    "quote not found verbatim in {}: {:?}",
                    document.path,
                    abbreviate(&quote)
                ));
            }
        }
        if citations.is_empty() {
            entry.problem(
                self.problems,
                "citations",
                "every curated record needs at least one citation (the words of its source it rests on)",
            );
            return;
        }
        for source in sources {
            if !citations.iter().any(|citation| &citation.source == source) {
                entry.problem(
                    self.problems,
                    "citations",
                    format!("source {:?} is listed but never cited", source.as_str()),
                );
            }
        }
    }
}

/// The first words of a long quote, to name it in a problem.
fn abbreviate(quote: &str) -> String {
    const MAX_CHARS: usize = 80;
    match quote.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{}…", &quote[..end]),
        None => quote.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, content: &str) -> SeedFile {
        SeedFile {
            relative_path: path.to_owned(),
            content: content.to_owned(),
        }
    }

    fn problems(records: &str) -> Vec<String> {
        let files = [
            file(
                "sources.toml",
                "[[source]]\ncode = \"doc\"\ntitle = \"A document\"\npublisher = \"P\"\nkind = \"ARTICLE\"\ndocument = \"doc.txt\"\n",
            ),
            file("documents/doc.txt", "The \u{201C}first\u{201D} line\nof the\u{2014}document."),
            file("web/roles.toml", records),
        ];
        let mut problems = Problems::default();
        let tables = Tables::parse(&files, &mut problems);
        let documents = Documents::read(&tables.sources, &files, &mut problems);
        check(&tables, &documents, &mut problems);
        problems.to_string().lines().map(str::to_owned).collect()
    }

    const UNCITED: &str = "[[role]]\ncode = \"r\"\nname = \"R\"\ncategory = \"EXECUTIVE\"\nsummary = \"S\"\nsources = [\"doc\"]\n";

    #[test]
    fn a_record_without_citations_is_a_problem() {
        assert_eq!(
            problems(UNCITED),
            ["web/roles.toml:1: citations: every curated record needs at least one citation (the words of its source it rests on)"]
        );
    }

    #[test]
    fn a_quote_matches_across_line_breaks_typographic_quotes_and_dashes() {
        let cited = format!(
            "{UNCITED}citations = [\n  {{ source = \"doc\", quote = 'The \"first\" line of the-document.' }},\n]\n"
        );
        assert_eq!(problems(&cited), Vec::<String>::new());
    }

    #[test]
    fn a_quote_differing_in_case_is_not_verbatim() {
        let cited = format!(
            "{UNCITED}citations = [\n  {{ source = \"doc\", quote = \"the first\" }},\n  {{ source = \"doc\", quote = \"The \\\"First\\\" line\" }},\n]\n"
        );
        assert_eq!(
            problems(&cited),
            [
                "web/roles.toml:8: citations: quote not found verbatim in documents/doc.txt: \"the first\"",
                "web/roles.toml:9: citations: quote not found verbatim in documents/doc.txt: \"The \\\"First\\\" line\"",
            ]
        );
    }
}
