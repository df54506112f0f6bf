//! nhs-leadership-graph: a GraphQL knowledge API about leadership in the English NHS.
//!
//! Layers depend one way: `http` -> `graphql` -> `search` -> `store` -> `domain` (`graphql`
//! also reads `store` directly), and `seed` -> `store` -> `domain`. [`start`] is the one way
//! to start the server: the binary and the tests both use it.

pub mod api_keys;
pub mod backup;
pub mod config;
pub mod domain;
pub mod error_code;
pub mod graphql;
mod http;
mod mcp;
pub mod operators;
pub mod publish;
pub mod search;
pub mod seed;
pub mod store;
pub mod telemetry;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::oneshot;

use crate::config::Config;
use crate::store::Store;

/// A running server.
pub struct App {
    local_addr: SocketAddr,
    store: Arc<Store>,
    shutdown: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl App {
    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The open store, for tests and the `keys` commands of an embedding program.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Store reads since start: point reads plus items scanned.
    pub fn store_reads(&self) -> u64 {
        self.store.reads()
    }

    /// Stops accepting connections, lets in-flight requests finish, and flushes the store.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        (&mut self.server)
            .await
            .context("joining the server task")?
            .context("serving HTTP")?;
        self.store.flush().context("flushing the store")?;
        Ok(())
    }

    /// Waits until the server stops by itself (it only does on an I/O error).
    async fn wait(&mut self) -> anyhow::Result<()> {
        (&mut self.server)
            .await
            .context("joining the server task")?
            .context("serving HTTP")
    }
}

/// Opens the store, seeds it if the seed changed, binds the address and starts serving.
/// Returns once the server accepts connections.
pub async fn start(config: Config) -> anyhow::Result<App> {
    let store = Arc::new(open_store(&config.data).await?);
    let seed_source = seed::SeedSource::new(config.data.seed_dir.clone());
    let changed = seed::changed_seed(store.clone(), seed_source.clone())
        .await
        .with_context(|| format!("seeding from {seed_source}"))?;
    let directory = index_directory(&config.data);
    // The follower is registered after the seed write and before the index is built, so a
    // change another process commits meanwhile is kept and applied once the index exists.
    let (index_follower, search_index) = match changed {
        None => {
            tracing::info!("store already holds the current seed");
            let follower = follow_changes(&store);
            (follower, open_or_build_index(&store, directory).await?)
        }
        Some(seed) => {
            let seed = Arc::new(seed);
            // On sled with no partner records the dataset is everything the store will hold,
            // so the index is built from it while the store writes it (see `search/stored.rs`).
            let prebuilding = match directory.clone() {
                Some(directory) if !store.has_partner_records()? => {
                    let (seed, data_version) = (seed.clone(), store.data_version()? + 1);
                    Some(tokio::task::spawn_blocking(move || {
                        search::SearchIndex::prebuild(
                            &seed.dataset,
                            data_version,
                            seed.hash,
                            &directory,
                        )
                    }))
                }
                _ => None,
            };
            let write = seed::write(store.clone(), seed)
                .await
                .with_context(|| format!("seeding from {seed_source}"))?;
            tracing::info!(
                records = write.n_records,
                links = write.n_edges,
                removed = write.n_removed,
                data_version = write.data_version,
                "seed loaded"
            );
            let follower = follow_changes(&store);
            let index = match prebuilding {
                Some(prebuilding) => {
                    let prebuilt = prebuilding
                        .await
                        .context("joining the search index build")?
                        .context("building the search index")?;
                    let store = store.clone();
                    tokio::task::spawn_blocking(move || prebuilt.install(&store))
                        .await
                        .context("joining the search index build")?
                        .context("building the search index")?
                        .0
                }
                None => open_or_build_index(&store, directory).await?,
            };
            (follower, index)
        }
    };
    let search_index = Arc::new(search_index);
    let missed = index_follower.index_built(search_index.clone());
    if !missed.is_empty() {
        let (store, index) = (store.clone(), search_index.clone());
        tokio::task::spawn_blocking(move || {
            for changed in missed {
                reindex_or_log(&store, &index, &changed);
            }
        })
        .await
        .context("joining the search index catch-up")?;
    }
    let api = graphql::Api::new(store.clone(), search_index, config.document_cache_entries);
    let serving = http::serve(api, &config).await?;
    Ok(App {
        local_addr: serving.local_addr,
        store,
        shutdown: Some(serving.shutdown),
        server: serving.server,
    })
}

