//! Per-client rate limiting of `/graphql` (governor's keyed GCRA limiter).
//!
//! A client is its API key when the request carries a valid `Authorization: Bearer` key,
//! else its IP address. A key is only trusted once verified, so made-up key ids can neither
//! dodge the per-IP limit nor spend a partner's budget. Over the limit the answer is 429
//! `RATE_LIMITED` with `Retry-After`.
//!
//! Clients on loopback are not limited unless `--rate-limit-loopback` says so: local health
//! checks, sidecars and load tests on the same machine are not throttled.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use poem::http::{header, HeaderValue};
use poem::{Request, Response};

use crate::error_code::ErrorCode;
use crate::graphql::Caller;

use crate::telemetry::metrics::Metrics;

/// Forget idle clients every this many checks, so memory stays bounded.
const RETAIN_EVERY: u64 = 1024;

/// Who a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Client {
    Key(String),
    Ip(String),
}

/// The shared limiter; passes everything through when disabled.
pub(crate) struct RateLimit {
    shared: Option<Arc<Shared>>,
}

struct Shared {
    limiter: DefaultKeyedRateLimiter<Client>,
    clock: DefaultClock,
    checks: AtomicU64,
    /// Whether loopback clients are limited too.
    limit_loopback: bool,
    metrics: Arc<Metrics>,
}

impl RateLimit {
    /// `per_second` requests a second with bursts of `burst`; disabled when either is 0.
    pub(crate) fn new(
        per_second: u32,
        burst: u32,
        limit_loopback: bool,
        metrics: Arc<Metrics>,
    ) -> Self {
        let quota = NonZeroU32::new(per_second)
            .zip(NonZeroU32::new(burst))
            .map(|(per_second, burst)| Quota::per_second(per_second).allow_burst(burst));
        let shared = quota.map(|quota| {
            let limiter = DefaultKeyedRateLimiter::keyed(quota);
            Arc::new(Shared {
                clock: limiter.clock().clone(),
                limiter,
                checks: AtomicU64::new(0),
                limit_loopback,
                metrics,
            })
        });
        Self { shared }
    }
}

impl RateLimit {
    /// `None` when `request` (from `caller`, authenticated once by the caller of this) may go
    /// on, else the 429 answer.
    pub(crate) fn check(&self, request: &Request, caller: &Caller) -> Option<Response> {
        self.shared.as_ref()?.check(request, caller)
    }
}

impl Shared {
    fn client(request: &Request, caller: &Caller) -> Client {
        if let Caller::Key(key) = caller {
            return Client::Key(key.id.clone());
        }
        let ip = request
            .remote_addr()
            .as_socket_addr()
            .map(|address| address.ip().to_string())
            .unwrap_or_else(|| request.remote_addr().to_string());
        Client::Ip(ip)
    }

    /// `None` when `request` may go on, else the 429 answer.
    fn check(&self, request: &Request, caller: &Caller) -> Option<Response> {
        let loopback = request
            .remote_addr()
            .as_socket_addr()
            .is_some_and(|address| address.ip().is_loopback());
        if loopback && !self.limit_loopback {
            return None;
        }
        if self.checks.fetch_add(1, Ordering::Relaxed) % RETAIN_EVERY == RETAIN_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let client = Self::client(request, caller);
        let not_until = self.limiter.check_key(&client).err()?;
        let wait = not_until.wait_time_from(self.clock.now());
        let retry_after = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        self.metrics.rate_limited();
        tracing::info!(?client, retry_after, "rate limited");
        let mut response = super::error_response(
            ErrorCode::RateLimited,
            &format!("too many requests: retry after {retry_after} s"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        Some(response)
    }
}
