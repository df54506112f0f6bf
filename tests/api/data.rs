//! Data checks over the seed: sources, references, registry counts.

use std::collections::BTreeMap;
use std::convert::Infallible;

use chrono::NaiveDate;
use nhs_leadership_graph::domain::{
    Dataset, OrganisationKind, RecordKind, RecordType, RecordsVisitor, Relation,
};

use crate::helpers::repository_seed_dir;

fn dataset() -> Dataset {
    nhs_leadership_graph::seed::load(&repository_seed_dir())
        .expect("the seed loads")
        .dataset
}

fn csv_rows(file: &str) -> usize {
    let text = std::fs::read_to_string(repository_seed_dir().join("registry").join(file)).unwrap();
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .count()
}

fn registry_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
}

#[test]
fn every_record_cites_at_least_one_source() {
    /// The references of every record, of every kind but sources, that cites no source.
    struct Unsourced(Vec<String>);
    impl RecordsVisitor for Unsourced {
        type Error = Infallible;
        fn visit<T: RecordType>(&mut self, records: &[T]) -> Result<(), Infallible> {
            if T::KIND != RecordKind::Source {
                self.0.extend(
                    records
                        .iter()
                        .filter(|record| record.sources().is_empty())
                        .map(|record| record.reference().to_string()),
                );
            }
            Ok(())
        }
    }
    let mut unsourced = Unsourced(Vec::new());
    let Ok(()) = dataset().visit(&mut unsourced);

    assert_eq!(unsourced.0, Vec::<String>::new());
}

#[test]
fn registry_counts_match_the_registry_files() {
    let dataset = dataset();
    let count = |kind: OrganisationKind, on: NaiveDate| {
        dataset
            .organisations
            .iter()
            .filter(|o| o.kind == kind && o.is_open_on(on))
            .count()
    };

    assert_eq!(
        count(OrganisationKind::Region, registry_date()),
        csv_rows("regions.csv")
    );
    assert_eq!(
        count(OrganisationKind::Icb, registry_date()),
        csv_rows("icbs-2026.csv")
    );
    assert_eq!(
        count(
            OrganisationKind::Icb,
            NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
        ),
        csv_rows("icbs.csv")
    );
    assert_eq!(
        count(OrganisationKind::Trust, registry_date()),
        csv_rows("trusts.csv")
    );
}

#[test]
fn every_open_trust_has_exactly_one_icb_and_every_icb_one_region_before_and_after_the_mergers() {
    let dataset = dataset();
    let kinds: BTreeMap<_, _> = dataset
        .organisations
        .iter()
        .map(|o| (o.code.clone(), o.kind))
        .collect();
    for date in ["2025-06-01", "2026-04-01", "2026-07-01"] {
        let date: NaiveDate = date.parse().unwrap();
        for organisation in dataset.organisations.iter().filter(|o| o.is_open_on(date)) {
            let parents: Vec<_> = dataset
                .memberships
                .iter()
                .filter(|edge| {
                    edge.relation == Relation::Parent
                        && edge.from.code == organisation.code
                        && edge.validity.holds_on(date)
                })
                .map(|edge| kinds[&edge.to.code])
                .collect();
            match organisation.kind {
                OrganisationKind::Trust
                    if organisation.opened.is_none_or(|opened| opened <= date) =>
                {
                    assert_eq!(
                        parents,
                        [OrganisationKind::Icb],
                        "{} on {date}",
                        organisation.code
                    )
                }
                OrganisationKind::Icb => assert_eq!(
                    parents,
                    [OrganisationKind::Region],
                    "{} on {date}",
                    organisation.code
                ),
                _ => {}
            }
        }
    }
}

#[test]
fn both_trust_counts_are_kept_with_their_own_sources() {
    let dataset = dataset();
    let trust_counts: Vec<_> = dataset
        .figures
        .iter()
        .filter(|figure| figure.unit == "trusts")
        .collect();

    assert!(trust_counts.iter().any(|figure| figure.value == 223.0
        && figure
            .sources
            .iter()
            .any(|s| s.as_str() == "nhs-leadership-guide-2026")));
    assert!(trust_counts
        .iter()
        .any(|figure| figure.value == csv_rows("trusts.csv") as f64
            && figure
                .sources
                .iter()
                .any(|s| s.as_str() == "ods-registry-2026")));
}
