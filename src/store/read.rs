//! Reads: point lookups by code, whole-kind listings for root lists, and a record's links.
//!
//! A read the memo cannot answer goes to the backend: on sled a page-cache lookup, on
//! PostgreSQL one round trip that blocks the calling thread until the database answers
//! (like a sled read that faults a page in from disk).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::keys::{
    decode_reference, edge_parts, edge_prefix, organisation_kind_key_code, organisation_kind_tag,
    reference_key,
};
use super::lists::{self, Links, SEED_OUT_TREE};
use super::memo::Listing;
use super::{codec, meta, Direction, Error, Result, Store, META_TREE};
use crate::domain::{Code, OrganisationKind, Record, RecordRef, Relation, Validity};

impl Store {
    /// The record of kind `T` with `code`, if there is one. Shared: a record read before is
    /// not decoded again until a write changes the store.
    pub fn get<T: Record + DeserializeOwned + Send + Sync + 'static>(
        &self,
        code: &Code,
    ) -> Result<Option<Arc<T>>> {
        self.live.memo.record(T::KIND, code, || {
            self.count_reads(1);
            let tree = self.record_tree(T::KIND);
            match self.backend.get(tree, code.as_str().as_bytes())? {
                Some(bytes) => Ok(Some(codec::decode(|| tree, &bytes)?)),
                None => Ok(None),
            }
        })
    }

    /// Every record of kind `T`, ordered by code, decoded afresh. For bulk reads (building
    /// the search index); answers use [`Store::list`].
    pub fn all<T: Record + DeserializeOwned>(&self) -> Result<Vec<T>> {
        let tree = self.record_tree(T::KIND);
        self.backend
            .scan_prefix(tree, &[])?
            .iter()
            .map(|(_, bytes)| {
                self.count_reads(1);
                codec::decode(|| tree, bytes)
            })
            .collect()
    }

    /// Every record of kind `T`, ordered by code, shared like [`Store::get`]. For root lists
    /// only: never for an edge.
    pub fn list<T: Record + DeserializeOwned + Send + Sync + 'static>(
        &self,
    ) -> Result<Arc<Vec<Arc<T>>>> {
        self.live.memo.listing(Listing::All(T::KIND), || {
            Ok(self.all::<T>()?.into_iter().map(Arc::new).collect())
        })
    }

    /// The number of records of kind `T`.
    pub fn count<T: Record>(&self) -> Result<usize> {
        self.backend.len(self.record_tree(T::KIND))
    }

    /// Codes of every organisation of `kind`, ordered by code.
    pub fn organisation_codes_of_kind(&self, kind: OrganisationKind) -> Result<Arc<Vec<Code>>> {
        self.live
            .memo
            .listing(Listing::OrganisationsOfKind(kind), || {
                self.backend
                    .scan_prefix(
                        super::ORGANISATIONS_BY_KIND_TREE,
                        &[organisation_kind_tag(kind)],
                    )?
                    .iter()
                    .map(|(key, _)| {
                        self.count_reads(1);
                        organisation_kind_key_code(key).ok_or_else(|| Error::MalformedKey {
                            tree: super::ORGANISATIONS_BY_KIND_TREE.to_owned(),
                        })
                    })
                    .collect()
            })
    }

    /// The records `from` is linked to by `relation` in `direction`, with the dates each link
    /// held, ordered by kind and code: the seed's list for `from` (one point read) and the
    /// partners' links (one prefix scan), shared like [`Store::get`].
    pub fn related(
        &self,
        from: &RecordRef,
        relation: Relation,
        direction: Direction,
    ) -> Result<Arc<[(RecordRef, Validity)]>> {
        self.live.memo.edges(relation, direction, from, || {
            let key = reference_key(from);
            let mut links = match direction {
                Direction::Outgoing => match self.backend.get(SEED_OUT_TREE, &key)? {
                    Some(value) => lists::outgoing(&value, relation)?,
                    None => Links::new(),
                },
                Direction::Incoming => {
                    let tree = self.seed_in_tree(relation);
                    match self.backend.get(tree, &key)? {
                        Some(value) => lists::incoming(tree, &value)?,
                        None => Links::new(),
                    }
                }
            };
            let tree = self.edge_tree(relation, direction);
            for (key, value) in self.backend.scan_prefix(tree, &edge_prefix(from))? {
                let (_, second) = edge_parts(&key).ok_or_else(|| Error::MalformedKey {
                    tree: tree.to_owned(),
                })?;
                links.insert(second.to_vec(), codec::decode(|| tree, &value)?);
            }
            self.count_reads(links.len() as u64);
            links
                .into_iter()
                .map(|(reference, validity)| {
                    let to = decode_reference(&reference).ok_or_else(|| Error::MalformedKey {
                        tree: tree.to_owned(),
                    })?;
                    Ok((to, validity))
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
    /// Read from memory: every write through this store updates it after its commit, and on
    /// PostgreSQL so does every write of another process, once this one learns of it.
    pub fn data_version(&self) -> Result<u64> {
        Ok(self.live.data_version.load(Ordering::Acquire))
    }

    /// The data version as committed in the `meta` tree.
    pub(crate) fn stored_data_version(&self) -> Result<u64> {
        Ok(self
            .backend
            .get(META_TREE, meta::DATA_VERSION)?
            .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_slice()).ok())
            .map_or(0, u64::from_be_bytes))
    }

    /// The hash of the seed content last loaded, if any.
    pub fn seed_hash(&self) -> Result<Option<[u8; 32]>> {
        Ok(self
            .backend
            .get(META_TREE, meta::SEED_HASH)?
            .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok()))
    }
}
