//! A property test of the store's partner writes against a simple in-memory model: random
//! sequences of creates, updates, retirements and bulk uploads, with the store closed and
//! reopened in between, never diverge from the model in records, indexes or audit trail.
//! It runs on the pass's backend (`helpers::backend`): a sled directory, or a PostgreSQL
//! database reopened by a new store at each restart.

use std::collections::BTreeMap;

use chrono::Utc;
use nhs_leadership_graph::domain::{
    ApiKey, Code, Course, CourseAction, CourseChange, CourseLevel, RecordKind, RecordRef, Relation,
};
use nhs_leadership_graph::store::{Direction, Store};
use proptest::prelude::*;

use crate::helpers::{backend, Backend};

#[derive(Debug, Clone)]
enum Operation {
    Create(u8),
    Update(u8, u8),
    Retire(u8),
    Bulk(Vec<(u8, u8)>),
    Restart,
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        4 => (0u8..12).prop_map(Operation::Create),
        3 => (0u8..12, 0u8..4).prop_map(|(course, title)| Operation::Update(course, title)),
        1 => (0u8..12).prop_map(Operation::Retire),
        2 => proptest::collection::vec((0u8..12, 0u8..4), 1..5).prop_map(Operation::Bulk),
        1 => Just(Operation::Restart),
    ]
}

fn code(n: u8) -> Code {
    Code::parse(&format!("model-course-{n}")).unwrap()
}

fn course(n: u8, title: u8, accredited: bool) -> Course {
    Course {
        code: code(n),
        title: format!("Title {title}"),
        provider: Code::parse("COVENTRY").unwrap(),
        level: CourseLevel::Postgraduate,
        subject: "modelling".to_owned(),
        accredited_by: Vec::new(),
        claimed_accreditations: if accredited {
            vec![Code::parse("CMI").unwrap()]
        } else {
            Vec::new()
        },
        description: None,
        summary: "A model course.".to_owned(),
        sources: vec![Code::parse("coventry-cmi-2026").unwrap()],
        citations: Vec::new(),
        publisher: Some(Code::parse("COVENTRY").unwrap()),
        updated_at: None,
        retired_on: None,
    }
}

fn key() -> ApiKey {
    ApiKey {
        id: "model".to_owned(),
        organisation: Code::parse("COVENTRY").ok(),
        secret_hash: [0; 32],
        label: None,
        created_at: Utc::now(),
        revoked_at: None,
        expires_at: None,
    }
}

/// Applies `operations` to a fresh store of this pass's backend and to a map, checking
/// after each that they agree.
fn run(operations: Vec<Operation>) -> Result<(), TestCaseError> {
    let directory = tempfile::tempdir().unwrap();
    match backend() {
        Backend::Sled => run_with(|| Store::open(directory.path()).unwrap(), operations),
        Backend::Postgres => {
            let url = crate::postgres_cluster::fresh_database();
            run_with(|| Store::open_postgres(&url).unwrap(), operations)
        }
    }
}

/// Cases per run: fewer on PostgreSQL, where each case migrates a new database and each
/// write is a round trip.
fn cases() -> u32 {
    match backend() {
        Backend::Sled => 48,
        Backend::Postgres => 16,
    }
}

/// Applies `operations` to the store `open` opens (and opens again at each restart) and to
/// a map, checking after each that they agree.
fn run_with(open: impl Fn() -> Store, operations: Vec<Operation>) -> Result<(), TestCaseError> {
    let mut store = open();
    let mut model: BTreeMap<Code, Course> = BTreeMap::new();
    let mut n_audited = 0usize;
    for operation in operations {
        let changes: Vec<CourseChange> = match operation {
            Operation::Restart => {
                drop(store);
                store = open();
                Vec::new()
            }
            Operation::Create(n) if !model.contains_key(&code(n)) => {
                vec![CourseChange {
                    action: CourseAction::Create,
                    before: None,
                    after: course(n, 0, n % 2 == 0),
                }]
            }
            Operation::Update(n, title) => match model.get(&code(n)) {
                Some(before) => {
                    let mut after = before.clone();
                    after.title = format!("Title {title}");
                    after.claimed_accreditations = if title % 2 == 0 {
                        vec![Code::parse("CMI").unwrap()]
                    } else {
                        Vec::new()
                    };
                    vec![CourseChange {
                        action: CourseAction::Update,
                        before: Some(before.clone()),
                        after,
                    }]
                }
                None => Vec::new(),
            },
            Operation::Retire(n) => match model.get(&code(n)) {
                Some(before) if before.retired_on.is_none() => {
                    let mut after = before.clone();
                    after.retired_on = Some(Utc::now().date_naive());
                    vec![CourseChange {
                        action: CourseAction::Retire,
                        before: Some(before.clone()),
                        after,
                    }]
                }
                _ => Vec::new(),
            },
            Operation::Bulk(rows) => {
                let mut seen = std::collections::BTreeSet::new();
                rows.into_iter()
                    .filter(|(n, _)| seen.insert(*n))
                    .map(|(n, title)| match model.get(&code(n)) {
                        Some(before) => {
                            let mut after = before.clone();
                            after.title = format!("Title {title}");
                            CourseChange {
                                action: CourseAction::Update,
                                before: Some(before.clone()),
                                after,
                            }
                        }
                        None => CourseChange {
                            action: CourseAction::Create,
                            before: None,
                            after: course(n, title, true),
                        },
                    })
                    .collect()
            }
            Operation::Create(_) => Vec::new(),
        };
        if !changes.is_empty() {
            let entries = store
                .write_courses(&changes, &key(), &[], Utc::now())
                .unwrap();
            prop_assert_eq!(entries.len(), changes.len());
            n_audited += changes.len();
            for change in changes {
                model.insert(change.after.code.clone(), change.after);
            }
        }
        check(&store, &model, n_audited)?;
    }
    Ok(())
}

fn check(
    store: &Store,
    model: &BTreeMap<Code, Course>,
    n_audited: usize,
) -> Result<(), TestCaseError> {
    for (code, expected) in model {
        let stored = store.get::<Course>(code).unwrap();
        prop_assert_eq!(stored.as_deref(), Some(expected));
    }
    let cmi = RecordRef::new(RecordKind::Organisation, Code::parse("CMI").unwrap());
    let mut indexed: Vec<Code> = store
        .related(&cmi, Relation::CourseAccreditedBy, Direction::Incoming)
        .unwrap()
        .iter()
        .map(|(reference, _)| reference.code.clone())
        .collect();
    indexed.sort();
    let expected: Vec<Code> = model
        .values()
        .filter(|course| !course.claimed_accreditations.is_empty())
        .map(|course| course.code.clone())
        .collect();
    prop_assert_eq!(
        indexed,
        expected,
        "the accreditation index follows every write"
    );
    let audited = store.audit_entries(None, 0, usize::MAX).unwrap();
    prop_assert_eq!(audited.len(), n_audited);
    prop_assert!(audited
        .windows(2)
        .all(|pair| pair[0].sequence < pair[1].sequence));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), .. ProptestConfig::default() })]

    #[test]
    fn partner_writes_never_diverge_from_a_simple_model(operations in proptest::collection::vec(operation(), 1..25)) {
        run(operations)?;
    }
}
