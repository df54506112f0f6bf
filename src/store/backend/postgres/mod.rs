//! The shared backend: every tree in one PostgreSQL table, `kv(tree, key, value)`, which any
//! number of server processes use at once (see `migrations/` for the schema).
//!
//! The store's API is synchronous (resolvers call it, and the memo answers warm reads without
//! a database), so this backend owns a small tokio runtime that drives `tokio-postgres`
//! through a `deadpool-postgres` pool. A synchronous call hands its work to that runtime and
//! waits on a channel for the answer: a read that misses the memo blocks its thread for one
//! round trip, as a sled read that faults a page in from disk does. It never calls
//! `Handle::block_on`, which panics inside a runtime.
//!
//! A transaction is one SQL transaction that first locks the data-version row
//! (`SELECT ... FOR UPDATE`), so writers in every process are serialised, and a reader in any
//! process sees all of a write or none of it. Its reads go to the database; its writes are
//! kept in memory and sent at commit, with the record of what changed (`changes`). After the
//! commit, `NOTIFY nlg_changes` wakes the other processes' followers (`follow.rs`), which
//! also poll every 500 ms in case a notice is missed.
//!
//! Faults: connecting, waiting for a pooled connection and each statement have timeouts of a
//! few seconds; when they run out, or the server is gone, the operation fails with
//! [`Error::Unavailable`] and the next one tries again, so the process recovers by itself.

mod follow;
mod migrate;
mod transaction;

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::mpsc::unbounded_channel;
use tokio_postgres::NoTls;

use super::{prefix_successor, Backend, BackendStatus, Changed, Entry, Transaction, Visit};
use crate::store::{Error, Result};

/// Called by the follower when other processes committed up to `version`, changing `Changed`.
pub(crate) type OnChange = Box<dyn Fn(u64, Changed) + Send + Sync>;

/// Connections the pool may hold unless `--database-pool-size` says otherwise. Reads that
/// miss the memo and writes share it; warm reads need none. See the README ("Running more
/// than one instance") for sizing.
pub(crate) const DEFAULT_POOL_SIZE: usize = 16;
/// How long connecting to the server may take (unless the URL sets `connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long an operation may wait for a pooled connection.
const POOL_WAIT: Duration = Duration::from_secs(3);
/// How long one read, or one step of a transaction, may take.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a write may wait for another process's write to commit (a reseed by another
/// process starting at the same moment holds the lock for a few seconds).
const LOCK_WAIT: Duration = Duration::from_secs(60);
/// How long the commit of a transaction may take (a whole seed is written at commit).
const COMMIT_TIMEOUT: Duration = Duration::from_secs(120);
/// Rows sent per statement at commit.
const ROWS_PER_STATEMENT: usize = 2_000;
/// Versions of `changes` kept: far more than a follower polling twice a second can lag by.
const CHANGES_KEPT: i64 = 10_000;
/// The channel `NOTIFY` uses after each commit.
const CHANNEL: &str = "nlg_changes";

pub(crate) struct PostgresBackend {
    /// Always `Some` until dropped; taken in `drop` to shut it down without blocking.
    runtime: Option<tokio::runtime::Runtime>,
    pool: Pool,
    /// Tells this process's own commits from others' in `changes`.
    origin: Arc<str>,
    shared: Arc<Shared>,
}

/// What the follower and the operations report, for [`BackendStatus`].
#[derive(Default)]
struct Shared {
    reachable: AtomicBool,
    /// The data version the database held at the follower's last poll.
    database_version: AtomicU64,
    /// The newest data version the follower has applied.
    followed_version: AtomicU64,
}

