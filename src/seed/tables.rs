//! The TOML tables of `seed/`, exactly as written by hand: one struct per table, unknown
//! fields refused, each record kept with its location so later problems can name a line.

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

use super::problems::{line_of, Problems};
use super::Error;
use crate::domain::Code;

/// One file of the seed directory, read whole.
#[derive(Debug, Clone)]
pub(crate) struct SeedFile {
    /// Path relative to the seed directory, with `/` separators.
    pub(crate) relative_path: String,
    pub(crate) content: String,
}

/// Reads every seed file under `directory` (see [`is_seed_file`]), in path order. A file that is
/// not UTF-8 is a problem at the line of its first invalid byte; every such file is reported
/// at once.
pub(crate) fn read_files(directory: &Path) -> Result<Vec<SeedFile>, Error> {
    let mut files = Vec::new();
    let mut problems = Problems::default();
    collect(directory, directory, &mut files, &mut problems)?;
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    files.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
    Ok(files)
}

fn collect(
    root: &Path,
    directory: &Path,
    files: &mut Vec<SeedFile>,
    problems: &mut Problems,
) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: directory.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(directory).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect(root, &path, files, problems)?;
            continue;
        }
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let relative_path = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if !is_seed_file(&relative_path) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        decode(relative_path, bytes, files, problems);
    }
    Ok(())
}

/// The seed files among `entries` (path relative to the seed's root, bytes), sorted by path,
/// as [`read_files`] reads a directory: for the seed built into the binary.
pub(crate) fn files_from(
    entries: impl IntoIterator<Item = (String, Vec<u8>)>,
) -> Result<Vec<SeedFile>, Error> {
    let mut files = Vec::new();
    let mut problems = Problems::default();
    for (relative_path, bytes) in entries {
        if is_seed_file(&relative_path) {
            decode(relative_path, bytes, &mut files, &mut problems);
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    files.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
    Ok(files)
}

/// Adds the file to `files`, or, when it is not UTF-8, a problem at the line of its first
/// invalid byte.
fn decode(
    relative_path: String,
    bytes: Vec<u8>,
    files: &mut Vec<SeedFile>,
    problems: &mut Problems,
) {
    match String::from_utf8(bytes) {
        Ok(content) => files.push(SeedFile {
            relative_path,
            content,
        }),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let before = &error.as_bytes()[..valid];
            let line = before.iter().filter(|byte| **byte == b'\n').count() + 1;
            problems.push(
                &relative_path,
                line,
                "(encoding)",
                format!("not valid UTF-8 (byte {valid} of the file); save it as UTF-8"),
            );
        }
    }
}

/// The directory, under the seed directory, that holds the source documents quotes are
/// checked against.
pub(crate) const DOCUMENTS_DIR: &str = "documents";

/// The registry's provenance file: the document of the registry's `[[source]]`.
pub(crate) const REGISTRY_PROVENANCE: &str = "registry/SOURCES.md";

/// Whether a file (path relative to the seed directory) is part of the seed: TOML tables,
/// CSV rows, source documents and the registry's provenance. Every such file is hashed, so
/// editing a document reseeds (and rechecks every quote).
fn is_seed_file(relative_path: &str) -> bool {
    relative_path.ends_with(".toml")
        || relative_path.ends_with(".csv")
        || relative_path.starts_with(&format!("{DOCUMENTS_DIR}/"))
        || relative_path == REGISTRY_PROVENANCE
}

/// A record with the file and byte span it was written at.
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub(crate) file: String,
    pub(crate) span: Range<usize>,
    pub(crate) value: T,
    content: std::sync::Arc<str>,
}

impl<T> Located<T> {
    /// The line the record starts at.
    pub(crate) fn line(&self) -> usize {
        line_of(&self.content, self.span.start)
    }

