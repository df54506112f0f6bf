//! The only module that touches sled: trees, key encoding, record versions.
//!
//! One tree per record kind (`record:<kind>`: code -> versioned record), two trees per
//! relation (`out:<relation>` and `in:<relation>`: `[from] 0x00 [to]` -> validity, and the
//! reverse), an index of organisations by kind, and a `meta` tree. Following an edge is a
//! prefix scan of one index tree plus point reads, never a scan of a whole kind.
//!
//! Invariant: `store` knows nothing about GraphQL or HTTP. It speaks domain types and
//! returns them or [`Error`]; no `sled::IVec` leaves this module.

pub mod backup;
mod codec;
mod keys;
mod memo;
mod partner;
mod read;
mod write;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::domain::{RecordKind, Relation};

pub use backup::{BackupSummary, Restored};
pub use read::Direction;
pub use write::SeedWrite;

/// A store error. Messages name the tree involved; they are for logs, not for clients.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("store i/o: {0}")]
    Sled(#[from] sled::Error),
    #[error("encoding a record: {source}")]
    Encode { source: postcard::Error },
    #[error("decoding a value of tree {tree}: {source}")]
    Decode {
        tree: String,
        source: postcard::Error,
    },
    #[error("tree {tree} holds a value of format version {version}, which this build cannot read")]
    UnsupportedFormat { tree: String, version: u8 },
    #[error("tree {tree} holds a malformed key")]
    MalformedKey { tree: String },
    #[error("store task failed: {0}")]
    Task(String),
    #[error(
        "the data directory {} is in use by another process (is the server running?)",
        directory.display()
    )]
    Locked { directory: std::path::PathBuf },
    #[error("{action}: {source}")]
    Io {
        action: String,
        source: std::io::Error,
    },
    #[error("not a backup of this store (the file does not start with its header)")]
    NotABackup,
    #[error("the backup is in format version {version}, which this build cannot read")]
    UnsupportedBackupVersion { version: u16 },
    #[error("the backup is corrupted or truncated: {reason}")]
    BackupCorrupt { reason: String },
    #[error(
        "{} exists and is not empty; nothing was restored",
        directory.display()
    )]
    RestoreTargetNotEmpty { directory: std::path::PathBuf },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Keys of the `meta` tree.
mod meta {
    /// Blake3 hash of the seed content last loaded (32 bytes).
    pub(crate) const SEED_HASH: &[u8] = b"seed_hash";
    /// Data version, a big-endian u64 bumped by every committed change.
    pub(crate) const DATA_VERSION: &[u8] = b"data_version";
    /// The last audit sequence number used, a big-endian u64.
    pub(crate) const AUDIT_SEQUENCE: &[u8] = b"audit_sequence";
}

/// Tree names: `meta` (see [`meta`]), `organisations_by_kind` (`[kind byte] code` -> empty),
/// `record:<kind>` and `out:<relation>` / `in:<relation>`.
const META_TREE: &str = "meta";
const ORGANISATIONS_BY_KIND_TREE: &str = "organisations_by_kind";

fn record_tree_name(kind: RecordKind) -> String {
    format!("record:{}", kind.reference_name())
}

fn edge_tree_name(relation: Relation, direction: Direction) -> String {
    let prefix = match direction {
        Direction::Outgoing => "out",
        Direction::Incoming => "in",
    };
    format!("{prefix}:{}", relation.name())
}

/// The open knowledge store.
pub struct Store {
    db: sled::Db,
    meta: sled::Tree,
    organisations_by_kind: sled::Tree,
    records: HashMap<RecordKind, sled::Tree>,
    edges: HashMap<(Relation, Direction), sled::Tree>,
    api_keys: sled::Tree,
    audit: sled::Tree,
    audit_by_organisation: sled::Tree,
    partner_records: sled::Tree,
    /// Whether writes are applied and flushed to disk before they return. Only tests switch
    /// this off, to show that the crash test catches the loss.
    durable: bool,
    /// The committed data version, kept in memory so the response cache reads it for free.
    data_version: AtomicU64,
    /// Point reads plus items scanned, for tests and metrics: it shows that a query's
    /// cost grows with its answer, not with the data. Reads answered from `memo` are not
    /// counted.
    reads: AtomicU64,
    /// Decoded records, edge lists and listings, emptied by every write.
    memo: memo::Memo,
}

