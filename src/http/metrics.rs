//! `GET /metrics`: the server's metrics (`telemetry::metrics`) in the Prometheus text
//! format, with the store's size read at each scrape; and the bounded route labels they use.

use poem::http::StatusCode;
use poem::web::Data;
use poem::{handler, Response};

use super::AppState;

/// A bounded label for a request path, so metrics cannot grow with made-up paths.
pub(crate) fn route_label(path: &str) -> &'static str {
    match path {
        "/graphql" => "/graphql",
        "/health" => "/health",
        "/ready" => "/ready",
        "/metrics" => "/metrics",
        "/admin/backup" => "/admin/backup",
        "/mcp" => "/mcp",
        _ if path.starts_with("/records/") => "/records",
        "/" => "/",
        _ if path.starts_with("/playground/") => "/playground",
        _ => "other",
    }
}

/// `GET /metrics`.
#[handler]
pub(super) fn metrics(Data(state): Data<&AppState>) -> Response {
    match state.api.store_size() {
        Ok(bytes) => state.metrics.set_store_size(bytes),
        Err(error) => tracing::warn!(%error, "reading the store's size for /metrics"),
    }
    let status = state.api.backend_status();
    state.metrics.set_store_status(
        status.backend,
        status.reachable,
        status.pool_size,
        status.pool_idle,
        status.data_version_lag,
    );
    match state.metrics.render() {
        Ok(text) => Response::builder()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        Err(error) => {
            tracing::error!(%error, "encoding metrics");
            Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .finish()
        }
    }
}
