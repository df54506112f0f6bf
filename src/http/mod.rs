//! The HTTP adapter (poem): `/graphql` (GET and POST, GraphQL over HTTP), `/health`, and the
//! embedded, offline GraphiQL playground at `/`.
//!
//! Invariant: the only module that knows poem. It holds no business logic: it turns HTTP
//! requests into GraphQL requests and GraphQL responses into HTTP responses.

mod cache;
mod graphql;
mod playground;

use std::sync::Arc;

use poem::middleware::Tracing;
use poem::web::Json;
use poem::{get, handler, Endpoint, EndpointExt, Route};

use crate::graphql::AppSchema;
use crate::store::Store;

/// The largest request body accepted, in bytes; enforced while reading, whatever
/// `Content-Length` claims.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

/// The response cache's default byte budget: request plus response bytes of every entry.
pub(crate) const DEFAULT_RESPONSE_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// The document cache's default size, in parsed queries.
pub(crate) const DEFAULT_DOCUMENT_CACHE_ENTRIES: u64 = 1_000;

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) schema: AppSchema,
    pub(crate) store: Arc<Store>,
    /// `None` when disabled (a budget of 0 bytes).
    responses: Option<Arc<cache::ResponseCache>>,
    /// `None` when disabled (0 entries).
    documents: Option<Arc<cache::DocumentCache>>,
}

impl AppState {
    pub(crate) fn new(
        schema: AppSchema,
        store: Arc<Store>,
        response_cache_bytes: u64,
        document_cache_entries: u64,
    ) -> Self {
        Self {
            schema,
            store,
            responses: cache::ResponseCache::new(response_cache_bytes).map(Arc::new),
            documents: cache::DocumentCache::new(document_cache_entries).map(Arc::new),
        }
    }
}

/// Every route of the server.
pub(crate) fn routes(state: AppState) -> impl Endpoint {
    Route::new()
        .at("/", playground::index())
        .nest("/playground", playground::assets())
        .at("/graphql", get(graphql::get).post(graphql::post))
        .at("/health", get(health))
        .data(state)
        .with(Tracing)
}

/// Liveness: answers when the server runs and its store is open.
#[handler]
fn health(
    poem::web::Data(state): poem::web::Data<&AppState>,
) -> poem::Result<Json<serde_json::Value>> {
    let data_version = state.store.data_version().map_err(|error| {
        tracing::error!(%error, "health check could not read the store");
        poem::Error::from_status(poem::http::StatusCode::SERVICE_UNAVAILABLE)
    })?;
    Ok(Json(serde_json::json!({
        "status": "ok",
        "dataVersion": data_version,
        "cache": state.responses.as_ref().map(|cache| cache.stats()),
    })))
}
