//! The transports' one door to what lies below `graphql`: authenticating a key, the data
//! version (which response caches key on), readiness, the store's size, and a consistent
//! backup. `http` and `mcp` call these on [`Api`] and never import `store` or `search`.

use super::auth::{self, Caller};
use super::Api;

/// What `/ready` reports.
#[derive(Debug, Clone, Copy)]
pub struct Readiness {
    pub data_version: u64,
    pub search_documents: usize,
}

pub use crate::store::BackendStatus;

/// A backup file, in memory, and what it holds.
pub struct Backup {
    pub bytes: Vec<u8>,
    pub entries: u64,
    pub data_version: u64,
    pub checksum_hex: String,
}

/// Why a backup was not taken.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("only an admin key may take a backup")]
    NotAdmin,
    #[error("a backup needs an admin API key")]
    Anonymous,
    #[error("{0}")]
    Rejected(&'static str),
    #[error("reading the store: {0}")]
    Store(String),
}

impl Api {
    /// Resolves an `Authorization` header value to the caller: once per request, at the edge.
    pub fn authenticate(&self, authorization: Option<&str>) -> Caller {
        auth::authenticate(&self.0.graph.store, authorization)
    }

    /// The store's data version: every write and reseed bumps it.
    pub fn data_version(&self) -> Result<u64, crate::store::Error> {
        self.0.graph.store.data_version()
    }

    /// The storage backend (`sled` or `postgres`), whether its database answered last time,
    /// its pool use and how far this process lags the newest data version.
    pub fn backend_status(&self) -> BackendStatus {
        self.0.graph.store.backend_status()
    }

    /// Whether the store answers, with what it and the index hold. Not ready while the
    /// database cannot be reached (PostgreSQL), so that a load balancer sends traffic to a
    /// replica that can write.
    pub fn readiness(&self) -> Result<Readiness, crate::store::Error> {
        if !self.0.graph.store.backend_status().reachable {
            return Err(crate::store::Error::Unavailable {
                reason: "the database did not answer the last contact".to_owned(),
            });
        }
        Ok(Readiness {
            data_version: self.0.graph.store.data_version()?,
            search_documents: self.0.search_index.len(),
        })
    }

    /// The store's size on disk, in bytes.
    pub fn store_size(&self) -> Result<u64, crate::store::Error> {
        self.0.graph.store.size_on_disk()
    }

    /// A consistent backup of the whole store, for an admin `caller`. The write lock is held
    /// while the store is read (on the blocking pool), so no partner write lands halfway
    /// through; writes wait for the backup, reads do not.
    pub async fn backup(&self, caller: &Caller) -> Result<Backup, BackupError> {
        match caller {
            Caller::Key(key) if key.is_admin() => {}
            Caller::Key(key) => {
                tracing::warn!(key = %key.id, "a partner key asked for a backup");
                return Err(BackupError::NotAdmin);
            }
            Caller::Anonymous => return Err(BackupError::Anonymous),
            Caller::Rejected(reason) => return Err(BackupError::Rejected(reason)),
            Caller::Unverified => {
                return Err(BackupError::Store(
                    "the database cannot be reached to check the API key".to_owned(),
                ))
            }
        }
        // Owned, and moved into the blocking task: if the request is abandoned (timeout,
        // client gone), the lock is still held until the reading stops.
        let write_guard = self.0.publisher.exclusive().await;
        let store = self.0.graph.store.clone();
        let taken = tokio::task::spawn_blocking(move || {
            let _write_guard = write_guard;
            let mut bytes = Vec::new();
            store.backup(&mut bytes).map(|summary| (bytes, summary))
        })
        .await;
        let (bytes, summary) = match taken {
            Ok(Ok(taken)) => taken,
            Ok(Err(error)) => return Err(BackupError::Store(error.to_string())),
            Err(error) => return Err(BackupError::Store(error.to_string())),
        };
        Ok(Backup {
            bytes,
            entries: summary.entries,
            data_version: summary.data_version,
            checksum_hex: summary.checksum_hex(),
        })
    }
}
