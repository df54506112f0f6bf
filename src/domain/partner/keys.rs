//! Partner API keys: the stored [`ApiKey`] (only a hash of its secret), and a
//! [`PresentedKey`] parsed from `nlg_<id>_<secret>` and checked in constant time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Code;

/// An API key as stored: only a hash of its secret is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The public part of the key, also its store key.
    pub id: String,
    /// The organisation whose records the key may change; `None` for an admin key.
    pub organisation: Option<Code>,
    /// SHA-256 of the secret part.
    pub secret_hash: [u8; 32],
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The first instant it is no longer accepted; `None` for a key that does not expire.
    pub expires_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn is_admin(&self) -> bool {
        self.organisation.is_none()
    }

    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// Whether the key has expired by `now`.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|expires_at| expires_at <= now)
    }
}

/// The prefix of every API key: `nlg_<id>_<secret>`.
pub const API_KEY_PREFIX: &str = "nlg_";

/// A presented key, split into its public id and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedKey<'a> {
    pub id: &'a str,
    pub secret: &'a str,
}

impl<'a> PresentedKey<'a> {
    /// Splits `nlg_<id>_<secret>`; `None` if the text is not shaped like a key.
    pub fn parse(token: &'a str) -> Option<Self> {
        let rest = token.strip_prefix(API_KEY_PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let well_formed = |part: &str| {
            !part.is_empty()
                && part.len() <= 128
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        (well_formed(id) && well_formed(secret)).then_some(Self { id, secret })
    }

    /// Whether this key's secret matches the stored hash, compared in constant time.
    pub fn matches(&self, key: &ApiKey) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(hash_secret(self.secret).ct_eq(&key.secret_hash))
    }
}

/// SHA-256 of a key's secret: what the store keeps instead of the secret.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(secret: &str) -> ApiKey {
        ApiKey {
            id: "abc123".to_owned(),
            organisation: Code::parse("COVENTRY").ok(),
            secret_hash: hash_secret(secret),
            label: None,
            created_at: chrono::Utc::now(),
            revoked_at: None,
            expires_at: None,
        }
    }

    #[test]
    fn a_key_matches_only_its_own_secret() {
        let key = stored("s3cret");
        assert!(PresentedKey::parse("nlg_abc123_s3cret")
            .unwrap()
            .matches(&key));
        assert!(!PresentedKey::parse("nlg_abc123_s3cres")
            .unwrap()
            .matches(&key));
    }

    #[test]
    fn text_not_shaped_like_a_key_is_not_one() {
        for token in [
            "",
            "nlg_",
            "nlg_abc",
            "nlg__secret",
            "abc123_secret",
            "nlg_abc_sec ret",
            "nlg_abc_sec\0",
        ] {
            assert_eq!(PresentedKey::parse(token), None, "{token:?}");
        }
    }
}
