//! Who is calling: anonymous (reads only) or the holder of a partner or admin API key.

use std::sync::Arc;

use crate::domain::{ApiKey, PresentedKey};
use crate::store::Store;

/// The caller of a request, resolved once per request from its `Authorization` header.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No credentials: public reads only.
    Anonymous,
    /// A valid, unrevoked key.
    Key(Arc<ApiKey>),
    /// Credentials were sent but are not a valid key; the message says why, without
    /// telling a guesser which part was wrong.
    Rejected(&'static str),
    /// Credentials were sent but could not be checked: the store of record (PostgreSQL)
    /// cannot be reached. Writes answer `UNAVAILABLE`, so the client retries.
    Unverified,
}

impl Caller {
    /// The scope a cached response may be shared within: one per key, one for anonymous.
    pub fn scope(&self) -> String {
        match self {
            Caller::Anonymous => "anonymous".to_owned(),
            Caller::Key(key) => format!("key:{}", key.id),
            Caller::Rejected(_) => "rejected".to_owned(),
            Caller::Unverified => "unverified".to_owned(),
        }
    }
}

/// Resolves an `Authorization` header value (`Bearer nlg_<id>_<secret>`) against the keys
/// in the store. A store that cannot be reached leaves the key unverified; any other store
/// error rejects it, rather than failing the read.
pub fn authenticate(store: &Store, authorization: Option<&str>) -> Caller {
    let Some(value) = authorization else {
        return Caller::Anonymous;
    };
    let Some(token) = value.strip_prefix("Bearer ").map(str::trim) else {
        return Caller::Rejected("the Authorization header must be `Bearer <api key>`");
    };
    let invalid = Caller::Rejected("the API key is not valid");
    let Some(presented) = PresentedKey::parse(token) else {
        return invalid;
    };
    match store.api_key(presented.id) {
        Ok(Some(key)) if !key.is_revoked() && presented.matches(&key) => Caller::Key(Arc::new(key)),
        Ok(_) => invalid,
        Err(crate::store::Error::Unavailable { reason }) => {
            tracing::warn!(%reason, "could not check an API key: the database is unreachable");
            Caller::Unverified
        }
        Err(error) => {
            tracing::error!(%error, "reading an API key");
            invalid
        }
    }
}
