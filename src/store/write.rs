//! Writes: replacing the seeded knowledge, atomically to readers and crashes, durably.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::backend::{Changed, Transaction};
use super::keys::{edge_key, edge_parts, organisation_kind_key, record_reference_key};
use super::partner::PARTNER_RECORDS_TREE;
#[cfg(test)]
use super::record_tree_name;
use super::{codec, meta, Direction, Result, Store, META_TREE};
use crate::domain::{Dataset, Edge, RecordKind, RecordType, RecordsVisitor};

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
    /// Replaces the seeded knowledge with `dataset`, records `seed_hash`, bumps the data
    /// version and commits durably before returning. Blocking: call from `spawn_blocking`.
    ///
    /// On PostgreSQL it is one transaction over every tree: a reader in any process sees
    /// either the old knowledge or the new, never a mix. On sled, where only this process
    /// opens the store and it seeds before it serves, the write goes in steps (see
    /// `Backend::write_in_steps`): the seed hash is removed first and written again last,
    /// so a crash part-way leaves a store without a seed hash, which the next start seeds
    /// again (the seed is then written over whatever part of it is there) and for which no
    /// stored search index is served.
    ///
    /// Records partners published through the API, and their links, are neither removed
    /// nor overwritten: a seed record with the same code as one of them is left out.
    ///
    /// The seed hash is checked again inside the transaction, under its lock: when several
    /// processes sharing a PostgreSQL database start with the same new seed, one writes it
    /// and the others, which waited for its lock, find it current and write nothing (they get
    /// a `SeedWrite` with zero records and the current data version).
    pub fn replace_seed(&self, dataset: &Dataset, seed_hash: [u8; 32]) -> Result<SeedWrite> {
        let contents = self.contents_of(dataset)?;
        let mut listed: Vec<&str> = contents.keys().map(String::as_str).collect();
        listed.push(PARTNER_RECORDS_TREE);
        let mut names = listed.clone();
        names.push(META_TREE);
        let mut outcome = None;
        self.backend.write_in_steps(
            &names,
            &listed,
            META_TREE,
            &mut |transaction| begin_seed(transaction, seed_hash),
            &mut |transaction| {
                outcome = Some(write_seed(
                    transaction,
                    &contents,
                    dataset.n_records(),
                    seed_hash,
                )?);
                Ok(())
            },
        )?;
        let outcome = outcome.expect("a committed transaction ran its work");
        self.live.committed(outcome.data_version);
        Ok(outcome)
    }

    /// Whether partners or operators published records of their own (which a reseed keeps).
    pub fn has_partner_records(&self) -> Result<bool> {
        Ok(self.backend.len(PARTNER_RECORDS_TREE)? > 0)
    }

    fn contents_of(&self, dataset: &Dataset) -> Result<TreeContents> {
        let mut contents = TreeContents::new();
        for name in self.record_trees.values().chain(self.edge_trees.values()) {
            contents.insert(name.clone(), BTreeMap::new());
        }
        dataset.visit(&mut AddRecords(&mut contents))?;
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
}

/// Where a backend writes a seed in steps (sled), the step before the others: unless the
/// store already holds this seed, forget the seed hash, so that a store a crash leaves
/// holding part of the new seed is written again by the next start, and no search index
/// stamped with the old hash is served for it. The last step records the new hash.
fn begin_seed(transaction: &mut dyn Transaction, seed_hash: [u8; 32]) -> Result<()> {
    if transaction.get(META_TREE, meta::SEED_HASH)?.as_deref() != Some(&seed_hash[..]) {
        transaction.remove(META_TREE, meta::SEED_HASH)?;
    }
    Ok(())
}

/// The seed write inside its transaction (or its steps).
fn write_seed(
    transaction: &mut dyn Transaction,
    contents: &TreeContents,
    n_records: usize,
    seed_hash: [u8; 32],
) -> Result<SeedWrite> {
    let data_version = read_u64(transaction, meta::DATA_VERSION)?;
    if transaction.get(META_TREE, meta::SEED_HASH)?.as_deref() == Some(&seed_hash[..]) {
        return Ok(SeedWrite {
            n_records: 0,
            n_edges: 0,
            n_removed: 0,
            data_version,
        });
    }
    let partner: HashSet<Vec<u8>> = transaction
        .keys(PARTNER_RECORDS_TREE)?
        .into_iter()
        .collect();
    let (mut n_removed, mut n_edges) = (0, 0);
    for (name, entries) in contents {
        for key in transaction.keys(name)? {
            if !entries.contains_key(&key) && !belongs_to_partner(name, &key, &partner) {
                transaction.remove(name, &key)?;
                n_removed += 1;
            }
        }
        for (key, value) in entries {
            if belongs_to_partner(name, key, &partner) {
                continue;
            }
            transaction.insert(name, key, value)?;
            n_edges += usize::from(name.starts_with("out:"));
        }
    }
    let data_version = data_version + 1;
    transaction.insert(META_TREE, meta::SEED_HASH, &seed_hash)?;
    transaction.insert(META_TREE, meta::DATA_VERSION, &data_version.to_be_bytes())?;
    transaction.record_changes(data_version, &Changed::Everything)?;
    Ok(SeedWrite {
        n_records,
        n_edges,
        n_removed,
        data_version,
    })
}

