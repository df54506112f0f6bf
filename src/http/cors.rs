//! CORS, with poem's `Cors` middleware around every route, so preflights are answered on all
//! of them. By default any origin may read (never with credentials: reads are public and
//! writes need an API key, which a page must hold itself); `--cors-origins` restricts it to
//! a list.
//!
//! A request from an origin not on the list passes through untouched, without CORS headers:
//! the browser then keeps the answer from the page. (poem's `Cors` would answer 403, which
//! would also break the same-origin playground, whose POSTs carry an `Origin`.)

use std::sync::Arc;

use poem::http::{header, HeaderValue, Method};
use poem::middleware::{Cors, CorsEndpoint};
use poem::{Endpoint, EndpointExt, IntoResponse, Middleware, Request, Response, Result};

/// The request headers a page may send: what GraphQL clients send (Apollo Client's name,
/// version and CSRF-preflight headers among them), a request id to correlate logs, and what
/// a browser MCP client (the MCP Inspector) sends to `/mcp`.
const ALLOWED_HEADERS: [&str; 10] = [
    "authorization",
    "content-type",
    "accept",
    "x-request-id",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "mcp-session-id",
    "mcp-protocol-version",
    "last-event-id",
];

/// The response headers a page's script may read (`mcp-session-id`: a browser MCP client
/// must read its session to send it back).
const EXPOSED_HEADERS: [&str; 4] = ["x-request-id", "etag", "x-cache", "mcp-session-id"];

/// Which origins may read the API from a browser.
#[derive(Debug, Clone)]
pub(crate) enum AllowList {
    Any,
    Origins(Vec<HeaderValue>),
}

impl AllowList {
    /// [`AllowList::Any`] when `origins` is empty or holds `*`. Origins that are not valid
    /// header values are logged and left out.
    pub(crate) fn new(origins: &[String]) -> Self {
        let origins: Vec<&str> = origins
            .iter()
            .map(|origin| origin.trim().trim_end_matches('/'))
            .filter(|origin| !origin.is_empty())
            .collect();
        if origins.is_empty() || origins.contains(&"*") {
            return Self::Any;
        }
        let valid = origins
            .into_iter()
            .filter_map(|origin| match HeaderValue::from_str(origin) {
                Ok(value) => Some(value),
                Err(_) => {
                    tracing::warn!(origin, "ignoring a CORS origin that is not a header value");
                    None
                }
            })
            .collect();
        Self::Origins(valid)
    }

    fn allows(&self, origin: &HeaderValue) -> bool {
        match self {
            Self::Any => true,
            Self::Origins(origins) => origins.contains(origin),
        }
    }

    fn cors(&self) -> Cors {
        let cors = Cors::new()
            .allow_methods([Method::GET, Method::POST])
            .allow_headers(ALLOWED_HEADERS)
            .expose_headers(EXPOSED_HEADERS)
            .allow_credentials(false)
            .max_age(600);
        match self {
            // No `allow_origin`: poem then allows any origin.
            Self::Any => cors,
            Self::Origins(origins) => cors.allow_origins(origins.clone()),
        }
    }
}

impl<E: Endpoint + 'static> Middleware<E> for AllowList {
    type Output = AllowListEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        let inner = Arc::new(inner);
        AllowListEndpoint {
            with_cors: inner.clone().with(self.cors()),
            without: inner,
            list: self.clone(),
        }
    }
}

pub(crate) struct AllowListEndpoint<E> {
    with_cors: CorsEndpoint<Arc<E>>,
    without: Arc<E>,
    list: AllowList,
}

impl<E: Endpoint> Endpoint for AllowListEndpoint<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> Result<Response> {
        match request.headers().get(header::ORIGIN) {
            Some(origin) if self.list.allows(origin) => self
                .with_cors
                .call(request)
                .await
                .map(IntoResponse::into_response),
            _ => self
                .without
                .call(request)
                .await
                .map(IntoResponse::into_response),
        }
    }
}
