//! The TOML tables of `seed/`, exactly as written by hand: one struct per table, unknown
//! fields refused, each entry kept with its location so later problems can name a line, and
//! how an entry becomes its domain record ([`Entry`]).
//!
//! The tables are declared once, in [`seed_tables!`]: from its lines come the parsed file,
//! [`Tables`], and the two ways to go through every table without listing them
//! ([`Tables::visit_records`], [`Tables::visit_cited`]), with which the checks run. Each
//! table's entry struct and its conversion are in this module's files, by group.

mod fields;
mod files;
mod knowledge;
mod learning;
mod located;
mod organisation;
mod people;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use toml::Spanned;

use super::problems::{line_of, Problems};
use crate::domain::{Citation, Code, RecordType};

pub(crate) use fields::{date, parse_enum, Converted};
pub(crate) use files::{files_from, read_files, SeedFile, DOCUMENTS_DIR, REGISTRY_PROVENANCE};
pub(crate) use knowledge::*;
pub(crate) use learning::*;
pub(crate) use located::Located;
pub(crate) use organisation::*;
pub(crate) use people::*;

/// A table whose entries are records of one kind.
pub(crate) trait Entry: 'static {
    type Record: RecordType;

    fn code(&self) -> &Code;

    /// The record the entry describes, or the field it cannot be read from and why.
    fn convert(&self) -> Converted<Self::Record>;
}

/// A seed table entry that cites its sources.
pub(crate) trait Cited: 'static {
    fn sources(&self) -> &[Code];
    fn citations(&self) -> &[CitationEntry];
}

/// Work done for every table of records, in the tables' order ([`Tables::visit_records`]).
pub(crate) trait RecordTables<'t> {
    fn visit<E: Entry>(&mut self, entries: &'t [Located<E>]);
}

/// Work done for every table whose entries cite their sources ([`Tables::visit_cited`]).
pub(crate) trait CitedTables<'t> {
    fn visit<E: Cited>(&mut self, entries: &'t [Located<E>]);
}

/// Declares the tables. Each line names the table (`[[pay_band]]`), its field in [`Tables`],
/// its entry struct, and what its entries are: `sources` (the records every other cites,
/// which cite nothing), `records` (records that cite their sources) or `posts` (entries that
/// cite their sources and become posts after the checks, in `build/posts.rs`).
macro_rules! seed_tables {
    ($($table:ident => $field:ident: $entry:ident ($role:ident),)*) => {
        /// Every table a seed TOML file may hold.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct TomlFile {
            $(
                #[serde(default)]
                $table: Vec<Spanned<$entry>>,
            )*
        }

        /// Every table of every TOML file, with locations.
        #[derive(Debug, Default)]
        pub(crate) struct Tables {
            $(pub(crate) $field: Vec<Located<$entry>>,)*
        }

        impl Tables {
            fn extend(&mut self, file: &SeedFile, parsed: TomlFile) {
                let content: std::sync::Arc<str> = file.content.as_str().into();
                let path = &file.relative_path;
                $(locate(&mut self.$field, path, &content, parsed.$table);)*
            }

            /// Runs `visitor` over every table of records.
            pub(crate) fn visit_records<'t>(&'t self, visitor: &mut impl RecordTables<'t>) {
                $(if_role!($role records visitor.visit(&self.$field););)*
            }

            /// Runs `visitor` over every table whose entries cite their sources.
            pub(crate) fn visit_cited<'t>(&'t self, visitor: &mut impl CitedTables<'t>) {
                $(if_role!($role cited visitor.visit(&self.$field););)*
            }
        }

        $(if_role!($role cited
            impl Cited for $entry {
                fn sources(&self) -> &[Code] {
                    &self.sources
                }

                fn citations(&self) -> &[CitationEntry] {
                    &self.citations
                }
            }
        );)*
    };
}

/// The tokens after the role and the question when a table of that role is one (`records`:
/// a table of records; `cited`: its entries cite their sources), else nothing.
macro_rules! if_role {
    (sources records $($then:tt)*) => { $($then)* };
    (records records $($then:tt)*) => { $($then)* };
    (records cited $($then:tt)*) => { $($then)* };
    (posts cited $($then:tt)*) => { $($then)* };
    ($role:ident $question:ident $($then:tt)*) => {};
}

seed_tables! {
    source => sources: SourceEntry (sources),
    organisation => organisations: OrganisationEntry (records),
    role => roles: RoleEntry (records),
    board => boards: BoardEntry (posts),
    post => posts: PostEntry (posts),
    programme => programmes: ProgrammeEntry (records),
    course => courses: CourseEntry (records),
    qualification => qualifications: QualificationEntry (records),
    pay_band => pay_bands: PayBandEntry (records),
    topic => topics: TopicEntry (records),
    career_story => career_stories: CareerStoryEntry (records),
    figure => figures: FigureEntry (records),
}

