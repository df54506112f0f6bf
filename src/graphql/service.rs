//! The transports' one door to what lies below `graphql`: authenticating a key, the data
//! version (which response caches key on), readiness, the store's size, a consistent
//! backup, and the operator's use cases (keys and partner organisations, for an admin key).
//! `http` and `mcp` call these on [`Api`] and never import `store`, `search` or `operators`.

use super::auth::{self, Caller};
use super::Api;
use crate::domain::ApiKey;
use crate::error_code::ErrorCode;
use crate::operators::{IssuedKey, KeyListing, NewKey, NewPartner, Onboarded, OperatorError};

/// Why an admin request (keys, partners) was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("only an admin key may manage keys and partner organisations")]
    NotAdmin,
    #[error("managing keys and partner organisations needs an admin API key")]
    Anonymous,
    #[error("{0}")]
    Rejected(&'static str),
    #[error(transparent)]
    Operator(#[from] OperatorError),
}

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

impl AdminError {
    /// The client error code of this refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotAdmin => ErrorCode::Forbidden,
            Self::Anonymous | Self::Rejected(_) => ErrorCode::Unauthenticated,
            Self::Operator(OperatorError::Invalid(_) | OperatorError::Exists(_)) => {
                ErrorCode::BadUserInput
            }
            Self::Operator(OperatorError::NotFound(_)) => ErrorCode::NotFound,
            Self::Operator(OperatorError::Internal(_)) => ErrorCode::Internal,
        }
    }
}

impl BackupError {
    /// The client error code of this refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotAdmin => ErrorCode::Forbidden,
            Self::Anonymous | Self::Rejected(_) => ErrorCode::Unauthenticated,
            Self::Store(_) => ErrorCode::Internal,
        }
    }
}

impl Api {
    /// Resolves an `Authorization` header value to the caller: once per request, at the edge.
    /// An expired key is rejected with a message saying so; a valid key's use is noted for
    /// its last-used time, without waiting for the store.
    pub fn authenticate(&self, authorization: Option<&str>) -> Caller {
        let caller = auth::authenticate(&self.0.graph.store, authorization);
        if let Caller::Key(key) = &caller {
            if key.is_expired_at(chrono::Utc::now()) {
                return Caller::Rejected("the API key has expired: ask the operator for a new one");
            }
            self.0.operators.key_used(&key.id);
        }
        caller
    }

    /// Issues a key, for an admin `caller`; the answer is the only time its secret exists.
    pub async fn issue_key(
        &self,
        caller: &Caller,
        request: NewKey,
    ) -> Result<IssuedKey, AdminError> {
        admin_only(caller)?;
        let issued = self.0.operators.issue_key(request).await?;
        tracing::info!(key = %issued.key.id, organisation = ?issued.key.organisation, by = %caller.scope(), "key issued");
        Ok(issued)
    }

    /// Every key with its last use, for an admin `caller`.
    pub async fn list_keys(&self, caller: &Caller) -> Result<Vec<KeyListing>, AdminError> {
        admin_only(caller)?;
        Ok(self.0.operators.list_keys().await?)
    }

    /// Revokes the key `id`, for an admin `caller`: its next request is refused.
    pub async fn revoke_key(&self, caller: &Caller, id: String) -> Result<ApiKey, AdminError> {
        admin_only(caller)?;
        let key = self.0.operators.revoke_key(id).await?;
        tracing::info!(key = %key.id, by = %caller.scope(), "key revoked");
        Ok(key)
    }

    /// Adds a partner organisation and issues its key, for an admin `caller`. The write lock
    /// is held, so that a backup never sees the organisation without its key.
    pub async fn add_partner(
        &self,
        caller: &Caller,
        request: NewPartner,
    ) -> Result<Onboarded, AdminError> {
        admin_only(caller)?;
        let _write = self.0.publisher.exclusive().await;
        let onboarded = self.0.operators.add_partner(request).await?;
        tracing::info!(organisation = %onboarded.organisation.code, key = %onboarded.key.key.id, by = %caller.scope(), "partner organisation added");
        Ok(onboarded)
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

/// Refuses every caller but an admin key.
fn admin_only(caller: &Caller) -> Result<(), AdminError> {
    match caller {
        Caller::Key(key) if key.is_admin() => Ok(()),
        Caller::Key(key) => {
            tracing::warn!(key = %key.id, "a partner key asked for an admin operation");
            Err(AdminError::NotAdmin)
        }
        Caller::Anonymous => Err(AdminError::Anonymous),
        Caller::Rejected(reason) => Err(AdminError::Rejected(reason)),
        Caller::Unverified => Err(AdminError::Rejected(
            "the database cannot be reached to check the API key; retry shortly",
        )),
    }
}
