//! A request id on every answer (`x-request-id`), the HTTP metrics of every request, and the
//! access log: one structured line per request, or, with `--access-log errors`, only for
//! answers that are not a success and for slow ones (over [`SLOW`]). Replaces poem's
//! `Tracing` middleware.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use poem::http::{HeaderName, HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use super::metrics::route_label;
use crate::config::AccessLog;
use crate::telemetry::metrics::Metrics;

/// An answer slower than this is logged even with `--access-log errors`.
pub(crate) const SLOW: std::time::Duration = std::time::Duration::from_secs(1);

/// The response header carrying the request id.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Logs and counts every request.
pub(crate) struct Observe {
    metrics: Arc<Metrics>,
    access_log: AccessLog,
    /// A random prefix per server, so ids from several instances do not collide.
    prefix: u32,
    next: Arc<AtomicU64>,
}

impl Observe {
    pub(crate) fn new(metrics: Arc<Metrics>, access_log: AccessLog) -> Self {
        let mut bytes = [0u8; 4];
        if let Err(error) = getrandom::getrandom(&mut bytes) {
            tracing::warn!(%error, "no randomness for request ids; they start at 0");
        }
        Self {
            metrics,
            access_log,
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
            access_log: self.access_log,
            prefix: self.prefix,
            next: self.next.clone(),
        }
    }
}

pub(crate) struct ObserveEndpoint<E> {
    inner: E,
    metrics: Arc<Metrics>,
    access_log: AccessLog,
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
        self.metrics.observe(route, status.as_u16(), elapsed);
        if logged(self.access_log, status, elapsed) {
            tracing::info!(
            request_id = %request_id.to_str().unwrap_or_default(),
            method = method.as_str(),
            path = other_path.as_deref().unwrap_or(route),
            status = status.as_u16(),
            duration_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            "request"
            );
        }
        response.headers_mut().insert(REQUEST_ID, request_id);
        Ok(response)
    }
}

/// Whether an answer gets an access-log line under `policy`.
fn logged(policy: AccessLog, status: StatusCode, elapsed: std::time::Duration) -> bool {
    match policy {
        AccessLog::All => true,
        AccessLog::Errors => {
            let success = status.is_success() || status == StatusCode::NOT_MODIFIED;
            !success || elapsed > SLOW
        }
        AccessLog::Off => false,
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
    use super::*;

    #[test]
    fn errors_only_logs_failures_and_slow_answers() {
        let fast = std::time::Duration::from_millis(3);
        let slow = SLOW + std::time::Duration::from_millis(1);
        let errors = |status: u16, elapsed| {
            logged(
                AccessLog::Errors,
                StatusCode::from_u16(status).unwrap(),
                elapsed,
            )
        };

        assert!(!errors(200, fast) && !errors(304, fast));
        assert!(errors(400, fast) && errors(429, fast) && errors(503, fast));
        assert!(errors(200, slow));
        assert!(logged(AccessLog::All, StatusCode::OK, fast));
        assert!(!logged(
            AccessLog::Off,
            StatusCode::INTERNAL_SERVER_ERROR,
            slow
        ));
    }

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
