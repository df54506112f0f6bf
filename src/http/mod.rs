//! The HTTP adapter (poem): `/graphql` (GET and POST, GraphQL over HTTP), `/health`, `/ready`,
//! `/metrics`, `/admin/backup`, `/admin/keys` and `/admin/partners` (admin key only), and the embedded, offline GraphiQL playground at `/`; with request logs and
//! ids, a request timeout, optional CORS, and per-client rate limiting of `/graphql`.
//!
//! Invariant: the only module that knows poem. It holds no business logic: it turns HTTP
//! requests into GraphQL requests and GraphQL responses into HTTP responses.

mod admin;
mod cache;
mod cors;
mod deadline;
mod graphql;
mod mcp;
mod metrics;
mod observe;
mod operators;
mod playground;
mod rate_limit;
mod server;
mod timeout;
use deadline::QuietConnectionsClose;
pub(crate) use server::serve;

use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{get, handler, Endpoint, EndpointExt, IntoResponse, Response, Route};

use crate::config::Config;
use crate::error_code::{error_bytes, ErrorCode, MediaType};
use crate::graphql::Api;

/// The largest request body accepted, in bytes; enforced while reading, whatever
/// `Content-Length` claims.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;

/// What every handler shares: one `Arc`, so that poem's `AddData` clones a single pointer
/// into each request (cloning the fields one by one cost about 540 instructions per request,
/// measured with callgrind).
#[derive(Clone)]
struct AppState(Arc<Shared>);

/// The contents of [`AppState`].
pub(crate) struct Shared {
    pub(crate) api: Api,
    metrics: Arc<crate::telemetry::metrics::Metrics>,
    /// `None` when disabled (a budget of 0 bytes).
    responses: Option<Arc<cache::ResponseCache>>,
    rate_limit: rate_limit::RateLimit,
}

impl AppState {
    /// Who `headers` authenticate as: the one place the transport reads `Authorization`,
    /// once per request (the rate limit and the handler share the answer).
    pub(crate) fn caller(&self, headers: &poem::http::HeaderMap) -> crate::graphql::Caller {
        match headers.get(poem::http::header::AUTHORIZATION) {
            None => crate::graphql::Caller::Anonymous,
            Some(value) => self
                .api
                .authenticate(Some(value.to_str().unwrap_or("invalid"))),
        }
    }

    pub(crate) fn new(api: Api, config: &Config) -> Self {
        let metrics = Arc::new(crate::telemetry::metrics::Metrics::new());
        Self(Arc::new(Shared {
            api,
            rate_limit: rate_limit::RateLimit::new(
                config.rate_limit_per_second,
                config.rate_limit_burst,
                config.rate_limit_loopback,
                metrics.clone(),
            ),
            metrics,
            responses: cache::ResponseCache::new(config.response_cache_bytes).map(Arc::new),
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
fn routes(state: AppState, config: &Config) -> impl Endpoint {
    let metrics = state.metrics.clone();
    let cors = cors::AllowList::new(&config.cors_origins);
    let graphql = graphql::GraphqlEndpoint::new(state.clone());
    let others = Route::new()
        .at("/", playground::index())
        .nest("/playground", playground::assets())
        .at("/health", get(health))
        .at("/ready", get(ready))
        .at("/metrics", get(metrics::metrics))
        .at("/admin/backup", get(admin::backup))
        .at(
            "/admin/keys",
            get(operators::list_keys).post(operators::issue_key),
        )
        .at("/admin/keys/:id", poem::delete(operators::revoke_key))
        .at("/admin/partners", poem::post(operators::add_partner));
    // MCP: `/mcp` and the `/records/:id` pages its tools link to, rate-limited with
    // `/graphql`'s limiter (shared budget) and inside the same timeout, CORS and logging layers.
    let others = if config.mcp == crate::config::Switch::On {
        mcp::mount(others, &state, config)
    } else {
        others
    };
    let others = others.data(state);
    GraphqlFirst { graphql, others }
        .with(timeout::Timeout::new(Duration::from_secs(
            config.request_timeout_secs,
        )))
        .with(cors)
        .with(observe::Observe::new(metrics, config.access_log))
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

/// A GraphQL-shaped error answer from outside GraphQL execution (timeouts, rate limits),
/// as `application/json` with the status the code's table entry gives.
fn error_response(code: ErrorCode, message: &str) -> Response {
    Response::builder()
        .status(status_of(code))
        .content_type("application/json; charset=utf-8")
        .body(error_bytes(code, message, None))
}

/// The status the table gives `code` for a plain JSON answer.
fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.status(MediaType::Json)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The refusal of an admin route (`/admin/*`), never stored by a cache: 401 asks for a
/// bearer key (`WWW-Authenticate`), and an internal failure is logged, its message masked.
fn admin_refusal(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    if code == ErrorCode::Internal {
        tracing::error!(error = %message, "an admin request failed");
    }
    let mut response = Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .header(poem::http::header::CACHE_CONTROL, "no-store")
        .body(error_bytes(code, message, None));
    if code == ErrorCode::Unauthenticated {
        response.headers_mut().insert(
            poem::http::header::WWW_AUTHENTICATE,
            poem::http::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

/// Readiness: the store is open (and answers), the seed is loaded and the search index is
/// built. `start` does all three before it binds, so a server that answers is ready; the
/// data version is still read to prove the store answers.
#[handler]
fn ready(Data(state): Data<&AppState>) -> Response {
    match state.api.readiness() {
        Ok(readiness) => Json(serde_json::json!({
            "status": "ready",
            "dataVersion": readiness.data_version,
            "searchDocuments": readiness.search_documents,
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

/// The storage backend's status as `/health` shows it.
fn store_status(status: &crate::graphql::BackendStatus) -> serde_json::Value {
    serde_json::json!({
        "backend": status.backend,
        "reachable": status.reachable,
        "poolSize": status.pool_size,
        "poolIdle": status.pool_idle,
        "dataVersionLag": status.data_version_lag,
    })
}

/// Liveness: answers when the server runs and its store is open.
#[handler]
fn health(
    poem::web::Data(state): poem::web::Data<&AppState>,
) -> poem::Result<Json<serde_json::Value>> {
    let data_version = state.api.data_version().map_err(|error| {
        tracing::error!(%error, "health check could not read the store");
        poem::Error::from_status(poem::http::StatusCode::SERVICE_UNAVAILABLE)
    })?;
    Ok(Json(serde_json::json!({
        "status": "ok",
        "dataVersion": data_version,
        "store": store_status(&state.api.backend_status()),
        "cache": state.responses.as_ref().map(|cache| cache.stats()),
    })))
}
