//! Reads: point lookups by code, whole-kind listings for root lists, and edge prefix scans.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::keys::{edge_prefix, edge_second, organisation_kind_key_code, organisation_kind_tag};
use super::memo::Listing;
use super::{codec, meta, Error, Result, Store};
use crate::domain::{Code, OrganisationKind, Record, RecordRef, Relation, Validity};

/// Which way to follow a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the record that holds the reference (programme -> its provider).
    Outgoing,
    /// Back to the records that hold a reference to this one (provider -> its programmes).
    Incoming,
}

impl Store {
    /// The record of kind `T` with `code`, if there is one. Shared: a record read before is
    /// not decoded again until a write changes the store.
    pub fn get<T: Record + DeserializeOwned + Send + Sync + 'static>(
        &self,
        code: &Code,
    ) -> Result<Option<Arc<T>>> {
        self.memo.record(T::KIND, code, || {
            self.count_reads(1);
            let tree = self.record_tree(T::KIND);
            match tree.get(code.as_str())? {
                Some(bytes) => Ok(Some(codec::decode(|| tree_name(tree), &bytes)?)),
                None => Ok(None),
            }
        })
    }

    /// Every record of kind `T`, ordered by code, decoded afresh. For bulk reads (building
    /// the search index); answers use [`Store::list`].
    pub fn all<T: Record + DeserializeOwned>(&self) -> Result<Vec<T>> {
        let tree = self.record_tree(T::KIND);
        tree.iter()
            .values()
            .map(|bytes| {
                self.count_reads(1);
                codec::decode(|| tree_name(tree), &bytes?)
            })
            .collect()
    }

    /// Every record of kind `T`, ordered by code, shared like [`Store::get`]. For root lists
    /// only: never for an edge.
    pub fn list<T: Record + DeserializeOwned + Send + Sync + 'static>(
        &self,
    ) -> Result<Arc<Vec<Arc<T>>>> {
        self.memo.listing(Listing::All(T::KIND), || {
            Ok(self.all::<T>()?.into_iter().map(Arc::new).collect())
        })
    }

    /// The number of records of kind `T`.
    pub fn count<T: Record>(&self) -> usize {
        self.record_tree(T::KIND).len()
    }

    /// Codes of every organisation of `kind`, ordered by code.
    pub fn organisation_codes_of_kind(&self, kind: OrganisationKind) -> Result<Arc<Vec<Code>>> {
        self.memo.listing(Listing::OrganisationsOfKind(kind), || {
            self.organisations_by_kind
                .scan_prefix([organisation_kind_tag(kind)])
                .keys()
                .map(|key| {
                    self.count_reads(1);
                    let key = key?;
                    organisation_kind_key_code(&key).ok_or_else(|| Error::MalformedKey {
                        tree: super::ORGANISATIONS_BY_KIND_TREE.to_owned(),
                    })
                })
                .collect()
        })
    }

    /// The records `from` is linked to by `relation` in `direction`, with the dates each link
    /// held, ordered by kind and code. One prefix scan of one index tree, shared like
    /// [`Store::get`].
    pub fn related(
        &self,
        from: &RecordRef,
        relation: Relation,
        direction: Direction,
    ) -> Result<Arc<[(RecordRef, Validity)]>> {
        self.memo.edges(relation, direction, from, || {
            let tree = self.edge_tree(relation, direction);
            tree.scan_prefix(edge_prefix(from))
                .map(|entry| {
                    self.count_reads(1);
                    let (key, value) = entry?;
                    let to = edge_second(&key).ok_or_else(|| Error::MalformedKey {
                        tree: tree_name(tree),
                    })?;
                    Ok((to, codec::decode(|| tree_name(tree), &value)?))
                })
                .collect()
        })
    }

    /// Like [`Store::related`], then reads each linked record of kind `T`; links to records of
    /// other kinds are skipped.
    pub fn related_records<T: Record + DeserializeOwned + Send + Sync + 'static>(
        &self,
        from: &RecordRef,
        relation: Relation,
        direction: Direction,
    ) -> Result<Vec<(Arc<T>, Validity)>> {
        let links = self.related(from, relation, direction)?;
        let mut records = Vec::with_capacity(links.len());
        for (reference, validity) in links.iter() {
            if reference.kind != T::KIND {
                continue;
            }
            if let Some(record) = self.get::<T>(&reference.code)? {
                records.push((record, *validity));
            }
        }
        Ok(records)
    }

    /// The version of the data: bumped by every committed change, 0 for an empty store.
    /// Read from memory: every write through this store updates it after its commit. In
    /// write-behind mode (tests only) writes land later, so it is read from disk.
    pub fn data_version(&self) -> Result<u64> {
        if self.durable {
            return Ok(self.data_version.load(Ordering::Acquire));
        }
        self.stored_data_version()
    }

    /// The data version as committed in the `meta` tree.
    pub(crate) fn stored_data_version(&self) -> Result<u64> {
        Ok(self
            .meta
            .get(meta::DATA_VERSION)?
            .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_ref()).ok())
            .map_or(0, u64::from_be_bytes))
    }

    /// The hash of the seed content last loaded, if any.
    pub fn seed_hash(&self) -> Result<Option<[u8; 32]>> {
        Ok(self
            .meta
            .get(meta::SEED_HASH)?
            .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_ref()).ok()))
    }
}

fn tree_name(tree: &sled::Tree) -> String {
    String::from_utf8_lossy(&tree.name()).into_owned()
}
