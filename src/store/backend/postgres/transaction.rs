//! A transaction on PostgreSQL: a task on the backend's runtime owns the SQL transaction
//! (begun, then holding the data-version row's lock) and answers the synchronous side's reads
//! over a channel; the writes stay on the synchronous side until the commit, which sends them
//! in a few statements together with the record of what changed.

use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::{
    database_error, pool_error, timed_out, CHANGES_KEPT, CHANNEL, COMMIT_TIMEOUT, LOCK_WAIT,
    OPERATION_TIMEOUT, ROWS_PER_STATEMENT,
};
use crate::store::backend::{Changed, Transaction};
use crate::store::{Error, Result};

/// What the synchronous side of a transaction asks of its task.
pub(super) enum Command {
    Get {
        tree: String,
        key: Vec<u8>,
        reply: SyncSender<Result<Option<Vec<u8>>>>,
    },
    Keys {
        tree: String,
        reply: SyncSender<Result<Vec<Vec<u8>>>>,
    },
    Commit {
        writes: Writes,
        change: Option<(u64, String)>,
        reply: SyncSender<Result<()>>,
    },
}

/// The final value of every (tree, key) a transaction wrote; `None` removes it.
type Writes = BTreeMap<(String, Vec<u8>), Option<Vec<u8>>>;

pub(super) struct PostgresTransaction {
    commands: UnboundedSender<Command>,
    writes: Writes,
    change: Option<(u64, String)>,
    /// Whether the next answer is the first, which waits for the lock too.
    first: bool,
}

impl PostgresTransaction {
    /// The synchronous side of a transaction whose task reads `commands`.
    pub(super) fn new(commands: UnboundedSender<Command>) -> Self {
        Self {
            commands,
            writes: BTreeMap::new(),
            change: None,
            first: true,
        }
    }

    fn ask<T>(&mut self, command: Command, receiver: Receiver<Result<T>>) -> Result<T> {
        let timeout = if std::mem::take(&mut self.first) {
            LOCK_WAIT
        } else {
            OPERATION_TIMEOUT
        };
        self.send(command, receiver, timeout)
    }

    fn send<T>(
        &self,
        command: Command,
        receiver: Receiver<Result<T>>,
        timeout: Duration,
    ) -> Result<T> {
        if self.commands.send(command).is_err() {
            return Err(Error::Task("the transaction's task stopped".to_owned()));
        }
        match receiver.recv_timeout(timeout) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => Err(timed_out(timeout)),
            Err(RecvTimeoutError::Disconnected) => {
                Err(Error::Task("the transaction's task stopped".to_owned()))
            }
        }
    }

    /// Sends the writes and commits; `Ok` only once the commit is durable.
    pub(super) fn commit(mut self) -> Result<()> {
        let (reply, receiver) = sync_channel(1);
        let command = Command::Commit {
            writes: std::mem::take(&mut self.writes),
            change: self.change.take(),
            reply,
        };
        let timeout = if self.first {
            LOCK_WAIT + COMMIT_TIMEOUT
        } else {
            COMMIT_TIMEOUT
        };
        self.send(command, receiver, timeout)
    }
}

impl Transaction for PostgresTransaction {
    fn get(&mut self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(value) = self.writes.get(&(tree.to_owned(), key.to_vec())) {
            return Ok(value.clone());
        }
        let (reply, receiver) = sync_channel(1);
        let command = Command::Get {
            tree: tree.to_owned(),
            key: key.to_vec(),
            reply,
        };
        self.ask(command, receiver)
    }

    fn keys(&mut self, tree: &str) -> Result<Vec<Vec<u8>>> {
        let (reply, receiver) = sync_channel(1);
        let command = Command::Keys {
            tree: tree.to_owned(),
            reply,
        };
        self.ask(command, receiver)
    }

    fn insert(&mut self, tree: &str, key: &[u8], value: &[u8]) -> Result<()> {
        self.writes
            .insert((tree.to_owned(), key.to_vec()), Some(value.to_vec()));
        Ok(())
    }

    fn remove(&mut self, tree: &str, key: &[u8]) -> Result<()> {
        self.writes.insert((tree.to_owned(), key.to_vec()), None);
        Ok(())
    }

    fn record_changes(&mut self, version: u64, changed: &Changed) -> Result<()> {
        let refs = match changed {
            Changed::Everything => "*".to_owned(),
            Changed::Records(references) => references
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        };
        self.change = Some((version, refs));
        Ok(())
    }
}

/// The task side of a transaction: begins it, locks the data-version row, answers reads,
/// and applies the writes at commit. Dropped without a commit, it rolls back.
pub(super) async fn serve_transaction(
    pool: Pool,
    origin: Arc<str>,
    mut commands: UnboundedReceiver<Command>,
) {
    let mut client = match pool.get().await {
        Ok(client) => client,
        Err(error) => return refuse_all(commands, pool_error(error)).await,
    };
    let committed = match begin(&mut client).await {
        Ok(transaction) => serve_commands(transaction, &mut commands, &origin).await,
        Err(error) => return refuse_all(commands, error).await,
    };
    if let Some(version) = committed {
        // Outside the transaction and best effort: a missed notice is caught by the poll.
        let _ = client
            .execute(
                "SELECT pg_notify($1, $2)",
                &[&CHANNEL, &version.to_string()],
            )
            .await;
    }
}

