//! The operator's admin API, for an admin key only (as `/admin/backup`): `POST /admin/keys`
//! issues a key (its secret answered once), `GET /admin/keys` lists them, `DELETE
//! /admin/keys/{id}` revokes one, and `POST /admin/partners` adds a partner organisation
//! and issues its key. Transport only: the use cases are `graphql::Api`'s.

use poem::http::{header, StatusCode};
use poem::web::{Data, Path};
use poem::{handler, Body, Response};
use serde_json::json;

use super::AppState;
use crate::error_code::ErrorCode;
use crate::graphql::{
    AdminError, KeyListing, KeyRequest, KeyView, OperatorError, PartnerRequest, PartnerView,
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
    create(body, KeyRequest::into_new_key, |new_key| async {
        let issued = state.api.issue_key(&caller, new_key).await;
        issued.map(|key| KeyView::issued(&key))
    })
    .await
}

/// `GET /admin/keys`: every key (never a secret), with its expiry, last use and revocation.
#[handler]
pub(super) async fn list_keys(Data(state): Data<&AppState>, request: &poem::Request) -> Response {
    let caller = state.caller(request.headers());
    let now = chrono::Utc::now();
    let keys = state.api.list_keys(&caller).await.map(|keys| {
        let keys: Vec<KeyView> = keys.iter().map(|key| KeyView::of(key, now)).collect();
        json!({ "keys": keys })
    });
    answer(StatusCode::OK, keys)
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
    let revoked = state.api.revoke_key(&caller, id).await.map(|key| {
        let listing = KeyListing {
            key,
            last_used_at: None,
        };
        KeyView::of(&listing, chrono::Utc::now())
    });
    answer(StatusCode::OK, revoked)
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
    create(
        body,
        PartnerRequest::into_new_partner,
        |new_partner| async {
            let onboarded = state.api.add_partner(&caller, new_partner).await;
            onboarded.map(|partner| PartnerView::of(&partner))
        },
    )
    .await
}

/// A request that creates something: its body read and checked with `into`, then `run`;
/// 201 with what `run` answers.
async fn create<T: serde::de::DeserializeOwned, U, V: serde::Serialize>(
    body: Body,
    into: fn(T) -> Result<U, OperatorError>,
    run: impl AsyncFnOnce(U) -> Result<V, AdminError>,
) -> Response {
    match read_json(body, into).await {
        Ok(input) => answer(StatusCode::CREATED, run(input).await),
        Err(response) => response,
    }
}

/// The answer to an admin request: its view as JSON under `status`, or the refusal.
fn answer(status: StatusCode, result: Result<impl serde::Serialize, AdminError>) -> Response {
    match result {
        Ok(view) => Response::builder()
            .status(status)
            .content_type("application/json; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .body(serde_json::to_vec(&view).expect("a view of strings and times serialises")),
        Err(error) => refused(error),
    }
}

/// Reads a JSON body of at most [`MAX_ADMIN_BODY_BYTES`] and checks it with `into`, or
/// answers why not.
async fn read_json<T: serde::de::DeserializeOwned, U>(
    body: Body,
    into: fn(T) -> Result<U, OperatorError>,
) -> Result<U, Response> {
    let bytes = body
        .into_bytes_limit(MAX_ADMIN_BODY_BYTES)
        .await
        .map_err(|_| {
            super::admin_refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BadRequest,
                &format!("the body must be JSON of at most {MAX_ADMIN_BODY_BYTES} bytes"),
            )
        })?;
    let input = serde_json::from_slice(&bytes).map_err(|error| {
        super::admin_refusal(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            &format!("the body is not the JSON expected: {error}"),
        )
    })?;
    into(input).map_err(|error| refused(AdminError::Operator(error)))
}

/// The answer to a refused or failed admin request, with the status REST clients expect.
fn refused(error: AdminError) -> Response {
    let status = match (&error, error.code()) {
        (AdminError::Operator(OperatorError::Exists(_)), _) => StatusCode::CONFLICT,
        (_, ErrorCode::NotFound) => StatusCode::NOT_FOUND,
        (_, ErrorCode::BadUserInput) => StatusCode::BAD_REQUEST,
        (_, code) => super::status_of(code),
    };
    super::admin_refusal(status, error.code(), &error.to_string())
}