/// The search index: opened from `directory` if it matches the store, else built there, or
/// built in memory when there is no directory (PostgreSQL).
async fn open_or_build_index(
    store: &Arc<Store>,
    directory: Option<std::path::PathBuf>,
) -> anyhow::Result<search::SearchIndex> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || match directory {
        Some(directory) => {
            search::SearchIndex::open_or_build(&store, &directory).map(|(index, _)| index)
        }
        None => search::SearchIndex::build(&store),
    })
    .await
    .context("joining the search index build")?
    .context("building the search index")
}

/// Opens the PostgreSQL store when `--database-url` is set, else the sled store in the data
/// directory (creating it).
async fn open_store(data: &config::DataConfig) -> anyhow::Result<Store> {
    if let Some(url) = data.database_url.clone() {
        let pool_size = data.database_pool_size as usize;
        return tokio::task::spawn_blocking(move || {
            Store::open_postgres_with_pool(&url, pool_size)
        })
        .await
        .context("joining the store's opening")?
        .context("opening the PostgreSQL store");
    }
    let data_dir = data.data_dir();
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating data directory {}", data_dir.display()))?;
    Store::open(&data_dir).with_context(|| format!("opening store at {}", data_dir.display()))
}

/// Where the search index is kept: `search-index/` in the data directory beside a sled
/// store, whose lock makes it this process's alone. A PostgreSQL-backed process has no data
/// directory of its own (several may run with the same `--data-dir`, or none), so it keeps
/// its index in memory and builds it at start: `None`.
fn index_directory(data: &config::DataConfig) -> Option<std::path::PathBuf> {
    data.database_url
        .is_none()
        .then(|| data.data_dir().join("search-index"))
}

/// Keeps the search index up to date with the writes other server processes commit to a
/// shared (PostgreSQL) store, before this process serves the new data version; a sled store
/// has no other processes. Changes that arrive before the index is built wait for it (see
/// [`IndexFollower::index_built`]). Holds the store weakly, so that it closes when the server
/// stops.
fn follow_changes(store: &Arc<Store>) -> Arc<IndexFollower> {
    let follower = Arc::new(IndexFollower::default());
    let (weak, hook_follower) = (Arc::downgrade(store), follower.clone());
    store.on_changes(move |changed| {
        let Some(store) = weak.upgrade() else { return };
        let index = {
            let mut pending = hook_follower
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match hook_follower.index.get() {
                Some(index) => index.clone(),
                None => return pending.push(changed.clone()),
            }
        };
        reindex_or_log(&store, &index, changed);
    });
    follower
}

/// The search index, once built, and the changes learnt before it was.
#[derive(Default)]
struct IndexFollower {
    index: std::sync::OnceLock<Arc<search::SearchIndex>>,
    pending: std::sync::Mutex<Vec<store::Changed>>,
}

impl IndexFollower {
    /// Hands over the built index; returns the changes learnt while it was being built.
    fn index_built(&self, index: Arc<search::SearchIndex>) -> Vec<store::Changed> {
        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = self.index.set(index);
        std::mem::take(&mut pending)
    }
}

/// Brings the search index up to date with another process's write: every record it wrote,
/// whatever its kind, is indexed again as the store now holds it; after a reseed, the whole
/// index is rebuilt.
fn reindex_or_log(store: &Store, search_index: &search::SearchIndex, changed: &store::Changed) {
    let reindexed = match changed {
        store::Changed::Records(references) => search_index.reindex(store, references),
        store::Changed::Everything => {
            tracing::info!("another process reseeded the store: rebuilding the search index");
            search_index.rebuild_from(store)
        }
    };
    if let Err(error) = reindexed {
        tracing::error!(%error, "the search index missed another process's write; it is rebuilt at the next start");
    }
}

/// Runs the server until SIGINT or SIGTERM, then shuts down gracefully.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let mut app = start(config).await?;
    tracing::info!(address = %app.local_addr(), "listening");
    println!(
        "GraphQL playground: http://{}/  (endpoint: http://{}/graphql)",
        app.local_addr(),
        app.local_addr()
    );
    tokio::select! {
        result = app.wait() => return result,
        () = shutdown_signal() => tracing::info!("shutting down"),
    }
    app.shutdown().await
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
