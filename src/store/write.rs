//! Writes: replacing the seeded knowledge in one atomic, flushed transaction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::Ordering;

use serde::Serialize;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

use super::keys::{edge_key, edge_parts, organisation_kind_key, record_reference_key};
use super::{codec, meta, Direction, Error, Result, Store};
use crate::domain::{Dataset, Edge, Record, RecordKind};

/// What a seed load changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedWrite {
    pub n_records: usize,
    pub n_edges: usize,
    pub n_removed: usize,
    pub data_version: u64,
}

/// The full new content of each tree, by tree name.
type TreeContents = HashMap<String, BTreeMap<Vec<u8>, Vec<u8>>>;

impl Store {
    /// Replaces the seeded knowledge with `dataset` in one transaction over every tree, records
    /// `seed_hash`, bumps the data version and flushes to disk before returning. A reader sees
    /// either the old knowledge or the new, never a mix. Blocking: call from `spawn_blocking`.
    ///
    /// Records partners published through the API, and their links, are neither removed
    /// nor overwritten: a seed record with the same code as one of them is left out.
    pub fn replace_seed(&self, dataset: &Dataset, seed_hash: [u8; 32]) -> Result<SeedWrite> {
        let partner = self.partner_references()?;
        let mut contents = self.contents_of(dataset)?;
        for (name, entries) in contents.iter_mut() {
            entries.retain(|key, _| !belongs_to_partner(name, key, &partner));
        }
        let mut trees: Vec<&sled::Tree> = Vec::with_capacity(contents.len() + 1);
        let mut plans = Vec::with_capacity(contents.len());
        for (name, entries) in &contents {
            let tree = self.tree_by_name(name);
            let stale: Vec<sled::IVec> = tree
                .iter()
                .keys()
                .filter(|key| {
                    key.as_ref().map_or(true, |key| {
                        !entries.contains_key(key.as_ref())
                            && !belongs_to_partner(name, key, &partner)
                    })
                })
                .collect::<Result<_, _>>()?;
            trees.push(tree);
            plans.push((entries, stale));
        }
        trees.push(&self.meta);
        let n_removed = plans.iter().map(|(_, stale)| stale.len()).sum();
        let data_version = self.stored_data_version()? + 1;

        let outcome: Result<(), TransactionError<Error>> = trees.as_slice().transaction(|views| {
            for (view, (entries, stale)) in views.iter().zip(&plans) {
                for key in stale {
                    view.remove(key)?;
                }
                for (key, value) in entries.iter() {
                    view.insert(key.as_slice(), value.as_slice())?;
                }
            }
            let meta_view = views.last().ok_or_else(|| {
                ConflictableTransactionError::Abort(Error::Task("no meta tree".to_owned()))
            })?;
            meta_view.insert(meta::SEED_HASH, &seed_hash[..])?;
            meta_view.insert(meta::DATA_VERSION, &data_version.to_be_bytes()[..])?;
            Ok(())
        });
        outcome.map_err(|error| match error {
            TransactionError::Abort(error) => error,
            TransactionError::Storage(error) => Error::Sled(error),
        })?;
        self.memo.forget_all();
        self.data_version.fetch_max(data_version, Ordering::AcqRel);
        self.flush()?;

        let n_edges = contents
            .iter()
            .filter(|(name, _)| name.starts_with("out:"))
            .map(|(_, entries)| entries.len())
            .sum();
        Ok(SeedWrite {
            n_records: dataset.n_records(),
            n_edges,
            n_removed,
            data_version,
        })
    }

    fn contents_of(&self, dataset: &Dataset) -> Result<TreeContents> {
        let mut contents = TreeContents::new();
        for kind in RecordKind::ALL {
            contents.insert(super::record_tree_name(kind), BTreeMap::new());
        }
        for (relation, direction) in self.edges.keys() {
            contents.insert(
                super::edge_tree_name(*relation, *direction),
                BTreeMap::new(),
            );
        }
        add_records(&mut contents, &dataset.sources)?;
        add_records(&mut contents, &dataset.organisations)?;
        add_records(&mut contents, &dataset.roles)?;
        add_records(&mut contents, &dataset.posts)?;
        add_records(&mut contents, &dataset.programmes)?;
        add_records(&mut contents, &dataset.courses)?;
        add_records(&mut contents, &dataset.qualifications)?;
        add_records(&mut contents, &dataset.pay_bands)?;
        add_records(&mut contents, &dataset.topics)?;
        add_records(&mut contents, &dataset.career_stories)?;
        add_records(&mut contents, &dataset.figures)?;
        for edge in dataset.edges() {
            add_edge(&mut contents, &edge)?;
        }
        let by_kind = contents
            .entry(super::ORGANISATIONS_BY_KIND_TREE.to_owned())
            .or_default();
        for organisation in &dataset.organisations {
            by_kind.insert(
                organisation_kind_key(organisation.kind, &organisation.code),
                Vec::new(),
            );
        }
        Ok(contents)
    }

    fn tree_by_name(&self, name: &str) -> &sled::Tree {
        if name == super::ORGANISATIONS_BY_KIND_TREE {
            return &self.organisations_by_kind;
        }
        self.records
            .values()
            .chain(self.edges.values())
            .find(|tree| tree.name() == name.as_bytes())
            .expect("contents_of only names trees opened in Store::open")
    }
}

/// Whether `key` of tree `name` is a partner-published record or one of its links.
fn belongs_to_partner(name: &str, key: &[u8], partner: &HashSet<Vec<u8>>) -> bool {
    if partner.is_empty() {
        return false;
    }
    if let Some(kind) = name
        .strip_prefix("record:")
        .and_then(RecordKind::from_reference_name)
    {
        return partner.contains(&record_reference_key(kind, key));
    }
    if name.starts_with("out:") || name.starts_with("in:") {
        return edge_parts(key)
            .is_some_and(|(first, second)| partner.contains(first) || partner.contains(second));
    }
    false
}

fn add_records<T: Record + Serialize>(contents: &mut TreeContents, records: &[T]) -> Result<()> {
    let tree = contents
        .entry(super::record_tree_name(T::KIND))
        .or_default();
    for record in records {
        tree.insert(
            record.code().as_str().as_bytes().to_vec(),
            codec::encode(record)?,
        );
    }
    Ok(())
}

fn add_edge(contents: &mut TreeContents, edge: &Edge) -> Result<()> {
    let value = codec::encode(&edge.validity)?;
    let outgoing = super::edge_tree_name(edge.relation, Direction::Outgoing);
    let incoming = super::edge_tree_name(edge.relation, Direction::Incoming);
    let out_tree = contents.entry(outgoing).or_default();
    out_tree.insert(edge_key(&edge.from, &edge.to), value.clone());
    let in_tree = contents.entry(incoming).or_default();
    in_tree.insert(edge_key(&edge.to, &edge.from), value);
    Ok(())
}
