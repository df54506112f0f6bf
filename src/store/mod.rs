//! The only module that touches the database: trees, key encoding, record versions.
//!
//! One tree per record kind (`record:<kind>`: code -> versioned record), two trees per
//! relation (`out:<relation>` and `in:<relation>`: `[from] 0x00 [to]` -> validity, and the
//! reverse), an index of organisations by kind, and a `meta` tree. Following an edge is a
//! prefix scan of one index tree plus point reads, never a scan of a whole kind.
//!
//! The trees live in a backend (`backend/`): sled in one directory (the default), or PostgreSQL
//! shared by any number of server processes. Everything here (keys, encoding, the memo, the
//! data version, the rules of a reseed) is the same for both.
//!
//! Invariant: `store` knows nothing about GraphQL or HTTP. It speaks domain types and
//! returns them or [`Error`]; no `sled::IVec` or SQL row leaves this module.

mod backend;
pub mod backup;
mod codec;
mod keys;
mod lists;
mod memo;
mod organisations;
mod partner;
mod read;
mod upgrade;
mod write;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::domain::{RecordKind, Relation};

use backend::Backend;

pub use crate::domain::Direction;
pub use backend::{BackendStatus, Changed};
pub use backup::{BackupSummary, Restored};
pub use organisations::OrganisationAdded;
pub use write::SeedWrite;

/// A store error. Messages name the tree involved; they are for logs, not for clients.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("store i/o: {0}")]
    Sled(#[from] sled::Error),
    /// The database cannot be reached (down, restarting, unreachable, out of connections):
    /// the operation did not happen and may be retried. Clients see 503 `UNAVAILABLE`.
    #[error("the database is unavailable: {reason}")]
    Unavailable { reason: String },
    /// The database answered with an error other than unavailability.
    #[error("database error: {reason}")]
    Database { reason: String },
    /// The database was set up by a newer build of this program.
    #[error(
        "the database schema is at migration {found}, newer than this build knows ({known}); run a newer build"
    )]
    SchemaTooNew { found: i64, known: i64 },
    /// `--database-url` could not be parsed.
    #[error("invalid database URL: {reason}")]
    BadDatabaseUrl { reason: String },
    /// A transaction conflicted with another and is retried; never returned to callers.
    #[error("a transaction conflicted with another")]
    Conflict,
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
    /// Present once values stored by older builds are upgraded (see `upgrade.rs`).
    pub(crate) const SHAPES: &[u8] = b"shapes";
}

/// Tree names: `meta` (see [`meta`]), `organisations_by_kind` (`[kind byte] code` -> empty),
/// `record:<kind>`, the seed's links as lists in `seed-out` and `seed-in:<relation>` (see
/// `lists.rs`), and partners' links, one key each, in `out:<relation>` / `in:<relation>`.
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
    backend: Box<dyn Backend>,
    /// The names of the record and edge trees, made once.
    record_trees: HashMap<RecordKind, String>,
    edge_trees: HashMap<(Relation, Direction), String>,
    /// The names of the seed's incoming link lists, by relation.
    seed_in_trees: HashMap<Relation, String>,
    /// What every reader shares and every commit (here or, on PostgreSQL, in another
    /// process) updates.
    live: Arc<Live>,
    /// Point reads plus items scanned, for tests and metrics: it shows that a query's
    /// cost grows with its answer, not with the data. Reads answered from the memo are not
    /// counted.
    reads: AtomicU64,
}

/// The store's in-memory state that follows the committed data.
struct Live {
    /// The committed data version, kept in memory so the response cache reads it for free.
    data_version: AtomicU64,
    /// Decoded records, edge lists and listings, emptied by every commit.
    memo: memo::Memo,
    /// Called with each change committed by another process sharing the database (the
    /// search index registers one).
    hooks: RwLock<Vec<ChangeHook>>,
}

/// See [`Store::on_changes`].
type ChangeHook = Box<dyn Fn(&Changed) + Send + Sync>;

