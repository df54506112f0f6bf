//! The registry tables in `seed/registry/` (copied from NHS England's Organisation Data
//! Service extracts): regions, the ICBs of 2022 and of 2026 with their successions, open and
//! closed trusts, and the dated links region -> ICB -> trust built from them.
//!
//! See `seed/registry/SOURCES.md` for where each column comes from and its gaps.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::problems::Problems;
use super::tables::SeedFile;
use super::tables::REGISTRY_PROVENANCE;
use builder::Builder;

mod builder;
use crate::domain::{
    Citation, Code, Edge, Organisation, OrganisationKind, RecordKind, RecordRef, Relation, Validity,
};

/// The `[[source]]` every registry fact cites.
pub(crate) const REGISTRY_SOURCE: &str = "ods-registry-2026";
/// NHS England's ODS code: the parent of every region.
pub(crate) const NHS_ENGLAND: &str = "X24";

const REGIONS_FILE: &str = "registry/regions.csv";
const ICBS_2022_FILE: &str = "registry/icbs.csv";
const ICBS_2026_FILE: &str = "registry/icbs-2026.csv";
const TRUSTS_FILE: &str = "registry/trusts.csv";
const CLOSED_TRUSTS_FILE: &str = "registry/trusts-closed.csv";

/// The 42 ICBs of `icbs.csv` were established on 1 July 2022 (registry/SOURCES.md: "the ICB
/// structure of 1 July 2022 to 31 March 2026").
fn icbs_established() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 7, 1).expect("a valid date")
}

/// The day the 2026 ICB structure took effect. The two trusts that moved ICB between the
/// 2024 and 2026 extracts (RPG, RXK) are taken to have moved on this day too: the registry
/// gives no exact date for their move.
fn icbs_restructured() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).expect("a valid date")
}

/// What the registry contributes to the dataset.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub(crate) organisations: Vec<Organisation>,
    pub(crate) memberships: Vec<Edge>,
    /// The day after the newest open or close date in the extracts: the date the open
    /// trusts of `trusts.csv` are all open and the closed ones all closed.
    pub(crate) as_of: Option<NaiveDate>,
    /// The file and line each organisation was first read from, for problems found later.
    pub(crate) locations: BTreeMap<Code, (&'static str, usize)>,
    /// What the two registry counts (open trusts, ICBs) cite: the lines of
    /// `registry/SOURCES.md` that state them.
    pub(crate) count_citations: [Vec<Citation>; 2],
}

#[derive(Debug, Deserialize)]
struct RegionRow {
    ods_code: Code,
    name: String,
    ons_code: String,
}

#[derive(Debug, Deserialize)]
struct Icb2022Row {
    ods_code: Code,
    name: String,
    short_name: String,
    region_ods_code: Code,
    gss_code: String,
    succeeded_on: String,
    successor_ods_codes: String,
}

#[derive(Debug, Deserialize)]
struct Icb2026Row {
    ods_code: Code,
    name: String,
    short_name: String,
    region_ods_code: Code,
    gss_code: String,
    established_on: String,
    predecessor_ods_codes: String,
}

#[derive(Debug, Deserialize)]
struct TrustRow {
    ods_code: Code,
    name: String,
    postcode: String,
    icb_ods_code: String,
    region_ods_code: String,
    open_date: String,
    close_date: String,
    icb_ods_code_2024: String,
}

/// A row with the line it was read from.
struct Row<T> {
    line: usize,
    value: T,
}

/// Reads the registry tables. Missing files and bad rows become problems.
pub(crate) fn read(files: &[SeedFile], problems: &mut Problems) -> Registry {
    let regions: Vec<Row<RegionRow>> = rows(files, REGIONS_FILE, problems);
    let icbs_2022: Vec<Row<Icb2022Row>> = rows(files, ICBS_2022_FILE, problems);
    let icbs_2026: Vec<Row<Icb2026Row>> = rows(files, ICBS_2026_FILE, problems);
    let trusts: Vec<Row<TrustRow>> = rows(files, TRUSTS_FILE, problems);
    let closed_trusts: Vec<Row<TrustRow>> = rows(files, CLOSED_TRUSTS_FILE, problems);
    let icbs_2022 = with_valid_dates(icbs_2022, ICBS_2022_FILE, problems, |row| {
        vec![("succeeded_on", &row.succeeded_on)]
    });
    let icbs_2026 = with_valid_dates(icbs_2026, ICBS_2026_FILE, problems, |row| {
        vec![("established_on", &row.established_on)]
    });
    let trusts = with_valid_dates(trusts, TRUSTS_FILE, problems, trust_dates);
    let closed_trusts = with_valid_dates(closed_trusts, CLOSED_TRUSTS_FILE, problems, trust_dates);

    let mut builder = Builder::default();
    for row in &regions {
        builder.region(&row.value);
    }
    for row in &icbs_2022 {
        builder.icb_2022(&row.value);
    }
    for row in &icbs_2026 {
        builder.icb_2026(&row.value, row.line, problems);
    }
    for row in trusts.iter().chain(&closed_trusts) {
        builder.trust(&row.value);
    }
    builder.check_links(problems);
    let mut locations = BTreeMap::new();
    let rows_read = regions
        .iter()
        .map(|row| (&row.value.ods_code, REGIONS_FILE, row.line))
        .chain(
            icbs_2022
                .iter()
                .map(|row| (&row.value.ods_code, ICBS_2022_FILE, row.line)),
        )
        .chain(
            icbs_2026
                .iter()
                .map(|row| (&row.value.ods_code, ICBS_2026_FILE, row.line)),
        )
        .chain(
            trusts
                .iter()
                .map(|row| (&row.value.ods_code, TRUSTS_FILE, row.line)),
        )
        .chain(
            closed_trusts
                .iter()
                .map(|row| (&row.value.ods_code, CLOSED_TRUSTS_FILE, row.line)),
        );
    let mut row_citations: BTreeMap<Code, Vec<Citation>> = BTreeMap::new();
    let mut lines = FileLines::new(files);
    for (code, file, line) in rows_read {
        locations.entry(code.clone()).or_insert((file, line));
        row_citations
            .entry(code.clone())
            .or_default()
            .extend(lines.row_citation(file, line));
    }
    let mut registry = builder.finish(&trusts, &closed_trusts);
    for organisation in &mut registry.organisations {
        if let Some(citations) = row_citations.remove(&organisation.code) {
            organisation.citations = citations;
        }
    }
    registry.locations = locations;
    registry.count_citations = [
        provenance_citation(files, "## trusts.csv:"),
        provenance_citation(files, "## icbs-2026.csv:"),
    ];
    registry
}

