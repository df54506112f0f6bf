//! `GET /admin/backup`: a consistent, checksummed copy of the store while the server runs,
//! for an admin key only.

use poem::http::{header, HeaderValue};
use poem::web::Data;
use poem::{handler, Response};

use super::{error_response, AppState};
use crate::error_code::ErrorCode;
use crate::graphql::auth::{authenticate, Caller};

/// Answers the backup file (`application/octet-stream`, named by `Content-Disposition`, its
/// blake3 in `x-backup-checksum`). 401 `UNAUTHENTICATED` without a valid key, 403 `FORBIDDEN`
/// for a partner key.
///
/// The graph's write lock is held while the store is read (on the blocking pool), so no
/// partner write lands halfway through; writes wait for the backup, reads do not. The whole
/// file is built in memory first, because its checksum header must precede the body.
#[handler]
pub(super) async fn backup(Data(state): Data<&AppState>, request: &poem::Request) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or("invalid"));
    let key = match authenticate(&state.store, authorization) {
        Caller::Key(key) if key.is_admin() => key,
        Caller::Key(key) => {
            tracing::warn!(key = %key.id, "a partner key asked for a backup");
            return error_response(ErrorCode::Forbidden, "only an admin key may take a backup");
        }
        Caller::Anonymous => return unauthenticated("a backup needs an admin API key"),
        Caller::Rejected(reason) => return unauthenticated(reason),
    };

    // Owned, and moved into the blocking task: if the request is abandoned (timeout, client
    // gone), the lock is still held until the reading stops.
    let write_guard = state.write_lock.clone().lock_owned().await;
    let store = state.store.clone();
    let taken = tokio::task::spawn_blocking(move || {
        let _write_guard = write_guard;
        let mut bytes = Vec::new();
        store.backup(&mut bytes).map(|summary| (bytes, summary))
    })
    .await;
    let (bytes, summary) = match taken {
        Ok(Ok(taken)) => taken,
        Ok(Err(error)) => return internal(&error),
        Err(error) => return internal(&error),
    };
    tracing::info!(
        key = %key.id,
        entries = summary.entries,
        bytes = summary.bytes,
        data_version = summary.data_version,
        checksum = %summary.checksum_hex(),
        "backup taken"
    );
    let filename = format!(
        "nhs-leadership-graph-{}-v{}.nlgbak",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
        summary.data_version
    );
    Response::builder()
        .content_type("application/octet-stream")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )
        .header("x-backup-checksum", summary.checksum_hex())
        .header("x-backup-entries", summary.entries.to_string())
        .header(header::CACHE_CONTROL, "no-store")
        .body(bytes)
}

fn unauthenticated(message: &str) -> Response {
    let mut response = error_response(ErrorCode::Unauthenticated, message);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

fn internal(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "taking a backup");
    error_response(ErrorCode::Internal, "the backup failed")
}