/// Answers the transaction's commands until its commit; returns the data version it
/// committed, if it committed one.
async fn serve_commands(
    transaction: deadpool_postgres::Transaction<'_>,
    commands: &mut UnboundedReceiver<Command>,
    origin: &str,
) -> Option<u64> {
    while let Some(command) = commands.recv().await {
        match command {
            Command::Get { tree, key, reply } => {
                let _ = reply.send(read_in(&transaction, &tree, &key).await);
            }
            Command::Keys { tree, reply } => {
                let _ = reply.send(keys_in(&transaction, &tree).await);
            }
            Command::Commit {
                writes,
                change,
                reply,
            } => {
                let version = change.as_ref().map(|(version, _)| *version);
                let outcome = commit(transaction, writes, change, origin).await;
                let ok = outcome.is_ok();
                let _ = reply.send(outcome);
                return version.filter(|_| ok);
            }
        }
    }
    None
}

async fn refuse_all(mut commands: UnboundedReceiver<Command>, error: Error) {
    let reason = error.to_string();
    let again = |error: &Error| match error {
        Error::Unavailable { reason } => Error::Unavailable {
            reason: reason.clone(),
        },
        _ => Error::Database {
            reason: reason.clone(),
        },
    };
    if let Some(command) = commands.recv().await {
        let error = again(&error);
        match command {
            Command::Get { reply, .. } => drop(reply.send(Err(error))),
            Command::Keys { reply, .. } => drop(reply.send(Err(error))),
            Command::Commit { reply, .. } => drop(reply.send(Err(error))),
        }
    }
}

async fn begin(
    client: &mut deadpool_postgres::Object,
) -> Result<deadpool_postgres::Transaction<'_>> {
    let transaction = client.transaction().await.map_err(database_error)?;
    // One round trip: give up waiting for another process's write after LOCK_WAIT, and take
    // the data-version row's lock, which serialises writers in every process.
    transaction
        .batch_execute(&format!(
            "SET LOCAL lock_timeout = '{}s'; \
             SELECT value FROM kv WHERE tree = 'meta' AND key = 'data_version'::BYTEA FOR UPDATE",
            LOCK_WAIT.as_secs()
        ))
        .await
        .map_err(database_error)?;
    Ok(transaction)
}

async fn read_in(
    transaction: &deadpool_postgres::Transaction<'_>,
    tree: &str,
    key: &[u8],
) -> Result<Option<Vec<u8>>> {
    let statement = transaction
        .prepare_cached("SELECT value FROM kv WHERE tree = $1 AND key = $2")
        .await
        .map_err(database_error)?;
    let row = transaction
        .query_opt(&statement, &[&tree, &key])
        .await
        .map_err(database_error)?;
    Ok(row.map(|row| row.get(0)))
}

async fn keys_in(
    transaction: &deadpool_postgres::Transaction<'_>,
    tree: &str,
) -> Result<Vec<Vec<u8>>> {
    let rows = transaction
        .query("SELECT key FROM kv WHERE tree = $1 ORDER BY key", &[&tree])
        .await
        .map_err(database_error)?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

async fn commit(
    transaction: deadpool_postgres::Transaction<'_>,
    writes: Writes,
    change: Option<(u64, String)>,
    origin: &str,
) -> Result<()> {
    let (mut removed, mut written): (Vec<_>, Vec<_>) = (Vec::new(), Vec::new());
    for ((tree, key), value) in writes {
        match value {
            None => removed.push((tree, key)),
            Some(value) => written.push((tree, key, value)),
        }
    }
    for chunk in removed.chunks(ROWS_PER_STATEMENT) {
        let trees: Vec<&str> = chunk.iter().map(|(tree, _)| tree.as_str()).collect();
        let keys: Vec<&[u8]> = chunk.iter().map(|(_, key)| key.as_slice()).collect();
        transaction
            .execute(
                "DELETE FROM kv WHERE (tree, key) IN \
                 (SELECT * FROM UNNEST($1::TEXT[], $2::BYTEA[]))",
                &[&trees, &keys],
            )
            .await
            .map_err(database_error)?;
    }
    for chunk in written.chunks(ROWS_PER_STATEMENT) {
        let trees: Vec<&str> = chunk.iter().map(|(tree, _, _)| tree.as_str()).collect();
        let keys: Vec<&[u8]> = chunk.iter().map(|(_, key, _)| key.as_slice()).collect();
        let values: Vec<&[u8]> = chunk.iter().map(|(_, _, value)| value.as_slice()).collect();
        transaction
            .execute(
                "INSERT INTO kv (tree, key, value) \
                 SELECT * FROM UNNEST($1::TEXT[], $2::BYTEA[], $3::BYTEA[]) \
                 ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value",
                &[&trees, &keys, &values],
            )
            .await
            .map_err(database_error)?;
    }
    if let Some((version, refs)) = change {
        let version = i64::try_from(version)
            .map_err(|_| Error::Task(format!("data version {version} is out of range")))?;
        transaction
            .execute(
                "INSERT INTO changes (version, origin, refs) VALUES ($1, $2, $3)",
                &[&version, &origin, &refs],
            )
            .await
            .map_err(database_error)?;
        transaction
            .execute(
                "DELETE FROM changes WHERE version < $1",
                &[&(version - CHANGES_KEPT)],
            )
            .await
            .map_err(database_error)?;
    }
    transaction.commit().await.map_err(database_error)
}