impl Live {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            data_version: AtomicU64::new(0),
            memo: memo::Memo::new(MEMO_ENTRIES),
            hooks: RwLock::new(Vec::new()),
        })
    }

    /// After a commit of `version`: forget what was read before it, then publish it (in this
    /// order, see `memo.rs`).
    fn committed(&self, version: u64) {
        self.memo.forget_all();
        self.data_version.fetch_max(version, Ordering::AcqRel);
    }

    /// Another process committed `version`, changing `changed`: forget what was read before
    /// it, let the hooks catch up (the search index), and only then publish the version, so
    /// that no answer cached under the new version comes from an index that missed it.
    fn learnt(&self, version: u64, changed: Changed) {
        self.memo.forget_all();
        for hook in self
            .hooks
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            hook(&changed);
        }
        self.committed(version);
    }
}

/// How many decoded records, edge lists and listings the store keeps in memory: the whole of
/// the seed many times over (it holds about 3,000 records and 6,000 edges lists at most).
const MEMO_ENTRIES: usize = 200_000;

impl Store {
    /// Opens (creating if needed) the sled store in `directory`. Writes are durable on return.
    pub fn open(directory: &Path) -> Result<Self> {
        Self::with_backend(
            Box::new(backend::sled::SledBackend::open(directory)?),
            Live::new(),
        )
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:password@host:port/db`),
    /// brings its schema up to date and starts following the writes of other processes that
    /// share it. Fails at once, with one line saying why, on a bad URL, an unreachable
    /// server, a refused login or a schema newer than this build. Blocking.
    pub fn open_postgres(url: &str) -> Result<Self> {
        Self::open_postgres_with_pool(url, backend::postgres::DEFAULT_POOL_SIZE)
    }

    /// [`Store::open_postgres`] with a pool of at most `pool_size` connections.
    pub fn open_postgres_with_pool(url: &str, pool_size: usize) -> Result<Self> {
        let live = Live::new();
        let follower = live.clone();
        let backend = backend::postgres::PostgresBackend::open(
            url,
            pool_size,
            Box::new(move |version, changed| follower.learnt(version, changed)),
        )?;
        Self::with_backend(Box::new(backend), live)
    }

    fn with_backend(backend: Box<dyn Backend>, live: Arc<Live>) -> Result<Self> {
        let mut record_trees = HashMap::new();
        for kind in RecordKind::ALL {
            record_trees.insert(kind, record_tree_name(kind));
        }
        let mut edge_trees = HashMap::new();
        for relation in Relation::ALL {
            for direction in [Direction::Outgoing, Direction::Incoming] {
                edge_trees.insert((relation, direction), edge_tree_name(relation, direction));
            }
        }
        let seed_in_trees = Relation::ALL
            .into_iter()
            .map(|relation| (relation, lists::seed_in_tree_name(relation)))
            .collect();
        let store = Self {
            backend,
            record_trees,
            edge_trees,
            seed_in_trees,
            live,
            reads: AtomicU64::new(0),
        };
        store.upgrade_old_shapes()?;
        let data_version = store.stored_data_version()?;
        store.live.committed(data_version);
        Ok(store)
    }

    /// Calls `hook` with every change another process sharing the database commits, as this
    /// process learns it (within about a second): after the memo is emptied, before the new
    /// data version is published. `hook` runs on the backend's thread, may read the store,
    /// and must not write to it. Only PostgreSQL has other processes; on sled it is never
    /// called. A hook holding the store must hold it weakly, or the store never closes.
    pub fn on_changes(&self, hook: impl Fn(&Changed) + Send + Sync + 'static) {
        self.live
            .hooks
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Box::new(hook));
    }

    /// Which backend this is, whether it is reachable, its pool and how far behind the
    /// database's newest data this process is.
    pub fn backend_status(&self) -> BackendStatus {
        self.backend.status()
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
        self.backend.size_on_disk()
    }

    /// Writes everything buffered to disk.
    pub fn flush(&self) -> Result<()> {
        self.backend.flush()
    }

    fn record_tree(&self, kind: RecordKind) -> &str {
        &self.record_trees[&kind]
    }

    fn edge_tree(&self, relation: Relation, direction: Direction) -> &str {
        &self.edge_trees[&(relation, direction)]
    }

    fn seed_in_tree(&self, relation: Relation) -> &str {
        &self.seed_in_trees[&relation]
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
