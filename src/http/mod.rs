//! The HTTP adapter (poem): `/graphql` (GET and POST, GraphQL over HTTP), `/health`, `/ready`,
//! `/metrics`, `/admin/backup` (admin key only), and the embedded, offline GraphiQL playground at `/`; with request logs and
//! ids, a request timeout, optional CORS, and per-client rate limiting of `/graphql`.
//!
//! Invariant: the only module that knows poem. It holds no business logic: it turns HTTP
//! requests into GraphQL requests and GraphQL responses into HTTP responses.

mod admin;
mod cache;
mod cors;
mod deadline;
mod graphql;
mod metrics;
mod observe;
mod playground;
mod rate_limit;
mod timeout;
pub(crate) use deadline::QuietConnectionsClose;

use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{get, handler, Endpoint, EndpointExt, IntoResponse, Response, Route};

use crate::config::Config;
use crate::graphql::{Api, WriteLock};
use crate::search::SearchIndex;
use crate::store::Store;

/// The largest request body accepted, in bytes; enforced while reading, whatever
/// `Content-Length` claims.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

/// The response cache's default byte budget: request plus response bytes of every entry.
pub(crate) const DEFAULT_RESPONSE_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// The document cache's default size, in parsed queries.
pub(crate) const DEFAULT_DOCUMENT_CACHE_ENTRIES: u64 = 1_000;

/// What every handler shares: one `Arc`, so that poem's `AddData` clones a single pointer
/// into each request (cloning the fields one by one cost about 540 instructions per request,
/// measured with callgrind).
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

/// The contents of [`AppState`].
pub(crate) struct Shared {
    pub(crate) api: Api,
    /// The schema's write lock, which a backup holds while it reads the store.
    write_lock: WriteLock,
    pub(crate) store: Arc<Store>,
    search_index: Arc<SearchIndex>,
    metrics: Arc<metrics::Metrics>,
    /// `None` when disabled (a budget of 0 bytes).
    responses: Option<Arc<cache::ResponseCache>>,
    /// `None` when disabled (0 entries).
    documents: Option<Arc<cache::DocumentCache>>,
    /// Automatic persisted queries, by SHA-256.
    persisted: Arc<cache::PersistedQueries>,
}

impl AppState {
    pub(crate) fn new(
        api: Api,
        write_lock: WriteLock,
        store: Arc<Store>,
        search_index: Arc<SearchIndex>,
        response_cache_bytes: u64,
        document_cache_entries: u64,
    ) -> Self {
        Self(Arc::new(Shared {
            api,
            write_lock,
            store,
            search_index,
            metrics: Arc::new(metrics::Metrics::new()),
            responses: cache::ResponseCache::new(response_cache_bytes).map(Arc::new),
            documents: cache::DocumentCache::new(document_cache_entries).map(Arc::new),
            persisted: Arc::new(cache::PersistedQueries::new()),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Every route of the server, with the middleware `config` asks for.
pub(crate) fn routes(state: AppState, config: &Config) -> impl Endpoint {
    let metrics = state.metrics.clone();
    let rate_limit = rate_limit::RateLimit::new(
        config.rate_limit_per_second,
        config.rate_limit_burst,
        config.rate_limit_loopback,
        state.store.clone(),
        metrics.clone(),
    );
    let cors = cors::AllowList::new(&config.cors_origins);
    let graphql = graphql::GraphqlEndpoint::new(state.clone()).with(&rate_limit);
    let others = Route::new()
        .at("/", playground::index())
        .nest("/playground", playground::assets())
        .at("/health", get(health))
        .at("/ready", get(ready))
        .at("/metrics", get(metrics::metrics))
        .at("/admin/backup", get(admin::backup));
    // MCP: `/mcp` and the `/records/:id` pages its tools link to, rate-limited with
    // `/graphql`'s limiter (shared budget) and inside the same timeout, CORS and logging layers.
    let others = if config.mcp == crate::config::Switch::On {
        use poem::endpoint::TowerCompatExt;
        let mcp = crate::mcp::Mcp::new(
            state.api.clone(),
            &crate::mcp::Options::from_config(config, MAX_BODY_BYTES),
        );
        others
            .at("/mcp", mcp.transport().compat().with(&rate_limit))
            .at("/records/:id", mcp.pages().compat().with(&rate_limit))
    } else {
        others
    };
    let others = others.data(state);
    GraphqlFirst { graphql, others }
        .with(timeout::Timeout::new(Duration::from_secs(
            config.request_timeout_secs,
        )))
        .with(cors)
        .with(observe::Observe::new(metrics))
}

/// Sends `/graphql` straight to its endpoint and every other path to poem's router.
///
/// `/graphql` carries nearly all the traffic, and poem's `Route` costs each request it
/// routes a boxed future and a `PathPattern` copied into both the request's and the
/// response's extensions (about 1,000 instructions of a 33,000-instruction cached answer,
/// measured with callgrind). The match is exact, as the router's is: `/graphql/` is not it.
struct GraphqlFirst<G, O> {
    graphql: G,
    others: O,
}

impl<G: Endpoint, O: Endpoint> Endpoint for GraphqlFirst<G, O> {
    type Output = Response;

    async fn call(&self, request: poem::Request) -> poem::Result<Response> {
        // Boxed: held by value, these futures would be copied whole by every layer above.
        if request.uri().path() == "/graphql" {
            Box::pin(self.graphql.call(request))
                .await
                .map(IntoResponse::into_response)
        } else {
            Box::pin(self.others.call(request))
                .await
                .map(IntoResponse::into_response)
        }
    }
}

/// A GraphQL-shaped error answer from outside GraphQL execution (timeouts, rate limits):
/// `{"errors":[{"message":...,"extensions":{"code":...}}]}`.
pub(crate) fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    });
    let mut response = Json(body).into_response();
    response.set_status(status);
    response
}

/// Readiness: the store is open (and answers), the seed is loaded and the search index is
/// built. `start` does all three before it binds, so a server that answers is ready; the
/// data version is still read to prove the store answers.
#[handler]
fn ready(Data(state): Data<&AppState>) -> Response {
    match state.store.data_version() {
        Ok(data_version) => Json(serde_json::json!({
            "status": "ready",
            "dataVersion": data_version,
            "searchDocuments": state.search_index.len(),
        }))
        .into_response(),
        Err(error) => {
            tracing::error!(%error, "readiness check could not read the store");
            let mut response = Json(serde_json::json!({
                "status": "unavailable",
                "reason": "the store does not answer",
            }))
            .into_response();
            response.set_status(StatusCode::SERVICE_UNAVAILABLE);
            response
        }
    }
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
