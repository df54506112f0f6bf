//! Writes: replacing the seeded knowledge, atomically to readers and crashes, durably.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::backend::{Changed, Transaction};
use super::keys::{edge_parts, organisation_kind_key, record_reference_key};
use super::lists::{self, SeedLists};
use super::partner::PARTNER_RECORDS_TREE;
#[cfg(test)]
use super::record_tree_name;
use super::{codec, meta, Result, Store, META_TREE};
use crate::domain::{Dataset, RecordKind, RecordType, RecordsVisitor};

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
        let (contents, n_links) = self.contents_of(dataset)?;
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
                    n_links,
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

    /// The new content of every tree the seed writes, and the number of links in it. The
    /// per-link trees are named empty: the seed's links go to lists (`lists.rs`), and a
    /// reseed removes what an older build wrote there, except partners' links.
    fn contents_of(&self, dataset: &Dataset) -> Result<(TreeContents, usize)> {
        let mut contents = TreeContents::new();
        for name in self.record_trees.values().chain(self.edge_trees.values()) {
            contents.insert(name.clone(), BTreeMap::new());
        }
        dataset.visit(&mut AddRecords(&mut contents))?;
        let mut lists = SeedLists::default();
        for edge in dataset.edges() {
            lists.add(&edge);
        }
        let n_links = lists.n_links();
        contents.extend(lists.into_trees()?);
        let by_kind = contents
            .entry(super::ORGANISATIONS_BY_KIND_TREE.to_owned())
            .or_default();
        for organisation in &dataset.organisations {
            by_kind.insert(
                organisation_kind_key(organisation.kind, &organisation.code),
                Vec::new(),
            );
        }
        Ok((contents, n_links))
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
    n_links: usize,
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
    let (mut n_removed, mut n_edges) = (0, n_links);
    for (name, entries) in contents {
        for key in transaction.keys(name)? {
            if !entries.contains_key(&key) && !belongs_to_partner(name, &key, &partner) {
                transaction.remove(name, &key)?;
                n_removed += 1;
            }
        }
        for (key, value) in entries {
            if belongs_to_partner(name, key, &partner) {
                if name == lists::SEED_OUT_TREE {
                    n_edges -= lists::n_outgoing(value)?;
                }
                continue;
            }
            if partner.is_empty() || !lists::is_list_tree(name) {
                transaction.insert(name, key, value)?;
                continue;
            }
            let (value, dropped) = lists::without_partner(name, value, &partner)?;
            if name == lists::SEED_OUT_TREE {
                n_edges -= dropped;
            }
            match value {
                Some(value) => transaction.insert(name, key, &value)?,
                None => transaction.remove(name, key)?,
            }
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
    if lists::is_list_tree(name) {
        return partner.contains(key);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Edge, Relation, Validity};
    use crate::store::keys::{edge_key, reference_key};
    use crate::store::{Direction, Error};

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

    fn reference(text: &str) -> crate::domain::RecordRef {
        crate::domain::RecordRef::parse(text).unwrap()
    }

    fn link(relation: Relation, from: &str, to: &str) -> Edge {
        Edge {
            relation,
            from: reference(from),
            to: reference(to),
            validity: Validity::ALWAYS,
        }
    }

    fn related(store: &Store, from: &str, relation: Relation, direction: Direction) -> Vec<String> {
        store
            .related(&reference(from), relation, direction)
            .unwrap()
            .iter()
            .map(|(to, _)| to.to_string())
            .collect()
    }

    /// Writes `edge` one key per direction, as older builds wrote every link and as partners'
    /// links still are.
    fn put_link_keys(store: &Store, edge: &Edge) {
        let outgoing = store
            .edge_tree(edge.relation, Direction::Outgoing)
            .to_owned();
        let incoming = store
            .edge_tree(edge.relation, Direction::Incoming)
            .to_owned();
        let value = codec::encode(&edge.validity).unwrap();
        store
            .backend
            .transaction(&[&outgoing, &incoming], &[], &mut |transaction| {
                transaction.insert(&outgoing, &edge_key(&edge.from, &edge.to), &value)?;
                transaction.insert(&incoming, &edge_key(&edge.to, &edge.from), &value)
            })
            .unwrap();
    }

    fn mark_partner(store: &Store, record: &str) {
        store
            .backend
            .transaction(&[PARTNER_RECORDS_TREE], &[], &mut |transaction| {
                transaction.insert(
                    PARTNER_RECORDS_TREE,
                    &reference_key(&reference(record)),
                    &[],
                )
            })
            .unwrap();
    }

    #[test]
    fn links_are_read_from_the_seeds_lists_and_from_one_key_links_together() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        let dataset = Dataset {
            memberships: vec![
                link(Relation::CourseProvider, "course:seed-b", "organisation:U1"),
                link(Relation::CourseProvider, "course:seed-d", "organisation:U1"),
            ],
            ..Dataset::default()
        };
        let written = store.replace_seed(&dataset, [1; 32]).unwrap();
        assert_eq!(written.n_edges, 2);
        mark_partner(&store, "course:partner-c");
        put_link_keys(
            &store,
            &link(
                Relation::CourseProvider,
                "course:partner-c",
                "organisation:U1",
            ),
        );

        assert_eq!(
            related(
                &store,
                "organisation:U1",
                Relation::CourseProvider,
                Direction::Incoming
            ),
            ["course:partner-c", "course:seed-b", "course:seed-d"],
            "both kinds of link, in one order"
        );
        assert_eq!(
            related(
                &store,
                "course:seed-b",
                Relation::CourseProvider,
                Direction::Outgoing
            ),
            ["organisation:U1"]
        );
        assert!(related(
            &store,
            "course:seed-b",
            Relation::Cites,
            Direction::Outgoing
        )
        .is_empty());
    }

    #[test]
    fn a_reseed_moves_an_older_builds_link_keys_into_lists_and_keeps_partners_links() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        // What an older build left: the seed's link one key per direction, and a partner's.
        let old = link(Relation::PostRole, "post:a", "role:chair");
        put_link_keys(&store, &old);
        mark_partner(&store, "course:partner-c");
        let partners = link(
            Relation::CourseProvider,
            "course:partner-c",
            "organisation:U1",
        );
        put_link_keys(&store, &partners);
        assert_eq!(
            related(
                &store,
                "role:chair",
                Relation::PostRole,
                Direction::Incoming
            ),
            ["post:a"],
            "a store an older build wrote is read as it is"
        );

        let dataset = Dataset {
            memberships: vec![
                old.clone(),
                // The seed also has a record with the partner's code: the partner's stays.
                link(
                    Relation::CourseProvider,
                    "course:partner-c",
                    "organisation:U2",
                ),
            ],
            ..Dataset::default()
        };
        let written = store.replace_seed(&dataset, [2; 32]).unwrap();

        assert_eq!(
            written.n_edges, 1,
            "the seed's link to the partner's record is left out"
        );
        let post_role = store.edge_tree(Relation::PostRole, Direction::Outgoing);
        assert_eq!(
            store.backend.len(post_role).unwrap(),
            0,
            "moved into the lists"
        );
        assert_eq!(
            related(
                &store,
                "role:chair",
                Relation::PostRole,
                Direction::Incoming
            ),
            ["post:a"]
        );
        assert_eq!(
            related(
                &store,
                "course:partner-c",
                Relation::CourseProvider,
                Direction::Outgoing
            ),
            ["organisation:U1"]
        );
        assert!(related(
            &store,
            "organisation:U2",
            Relation::CourseProvider,
            Direction::Incoming
        )
        .is_empty());
    }
}
