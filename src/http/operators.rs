//! The operator's admin API, for an admin key only (as `/admin/backup`): `POST /admin/keys`
//! issues a key (its secret answered once), `GET /admin/keys` lists them, `DELETE
//! /admin/keys/{id}` revokes one, and `POST /admin/partners` adds a partner organisation
//! and issues its key. Transport only: the use cases are `graphql::Api`'s.

use poem::http::{header, HeaderValue, StatusCode};
use poem::web::{Data, Path};
use poem::{handler, Body, Response};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use crate::error_code::{error_bytes, ErrorCode};
use crate::graphql::{
    parse_expiry, parse_kind, AdminError, Expiry, KeyListing, KeyView, NewKey, NewPartner,
    OperatorError, PartnerView,
};

/// The largest admin request body accepted, in bytes.
const MAX_ADMIN_BODY_BYTES: usize = 16 * 1024;

/// `POST /admin/keys` with `{"organisation": "COVENTRY", "label": "...", "expiresInDays": 90}`
/// (or `"expiresAt"`, an RFC 3339 time; or `"admin": true` instead of an organisation):
/// 201 with the key, whose `key` is shown this once.
#[handler]
pub(super) async fn issue_key(
    Data(state): Data<&AppState>,
    request: &poem::Request,
    body: Body,
) -> Response {
    let caller = state.caller(request.headers());
    let input: KeyInput = match read_json(body).await {
        Ok(input) => input,
        Err(response) => return response,
    };
    let new_key = match input.into_new_key() {
        Ok(new_key) => new_key,
        Err(error) => return refused(AdminError::Operator(error)),
    };
    match state.api.issue_key(&caller, new_key).await {
        Ok(issued) => json_response(StatusCode::CREATED, &KeyView::issued(&issued)),
        Err(error) => refused(error),
    }
}

/// `GET /admin/keys`: every key (never a secret), with its expiry, last use and revocation.
#[handler]
pub(super) async fn list_keys(Data(state): Data<&AppState>, request: &poem::Request) -> Response {
    let caller = state.caller(request.headers());
    match state.api.list_keys(&caller).await {
        Ok(keys) => {
            let now = chrono::Utc::now();
            let keys: Vec<KeyView> = keys.iter().map(|key| KeyView::of(key, now)).collect();
            json_response(StatusCode::OK, &json!({ "keys": keys }))
        }
        Err(error) => refused(error),
    }
}

/// `DELETE /admin/keys/{id}`: revokes the key (the `<id>` of `nlg_<id>_<secret>`); its next
/// request is refused. 404 `NOT_FOUND` for an unknown id.
#[handler]
pub(super) async fn revoke_key(
    Data(state): Data<&AppState>,
    Path(id): Path<String>,
    request: &poem::Request,
) -> Response {
    let caller = state.caller(request.headers());
    match state.api.revoke_key(&caller, id).await {
        Ok(key) => {
            let listing = KeyListing {
                key,
                last_used_at: None,
            };
            json_response(StatusCode::OK, &KeyView::of(&listing, chrono::Utc::now()))
        }
        Err(error) => refused(error),
    }
}

/// `POST /admin/partners` with `{"code": "KEELE", "name": "Keele University", "kind":
/// "UNIVERSITY", "website": "https://www.keele.ac.uk"}`: 201 with the organisation, its
/// source and its key (shown this once); 409 `BAD_USER_INPUT` for a code in use.
#[handler]
pub(super) async fn add_partner(
    Data(state): Data<&AppState>,
    request: &poem::Request,
    body: Body,
) -> Response {
    let caller = state.caller(request.headers());
    let input: PartnerInput = match read_json(body).await {
        Ok(input) => input,
        Err(response) => return response,
    };
    let new_partner = match input.into_new_partner() {
        Ok(new_partner) => new_partner,
        Err(error) => return refused(AdminError::Operator(error)),
    };
    match state.api.add_partner(&caller, new_partner).await {
        Ok(onboarded) => json_response(StatusCode::CREATED, &PartnerView::of(&onboarded)),
        Err(error) => refused(error),
    }
}

/// The body of `POST /admin/keys`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct KeyInput {
    organisation: Option<String>,
    #[serde(default)]
    admin: bool,
    label: Option<String>,
    expires_at: Option<String>,
    expires_in_days: Option<u32>,
}

impl KeyInput {
    fn into_new_key(self) -> Result<NewKey, OperatorError> {
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

/// The body of `POST /admin/partners`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PartnerInput {
    code: String,
    name: String,
    kind: Option<String>,
    website: Option<String>,
    label: Option<String>,
    expires_at: Option<String>,
    expires_in_days: Option<u32>,
}

impl PartnerInput {
    fn into_new_partner(self) -> Result<NewPartner, OperatorError> {
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

/// Reads a JSON body of at most [`MAX_ADMIN_BODY_BYTES`], or answers why not.
async fn read_json<T: serde::de::DeserializeOwned>(body: Body) -> Result<T, Response> {
    let bytes = body
        .into_bytes_limit(MAX_ADMIN_BODY_BYTES)
        .await
        .map_err(|_| {
            coded(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BadRequest,
                &format!("the body must be JSON of at most {MAX_ADMIN_BODY_BYTES} bytes"),
            )
        })?;
    serde_json::from_slice(&bytes).map_err(|error| {
        coded(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            &format!("the body is not the JSON expected: {error}"),
        )
    })
}

/// The answer to a refused or failed admin request.
fn refused(error: AdminError) -> Response {
    let message = error.to_string();
    match error {
        AdminError::NotAdmin => coded(StatusCode::FORBIDDEN, ErrorCode::Forbidden, &message),
        AdminError::Anonymous | AdminError::Rejected(_) => {
            let mut response = coded(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                &message,
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
        AdminError::Operator(OperatorError::Invalid(_)) => {
            coded(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, &message)
        }
        AdminError::Operator(OperatorError::NotFound(_)) => {
            coded(StatusCode::NOT_FOUND, ErrorCode::NotFound, &message)
        }
        AdminError::Operator(OperatorError::Exists(_)) => {
            coded(StatusCode::CONFLICT, ErrorCode::BadUserInput, &message)
        }
        AdminError::Operator(OperatorError::Internal(_)) => {
            tracing::error!(error = %message, "an admin request failed");
            coded(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "")
        }
    }
}

/// A GraphQL-shaped error body with `code`, under `status` (the table's JSON status is
/// GraphQL's; these routes are plain HTTP and answer the status REST clients expect).
fn coded(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(error_bytes(code, message, None))
}

fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(serde_json::to_vec(value).expect("a view of strings and times serialises"))
}