/// How many decoded records, edge lists and listings the store keeps in memory: the whole of
/// the seed many times over (it holds about 3,000 records and 6,000 edges lists at most).
const MEMO_ENTRIES: usize = 200_000;

/// How long opening waits for sled's file lock. sled releases the lock from a background
/// thread shortly after the last handle drops, so a reopen in the same process (a restart, a
/// test) can briefly see it held by the store it just closed.
const LOCK_WAIT: Duration = Duration::from_secs(5);

#[allow(
    clippy::disallowed_methods,
    reason = "called only from Store::open_with_durability"
)]
fn open_db(directory: &Path) -> Result<sled::Db> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match sled::Config::new()
            .path(directory)
            .mode(sled::Mode::HighThroughput)
            .open()
        {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(error)) if is_lock_conflict(&error) => {
                if Instant::now() >= deadline {
                    return Err(Error::Locked {
                        directory: directory.to_owned(),
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// sled reports a held lock as an `Other` error wrapping the `WouldBlock` from `flock`.
fn is_lock_conflict(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::WouldBlock
        || error.to_string().contains("could not acquire lock")
}

impl Store {
    /// Opens (creating if needed) the store in `directory`. Partner writes are durable on return.
    pub fn open(directory: &Path) -> Result<Self> {
        Self::open_with_durability(directory, true)
    }

    /// Opens the store; with `durable` false, partner writes are acknowledged before they are
    /// applied (write-behind). For the crash test's negative control only.
    /// The one place sled is opened.
    #[allow(
        clippy::disallowed_methods,
        reason = "this is the approved entry point"
    )]
    pub fn open_with_durability(directory: &Path, durable: bool) -> Result<Self> {
        let db = open_db(directory)?;
        let mut records = HashMap::new();
        for kind in RecordKind::ALL {
            records.insert(kind, db.open_tree(record_tree_name(kind))?);
        }
        let mut edges = HashMap::new();
        for relation in Relation::ALL {
            for direction in [Direction::Outgoing, Direction::Incoming] {
                edges.insert(
                    (relation, direction),
                    db.open_tree(edge_tree_name(relation, direction))?,
                );
            }
        }
        let meta = db.open_tree(META_TREE)?;
        let data_version = meta
            .get(meta::DATA_VERSION)?
            .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_ref()).ok())
            .map_or(0, u64::from_be_bytes);
        Ok(Self {
            meta,
            data_version: AtomicU64::new(data_version),
            organisations_by_kind: db.open_tree(ORGANISATIONS_BY_KIND_TREE)?,
            api_keys: db.open_tree(partner::API_KEYS_TREE)?,
            audit: db.open_tree(partner::AUDIT_TREE)?,
            audit_by_organisation: db.open_tree(partner::AUDIT_BY_ORGANISATION_TREE)?,
            partner_records: db.open_tree(partner::PARTNER_RECORDS_TREE)?,
            durable,
            db,
            records,
            edges,
            reads: AtomicU64::new(0),
            // Write-behind (tests only) applies writes after they return, later than the
            // memo could be emptied: it reads sled every time.
            memo: memo::Memo::new(if durable { MEMO_ENTRIES } else { 0 }),
        })
    }

    /// Point reads and scanned items since the store was opened.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    fn count_reads(&self, n: u64) {
        self.reads.fetch_add(n, Ordering::Relaxed);
    }

    /// Bytes the store occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    /// Writes everything buffered to disk.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    fn record_tree(&self, kind: RecordKind) -> &sled::Tree {
        &self.records[&kind]
    }

    fn edge_tree(&self, relation: Relation, direction: Direction) -> &sled::Tree {
        &self.edges[&(relation, direction)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_reopens_at_once_after_it_is_dropped() {
        let directory = tempfile::tempdir().unwrap();
        for _ in 0..20 {
            let store = Store::open(directory.path()).unwrap();
            store.flush().unwrap();
            drop(store);
        }
    }

    #[test]
    fn a_directory_held_open_is_reported_as_in_use() {
        let directory = tempfile::tempdir().unwrap();
        let _held = Store::open(directory.path()).unwrap();
        let error = Store::open(directory.path())
            .err()
            .expect("a second open fails");
        assert!(matches!(error, Error::Locked { .. }), "{error}");
        assert!(error.to_string().contains("in use by another process"));
    }
}
