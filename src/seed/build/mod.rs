//! Turns the parsed tables and registry rows into a validated `Dataset`: converts each entry
//! to its domain record, adds the registry's organisations and the posts, and checks every
//! reference, collecting every problem.
//!
//! What is the same for every kind runs over every table or kind without listing them
//! ([`Tables::visit_records`], [`Dataset::visit`]); what differs by kind is in the tables'
//! conversions (`tables/`), the posts (`posts.rs`) and the figures (`figures.rs`).

mod figures;
mod posts;

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use super::evidence::{self, Documents};
use super::problems::Problems;
use super::references;
use super::registry;
use super::tables::{Entry, Located, RecordTables, SeedFile, Tables};
use crate::domain::*;

/// Builds the dataset, or returns every problem found.
pub(crate) fn build(files: &[SeedFile]) -> Result<Dataset, Problems> {
    let mut problems = Problems::default();
    let tables = Tables::parse(files, &mut problems);
    let documents = Documents::read(&tables.sources, files, &mut problems);
    evidence::check(&tables, &documents, &mut problems);
    let registry = registry::read(files, &mut problems);
    let mut builder = Builder {
        problems,
        dataset: Dataset::default(),
        known: Known::default(),
    };
    builder.convert(&tables, registry);
    references::check(
        &tables,
        &builder.dataset,
        &builder.known,
        &mut builder.problems,
    );
    builder.add_board_posts(&tables);
    builder.add_named_posts(&tables);
    figures::summarise_figures(&mut builder.dataset);
    if builder.problems.is_empty() {
        Ok(builder.dataset)
    } else {
        Err(builder.problems)
    }
}

/// Codes of every record, by kind, to resolve references.
#[derive(Default)]
pub(crate) struct Known {
    codes: BTreeMap<RecordKind, BTreeSet<Code>>,
}

impl Known {
    pub(crate) fn contains(&self, kind: RecordKind, code: &Code) -> bool {
        self.codes
            .get(&kind)
            .is_some_and(|codes| codes.contains(code))
    }

    /// The codes of every record of `dataset`.
    fn of(dataset: &Dataset) -> Self {
        let mut known = Known::default();
        let Ok(()) = dataset.visit(&mut known);
        known
    }
}

impl RecordsVisitor for Known {
    type Error = Infallible;

    fn visit<T: RecordType>(&mut self, records: &[T]) -> Result<(), Infallible> {
        let codes = records.iter().map(|record| record.code().clone());
        self.codes.entry(T::KIND).or_default().extend(codes);
        Ok(())
    }
}

struct Builder {
    problems: Problems,
    dataset: Dataset,
    known: Known,
}

impl Builder {
    /// Converts every entry of every table of records, reporting what does not convert; adds
    /// the curated parents and the registry; then checks codes are unique and indexes them.
    fn convert(&mut self, tables: &Tables, registry: registry::Registry) {
        tables.visit_records(&mut Convert {
            dataset: &mut self.dataset,
            problems: &mut self.problems,
        });
        // Curated parents (e.g. the Leadership Academy under NHS England) are undated links.
        for entry in &tables.organisations {
            if let Some(parent) = &entry.value.parent {
                self.dataset.memberships.push(Edge {
                    from: RecordRef::new(RecordKind::Organisation, entry.value.code.clone()),
                    relation: Relation::Parent,
                    to: RecordRef::new(RecordKind::Organisation, parent.clone()),
                    validity: Validity::ALWAYS,
                });
            }
        }
        self.add_registry(registry);
        tables.visit_records(&mut Duplicates(&mut self.problems));
        self.known = Known::of(&self.dataset);
    }

    fn add_registry(&mut self, registry: registry::Registry) {
        let curated: BTreeSet<Code> = self
            .dataset
            .organisations
            .iter()
            .map(|organisation| organisation.code.clone())
            .collect();
        let as_of = registry.as_of;
        let n_trusts = as_of.map(|date| registry.n_open(OrganisationKind::Trust, date));
        let n_icbs = as_of.map(|date| registry.n_open(OrganisationKind::Icb, date));
        for organisation in registry.organisations {
            if curated.contains(&organisation.code) {
                let (file, line) = registry
                    .locations
                    .get(&organisation.code)
                    .copied()
                    .unwrap_or(("registry", 1));
                self.problems.push(
                    file,
                    line,
                    "ods_code",
                    format!(
                        "organisation {} is both in the registry and in a TOML file",
                        organisation.code
                    ),
                );
                continue;
            }
            self.dataset.organisations.push(organisation);
        }
        self.dataset.memberships.extend(registry.memberships);
        if let (Some(as_of), Some(n_trusts), Some(n_icbs)) = (as_of, n_trusts, n_icbs) {
            self.dataset.figures.extend(figures::registry_figures(
                as_of,
                n_trusts,
                n_icbs,
                registry.count_citations.clone(),
            ));
        }
    }
}

/// Converts each entry of a table to its record, reporting what does not convert.
struct Convert<'a> {
    dataset: &'a mut Dataset,
    problems: &'a mut Problems,
}

impl RecordTables<'_> for Convert<'_> {
    fn visit<E: Entry>(&mut self, entries: &[Located<E>]) {
        let records = E::Record::in_dataset_mut(self.dataset);
        for entry in entries {
            match entry.value.convert() {
                Ok(record) => records.push(record),
                Err((field, message)) => entry.problem(self.problems, field, message),
            }
        }
    }
}

/// Reports every code written twice in a table, at its second entry.
struct Duplicates<'a>(&'a mut Problems);

impl RecordTables<'_> for Duplicates<'_> {
    fn visit<E: Entry>(&mut self, entries: &[Located<E>]) {
        let mut seen: BTreeMap<&Code, &Located<E>> = BTreeMap::new();
        for entry in entries {
            if let Some(first) = seen.insert(entry.value.code(), entry) {
                entry.problem(
                    self.0,
                    "code",
                    format!(
                        "duplicate code {:?} (first defined at {}:{})",
                        entry.value.code().as_str(),
                        first.file,
                        first.line()
                    ),
                );
            }
        }
    }
}
