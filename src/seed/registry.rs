//! The registry tables in `seed/registry/` (copied from NHS England's Organisation Data
//! Service extracts): regions, the ICBs of 2022 and of 2026 with their successions, open and
//! closed trusts, and the dated links region -> ICB -> trust built from them.
//!
//! See `seed/registry/SOURCES.md` for where each column comes from and its gaps.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::names::display_name;
use super::problems::Problems;
use super::tables::SeedFile;
use super::tables::REGISTRY_PROVENANCE;
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
    for (code, file, line) in rows_read {
        locations.entry(code.clone()).or_insert((file, line));
        row_citations
            .entry(code.clone())
            .or_default()
            .extend(row_citation(files, file, line));
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

/// A registry row cites itself: the CSV row's text, located as `file:line`.
fn row_citation(files: &[SeedFile], file: &str, line: usize) -> Option<Citation> {
    let content = &files
        .iter()
        .find(|seed| seed.relative_path == file)?
        .content;
    let row = content.lines().nth(line.checked_sub(1)?)?;
    Some(Citation {
        source: registry_source(),
        quote: row.to_owned(),
        location: Some(format!("{file}:{line}")),
    })
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

#[derive(Default)]
struct Builder {
    organisations: BTreeMap<Code, Organisation>,
    /// (child, parent) -> validity, with the file and line the link was read from.
    links: Vec<(Code, Code, Validity, &'static str)>,
    as_of: Option<NaiveDate>,
}

impl Builder {
    fn region(&mut self, row: &RegionRow) {
        let summary = format!(
            "{} is one of NHS England's seven regions (ODS code {}).",
            row.name, row.ods_code
        );
        let mut region =
            registry_organisation(&row.ods_code, &row.name, OrganisationKind::Region, summary);
        region.name = row.name.clone();
        region.registered_name = None;
        region.aliases = vec![format!("NHS England {} region", row.name)];
        region.gss_code = non_empty(&row.ons_code);
        self.organisations.insert(row.ods_code.clone(), region);
        let nhs_england = Code::parse(NHS_ENGLAND).expect("a valid code");
        self.links.push((
            row.ods_code.clone(),
            nhs_england,
            Validity::ALWAYS,
            REGIONS_FILE,
        ));
    }

    fn icb_2022(&mut self, row: &Icb2022Row) {
        let closed = date(&row.succeeded_on).and_then(|date| date.pred_opt());
        let mut icb = self.icb(&row.ods_code, &row.name, &row.short_name, &row.gss_code);
        icb.opened = Some(icbs_established());
        icb.closed = closed;
        self.organisations.insert(row.ods_code.clone(), icb);
        let validity = Validity {
            from: Some(icbs_established()),
            to: closed,
        };
        self.links.push((
            row.ods_code.clone(),
            row.region_ods_code.clone(),
            validity,
            ICBS_2022_FILE,
        ));
        let _ = &row.successor_ods_codes; // successions are read from the 2026 side
    }

    fn icb_2026(&mut self, row: &Icb2026Row, line: usize, problems: &mut Problems) {
        let predecessors = codes(&row.predecessor_ods_codes, ICBS_2026_FILE, line, problems);
        if let Some(existing) = self.organisations.get_mut(&row.ods_code) {
            existing.predecessors.extend(predecessors);
            return;
        }
        let opened = date(&row.established_on).or(Some(icbs_restructured()));
        let mut icb = self.icb(&row.ods_code, &row.name, &row.short_name, &row.gss_code);
        icb.opened = opened;
        icb.predecessors = predecessors;
        self.organisations.insert(row.ods_code.clone(), icb);
        let validity = Validity {
            from: opened,
            to: None,
        };
        self.links.push((
            row.ods_code.clone(),
            row.region_ods_code.clone(),
            validity,
            ICBS_2026_FILE,
        ));
    }

    fn icb(&self, code: &Code, name: &str, short_name: &str, gss_code: &str) -> Organisation {
        let display = display_name(name);
        let summary = format!("{display} (ODS code {code}) is an integrated care board.");
        let mut icb = registry_organisation(code, name, OrganisationKind::Icb, summary);
        let short = display_name(short_name);
        icb.aliases = vec![short.clone(), format!("{short} ICB")];
        icb.gss_code = non_empty(gss_code);
        icb
    }

    fn trust(&mut self, row: &TrustRow) {
        let display = display_name(&row.name);
        let foundation = row.name.contains("FOUNDATION TRUST");
        let mut trust = registry_organisation(
            &row.ods_code,
            &row.name,
            OrganisationKind::Trust,
            String::new(),
        );
        trust.foundation_trust = Some(foundation);
        trust.opened = date(&row.open_date);
        trust.closed = date(&row.close_date);
        trust.postcode = non_empty(&row.postcode);
        trust.summary = display.clone();
        self.as_of = self
            .as_of
            .max(date(&row.open_date))
            .max(date(&row.close_date));
        self.organisations.insert(row.ods_code.clone(), trust);

        // ICB links. The 2024 code is the trust's ICB in the 42-ICB structure, the current
        // code its ICB from 1 April 2026. Closed trusts' current codes are not historical
        // (registry/SOURCES.md), so only their 2024 code is used.
        let since_2022 = date(&row.open_date).max(Some(icbs_established()));
        let previous = Code::parse(&row.icb_ods_code_2024).ok();
        let current = Code::parse(&row.icb_ods_code)
            .ok()
            .filter(|_| date(&row.close_date).is_none());
        match (previous, current) {
            (Some(previous), Some(current)) if previous == current => {
                self.link_trust(row, current, since_2022, None);
            }
            (Some(previous), Some(current)) => {
                let until = icbs_restructured().pred_opt();
                self.link_trust(row, previous, since_2022, until);
                self.link_trust(
                    row,
                    current,
                    Some(icbs_restructured()).max(date(&row.open_date)),
                    None,
                );
            }
            (Some(previous), None) => {
                self.link_trust(row, previous, since_2022, date(&row.close_date))
            }
            (None, Some(current)) => self.link_trust(row, current, date(&row.open_date), None),
            (None, None) => self.link_closed_trust(row, since_2022),
        }
    }

    /// A trust closed after the ICBs were established but before the 2024 extract has no
    /// 2024 code. Its `icb_ods_code` is the ICB covering its last registered address, in
    /// today's codes; where that ICB was open for the whole time the trust was (it existed
    /// in the 2022 structure), the trust is linked to it until it closed. Otherwise (RAP's
    /// Z9B2Z, created in 2026 from two ICBs) the data does not say which ICB it was in, and
    /// no link is made. registry/SOURCES.md discloses both.
    fn link_closed_trust(&mut self, row: &TrustRow, since_2022: Option<NaiveDate>) {
        let Some(closed) = date(&row.close_date) else {
            return;
        };
        if closed < icbs_established() {
            return;
        }
        let Ok(icb) = Code::parse(&row.icb_ods_code) else {
            return;
        };
        let open_throughout = self.organisations.get(&icb).is_some_and(|icb| {
            icb.kind == OrganisationKind::Icb
                && icb.opened <= since_2022
                && icb.closed.is_none_or(|icb_closed| icb_closed >= closed)
        });
        if open_throughout {
            self.link_trust(row, icb, since_2022, Some(closed));
        }
    }

    fn link_trust(
        &mut self,
        row: &TrustRow,
        icb: Code,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) {
        let file = if date(&row.close_date).is_some() {
            CLOSED_TRUSTS_FILE
        } else {
            TRUSTS_FILE
        };
        self.links
            .push((row.ods_code.clone(), icb, Validity { from, to }, file));
    }

    /// Every link's parent must exist (NHS England comes from the curated files, so it is
    /// checked later), and an open trust's region must be its ICB's region.
    fn check_links(&self, problems: &mut Problems) {
        for (child, parent, _, file) in &self.links {
            if parent.as_str() != NHS_ENGLAND && !self.organisations.contains_key(parent) {
                problems.push(
                    file,
                    1,
                    "icb_ods_code",
                    format!("{child} links to unknown organisation {parent:?}"),
                );
            }
        }
    }

    fn finish(mut self, trusts: &[Row<TrustRow>], closed: &[Row<TrustRow>]) -> Registry {
        let mut memberships = Vec::new();
        for (child, parent, validity, _) in &self.links {
            memberships.push(Edge {
                from: RecordRef::new(RecordKind::Organisation, child.clone()),
                relation: Relation::Parent,
                to: RecordRef::new(RecordKind::Organisation, parent.clone()),
                validity: *validity,
            });
        }
        for row in trusts.iter().chain(closed) {
            let summary = self.trust_summary(&row.value);
            if let Some(trust) = self.organisations.get_mut(&row.value.ods_code) {
                trust.summary = summary;
            }
        }
        Registry {
            organisations: self.organisations.into_values().collect(),
            memberships,
            as_of: self.as_of.and_then(|date| date.succ_opt()),
            locations: BTreeMap::new(),
            count_citations: Default::default(),
        }
    }

    fn trust_summary(&self, row: &TrustRow) -> String {
        let display = display_name(&row.name);
        let kind = if row.name.contains("FOUNDATION TRUST") {
            "an NHS foundation trust"
        } else {
            "an NHS trust"
        };
        let name_of = |code: &str| {
            Code::parse(code)
                .ok()
                .and_then(|code| self.organisations.get(&code))
                .map(|o| o.name.clone())
        };
        let opened = date(&row.open_date)
            .map(|date| format!(", opened on {date}"))
            .unwrap_or_default();
        let according_to = match self.as_of.and_then(|date| date.succ_opt()) {
            Some(date) => format!("according to the NHS England ODS registry, {date}"),
            None => "according to the NHS England ODS registry".to_owned(),
        };
        match date(&row.close_date) {
            Some(closed) => format!(
                "{display} (ODS code {}) was {kind}{opened}; it closed on {closed}, {according_to}.",
                row.ods_code
            ),
            None => {
                let icb = name_of(&row.icb_ods_code).unwrap_or_else(|| row.icb_ods_code.clone());
                let region =
                    name_of(&row.region_ods_code).unwrap_or_else(|| row.region_ods_code.clone());
                format!(
                    "{display} (ODS code {}) is {kind}{opened}. Its registered address is in the area of {icb} ({region} region), {according_to}; that ICB is not necessarily the trust's commissioner.",
                    row.ods_code
                )
            }
        }
    }
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

fn registry_organisation(
    code: &Code,
    registered: &str,
    kind: OrganisationKind,
    summary: String,
) -> Organisation {
    Organisation {
        registered_name: Some(registered.to_owned()),
        summary,
        sources: vec![registry_source()],
        ..Organisation::new(code.clone(), display_name(registered), kind)
    }
}

fn non_empty(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|text| !text.is_empty())
}

fn codes(list: &str, file: &str, line: usize, problems: &mut Problems) -> Vec<Code> {
    list.split(';')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .filter_map(|code| match Code::parse(code) {
            Ok(code) => Some(code),
            Err(error) => {
                problems.push(file, line, "predecessor_ods_codes", error.to_string());
                None
            }
        })
        .collect()
}
