//! The reference check of the seed. A record's references are derived from
//! `Record::references()`: every outgoing reference of every converted record must name a
//! record that exists, and a problem is reported at the seed field that wrote it. What is not
//! a record's reference (every entry's `sources`, a curated organisation's `parent`, the
//! `[[board]]` and `[[post]]` entries, the records the registry needs) is checked by hand.
//!
//! The relation schema is declared once, in the domain (`references()`); this module only
//! maps a relation back to the TOML field it comes from ([`field_of`]), so a new relation
//! is checked without touching it, and named here only to give its problem the right field.

use std::collections::BTreeMap;
use std::convert::Infallible;

use super::build::Known;
use super::problems::Problems;
use super::registry::{self, REGISTRY_SOURCE};
use super::tables::{Cited, CitedTables, Entry, Located, RecordTables, Tables};
use crate::domain::{
    Code, Dataset, Record, RecordKind, RecordRef, RecordType, RecordsVisitor, Relation,
};

/// Where a curated record was written: its file, and the line of each of its fields.
trait Place {
    fn report(&self, problems: &mut Problems, field: &str, message: String);
}

impl<E> Place for Located<E> {
    fn report(&self, problems: &mut Problems, field: &str, message: String) {
        self.problem(problems, field, message);
    }
}

/// Checks every reference. The references of records come from `Record::references()`
/// (the relation schema's one source of truth), each reported at the seed field that wrote
/// it; only what is not a record's reference is checked by hand here: every entry's sources,
/// a curated organisation's parent, the `[[board]]` and `[[post]]` entries (which become
/// posts after this check), and the records the registry needs.
pub(crate) fn check(tables: &Tables, dataset: &Dataset, known: &Known, problems: &mut Problems) {
    let mut check = Entries { known, problems };
    tables.visit_cited(&mut check);
    for entry in &tables.organisations {
        let parent = entry.value.parent.as_ref();
        check.one(entry, "parent", RecordKind::Organisation, parent);
    }
    for entry in &tables.boards {
        check.all(entry, "roles", RecordKind::Role, &entry.value.roles);
    }
    for entry in &tables.posts {
        let post = &entry.value;
        check.one(
            entry,
            "organisation",
            RecordKind::Organisation,
            Some(&post.organisation),
        );
        check.one(entry, "role", RecordKind::Role, Some(&post.role));
    }
    check_records(tables, dataset, known, problems);
    let registry_source = Code::parse(REGISTRY_SOURCE).expect("a valid code");
    if !known.contains(RecordKind::Source, &registry_source) {
        problems.push(
            "sources.toml",
            1,
            "code",
            format!("the registry needs a [[source]] with code {REGISTRY_SOURCE:?}"),
        );
    }
    let nhs_england = Code::parse(registry::NHS_ENGLAND).expect("a valid code");
    if !known.contains(RecordKind::Organisation, &nhs_england) {
        problems.push(
            "registry/regions.csv",
            1,
            "(parent)",
            format!(
                "regions need an [[organisation]] with code {:?} (NHS England)",
                registry::NHS_ENGLAND
            ),
        );
    }
}

/// Checks the references of every curated record of `dataset`, found where its entry was
/// written.
fn check_records(tables: &Tables, dataset: &Dataset, known: &Known, problems: &mut Problems) {
    let mut places = Places(BTreeMap::new());
    tables.visit_records(&mut places);
    let mut checker = Checker {
        places: places.0,
        known,
        problems,
    };
    let Ok(()) = dataset.visit(&mut checker);
}

/// Where each curated record was written (the first entry, for a duplicated code).
struct Places<'t>(BTreeMap<RecordRef, &'t dyn Place>);

impl<'t> RecordTables<'t> for Places<'t> {
    fn visit<E: Entry>(&mut self, entries: &'t [Located<E>]) {
        for entry in entries {
            let reference = RecordRef::new(E::Record::KIND, entry.value.code().clone());
            self.0.entry(reference).or_insert(entry);
        }
    }
}

struct Checker<'a> {
    places: BTreeMap<RecordRef, &'a dyn Place>,
    known: &'a Known,
    problems: &'a mut Problems,
}

impl RecordsVisitor for Checker<'_> {
    type Error = Infallible;

    fn visit<T: RecordType>(&mut self, records: &[T]) -> Result<(), Infallible> {
        for record in records {
            // Registry records have no place: registry/builder.rs checks their links.
            let Some(place) = self.places.get(&record.reference()).copied() else {
                continue;
            };
            for (relation, to) in record.references() {
                let field = field_of(relation, T::KIND, to.kind);
                if relation == Relation::About && to.kind == RecordKind::Post {
                    let message = format!(
                        "{:?}: refer to the organisation or role, not a post",
                        to.to_string()
                    );
                    place.report(self.problems, field, message);
                } else if !self.known.contains(to.kind, &to.code) {
                    let message = format!(
                        "unknown {} {:?}",
                        to.kind.reference_name(),
                        to.code.as_str()
                    );
                    place.report(self.problems, field, message);
                }
            }
        }
        Ok(())
    }
}

/// The hand-written checks of references an entry writes, not its record's.
struct Entries<'a> {
    known: &'a Known,
    problems: &'a mut Problems,
}

impl<'t> CitedTables<'t> for Entries<'_> {
    fn visit<E: Cited>(&mut self, entries: &'t [Located<E>]) {
        for entry in entries {
            self.sources(entry, entry.value.sources());
        }
    }
}

impl Entries<'_> {
    fn sources<E>(&mut self, entry: &Located<E>, sources: &[Code]) {
        if sources.is_empty() {
            entry.problem(
                self.problems,
                "sources",
                "every record needs at least one source",
            );
        }
        self.all(entry, "sources", RecordKind::Source, sources);
    }

    fn one<E>(&mut self, entry: &Located<E>, field: &str, kind: RecordKind, code: Option<&Code>) {
        if let Some(code) = code {
            if !self.known.contains(kind, code) {
                entry.problem(
                    self.problems,
                    field,
                    format!("unknown {} {:?}", kind.reference_name(), code.as_str()),
                );
            }
        }
    }

    fn all<E>(&mut self, entry: &Located<E>, field: &str, kind: RecordKind, codes: &[Code]) {
        for code in codes {
            self.one(entry, field, kind, Some(code));
        }
    }
}

/// The seed field a reference of a `from` record to a `to` record is written in.
fn field_of(relation: Relation, from: RecordKind, to: RecordKind) -> &'static str {
    match relation {
        Relation::Parent => "parent",
        Relation::Predecessor => "predecessors",
        Relation::PostOrganisation => "organisation",
        Relation::PostRole => "role",
        Relation::ProgrammeProvider | Relation::CourseProvider => "provider",
        Relation::ProgrammePartner => "partners",
        Relation::ProgrammeAccreditedBy | Relation::CourseAccreditedBy => "accredited_by",
        Relation::ProgrammeParent => "parent",
        Relation::ProgrammeQualification => "qualifications",
        Relation::ProgrammeRole | Relation::QualificationRole | Relation::PayBandRole => "roles",
        Relation::QualificationAwardedBy => "awarded_by",
        Relation::Cites => "sources",
        Relation::About => match (from, to) {
            (RecordKind::Topic, _) => "related",
            (RecordKind::CareerStory, RecordKind::Organisation) => "organisation",
            (RecordKind::CareerStory, RecordKind::Topic) => "entry_route",
            (RecordKind::CareerStory, _) => "role",
            _ => "about",
        },
    }
}
