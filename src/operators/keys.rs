//! Issuing, listing and revoking API keys: the rules, over any open store.

use chrono::{DateTime, Utc};

use super::{internal, OperatorError};
use crate::domain::{hash_secret, ApiKey, Code, Organisation, OrganisationKind, API_KEY_PREFIX};
use crate::store::Store;

/// The longest label accepted, in characters.
const MAX_LABEL_CHARS: usize = 200;

/// The longest lifetime a key may be given, in days (about ten years).
const MAX_DAYS: u32 = 3_650;

/// A key to issue.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    /// The organisation whose courses it may change (which must exist); `None` for an admin
    /// key.
    pub organisation: Option<String>,
    /// A note to tell keys apart.
    pub label: Option<String>,
    pub expires: Option<Expiry>,
}

/// When a key stops being accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// This many days after it is issued.
    InDays(u32),
    /// At this instant.
    At(DateTime<Utc>),
}

/// A key just issued: the only time its full text exists.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub key: ApiKey,
    /// `nlg_<id>_<secret>`: show it once; only its hash is stored.
    pub token: String,
}

/// A key as listed: never its secret.
#[derive(Debug, Clone)]
pub struct KeyListing {
    pub key: ApiKey,
    /// Its last recorded use, to within a minute; `None` if never used.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A key as the admin API answers it and the CLI prints it (camelCase JSON, RFC 3339
/// times): never its secret, except `key` in the answer that issues it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub id: String,
    /// `None` for an admin key.
    pub organisation: Option<String>,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// `active`, `expired` or `revoked`.
    pub state: String,
    /// `nlg_<id>_<secret>`, only when just issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl KeyView {
    /// `listing` as seen at `now`.
    pub fn of(listing: &KeyListing, now: DateTime<Utc>) -> Self {
        let key = &listing.key;
        let state = if key.is_revoked() {
            "revoked"
        } else if key.is_expired_at(now) {
            "expired"
        } else {
            "active"
        };
        Self {
            id: key.id.clone(),
            organisation: key.organisation.as_ref().map(ToString::to_string),
            label: key.label.clone(),
            created_at: key.created_at,
            expires_at: key.expires_at,
            last_used_at: listing.last_used_at,
            revoked_at: key.revoked_at,
            state: state.to_owned(),
            key: None,
        }
    }

    /// A key just issued, with its full text.
    pub fn issued(issued: &IssuedKey) -> Self {
        let listing = KeyListing {
            key: issued.key.clone(),
            last_used_at: None,
        };
        Self {
            key: Some(issued.token.clone()),
            ..Self::of(&listing, issued.key.created_at)
        }
    }

    /// Who the key acts for: its organisation's code, or `admin`.
    pub fn scope(&self) -> &str {
        self.organisation.as_deref().unwrap_or("admin")
    }
}

/// Parses an expiry as given on the command line or in the admin API: an RFC 3339 instant
/// (`2027-01-31T00:00:00Z`).
pub fn parse_expiry(text: &str) -> Result<DateTime<Utc>, OperatorError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| {
            OperatorError::Invalid(format!(
                "expiry {text:?} is not an RFC 3339 time such as 2027-01-31T00:00:00Z: {error}"
            ))
        })
}

/// Issues a key for an existing organisation (or an admin key) and stores it durably.
pub fn issue_key(store: &Store, request: NewKey) -> Result<IssuedKey, OperatorError> {
    let now = Utc::now();
    let expires_at = expiry_after(now, request.expires)?;
    let label = checked_label(request.label)?;
    let organisation = match request.organisation.as_deref() {
        Some(code) => Some(existing_organisation(store, code)?),
        None => None,
    };
    let issued = new_key(organisation, label, now, expires_at)?;
    store.put_api_key(&issued.key).map_err(internal)?;
    Ok(issued)
}

/// Every key, revoked and expired ones included, ordered by id, with its last use.
pub fn list_keys(store: &Store) -> Result<Vec<KeyListing>, OperatorError> {
    let mut last_uses = store.api_key_last_uses().map_err(internal)?;
    Ok(store
        .api_keys()
        .map_err(internal)?
        .into_iter()
        .map(|key| KeyListing {
            last_used_at: last_uses.remove(&key.id),
            key,
        })
        .collect())
}

