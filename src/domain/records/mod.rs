//! The record kinds of the graph, declared once (the kind table, [`record_kinds!`]), and what
//! every record has in common ([`Record`]). Each record lists the sources it comes from, and
//! knows its outgoing references, so the store can index every relationship in both
//! directions. The kinds' types are in this module's files, by group.
//!
//! What is the same for every kind is generated from the table: [`RecordKind`] and its names
//! and persisted tag, the [`Dataset`](super::Dataset) field of each kind, and the two ways to
//! do something for every kind without listing them: [`visit_kinds`] (with each kind's type)
//! and [`Dataset::visit`](super::Dataset::visit) (with its records).

mod knowledge;
mod learning;
mod organisation;
mod people;

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Citation, Code, Dataset, RecordRef, Relation, Staleness};

pub use knowledge::*;
pub use learning::*;
pub use organisation::*;
pub use people::*;

/// The kind table: every kind of record in the graph, declared once. It passes the table to
/// the macro `$then`, which generates from it what is the same for every kind (here
/// `declare_kinds!`, and `Dataset` in `dataset.rs`). Each line names the kind (a `RecordKind`
/// variant, a type of the same name, and its type name as clients see it, `PayBand`), its
/// name in `kind:code` references as the seed files write them (`pay-band`), its one-byte
/// tag in store keys, and its field in a `Dataset`.
///
/// Both the order of the lines and the tags are persisted (postcard encodes a `RecordKind`
/// by its position, the store's keys by its tag): append new kinds at the end, with a new tag.
macro_rules! record_kinds {
    ($then:ident) => {
        $then! {
            Organisation { reference: "organisation", tag: 1, dataset: organisations },
            Role { reference: "role", tag: 2, dataset: roles },
            Post { reference: "post", tag: 3, dataset: posts },
            Programme { reference: "programme", tag: 4, dataset: programmes },
            Course { reference: "course", tag: 5, dataset: courses },
            Qualification { reference: "qualification", tag: 6, dataset: qualifications },
            PayBand { reference: "pay-band", tag: 7, dataset: pay_bands },
            Topic { reference: "topic", tag: 8, dataset: topics },
            CareerStory { reference: "career-story", tag: 9, dataset: career_stories },
            Figure { reference: "figure", tag: 10, dataset: figures },
            Source { reference: "source", tag: 11, dataset: sources },
        }
    };
}
pub(super) use record_kinds;

/// Declares `RecordKind` and the visits over every kind, from the kind table.
macro_rules! declare_kinds {
    ($($kind:ident { reference: $reference:literal, tag: $tag:literal, dataset: $field:ident },)*) => {
        /// The kinds of record in the graph.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum RecordKind {
            $($kind,)*
        }

        impl RecordKind {
            pub const ALL: [RecordKind; [$(RecordKind::$kind),*].len()] = [$(RecordKind::$kind),*];

            /// The kind's name in `kind:code` references, as written in the seed files.
            pub fn reference_name(self) -> &'static str {
                match self {
                    $(RecordKind::$kind => $reference,)*
                }
            }

            /// The kind's type name, as clients see it (`PayBand`).
            pub fn type_name(self) -> &'static str {
                match self {
                    $(RecordKind::$kind => stringify!($kind),)*
                }
            }

            /// The kind's one-byte tag in store keys. Persisted: never change one.
            pub fn tag(self) -> u8 {
                match self {
                    $(RecordKind::$kind => $tag,)*
                }
            }

            /// Runs `visitor` with this kind's type.
            pub fn visit<V: KindVisitor>(self, visitor: &mut V) -> Result<(), V::Error> {
                match self {
                    $(RecordKind::$kind => visitor.visit::<$kind>(),)*
                }
            }
        }

        /// Runs `visitor` with the type of every kind, in the table's order, stopping at the
        /// first error.
        pub fn visit_kinds<V: KindVisitor>(visitor: &mut V) -> Result<(), V::Error> {
            $(visitor.visit::<$kind>()?;)*
            Ok(())
        }
    };
}

record_kinds!(declare_kinds);

/// What every record kind has in common.
pub trait Record {
    const KIND: RecordKind;

    fn code(&self) -> &Code;

    /// The name users know the record by.
    fn name(&self) -> &str;