/// A big-endian u64 of the `meta` tree, 0 when absent.
pub(crate) fn read_u64(transaction: &mut dyn Transaction, key: &[u8]) -> Result<u64> {
    Ok(transaction
        .get(META_TREE, key)?
        .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_slice()).ok())
        .map_or(0, u64::from_be_bytes))
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
    if name == super::ORGANISATIONS_BY_KIND_TREE {
        return key.get(1..).is_some_and(|code| {
            partner.contains(&record_reference_key(RecordKind::Organisation, code))
        });
    }
    if name.starts_with("out:") || name.starts_with("in:") {
        return edge_parts(key)
            .is_some_and(|(first, second)| partner.contains(first) || partner.contains(second));
    }
    false
}

/// Adds the records of every kind to their trees.
struct AddRecords<'a>(&'a mut TreeContents);

impl RecordsVisitor for AddRecords<'_> {
    type Error = super::Error;

    fn visit<T: RecordType>(&mut self, records: &[T]) -> Result<()> {
        let tree = self.0.entry(super::record_tree_name(T::KIND)).or_default();
        for record in records {
            tree.insert(
                record.code().as_str().as_bytes().to_vec(),
                codec::encode(record)?,
            );
        }
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Error;

    /// A seed: an empty dataset is enough, the steps do not depend on what is written.
    fn seed() -> (Dataset, [u8; 32]) {
        (Dataset::default(), [1; 32])
    }

    #[test]
    fn a_seed_write_cut_short_leaves_a_store_that_the_next_start_seeds_again() {
        let directory = tempfile::tempdir().unwrap();
        let (dataset, hash) = seed();
        let store = Store::open(directory.path()).unwrap();
        let first = store.replace_seed(&dataset, hash).unwrap();
        assert_eq!(store.seed_hash().unwrap(), Some(hash));

        // A new seed's write dies after its first steps (as a crash would end it): part of
        // it is in the trees, its last step (the seed hash, the data version) never ran.
        let tree = record_tree_name(RecordKind::Course);
        let error = store
            .backend
            .write_in_steps(
                &[tree.as_str(), META_TREE],
                &[],
                META_TREE,
                &mut |transaction| begin_seed(transaction, [7; 32]),
                &mut |transaction| {
                    transaction.insert(&tree, b"half-written-course", b"?")?;
                    Err(Error::Task("killed".to_owned()))
                },
            )
            .unwrap_err();
        assert!(matches!(error, Error::Task(_)), "{error}");
        drop(store);

        let store = Store::open(directory.path()).unwrap();
        assert_eq!(
            store.seed_hash().unwrap(),
            None,
            "a store holding part of a seed must not claim any seed, or it would not be seeded again"
        );
        assert_eq!(store.data_version().unwrap(), first.data_version);

        let again = store.replace_seed(&dataset, hash).unwrap();
        assert_eq!(store.seed_hash().unwrap(), Some(hash));
        assert_eq!(again.data_version, first.data_version + 1);
        assert_eq!(again.n_removed, 1, "the half-written record is removed");
        assert!(store
            .backend
            .get(&tree, b"half-written-course")
            .unwrap()
            .is_none());
        assert_eq!(store.backend.len(&tree).unwrap(), dataset.courses.len());
    }

    #[test]
    fn a_seed_already_held_is_not_written_again() {
        let directory = tempfile::tempdir().unwrap();
        let (dataset, hash) = seed();
        let store = Store::open(directory.path()).unwrap();
        let first = store.replace_seed(&dataset, hash).unwrap();
        let again = store.replace_seed(&dataset, hash).unwrap();
        assert_eq!(again.n_records, 0);
        assert_eq!(again.data_version, first.data_version);
        assert_eq!(store.seed_hash().unwrap(), Some(hash));
    }
}