/// The lines of the registry files, each file split once: every row cites its own line, and
/// finding the n-th line afresh for each of a large register's rows is quadratic.
struct FileLines<'a> {
    files: &'a [SeedFile],
    lines: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> FileLines<'a> {
    fn new(files: &'a [SeedFile]) -> Self {
        Self {
            files,
            lines: HashMap::new(),
        }
    }

    /// A registry row cites itself: the CSV row's text, located as `file:line`.
    fn row_citation(&mut self, file: &'a str, line: usize) -> Option<Citation> {
        let files = self.files;
        let lines = self.lines.entry(file).or_insert_with(|| {
            files
                .iter()
                .find(|seed| seed.relative_path == file)
                .map(|seed| seed.content.lines().collect())
                .unwrap_or_default()
        });
        let row = lines.get(line.checked_sub(1)?)?;
        Some(Citation {
            source: registry_source(),
            quote: (*row).to_owned(),
            location: Some(format!("{file}:{line}")),
        })
    }
}

/// The line of `registry/SOURCES.md` that starts with `heading` (e.g. "## trusts.csv: 199
/// rows ..."), which states a count the registry figures give.
fn provenance_citation(files: &[SeedFile], heading: &str) -> Vec<Citation> {
    let Some(file) = files
        .iter()
        .find(|file| file.relative_path == REGISTRY_PROVENANCE)
    else {
        return Vec::new();
    };
    file.content
        .lines()
        .enumerate()
        .filter(|(_, line)| line.starts_with(heading))
        .map(|(index, line)| Citation {
            source: registry_source(),
            quote: line.trim_start_matches('#').trim().to_owned(),
            location: Some(format!("{REGISTRY_PROVENANCE}:{}", index + 1)),
        })
        .collect()
}

fn registry_source() -> Code {
    Code::parse(REGISTRY_SOURCE).expect("a valid code")
}

fn trust_dates(row: &TrustRow) -> Vec<(&'static str, &String)> {
    vec![
        ("open_date", &row.open_date),
        ("close_date", &row.close_date),
    ]
}

/// Keeps the rows whose date columns are empty or `YYYY-MM-DD`; reports the others.
fn with_valid_dates<T>(
    rows: Vec<Row<T>>,
    file: &str,
    problems: &mut Problems,
    columns: impl for<'a> Fn(&'a T) -> Vec<(&'static str, &'a String)>,
) -> Vec<Row<T>> {
    rows.into_iter()
        .filter(|row| {
            let mut valid = true;
            for (column, text) in columns(&row.value) {
                if let Err(message) = parse_date(text) {
                    problems.push(file, row.line, column, message);
                    valid = false;
                }
            }
            valid
        })
        .collect()
}

/// An empty column is no date; anything else must be `YYYY-MM-DD`.
fn parse_date(text: &str) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("expected a date as YYYY-MM-DD, got {text:?}"))
}

/// A date column already checked by [`with_valid_dates`].
fn date(text: &str) -> Option<NaiveDate> {
    parse_date(text).ok().flatten()
}

fn rows<T: DeserializeOwned>(
    files: &[SeedFile],
    path: &str,
    problems: &mut Problems,
) -> Vec<Row<T>> {
    let Some(file) = files.iter().find(|file| file.relative_path == path) else {
        problems.push(path, 1, "(file)", "registry file is missing");
        return Vec::new();
    };
    let mut reader = csv::Reader::from_reader(file.content.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            problems.push(path, 1, "(header)", error.to_string());
            return Vec::new();
        }
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error
                    .position()
                    .map_or(1, |position| position.line() as usize);
                problems.push(path, line, "(row)", error.to_string());
                continue;
            }
        };
        let line = record
            .position()
            .map_or(1, |position| position.line() as usize);
        match record.deserialize::<T>(Some(&headers)) {
            Ok(value) => rows.push(Row { line, value }),
            Err(error) => {
                let field = match error.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err
                        .field()
                        .and_then(|index| headers.get(index as usize))
                        .unwrap_or("(row)")
                        .to_owned(),
                    _ => "(row)".to_owned(),
                };
                let message = match error.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err.kind().to_string(),
                    _ => error.to_string(),
                };
                problems.push(path, line, &field, message);
            }
        }
    }
    rows
}

impl Registry {
    /// Region codes of open trusts as the registry states them, to cross-check the ICB links.
    pub(crate) fn n_open(&self, kind: OrganisationKind, on: NaiveDate) -> usize {
        self.organisations
            .iter()
            .filter(|o| o.kind == kind && o.is_open_on(on))
            .count()
    }
}
