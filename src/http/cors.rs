//! CORS from an allow-list (`--cors-origins`), with poem's `Cors` middleware.
//!
//! A request from an origin not on the list passes through untouched, without CORS headers:
//! the browser then keeps the answer from the page. (poem's `Cors` would answer 403, which
//! would also break the same-origin playground, whose POSTs carry an `Origin`.) `*` allows
//! any origin, never with credentials; reads are public anyway and writes need an API key.

use std::sync::Arc;

use poem::http::{header, HeaderValue, Method};
use poem::middleware::{Cors, CorsEndpoint};
use poem::{Endpoint, EndpointExt, IntoResponse, Middleware, Request, Response, Result};

/// Which origins may read the API from a browser.
#[derive(Debug, Clone)]
pub(crate) enum AllowList {
    /// No CORS: no headers at all.
    Disabled,
    Any,
    Origins(Vec<HeaderValue>),
}

impl AllowList {
    /// [`AllowList::Disabled`] when `origins` is empty. Origins that are not valid header
    /// values are logged and left out.
    pub(crate) fn new(origins: &[String]) -> Self {
        let origins: Vec<&str> = origins
            .iter()
            .map(|origin| origin.trim().trim_end_matches('/'))
            .filter(|origin| !origin.is_empty())
            .collect();
        if origins.is_empty() {
            return Self::Disabled;
        }
        if origins.contains(&"*") {
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
            Self::Disabled => false,
            Self::Any => true,
            Self::Origins(origins) => origins.contains(origin),
        }
    }

    fn cors(&self) -> Cors {
        let cors = Cors::new()
            .allow_methods([Method::GET, Method::POST])
            .allow_headers(["content-type", "authorization", "accept"])
            .allow_credentials(false)
            .max_age(600);
        match self {
            // No `allow_origin`: poem then allows any origin. (Disabled never gets here.)
            Self::Disabled | Self::Any => cors,
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
        let origin = match self.list {
            AllowList::Disabled => None,
            _ => request.headers().get(header::ORIGIN),
        };
        match origin {
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