/// Revokes the key with `id` (the `<id>` of `nlg_<id>_<secret>`); revoking a revoked key
/// changes nothing and answers it as it is.
pub fn revoke_key(store: &Store, id: &str) -> Result<ApiKey, OperatorError> {
    let mut key = store
        .api_key(id)
        .map_err(internal)?
        .ok_or_else(|| OperatorError::NotFound(format!("no key has id {id:?}")))?;
    if key.revoked_at.is_none() {
        key.revoked_at = Some(Utc::now());
        store.put_api_key(&key).map_err(internal)?;
    }
    Ok(key)
}

/// A fresh key with a random id and secret (not stored yet).
pub(super) fn new_key(
    organisation: Option<Code>,
    label: Option<String>,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<IssuedKey, OperatorError> {
    let id = random_hex(8)?;
    let secret = random_hex(32)?;
    Ok(IssuedKey {
        token: format!("{API_KEY_PREFIX}{id}_{secret}"),
        key: ApiKey {
            id,
            organisation,
            secret_hash: hash_secret(&secret),
            label,
            created_at: now,
            revoked_at: None,
            expires_at,
        },
    })
}

/// The instant `expires` names, which must be in the future.
pub(super) fn expiry_after(
    now: DateTime<Utc>,
    expires: Option<Expiry>,
) -> Result<Option<DateTime<Utc>>, OperatorError> {
    let at = match expires {
        None => return Ok(None),
        Some(Expiry::InDays(days)) if days == 0 || days > MAX_DAYS => {
            return Err(OperatorError::Invalid(format!(
                "a key's lifetime must be between 1 and {MAX_DAYS} days, not {days}"
            )))
        }
        Some(Expiry::InDays(days)) => now + chrono::Duration::days(i64::from(days)),
        Some(Expiry::At(at)) => at,
    };
    if at <= now {
        return Err(OperatorError::Invalid(format!(
            "the expiry {} is not in the future",
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )));
    }
    Ok(Some(at))
}

pub(super) fn checked_label(label: Option<String>) -> Result<Option<String>, OperatorError> {
    let Some(label) = label.map(|label| label.trim().to_owned()) else {
        return Ok(None);
    };
    if label.chars().count() > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(OperatorError::Invalid(format!(
            "a label must be at most {MAX_LABEL_CHARS} characters, without control characters"
        )));
    }
    Ok((!label.is_empty()).then_some(label))
}

fn existing_organisation(store: &Store, code: &str) -> Result<Code, OperatorError> {
    let parsed = Code::parse(code)
        .map_err(|error| OperatorError::Invalid(format!("organisation: {error}")))?;
    let found = store
        .get::<Organisation>(&parsed)
        .map_err(internal)?
        .ok_or_else(|| OperatorError::NotFound(format!("no organisation has code {code:?}")))?;
    if matches!(
        found.kind,
        OrganisationKind::Trust | OrganisationKind::Icb | OrganisationKind::Region
    ) {
        tracing::warn!(organisation = %parsed, "issuing a key to an NHS body: it may only publish courses it provides");
    }
    Ok(parsed)
}

fn random_hex(n_bytes: usize) -> Result<String, OperatorError> {
    let mut bytes = vec![0u8; n_bytes];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| OperatorError::Internal(format!("reading randomness: {error}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiry_must_be_in_the_future_and_within_ten_years() {
        let now = Utc::now();
        assert_eq!(
            expiry_after(now, Some(Expiry::InDays(2))).unwrap(),
            Some(now + chrono::Duration::days(2))
        );
        assert!(expiry_after(now, Some(Expiry::InDays(0))).is_err());
        assert!(expiry_after(now, Some(Expiry::InDays(MAX_DAYS + 1))).is_err());
        let past = now - chrono::Duration::seconds(1);
        let error = expiry_after(now, Some(Expiry::At(past))).unwrap_err();
        assert!(error.to_string().contains("not in the future"), "{error}");
        assert_eq!(expiry_after(now, None).unwrap(), None);
    }

    #[test]
    fn an_expiry_is_read_as_rfc_3339() {
        let at = parse_expiry("2027-01-31T12:00:00+01:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2027-01-31T11:00:00+00:00");
        let error = parse_expiry("next week").unwrap_err();
        assert!(error.to_string().contains("RFC 3339"), "{error}");
    }
}
