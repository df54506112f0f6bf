//! The operator's use cases on a running server or a stopped server's store: issuing,
//! listing and revoking API keys (with an optional expiry, and the time each was last
//! used), and onboarding a partner organisation with its first key. The admin API (through
//! `graphql::Api`), the CLI and the tests all call these.
//!
//! Layer: below `graphql`, above `search` and `store`.
//! Invariant: knows nothing of GraphQL or HTTP, and decides nothing about who may call it
//! (the caller checks for an admin key); its errors are its own ([`OperatorError`]).

mod keys;
mod partners;
mod requests;
mod usage;

use std::sync::Arc;

use crate::search::SearchIndex;
use crate::store::Store;

pub use keys::{
    issue_key, list_keys, parse_expiry, revoke_key, Expiry, IssuedKey, KeyListing, KeyView, NewKey,
};
pub use partners::{
    add_partner, kind_name, parse_kind, NewPartner, Onboarded, PartnerOrganisationView,
    PartnerSourceView, PartnerView,
};
pub use requests::{KeyRequest, PartnerRequest};
pub use usage::{KeyUsage, LAST_USED_PRECISION};

/// Why an operator's request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// The request is invalid; the message says which part and why.
    #[error("{0}")]
    Invalid(String),
    /// What the request names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// What the request would create exists already.
    #[error("{0}")]
    Exists(String),
    /// The store or the runtime failed; the details are for the log.
    #[error("{0}")]
    Internal(String),
}

fn internal(error: impl std::fmt::Display) -> OperatorError {
    OperatorError::Internal(error.to_string())
}

/// The operator's use cases on a running server: they write through the store and keep
/// the search index current.
pub struct Operators {
    store: Arc<Store>,
    search_index: Option<Arc<SearchIndex>>,
    usage: KeyUsage,
}

impl Operators {
    pub fn new(store: Arc<Store>, search_index: Option<Arc<SearchIndex>>) -> Self {
        Self {
            usage: KeyUsage::new(store.clone()),
            store,
            search_index,
        }
    }

    /// Issues a key (see [`issue_key`]), on the blocking pool.
    pub async fn issue_key(&self, request: NewKey) -> Result<IssuedKey, OperatorError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || issue_key(&store, request))
            .await
            .map_err(internal)?
    }

    /// Every key with its last use (see [`list_keys`]), on the blocking pool.
    pub async fn list_keys(&self) -> Result<Vec<KeyListing>, OperatorError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || list_keys(&store))
            .await
            .map_err(internal)?
    }

    /// Revokes a key (see [`revoke_key`]), on the blocking pool. The next request with it
    /// is refused: keys are read from the store on every request, never cached.
    pub async fn revoke_key(&self, id: String) -> Result<crate::domain::ApiKey, OperatorError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || revoke_key(&store, &id))
            .await
            .map_err(internal)?
    }

    /// Adds a partner organisation and issues its key (see [`add_partner`]), then indexes
    /// it for search before answering.
    pub async fn add_partner(&self, request: NewPartner) -> Result<Onboarded, OperatorError> {
        let (store, search_index) = (self.store.clone(), self.search_index.clone());
        tokio::task::spawn_blocking(move || {
            let onboarded = add_partner(&store, request, chrono::Utc::now())?;
            if let Some(index) = search_index {
                let indexed = index.upsert_organisations(
                    std::slice::from_ref(&onboarded.organisation),
                    std::slice::from_ref(&onboarded.source),
                );
                if let Err(error) = indexed {
                    tracing::error!(%error, "the search index missed a new partner; it is rebuilt at the next start");
                }
            }
            Ok(onboarded)
        })
        .await
        .map_err(internal)?
    }

    /// Notes that the key `id` was just used (see [`KeyUsage::used`]): cheap, and never
    /// waits for the store.
    pub fn key_used(&self, id: &str) {
        self.usage.used(id);
    }
}
