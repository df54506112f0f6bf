//! One structured log line per request, with a request id that is also returned in the
//! `x-request-id` header, and the HTTP metrics. Replaces poem's `Tracing` middleware.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use super::metrics::{route_label, Metrics};

/// The response header carrying the request id.
pub(crate) const REQUEST_ID: &str = "x-request-id";

/// Logs and counts every request.
pub(crate) struct Observe {
    metrics: Arc<Metrics>,
    /// A random prefix per server, so ids from several instances do not collide.
    prefix: u32,
    next: Arc<AtomicU64>,
}

impl Observe {
    pub(crate) fn new(metrics: Arc<Metrics>) -> Self {
        let mut bytes = [0u8; 4];
        if let Err(error) = getrandom::getrandom(&mut bytes) {
            tracing::warn!(%error, "no randomness for request ids; they start at 0");
        }
        Self {
            metrics,
            prefix: u32::from_le_bytes(bytes),
            next: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl<E: Endpoint> Middleware<E> for Observe {
    type Output = ObserveEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        ObserveEndpoint {
            inner,
            metrics: self.metrics.clone(),
            prefix: self.prefix,
            next: self.next.clone(),
        }
    }
}

pub(crate) struct ObserveEndpoint<E> {
    inner: E,
    metrics: Arc<Metrics>,
    prefix: u32,
    next: Arc<AtomicU64>,
}

impl<E: Endpoint> Endpoint for ObserveEndpoint<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> Result<Response> {
        let started = Instant::now();
        let request_id = format!(
            "{:08x}-{:x}",
            self.prefix,
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        let method = request.method().clone();
        // The route, not the raw path: bounded label values, and no copy of the path.
        let route = route_label(request.uri().path());
        // Only paths outside the routes are copied for the log.
        let other_path = (route == "other").then(|| request.uri().path().to_owned());
        let mut response = match self.inner.call(request).await {
            Ok(response) => response.into_response(),
            Err(error) => error.into_response(),
        };
        let elapsed = started.elapsed();
        let status = response.status();
        self.metrics.observe(route, status, elapsed);
        tracing::info!(
            request_id = %request_id,
            method = method.as_str(),
            path = other_path.as_deref().unwrap_or(route),
            status = status.as_u16(),
            duration_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            "request"
        );
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert(REQUEST_ID, value);
        }
        Ok(response)
    }
}