    /// The line `field = ...` is written at within the record, else the record's first line.
    pub(crate) fn field_line(&self, field: &str) -> usize {
        let record = &self.content[self.span.clone()];
        let mut offset = self.span.start;
        for line in record.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let is_field = trimmed
                .strip_prefix(field)
                .is_some_and(|rest| rest.trim_start().starts_with('='));
            if is_field {
                return line_of(&self.content, offset);
            }
            offset += line.len();
        }
        self.line()
    }

    /// The line of the `n`-th (0-based) entry of `citations = [...]`, written one per line
    /// as the seed format asks; else the line of `citations`.
    pub(crate) fn citation_line(&self, n: usize) -> usize {
        let start = self.field_line("citations");
        let record = &self.content[self.span.clone()];
        let first = line_of(&self.content, self.span.start);
        record
            .lines()
            .enumerate()
            .map(|(index, line)| (first + index, line))
            .filter(|(line_number, line)| *line_number >= start && line.contains("quote"))
            .nth(n)
            .map_or(start, |(line_number, _)| line_number)
    }

    pub(crate) fn problem(&self, problems: &mut Problems, field: &str, message: impl Into<String>) {
        problems.push(&self.file, self.field_line(field), field, message);
    }
}

/// Every table a seed TOML file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    source: Vec<Spanned<SourceEntry>>,
    #[serde(default)]
    organisation: Vec<Spanned<OrganisationEntry>>,
    #[serde(default)]
    role: Vec<Spanned<RoleEntry>>,
    #[serde(default)]
    board: Vec<Spanned<BoardEntry>>,
    #[serde(default)]
    post: Vec<Spanned<PostEntry>>,
    #[serde(default)]
    programme: Vec<Spanned<ProgrammeEntry>>,
    #[serde(default)]
    course: Vec<Spanned<CourseEntry>>,
    #[serde(default)]
    qualification: Vec<Spanned<QualificationEntry>>,
    #[serde(default)]
    pay_band: Vec<Spanned<PayBandEntry>>,
    #[serde(default)]
    topic: Vec<Spanned<TopicEntry>>,
    #[serde(default)]
    career_story: Vec<Spanned<CareerStoryEntry>>,
    #[serde(default)]
    figure: Vec<Spanned<FigureEntry>>,
}

/// Every table of every TOML file, with locations.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    pub(crate) sources: Vec<Located<SourceEntry>>,
    pub(crate) organisations: Vec<Located<OrganisationEntry>>,
    pub(crate) roles: Vec<Located<RoleEntry>>,
    pub(crate) boards: Vec<Located<BoardEntry>>,
    pub(crate) posts: Vec<Located<PostEntry>>,
    pub(crate) programmes: Vec<Located<ProgrammeEntry>>,
    pub(crate) courses: Vec<Located<CourseEntry>>,
    pub(crate) qualifications: Vec<Located<QualificationEntry>>,
    pub(crate) pay_bands: Vec<Located<PayBandEntry>>,
    pub(crate) topics: Vec<Located<TopicEntry>>,
    pub(crate) career_stories: Vec<Located<CareerStoryEntry>>,
    pub(crate) figures: Vec<Located<FigureEntry>>,
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

    fn extend(&mut self, file: &SeedFile, parsed: TomlFile) {
        let content: std::sync::Arc<str> = file.content.as_str().into();
        let path = &file.relative_path;
        locate(&mut self.sources, path, &content, parsed.source);
        locate(&mut self.organisations, path, &content, parsed.organisation);
        locate(&mut self.roles, path, &content, parsed.role);
        locate(&mut self.boards, path, &content, parsed.board);
        locate(&mut self.posts, path, &content, parsed.post);
        locate(&mut self.programmes, path, &content, parsed.programme);
        locate(&mut self.courses, path, &content, parsed.course);
        locate(
            &mut self.qualifications,
            path,
            &content,
            parsed.qualification,
        );
        locate(&mut self.pay_bands, path, &content, parsed.pay_band);
        locate(&mut self.topics, path, &content, parsed.topic);
        locate(
            &mut self.career_stories,
            path,
            &content,
            parsed.career_story,
        );
        locate(&mut self.figures, path, &content, parsed.figure);
    }
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

