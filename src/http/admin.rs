//! `GET /admin/backup`: a consistent, checksummed copy of the store while the server runs,
//! for an admin key only (the backup itself is `graphql::Api::backup`).

use poem::http::header;
use poem::web::Data;
use poem::{handler, Response};

use super::AppState;

/// Answers the backup file (`application/octet-stream`, named by `Content-Disposition`, its
/// blake3 in `x-backup-checksum`). 401 `UNAUTHENTICATED` without a valid key, 403 `FORBIDDEN`
/// for a partner key. The whole file is built in memory first, because its checksum header
/// must precede the body.
#[handler]
pub(super) async fn backup(Data(state): Data<&AppState>, request: &poem::Request) -> Response {
    let caller = state.caller(request.headers());
    let backup = match state.api.backup(&caller).await {
        Ok(backup) => backup,
        Err(error) => {
            let code = error.code();
            return super::admin_refusal(super::status_of(code), code, &error.to_string());
        }
    };
    if let crate::graphql::Caller::Key(key) = &caller {
        tracing::info!(
            key = %key.id,
            entries = backup.entries,
            bytes = backup.bytes.len(),
            data_version = backup.data_version,
            checksum = %backup.checksum_hex,
            "backup taken"
        );
    }
    let filename = format!(
        "nhs-leadership-graph-{}-v{}.nlgbak",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
        backup.data_version
    );
    Response::builder()
        .content_type("application/octet-stream")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )
        .header("x-backup-checksum", backup.checksum_hex)
        .header("x-backup-entries", backup.entries.to_string())
        .header(header::CACHE_CONTROL, "no-store")
        .body(backup.bytes)
}