    /// One or two sentences stating the record's key facts, quotable as an answer.
    fn summary(&self) -> Cow<'_, str>;

    /// Ids of the sources the record comes from.
    fn sources(&self) -> &[Code];

    /// The words of its sources the record rests on.
    fn citations(&self) -> &[Citation];

    /// What, beyond its sources' dates, can make its facts stale.
    fn staleness(&self) -> Staleness {
        Staleness::default()
    }

    /// The record's outgoing relationships other than to its sources, undated.
    fn references(&self) -> Vec<(Relation, RecordRef)>;

    fn reference(&self) -> RecordRef {
        RecordRef::new(Self::KIND, self.code().clone())
    }
}

/// A record kind's type, as the kind table declares it: [`Record`], every bound the other
/// layers need to store, index and serve it, and where a [`Dataset`] keeps its records
/// (implemented from the table, in `dataset.rs`).
pub trait RecordType:
    Record + Clone + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The dataset's records of this kind.
    fn in_dataset(dataset: &Dataset) -> &Vec<Self>;

    /// The dataset's records of this kind, to add to.
    fn in_dataset_mut(dataset: &mut Dataset) -> &mut Vec<Self>;
}

/// Work done for a record kind, given its type: for every kind ([`visit_kinds`]) or for the
/// kind of a value ([`RecordKind::visit`]). A visitor that cannot fail has
/// `Error = std::convert::Infallible`.
pub trait KindVisitor {
    type Error;

    fn visit<T: RecordType>(&mut self) -> Result<(), Self::Error>;
}

/// Work done for the records of every kind of a [`Dataset`] ([`Dataset::visit`]).
pub trait RecordsVisitor {
    type Error;

    fn visit<T: RecordType>(&mut self, records: &[T]) -> Result<(), Self::Error>;
}

/// Implements [`Record`] for a record type with `code`, `summary`, `sources` and `citations` fields
/// (its kind is the `RecordKind` of the same name), naming the field its `name` is, and
/// taking the methods that differ by kind (`references`, maybe `staleness`) as written.
macro_rules! record {
    ($type:ident, $name:ident, { $($methods:tt)* }) => {
        impl Record for $type {
            const KIND: RecordKind = RecordKind::$type;

            fn code(&self) -> &Code {
                &self.code
            }

            fn name(&self) -> &str {
                &self.$name
            }

            fn summary(&self) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(&self.summary)
            }

            fn sources(&self) -> &[Code] {
                &self.sources
            }

            fn citations(&self) -> &[Citation] {
                &self.citations
            }

            $($methods)*
        }
    };
}

pub(super) use record;

fn organisation(code: &Code) -> RecordRef {
    RecordRef::new(RecordKind::Organisation, code.clone())
}

fn refs<'a>(
    relation: Relation,
    kind: RecordKind,
    codes: impl IntoIterator<Item = &'a Code>,
) -> Vec<(Relation, RecordRef)> {
    codes
        .into_iter()
        .map(|code| (relation, RecordRef::new(kind, code.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    /// Collects the kind of every type it is given.
    struct Kinds(Vec<RecordKind>);

    impl KindVisitor for Kinds {
        type Error = Infallible;

        fn visit<T: RecordType>(&mut self) -> Result<(), Infallible> {
            self.0.push(T::KIND);
            Ok(())
        }
    }

    #[test]
    fn every_kind_is_visited_once_in_the_table_order() {
        let mut kinds = Kinds(Vec::new());
        let Ok(()) = visit_kinds(&mut kinds);
        assert_eq!(kinds.0, RecordKind::ALL);
    }

    #[test]
    fn a_kind_is_visited_with_its_own_type() {
        for kind in RecordKind::ALL {
            let mut kinds = Kinds(Vec::new());
            let Ok(()) = kind.visit(&mut kinds);
            assert_eq!(kinds.0, [kind]);
        }
    }

    #[test]
    fn reference_and_type_names_read_back_as_their_kind() {
        for kind in RecordKind::ALL {
            assert_eq!(
                RecordKind::from_reference_name(kind.reference_name()),
                Some(kind)
            );
            assert_eq!(RecordKind::from_type_name(kind.type_name()), Some(kind));
        }
    }
}