/// A TOML date (`2026-01-05`), refusing times and offsets.
pub(crate) fn date(value: &Datetime) -> Result<chrono::NaiveDate, String> {
    if value.time.is_some() || value.offset.is_some() {
        return Err(format!("expected a date like 2026-01-05, got {value}"));
    }
    value
        .to_string()
        .parse()
        .map_err(|error| format!("invalid date {value}: {error}"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceEntry {
    pub(crate) code: Code,
    pub(crate) title: String,
    pub(crate) publisher: String,
    pub(crate) author: Option<String>,
    pub(crate) published: Option<Datetime>,
    pub(crate) as_of: Option<Datetime>,
    pub(crate) kind: String,
    pub(crate) document: String,
    pub(crate) url: Option<String>,
    pub(crate) licence: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) dated: Option<String>,
    pub(crate) evidence: Option<String>,
}

/// `{ source = "code", quote = "words" }`: words copied verbatim from a source's document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CitationEntry {
    pub(crate) source: Code,
    pub(crate) quote: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrganisationEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) parent: Option<Code>,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) opened: Option<Datetime>,
    pub(crate) closed: Option<Datetime>,
    pub(crate) website: Option<String>,
    #[serde(default)]
    pub(crate) historical: bool,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    pub(crate) category: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    #[serde(default)]
    pub(crate) activities: Vec<String>,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BoardEntry {
    pub(crate) organisation_kind: String,
    pub(crate) roles: Vec<Code>,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PostEntry {
    pub(crate) organisation: Code,
    pub(crate) role: Code,
    pub(crate) holder: Option<String>,
    pub(crate) holder_as_of: Option<Datetime>,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProgrammeEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    pub(crate) provider: Code,
    #[serde(default)]
    pub(crate) partners: Vec<Code>,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    pub(crate) parent: Option<Code>,
    pub(crate) audience: Option<String>,
    pub(crate) level: Option<String>,
    pub(crate) duration: Option<String>,
    pub(crate) duration_months: Option<u32>,
    pub(crate) format: Option<String>,
    #[serde(default)]
    pub(crate) accredited_by: Vec<Code>,
    pub(crate) leads_to: Option<String>,
    #[serde(default)]
    pub(crate) qualifications: Vec<Code>,
    #[serde(default)]
    pub(crate) roles: Vec<Code>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CourseEntry {
    pub(crate) code: Code,
    pub(crate) title: String,
    pub(crate) provider: Code,
    pub(crate) level: String,
    pub(crate) subject: String,
    #[serde(default)]
    pub(crate) accredited_by: Vec<Code>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QualificationEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    #[serde(default)]
    pub(crate) awarded_by: Vec<Code>,
    #[serde(default)]
    pub(crate) roles: Vec<Code>,
    pub(crate) level: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PayBandEntry {
    pub(crate) code: Code,
    pub(crate) name: String,
    pub(crate) band: String,
    #[serde(default)]
    pub(crate) example_roles: Vec<String>,
    #[serde(default)]
    pub(crate) roles: Vec<Code>,
    pub(crate) description: Option<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TopicEntry {
    pub(crate) code: Code,
    pub(crate) category: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    pub(crate) text: String,
    #[serde(default)]
    pub(crate) points: Vec<String>,
    #[serde(default)]
    pub(crate) related: Vec<String>,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CareerStoryEntry {
    pub(crate) code: Code,
    pub(crate) person: String,
    pub(crate) job_title: String,
    pub(crate) employer: String,
    pub(crate) organisation: Option<Code>,
    pub(crate) entry_route: Option<Code>,
    pub(crate) role: Option<Code>,
    pub(crate) text: String,
    pub(crate) summary: String,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FigureEntry {
    pub(crate) code: Code,
    pub(crate) statement: String,
    pub(crate) value: f64,
    pub(crate) value_max: Option<f64>,
    pub(crate) qualifier: Option<String>,
    pub(crate) unit: String,
    pub(crate) scope: String,
    pub(crate) as_of: Option<Datetime>,
    #[serde(default)]
    pub(crate) about: Vec<String>,
    pub(crate) sources: Vec<Code>,
    #[serde(default)]
    pub(crate) citations: Vec<CitationEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
