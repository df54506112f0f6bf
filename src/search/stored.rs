//! The index on disk beside the store, and when a stored one may be served.
//!
//! With a sled store the index lives in `search-index/` inside the data directory, which
//! sled's lock makes this process's alone, and is memory-mapped when opened. Every commit
//! records a [`Stamp`] in tantivy's commit payload: a hash of the way records become
//! documents (this build's `schema.rs` and `documents.rs`), the store's data version and seed
//! hash it was built from, and the first day on which a part of it that depends on the date
//! changes (an organisation closing, a course retiring). At start a stored index is served only
//! if its stamp equals the one the store calls for now and its files pass their checksums;
//! otherwise a new index is built in `search-index.building/`, committed, and renamed into
//! place. A crash while writing leaves a directory that is not served, so it costs a
//! rebuild, never a wrong answer.
//!
//! On a first start (or a reseed) with no partner records, the index is built from the new
//! dataset while the store writes it, stamped with the data version and seed hash the write
//! will leave, in `search-index.building/`; it is renamed into place only after the write
//! commits and the store's stamp is found equal, so an index built for a write that failed
//! is never served.
//!
//! A write indexed while serving (a partner's course, an operator's organisation) stamps the
//! index with the store's new data version when that write is the only one since the last
//! stamp, which is the case unless two writes overlap; otherwise it stamps the index stale,
//! and the next start rebuilds it.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::store::Store;

/// A hash of the files that decide what an index holds: any edit to them makes every stored
/// index stale, so no one has to remember to bump a version.
fn derivation() -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"nhs-leadership-graph search index 1\0");
    hasher.update(include_str!("schema.rs").as_bytes());
    hasher.update(include_str!("documents.rs").as_bytes());
    hasher.update(tantivy::version_string().as_bytes());
    hasher.finalize().to_hex().to_string()
}

/// What a stored index was built from, kept in its commit payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Stamp {
    /// See [`derivation`].
    derivation: String,
    /// The store's data version the index holds every change up to; `None` when it may
    /// have missed one.
    data_version: Option<u64>,
    /// The store's seed hash, hex.
    seed_hash: Option<String>,
    /// The first day on which a document's date-dependent part changes, if any.
    valid_until: Option<NaiveDate>,
}

impl Stamp {
    /// The stamp an index built now from `store` carries, given the first day its content
    /// changes by date.
    pub(super) fn of(store: &Store, valid_until: Option<NaiveDate>) -> Result<Self, super::Error> {
        Ok(Self {
            derivation: derivation(),
            data_version: Some(store.data_version()?),
            seed_hash: store
                .seed_hash()?
                .map(|hash| blake3::Hash::from(hash).to_hex().to_string()),
            valid_until,
        })
    }

    /// The stamp of an index built, ahead of the write, for the seed with `seed_hash` that the
    /// store is about to hold at `data_version` (see `SearchIndex::prebuild`).
    pub(super) fn planned(
        data_version: u64,
        seed_hash: [u8; 32],
        valid_until: Option<NaiveDate>,
    ) -> Self {
        Self {
            derivation: derivation(),
            data_version: Some(data_version),
            seed_hash: Some(blake3::Hash::from(seed_hash).to_hex().to_string()),
            valid_until,
        }
    }

    /// Why an index with this stamp may not be served for `store` on `today`, if it may not.
    pub(super) fn unfit_for(
        &self,
        store: &Store,
        today: NaiveDate,
    ) -> Result<Option<String>, super::Error> {
        let wanted = Self::of(store, None)?;
        Ok(if self.derivation != wanted.derivation {
            Some("it was built by a build that indexes differently".to_owned())
        } else if self.data_version.is_none() {
            Some("it may have missed a write".to_owned())
        } else if self.data_version != wanted.data_version || self.seed_hash != wanted.seed_hash {
            Some(format!(
                "it holds data version {}, the store {}",
                self.data_version.unwrap_or_default(),
                wanted.data_version.unwrap_or_default()
            ))
        } else if self.valid_until.is_some_and(|until| until <= today) {
            Some("a record it holds has closed or retired since it was built".to_owned())
        } else {
            None
        })
    }

