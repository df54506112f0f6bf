//! The follower: learns the writes other processes commit to the shared database, within a
//! second, and hands them to the store (which empties its memo, publishes the new data
//! version and tells its subscribers which records changed).
//!
//! It polls the data version every 500 ms, and sooner when a `NOTIFY nlg_changes` arrives on
//! a connection of its own (re-opened whenever it drops). The poll alone is enough: the
//! notice only shortens the wait, so a missed notice, a reconnect, or an engine without
//! `LISTEN` costs at most one interval.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::Notify;
use tokio_postgres::AsyncMessage;

use super::{database_error, pool_error, OnChange, Shared, CHANNEL};
use crate::domain::RecordRef;
use crate::store::backend::Changed;
use crate::store::Result;

/// How often the data version is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// How long the listener waits before connecting again after its connection drops.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

pub(super) async fn follow(
    pool: Pool,
    config: tokio_postgres::Config,
    origin: Arc<str>,
    shared: Arc<Shared>,
    on_change: OnChange,
) {
    let wake = Arc::new(Notify::new());
    tokio::spawn(listen(config, wake.clone()));
    let mut was_reachable = true;
    loop {
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
        let followed = shared.followed_version.load(Ordering::Relaxed);
        let polled = tokio::time::timeout(
            super::OPERATION_TIMEOUT,
            poll(&pool, followed, &origin, &shared),
        )
        .await
        .unwrap_or_else(|_| Err(super::timed_out(super::OPERATION_TIMEOUT)));
        match polled {
            Ok(Some((version, changed))) => {
                if let Some(changed) = changed {
                    // The store's hooks read the store, which waits on this runtime.
                    tokio::task::block_in_place(|| on_change(version, changed));
                }
                shared
                    .followed_version
                    .fetch_max(version, Ordering::Relaxed);
            }
            Ok(None) => {}
            Err(error) => {
                if was_reachable {
                    tracing::warn!(%error, "cannot read the database's data version; retrying");
                }
                shared.reachable.store(false, Ordering::Relaxed);
                was_reachable = false;
                continue;
            }
        }
        if !was_reachable {
            tracing::info!("the database is reachable again");
        }
        shared.reachable.store(true, Ordering::Relaxed);
        was_reachable = true;
    }
}

/// The data version the database holds now.
pub(super) async fn data_version(pool: &Pool) -> Result<u64> {
    let client = pool.get().await.map_err(pool_error)?;
    let row = client
        .query_opt(
            "SELECT value FROM kv WHERE tree = 'meta' AND key = 'data_version'::BYTEA",
            &[],
        )
        .await
        .map_err(database_error)?;
    Ok(row
        .and_then(|row| <[u8; 8]>::try_from(row.get::<_, Vec<u8>>(0).as_slice()).ok())
        .map_or(0, u64::from_be_bytes))
}

/// When the database is past `followed`: its version, and what others changed since (`None`
/// when every change since was this process's own, which it has applied already).
async fn poll(
    pool: &Pool,
    followed: u64,
    origin: &str,
    shared: &Shared,
) -> Result<Option<(u64, Option<Changed>)>> {
    let version = data_version(pool).await?;
    shared.database_version.store(version, Ordering::Relaxed);
    if version <= followed {
        return Ok(None);
    }
    let client = pool.get().await.map_err(pool_error)?;
    let rows = client
        .query(
            "SELECT origin, refs FROM changes WHERE version > $1 AND version <= $2 ORDER BY version",
            &[&to_i64(followed), &to_i64(version)],
        )
        .await
        .map_err(database_error)?;
    // Versions with no row (pruned long ago, or written by an older build): assume anything.
    let mut everything = rows.len() as u64 != version - followed;
    let mut foreign = everything;
    let mut references = Vec::new();
    for row in &rows {
        if row.get::<_, &str>(0) == origin {
            continue;
        }
        foreign = true;
        let refs: &str = row.get(1);
        if refs == "*" {
            everything = true;
            continue;
        }
        references.extend(refs.lines().filter_map(|line| RecordRef::parse(line).ok()));
    }
    let changed = match (foreign, everything) {
        (false, _) => None,
        (true, true) => Some(Changed::Everything),
        (true, false) => Some(Changed::Records(references)),
    };
    Ok(Some((version, changed)))
}

fn to_i64(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
}

/// Keeps a connection that `LISTEN`s on the change channel and wakes the poller at each notice.
async fn listen(config: tokio_postgres::Config, wake: Arc<Notify>) {
    loop {
        if let Ok((client, mut connection)) = config.connect(tokio_postgres::NoTls).await {
            let waker = wake.clone();
            let driver = tokio::spawn(async move {
                while let Some(message) =
                    std::future::poll_fn(|context| connection.poll_message(context)).await
                {
                    match message {
                        Ok(AsyncMessage::Notification(_)) => waker.notify_one(),
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
            });
            if client
                .batch_execute(&format!("LISTEN {CHANNEL}"))
                .await
                .is_ok()
            {
                // Anything committed while the listener was away is caught by this poll.
                wake.notify_one();
                let _ = driver.await;
            } else {
                driver.abort();
            }
            drop(client);
        }
        tokio::time::sleep(RECONNECT_DELAY).await;
    }
}