impl Tables {
    /// Parses every TOML file; a file that does not parse is one problem, at the line and
    /// field the parser names.
    pub(crate) fn parse(files: &[SeedFile], problems: &mut Problems) -> Self {
        let mut tables = Tables::default();
        for file in files
            .iter()
            .filter(|file| file.relative_path.ends_with(".toml"))
        {
            match toml::from_str::<TomlFile>(&file.content) {
                Ok(parsed) => tables.extend(file, parsed),
                Err(error) => {
                    let start = error.span().map(|span| span.start);
                    let line = start.map_or(1, |start| line_of(&file.content, start));
                    let (field, mut message) = split_toml_message(error.message());
                    if message.is_empty() {
                        // The parser names nothing for some characters (a NUL, say).
                        message = match start.and_then(|start| file.content.get(start..)) {
                            Some(rest) => match rest.chars().next() {
                                Some(character) => format!("invalid TOML at {character:?}"),
                                None => "invalid TOML at the end of the file".to_owned(),
                            },
                            None => "invalid TOML".to_owned(),
                        };
                    }
                    problems.push(&file.relative_path, line, &field, message);
                }
            }
        }
        tables
    }
}

/// The domain citations of an entry.
pub(crate) fn citations(entries: &[CitationEntry]) -> Vec<Citation> {
    entries
        .iter()
        .map(|entry| Citation::new(entry.source.clone(), entry.quote.clone()))
        .collect()
}

fn locate<T: DeserializeOwned>(
    into: &mut Vec<Located<T>>,
    file: &str,
    content: &std::sync::Arc<str>,
    entries: Vec<Spanned<T>>,
) {
    into.extend(entries.into_iter().map(|entry| Located {
        file: file.to_owned(),
        span: entry.span(),
        content: content.clone(),
        value: entry.into_inner(),
    }));
}

/// Splits serde's "unknown field `x`, expected ..." or "missing field `x`" into the field
/// name and the message, so every problem names a field.
fn split_toml_message(message: &str) -> (String, String) {
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field `"))
        // An empty key (`"" = 1`) is named as TOML writes it.
        .map(|name| if name.is_empty() { "\"\"" } else { name })
        .unwrap_or("(syntax)")
        .to_owned();
    (field, message.trim().to_owned())
}

/// `{ source = "code", quote = "words" }`: words copied verbatim from a source's document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CitationEntry {
    pub(crate) source: Code,
    pub(crate) quote: String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::{Record, RecordKind};

    /// The kinds of the record tables it is given, and how many tables cite.
    #[derive(Default)]
    struct Visited {
        kinds: Vec<RecordKind>,
        n_cited: usize,
    }

    impl RecordTables<'_> for Visited {
        fn visit<E: Entry>(&mut self, _: &[Located<E>]) {
            self.kinds.push(<E::Record as Record>::KIND);
        }
    }

    impl CitedTables<'_> for Visited {
        fn visit<E: Cited>(&mut self, _: &[Located<E>]) {
            self.n_cited += 1;
        }
    }

    #[test]
    fn every_kind_but_posts_has_one_table_and_every_table_but_sources_cites() {
        let tables = Tables::default();
        let mut visited = Visited::default();
        tables.visit_records(&mut visited);
        tables.visit_cited(&mut visited);
        let distinct: BTreeSet<RecordKind> = visited.kinds.iter().copied().collect();
        assert_eq!(distinct.len(), visited.kinds.len(), "{:?}", visited.kinds);
        let expected: BTreeSet<RecordKind> = RecordKind::ALL
            .into_iter()
            .filter(|kind| *kind != RecordKind::Post)
            .collect();
        assert_eq!(distinct, expected);
        // The tables of records but sources, and `[[board]]` and `[[post]]`.
        assert_eq!(visited.n_cited, expected.len() - 1 + 2);
    }

    #[test]
    fn a_toml_error_about_an_empty_key_names_the_key_as_toml_writes_it() {
        let file = SeedFile {
            relative_path: "web/figures.toml".to_owned(),
            content: "\"\" = [\"\"]\n".to_owned(),
        };
        let mut problems = Problems::default();
        Tables::parse(&[file], &mut problems);
        let problem = problems.0.first().expect("one problem");
        assert_eq!(problem.field, "\"\"", "{problem}");
        assert_eq!(problem.line, 1, "{problem}");
    }
}
