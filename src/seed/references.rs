//! The reference check of curated records, derived from `Record::references()`: every
//! outgoing reference of every converted record must name a record that exists, and a
//! problem is reported at the seed field that wrote it.
//!
//! The relation schema is declared once, in the domain (`references()`); this module only
//! maps a relation back to the TOML field it comes from ([`field_of`]), so a new relation
//! is checked without touching it, and named here only to give its problem the right field.

use std::collections::BTreeMap;

use super::build::Known;
use super::problems::Problems;
use super::tables::{Located, Tables};
use crate::domain::{Code, Dataset, Record, RecordKind, RecordRef, Relation};

/// Where a curated record was written: its file, and the line of each of its fields.
trait Place {
    fn report(&self, problems: &mut Problems, field: &str, message: String);
}

impl<E> Place for Located<E> {
    fn report(&self, problems: &mut Problems, field: &str, message: String) {
        self.problem(problems, field, message);
    }
}

/// Checks the references of every curated record of `dataset`.
pub(crate) fn check(tables: &Tables, dataset: &Dataset, known: &Known, problems: &mut Problems) {
    let mut places: BTreeMap<RecordRef, &dyn Place> = BTreeMap::new();
    locate(
        &mut places,
        RecordKind::Organisation,
        &tables.organisations,
        |e| &e.code,
    );
    locate(&mut places, RecordKind::Role, &tables.roles, |e| &e.code);
    locate(
        &mut places,
        RecordKind::Programme,
        &tables.programmes,
        |e| &e.code,
    );
    locate(&mut places, RecordKind::Course, &tables.courses, |e| {
        &e.code
    });
    locate(
        &mut places,
        RecordKind::Qualification,
        &tables.qualifications,
        |e| &e.code,
    );
    locate(&mut places, RecordKind::PayBand, &tables.pay_bands, |e| {
        &e.code
    });
    locate(&mut places, RecordKind::Topic, &tables.topics, |e| &e.code);
    locate(
        &mut places,
        RecordKind::CareerStory,
        &tables.career_stories,
        |e| &e.code,
    );
    locate(&mut places, RecordKind::Figure, &tables.figures, |e| {
        &e.code
    });
    let mut checker = Checker {
        places,
        known,
        problems,
    };
    checker.all(&dataset.organisations);
    checker.all(&dataset.roles);
    checker.all(&dataset.programmes);
    checker.all(&dataset.courses);
    checker.all(&dataset.qualifications);
    checker.all(&dataset.pay_bands);
    checker.all(&dataset.topics);
    checker.all(&dataset.career_stories);
    checker.all(&dataset.figures);
}

/// Records where each entry of `entries` was written (the first, for a duplicated code).
fn locate<'a, E>(
    places: &mut BTreeMap<RecordRef, &'a dyn Place>,
    kind: RecordKind,
    entries: &'a [Located<E>],
    code: fn(&E) -> &Code,
) {
    for entry in entries {
        let reference = RecordRef::new(kind, code(&entry.value).clone());
        places.entry(reference).or_insert(entry);
    }
}

struct Checker<'a> {
    places: BTreeMap<RecordRef, &'a dyn Place>,
    known: &'a Known,
    problems: &'a mut Problems,
}

impl Checker<'_> {
    fn all<T: Record>(&mut self, records: &[T]) {
        for record in records {
            // Registry records have no place: registry.rs checks their links.
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
