//! One structured log line per request, with a request id that is also returned in the
//! `x-request-id` header, and the HTTP metrics. Replaces poem's `Tracing` middleware.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use poem::http::{HeaderName, HeaderValue};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use super::metrics::{route_label, Metrics};

/// The response header carrying the request id.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

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
        let request_id = request_id(self.prefix, self.next.fetch_add(1, Ordering::Relaxed));
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
            request_id = %request_id.to_str().unwrap_or_default(),
            method = method.as_str(),
            path = other_path.as_deref().unwrap_or(route),
            status = status.as_u16(),
            duration_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            "request"
        );
        response.headers_mut().insert(REQUEST_ID, request_id);
        Ok(response)
    }
}

/// `{prefix:08x}-{serial:x}`, written without `format!`: it is built for every request.
fn request_id(prefix: u32, serial: u64) -> HeaderValue {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = [0u8; 8 + 1 + 16];
    for (position, slot) in id[..8].iter_mut().enumerate() {
        *slot = HEX[(prefix >> (28 - 4 * position)) as usize & 0xf];
    }
    id[8] = b'-';
    let digits = (64 - serial.leading_zeros()).div_ceil(4).max(1) as usize;
    for position in 0..digits {
        id[9 + position] = HEX[(serial >> (4 * (digits - 1 - position))) as usize & 0xf];
    }
    HeaderValue::from_bytes(&id[..9 + digits]).expect("hex digits and a hyphen are a header value")
}

#[cfg(test)]
mod tests {
    use super::request_id;

    #[test]
    fn request_ids_are_the_prefix_and_the_serial_in_hexadecimal() {
        for (prefix, serial) in [
            (0x1ad2_3b0c, 0),
            (0xf, 0x1f),
            (0, 1 << 60),
            (u32::MAX, u64::MAX),
        ] {
            assert_eq!(
                request_id(prefix, serial).to_str().unwrap(),
                format!("{prefix:08x}-{serial:x}")
            );
        }
    }
}
