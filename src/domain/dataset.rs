//! A complete set of records and their dated links, as a seed load produces it: one list per
//! record kind, generated from the kind table (`records/mod.rs`), so that every layer can go
//! through every kind's records with [`Dataset::visit`] instead of listing the kinds.

use std::convert::Infallible;

use super::records::record_kinds;
use super::*;

/// Declares `Dataset`, with one list per kind, and each kind's [`RecordType`].
macro_rules! declare_dataset {
    ($($kind:ident { reference: $reference:literal, tag: $tag:literal, dataset: $field:ident },)*) => {
        /// Everything a seed load writes, already validated: every reference resolves.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Dataset {
            $(pub $field: Vec<$kind>,)*
            /// Organisation parent links (trust -> ICB -> region -> NHS England), with the dates they held.
            pub memberships: Vec<Edge>,
        }

        $(
            impl RecordType for $kind {
                fn in_dataset(dataset: &Dataset) -> &Vec<Self> {
                    &dataset.$field
                }

                fn in_dataset_mut(dataset: &mut Dataset) -> &mut Vec<Self> {
                    &mut dataset.$field
                }
            }
        )*
    };
}

record_kinds!(declare_dataset);

impl Dataset {
    /// Runs `visitor` over the records of every kind, in the kind table's order, stopping at
    /// the first error.
    pub fn visit<V: RecordsVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        struct EachKind<'a, V> {
            dataset: &'a Dataset,
            visitor: &'a mut V,
        }
        impl<V: RecordsVisitor> KindVisitor for EachKind<'_, V> {
            type Error = V::Error;

            fn visit<T: RecordType>(&mut self) -> Result<(), V::Error> {
                self.visitor.visit(T::in_dataset(self.dataset))
            }
        }
        visit_kinds(&mut EachKind {
            dataset: self,
            visitor,
        })
    }

    /// Every edge of the dataset: the dated memberships, each record's references, and a
    /// `Cites` edge from every record to each of its sources.
    pub fn edges(&self) -> Vec<Edge> {
        struct Edges(Vec<Edge>);
        impl RecordsVisitor for Edges {
            type Error = Infallible;

            fn visit<T: RecordType>(&mut self, records: &[T]) -> Result<(), Infallible> {
                for record in records {
                    self.0.extend(record_edges(record));
                }
                Ok(())
            }
        }
        let mut edges = Edges(self.memberships.clone());
        let Ok(()) = self.visit(&mut edges);
        edges.0
    }

    /// The number of records of every kind.
    pub fn n_records(&self) -> usize {
        struct Count(usize);
        impl RecordsVisitor for Count {
            type Error = Infallible;

            fn visit<T: RecordType>(&mut self, records: &[T]) -> Result<(), Infallible> {
                self.0 += records.len();
                Ok(())
            }
        }
        let mut count = Count(0);
        let Ok(()) = self.visit(&mut count);
        count.0
    }
}

/// The edges one record implies: its references, then one `Cites` edge per source other than
/// itself (a source is its own source, and cites nothing).
pub fn record_edges<T: Record>(record: &T) -> Vec<Edge> {
    let from = record.reference();
    let cites = record.sources().iter().map(|source| {
        (
            Relation::Cites,
            RecordRef::new(RecordKind::Source, source.clone()),
        )
    });
    record
        .references()
        .into_iter()
        .chain(cites)
        .filter(|(_, to)| to != &from)
        .map(|(relation, to)| Edge {
            from: from.clone(),
            relation,
            to,
            validity: Validity::ALWAYS,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Code {
        Code::parse(text).expect("a valid code")
    }

    #[test]
    fn a_source_is_counted_but_cites_nothing() {
        let source = Source {
            code: code("guide"),
            title: "A guide".to_owned(),
            publisher: "NHS England".to_owned(),
            author: None,
            published: None,
            as_of: None,
            kind: SourceKind::WebPage,
            document: "guide.txt".to_owned(),
            url: None,
            licence: None,
            description: None,
            dated: None,
            evidence: None,
        };
        let role = Role {
            code: code("chair"),
            name: "Chair".to_owned(),
            category: RoleCategory::NonExecutive,
            aliases: Vec::new(),
            description: None,
            summary: "The chair.".to_owned(),
            activities: Vec::new(),
            sources: vec![code("guide")],
            citations: Vec::new(),
        };
        let dataset = Dataset {
            sources: vec![source],
            roles: vec![role],
            ..Dataset::default()
        };
        assert_eq!(dataset.n_records(), 2);
        assert_eq!(
            dataset.edges(),
            [Edge {
                from: RecordRef::parse("role:chair").expect("a reference"),
                relation: Relation::Cites,
                to: RecordRef::parse("source:guide").expect("a reference"),
                validity: Validity::ALWAYS,
            }]
        );
    }
}