impl PostgresBackend {
    /// Connects, migrates the schema and starts the follower; see [`crate::store::Store::open_postgres`].
    pub(crate) fn open(url: &str, pool_size: usize, on_change: OnChange) -> Result<Self> {
        refuse_tls(url)?;
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|error| Error::BadDatabaseUrl {
                reason: format!("{error}"),
            })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("nhs-leadership-graph");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("postgres")
            .enable_all()
            .build()
            .map_err(|source| Error::Io {
                action: "starting the PostgreSQL client runtime".to_owned(),
                source,
            })?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|error| Error::Task(format!("building the connection pool: {error}")))?;
        let mut origin = [0u8; 8];
        getrandom::getrandom(&mut origin)
            .map_err(|error| Error::Task(format!("choosing a process id: {error}")))?;
        let backend = Self {
            runtime: Some(runtime),
            pool,
            origin: hex::encode(origin).into(),
            shared: Arc::new(Shared::default()),
        };
        let target = migrate::describe(&config);
        backend.run(COMMIT_TIMEOUT, migrate::migrate(config.clone()))?;
        backend.shared.reachable.store(true, Ordering::Relaxed);
        let version = backend.run(OPERATION_TIMEOUT, {
            let pool = backend.pool.clone();
            async move { follow::data_version(&pool).await }
        })?;
        backend
            .shared
            .followed_version
            .store(version, Ordering::Relaxed);
        backend
            .shared
            .database_version
            .store(version, Ordering::Relaxed);
        backend.handle().spawn(follow::follow(
            backend.pool.clone(),
            config,
            backend.origin.clone(),
            backend.shared.clone(),
            on_change,
        ));
        tracing::info!(database = %target, data_version = version, pool_size, "PostgreSQL store open");
        Ok(backend)
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime
            .as_ref()
            .expect("the runtime lives until drop")
            .handle()
    }

    /// Runs `work` on the backend's runtime and waits for it, at most `timeout`.
    fn run<T: Send + 'static>(
        &self,
        timeout: Duration,
        work: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let (sender, receiver) = sync_channel(1);
        self.handle().spawn(async move {
            let outcome = tokio::time::timeout(timeout, work)
                .await
                .unwrap_or_else(|_| Err(timed_out(timeout)));
            let _ = sender.send(outcome);
        });
        let outcome = receiver
            .recv()
            .unwrap_or_else(|_| Err(Error::Task("the database client stopped".to_owned())));
        self.note(&outcome);
        outcome
    }

    /// Keeps `reachable` up to date with what the last operation saw.
    fn note<T>(&self, outcome: &Result<T>) {
        match outcome {
            Err(Error::Unavailable { .. }) => self.shared.reachable.store(false, Ordering::Relaxed),
            Ok(_) => self.shared.reachable.store(true, Ordering::Relaxed),
            Err(_) => {}
        }
    }

    /// Runs one query with a pooled connection; `query` gets the connection.
    fn query<T, F, Fut>(&self, query: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(deadpool_postgres::Object) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + Send,
    {
        let pool = self.pool.clone();
        self.run(OPERATION_TIMEOUT, async move {
            let client = pool.get().await.map_err(pool_error)?;
            query(client).await
        })
    }
}

impl Drop for PostgresBackend {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside another runtime (an async test, the
        // server's shutdown): let its threads wind down in the background instead.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Backend for PostgresBackend {
    fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let (tree, key) = (tree.to_owned(), key.to_vec());
        self.query(move |client| async move {
            let statement = client
                .prepare_cached("SELECT value FROM kv WHERE tree = $1 AND key = $2")
                .await
                .map_err(database_error)?;
            let row = client
                .query_opt(&statement, &[&tree, &key])
                .await
                .map_err(database_error)?;
            Ok(row.map(|row| row.get(0)))
        })
    }

    fn scan_prefix(&self, tree: &str, prefix: &[u8]) -> Result<Vec<Entry>> {
        match prefix_successor(prefix) {
            Some(end) => self.range(tree, prefix, &end, usize::MAX),
            None => {
                let (tree, start) = (tree.to_owned(), prefix.to_vec());
                self.query(move |client| async move {
                    let statement = client
                        .prepare_cached(
                            "SELECT key, value FROM kv WHERE tree = $1 AND key >= $2 ORDER BY key",
                        )
                        .await
                        .map_err(database_error)?;
                    let rows = client
                        .query(&statement, &[&tree, &start])
                        .await
                        .map_err(database_error)?;
                    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
                })
            }
        }
    }

    fn range(&self, tree: &str, start: &[u8], end: &[u8], limit: usize) -> Result<Vec<Entry>> {
        let (tree, start, end) = (tree.to_owned(), start.to_vec(), end.to_vec());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.query(move |client| async move {
            let statement = client
                .prepare_cached(
                    "SELECT key, value FROM kv WHERE tree = $1 AND key >= $2 AND key < $3 \
                     ORDER BY key LIMIT $4",
                )
                .await
                .map_err(database_error)?;
            let rows = client
                .query(&statement, &[&tree, &start, &end, &limit])
                .await
                .map_err(database_error)?;
            Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
        })
    }

    fn len(&self, tree: &str) -> Result<usize> {
        let tree = tree.to_owned();
        self.query(move |client| async move {
            let row = client
                .query_one("SELECT count(*) FROM kv WHERE tree = $1", &[&tree])
                .await
                .map_err(database_error)?;
            Ok(usize::try_from(row.get::<_, i64>(0)).unwrap_or(0))
        })
    }

