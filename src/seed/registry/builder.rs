//! Building the registry's organisations and their dated links from its rows: a region, an
//! ICB of 2022 or 2026 with the ICBs it succeeded, an open or closed trust with its ICB and
//! region over time; each problem found named by its file, line and column.

use super::*;
use crate::seed::names::display_name;

#[derive(Default)]
pub(super) struct Builder {
    organisations: BTreeMap<Code, Organisation>,
    /// (child, parent) -> validity, with the file and line the link was read from.
    links: Vec<(Code, Code, Validity, &'static str)>,
    as_of: Option<NaiveDate>,
}

impl Builder {
    pub(super) fn region(&mut self, row: &RegionRow) {
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

    pub(super) fn icb_2022(&mut self, row: &Icb2022Row) {
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

    pub(super) fn icb_2026(&mut self, row: &Icb2026Row, line: usize, problems: &mut Problems) {
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

    pub(super) fn trust(&mut self, row: &TrustRow) {
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
    pub(super) fn check_links(&self, problems: &mut Problems) {
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

    pub(super) fn finish(mut self, trusts: &[Row<TrustRow>], closed: &[Row<TrustRow>]) -> Registry {
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