    /// After a write the index took in: stamped with `data_version` if the write was the only
    /// one since this stamp (the store's version is this stamp's plus one), else stale; and
    /// valid until no later than `valid_until`.
    pub(super) fn after_write(&mut self, data_version: u64, valid_until: Option<NaiveDate>) {
        self.data_version = self
            .data_version
            .filter(|stamped| stamped + 1 == data_version)
            .map(|_| data_version);
        self.valid_until = earliest(self.valid_until, valid_until);
    }

    pub(super) fn to_payload(&self) -> String {
        serde_json::to_string(self).expect("a stamp serialises")
    }

    pub(super) fn from_payload(payload: &str) -> Option<Self> {
        serde_json::from_str(payload).ok()
    }
}

/// The earlier of two optional days.
pub(super) fn earliest(first: Option<NaiveDate>, second: Option<NaiveDate>) -> Option<NaiveDate> {
    match (first, second) {
        (Some(first), Some(second)) => Some(first.min(second)),
        (day, None) | (None, day) => day,
    }
}

/// Where the index is built before it is renamed to `directory`.
pub(super) fn building_directory(directory: &Path) -> PathBuf {
    sibling(directory, "building")
}

fn sibling(directory: &Path, suffix: &str) -> PathBuf {
    let mut name = directory
        .file_name()
        .map(|name| name.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{suffix}"));
    directory.with_file_name(name)
}

/// Replaces `directory` with the committed index in `built`: the old one is renamed aside
/// and removed, the new one renamed into place, and the parent directory synced, so that at
/// any moment `directory` is either absent or a complete index.
pub(super) fn replace(built: &Path, directory: &Path) -> std::io::Result<()> {
    let old = sibling(directory, "old");
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    if directory.exists() {
        std::fs::rename(directory, &old)?;
    }
    std::fs::rename(built, directory)?;
    if let Some(parent) = directory.parent() {
        std::fs::File::open(parent)?.sync_all()?;
    }
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}

/// The stored index in `directory`, if there is one this build can read whose files pass
/// their checksums, with its stamp; else why not.
pub(super) fn open(directory: &Path) -> Result<(Index, Stamp), String> {
    if !directory.join("meta.json").exists() {
        return Err("there is none".to_owned());
    }
    let index =
        Index::open_in_dir(directory).map_err(|error| format!("it cannot be opened: {error}"))?;
    let stamp = index
        .load_metas()
        .map_err(|error| format!("its metadata cannot be read: {error}"))?
        .payload
        .as_deref()
        .and_then(Stamp::from_payload)
        .ok_or_else(|| "it carries no stamp".to_owned())?;
    let damaged = index
        .validate_checksum()
        .map_err(|error| format!("its files cannot be checked: {error}"))?;
    if !damaged.is_empty() {
        return Err(format!("{} of its files are damaged", damaged.len()));
    }
    Ok((index, stamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(data_version: Option<u64>) -> Stamp {
        Stamp {
            derivation: derivation(),
            data_version,
            seed_hash: None,
            valid_until: None,
        }
    }

    #[test]
    fn a_write_keeps_the_stamp_in_step_only_when_it_is_the_only_one_since() {
        let mut index = stamp(Some(4));
        index.after_write(5, None);
        assert_eq!(index.data_version, Some(5));

        // Two writes overlapped: the store is two versions on, the index took in one.
        index.after_write(7, None);
        assert_eq!(index.data_version, None);
        // Stale stays stale until a rebuild.
        index.after_write(8, None);
        assert_eq!(index.data_version, None);
    }

    #[test]
    fn a_scheduled_retirement_shortens_how_long_the_stamp_holds() {
        let day = |d| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
        let mut index = stamp(Some(1));
        index.valid_until = Some(day(20));
        index.after_write(2, Some(day(10)));
        assert_eq!(index.valid_until, Some(day(10)));
        index.after_write(3, Some(day(15)));
        assert_eq!(index.valid_until, Some(day(10)));
    }

    #[test]
    fn the_stamp_survives_the_commit_payload() {
        let index = stamp(Some(3));
        assert_eq!(Stamp::from_payload(&index.to_payload()), Some(index));
        assert_eq!(Stamp::from_payload("not a stamp"), None);
    }
}
