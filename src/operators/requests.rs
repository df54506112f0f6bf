//! The admin API's requests as their JSON bodies give them, checked into the use cases'
//! inputs ([`NewKey`], [`NewPartner`]): the transports parse the JSON, the rules of what
//! combinations are allowed are here, next to the use cases.

use serde::Deserialize;

use super::{parse_expiry, parse_kind, Expiry, NewKey, NewPartner, OperatorError};

/// A request to issue a key, as the admin API's `POST /admin/keys` body gives it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyRequest {
    pub organisation: Option<String>,
    #[serde(default)]
    pub admin: bool,
    pub label: Option<String>,
    pub expires_at: Option<String>,
    pub expires_in_days: Option<u32>,
}

impl KeyRequest {
    pub fn into_new_key(self) -> Result<NewKey, OperatorError> {
        let organisation = match (self.organisation, self.admin) {
            (Some(_), true) => {
                return Err(OperatorError::Invalid(
                    "give either organisation or admin: true, not both".to_owned(),
                ))
            }
            (None, false) => {
                return Err(OperatorError::Invalid(
                    "organisation is required (or admin: true for an admin key)".to_owned(),
                ))
            }
            (organisation, _) => organisation,
        };
        Ok(NewKey {
            organisation,
            label: self.label,
            expires: expiry(self.expires_at.as_deref(), self.expires_in_days)?,
        })
    }
}

/// A request to onboard a partner, as the admin API's `POST /admin/partners` body gives it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartnerRequest {
    pub code: String,
    pub name: String,
    pub kind: Option<String>,
    pub website: Option<String>,
    pub label: Option<String>,
    pub expires_at: Option<String>,
    pub expires_in_days: Option<u32>,
}

impl PartnerRequest {
    pub fn into_new_partner(self) -> Result<NewPartner, OperatorError> {
        Ok(NewPartner {
            code: self.code,
            name: self.name,
            kind: self.kind.as_deref().map(parse_kind).transpose()?,
            website: self.website,
            label: self.label,
            expires: expiry(self.expires_at.as_deref(), self.expires_in_days)?,
        })
    }
}

fn expiry(at: Option<&str>, in_days: Option<u32>) -> Result<Option<Expiry>, OperatorError> {
    match (at, in_days) {
        (Some(_), Some(_)) => Err(OperatorError::Invalid(
            "give either expiresAt or expiresInDays, not both".to_owned(),
        )),
        (Some(at), None) => Ok(Some(Expiry::At(parse_expiry(at)?))),
        (None, Some(days)) => Ok(Some(Expiry::InDays(days))),
        (None, None) => Ok(None),
    }
}
