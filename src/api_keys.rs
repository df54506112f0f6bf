//! `keys issue | list | revoke`: managing partner and admin API keys on a data directory.
//!
//! sled lets one process open a database at a time, so these commands work on a stopped
//! server's data directory; while the server runs they fail with a message saying so.

use std::path::Path;

use anyhow::Context;
use chrono::Utc;

use crate::domain::{hash_secret, ApiKey, Code, OrganisationKind, API_KEY_PREFIX};
use crate::store::Store;

/// A key just issued: the only time its full text exists.
pub struct IssuedKey {
    pub key: ApiKey,
    /// `nlg_<id>_<secret>`: show it once, store only its hash.
    pub token: String,
}

/// Issues a key for `organisation` (which must exist), or an admin key when `None`.
pub fn issue(
    store: &Store,
    organisation: Option<&str>,
    label: Option<String>,
) -> anyhow::Result<IssuedKey> {
    let organisation = match organisation {
        Some(code) => {
            let code = Code::parse(code)
                .with_context(|| format!("{code:?} is not an organisation code"))?;
            let found = store
                .get::<crate::domain::Organisation>(&code)?
                .with_context(|| format!("no organisation has code {code}"))?;
            if matches!(
                found.kind,
                OrganisationKind::Trust | OrganisationKind::Icb | OrganisationKind::Region
            ) {
                tracing::warn!(organisation = %code, "issuing a key to an NHS body: it may only publish courses it provides");
            }
            Some(code)
        }
        None => None,
    };
    let id = random_hex(8)?;
    let secret = random_hex(32)?;
    let key = ApiKey {
        id: id.clone(),
        organisation,
        secret_hash: hash_secret(&secret),
        label,
        created_at: Utc::now(),
        revoked_at: None,
    };
    store.put_api_key(&key)?;
    Ok(IssuedKey {
        token: format!("{API_KEY_PREFIX}{id}_{secret}"),
        key,
    })
}

/// Every key, revoked ones included.
pub fn list(store: &Store) -> anyhow::Result<Vec<ApiKey>> {
    Ok(store.api_keys()?)
}

/// Revokes the key with `id`; its holder can write nothing more.
pub fn revoke(store: &Store, id: &str) -> anyhow::Result<ApiKey> {
    let mut key = store
        .api_key(id)?
        .with_context(|| format!("no key has id {id:?}"))?;
    if key.revoked_at.is_none() {
        key.revoked_at = Some(Utc::now());
        store.put_api_key(&key)?;
    }
    Ok(key)
}

/// Opens a stopped server's store for the `keys` commands.
pub fn open(data_dir: &Path) -> anyhow::Result<Store> {
    if !data_dir.exists() {
        anyhow::bail!(
            "no store at {}: start the server once to create and seed it",
            data_dir.display()
        );
    }
    Store::open(data_dir).with_context(|| {
        format!(
            "opening the store at {} (if the server is running, stop it first: sled lets one process open a database)",
            data_dir.display()
        )
    })
}

fn random_hex(n_bytes: usize) -> anyhow::Result<String> {
    let mut bytes = vec![0u8; n_bytes];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| anyhow::anyhow!("reading randomness: {error}"))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}