    fn transaction(
        &self,
        _trees: &[&str],
        _listed: &[&str],
        work: &mut dyn FnMut(&mut dyn Transaction) -> Result<()>,
    ) -> Result<()> {
        let (commands, receiver) = unbounded_channel();
        self.handle().spawn(transaction::serve_transaction(
            self.pool.clone(),
            self.origin.clone(),
            receiver,
        ));
        let mut transaction = transaction::PostgresTransaction::new(commands);
        // On an error the transaction is dropped here, which closes the channel: the task
        // then drops its SQL transaction, which rolls back.
        let outcome = work(&mut transaction).and_then(|()| transaction.commit());
        self.note(&outcome);
        outcome
    }

    fn visit_all(&self, visit: &mut Visit<'_>) -> Result<()> {
        // One statement reads one snapshot, so the backup is consistent without a lock.
        let mut rows: Vec<(String, Vec<u8>, Vec<u8>)> = self.query(|client| async move {
            let rows = client
                .query("SELECT tree, key, value FROM kv", &[])
                .await
                .map_err(database_error)?;
            Ok(rows
                .iter()
                .map(|row| (row.get(0), row.get(1), row.get(2)))
                .collect())
        })?;
        // Byte order, whatever the database's collation.
        rows.sort_unstable_by(|a, b| (a.0.as_bytes(), &a.1).cmp(&(b.0.as_bytes(), &b.1)));
        for (tree, key, value) in &rows {
            visit(tree.as_bytes(), key, value)?;
        }
        Ok(())
    }

    fn size_on_disk(&self) -> Result<u64> {
        self.query(|client| async move {
            let row = client
                .query_one("SELECT pg_database_size(current_database())", &[])
                .await
                .map_err(database_error)?;
            Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
        })
    }

    fn flush(&self) -> Result<()> {
        // Every commit is durable when it returns (with the server's `synchronous_commit`).
        Ok(())
    }

    fn status(&self) -> BackendStatus {
        let pool = self.pool.status();
        let database = self.shared.database_version.load(Ordering::Relaxed);
        let followed = self.shared.followed_version.load(Ordering::Relaxed);
        BackendStatus {
            backend: "postgres",
            reachable: self.shared.reachable.load(Ordering::Relaxed),
            pool_size: pool.size,
            pool_idle: pool.available,
            data_version_lag: database.saturating_sub(followed),
        }
    }
}

/// Refuses a URL that asks for TLS (`sslmode=require`, `verify-ca` or `verify-full`), with
/// one line saying so: this build connects without TLS, and would otherwise fail later with
/// a handshake error (`require`) or a bare "invalid value" (the `verify-*` modes).
fn refuse_tls(url: &str) -> Result<()> {
    let asked = url
        .split(['?', '&', ' '])
        .filter_map(|part| part.trim().strip_prefix("sslmode="))
        .find(|mode| matches!(*mode, "require" | "verify-ca" | "verify-full"));
    match asked {
        Some(mode) => Err(Error::BadDatabaseUrl {
            reason: format!(
                "sslmode={mode} asks for TLS, which this build does not support: reach the database over a private network or a local TLS proxy with sslmode=disable (README: Running more than one instance)"
            ),
        }),
        None => Ok(()),
    }
}

fn timed_out(timeout: Duration) -> Error {
    Error::Unavailable {
        reason: format!("no answer within {} s", timeout.as_secs()),
    }
}

/// Classifies a client error: the server unreachable, gone or refusing connections for now
/// is [`Error::Unavailable`] (retry later); anything else is [`Error::Database`].
fn database_error(error: tokio_postgres::Error) -> Error {
    if let Some(database) = error.as_db_error() {
        let code = database.code().code();
        // 08: connection exception; 57P: operator intervention (shutdown, starting up);
        // 53300: too many connections; 55P03: lock not available (lock_timeout).
        let unavailable =
            code.starts_with("08") || code.starts_with("57P") || code == "53300" || code == "55P03";
        let reason = database.message().to_owned();
        return if unavailable {
            Error::Unavailable { reason }
        } else {
            Error::Database {
                reason: format!("{code}: {reason}"),
            }
        };
    }
    let io = std::error::Error::source(&error).is_some_and(|source| source.is::<std::io::Error>());
    if error.is_closed() || io || error.to_string().contains("connect") {
        return Error::Unavailable {
            reason: error.to_string(),
        };
    }
    Error::Database {
        reason: error.to_string(),
    }
}

fn pool_error(error: deadpool_postgres::PoolError) -> Error {
    match error {
        deadpool_postgres::PoolError::Backend(error) => database_error(error),
        deadpool_postgres::PoolError::Timeout(_) => Error::Unavailable {
            reason: format!(
                "no database connection within {} s",
                POOL_WAIT.as_secs().max(CONNECT_TIMEOUT.as_secs())
            ),
        },
        error => Error::Unavailable {
            reason: error.to_string(),
        },
    }
}
