//! The server's metrics, in a Prometheus registry of its own (so several servers in one
//! process, as in the tests, count separately): HTTP answers by route and status, GraphQL
//! operations by type and outcome, rate-limit refusals and the store's size. Transports count
//! into it; `GET /metrics` renders it.

use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The server's counters, histograms and gauges.
pub(crate) struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    graphql_requests: IntCounterVec,
    rate_limited: IntCounter,
    store_size: IntGauge,
    store_backend: IntGaugeVec,
    store_reachable: IntGauge,
    store_pool: IntGaugeVec,
    store_lag: IntGauge,
    /// The series nearly every request lands in, resolved once: looking a label set up
    /// hashes the values and takes a lock, on every request.
    common: CommonSeries,
}

/// `/graphql` answered 200, and a query answered whole.
struct CommonSeries {
    graphql_ok: IntCounter,
    graphql_duration: Histogram,
    query_ok: IntCounter,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route and status",
            ),
            &["route", "status"],
        )
        .expect("a valid metric");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request, by route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0, 30.0,
            ]),
            &["route"],
        )
        .expect("a valid metric");
        let graphql_requests = IntCounterVec::new(
            Opts::new(
                "graphql_requests_total",
                "GraphQL requests executed or answered from the response cache, by operation \
                 type and outcome (ok, field_error, request_error)",
            ),
            &["operation_type", "outcome"],
        )
        .expect("a valid metric");
        let rate_limited = IntCounter::new(
            "rate_limited_total",
            "Requests refused with 429 by the rate limiter",
        )
        .expect("a valid metric");
        let store_size = IntGauge::new(
            "store_size_bytes",
            "Size of the sled store on disk, read at each scrape",
        )
        .expect("a valid metric");
        let store_backend = IntGaugeVec::new(
            Opts::new(
                "store_backend_info",
                "The storage backend (label `backend`: sled or postgres), always 1",
            ),
            &["backend"],
        )
        .expect("a valid metric");
        let store_reachable = IntGauge::new(
            "store_reachable",
            "1 while the store's database answered its last contact, else 0",
        )
        .expect("a valid metric");
        let store_pool = IntGaugeVec::new(
            Opts::new(
                "store_pool_connections",
                "Database connections the pool holds (label `state`: total or idle; 0 for sled)",
            ),
            &["state"],
        )
        .expect("a valid metric");
        let store_lag = IntGauge::new(
            "store_data_version_lag",
            "Data versions other processes committed that this one does not serve yet",
        )
        .expect("a valid metric");
        for collector in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(store_backend.clone()),
            Box::new(store_reachable.clone()),
            Box::new(store_pool.clone()),
            Box::new(store_lag.clone()),
            Box::new(http_duration.clone()),
            Box::new(graphql_requests.clone()),
            Box::new(rate_limited.clone()),
            Box::new(store_size.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric names are unique");
        }
        let common = CommonSeries {
            graphql_ok: http_requests.with_label_values(&["/graphql", "200"]),
            graphql_duration: http_duration.with_label_values(&["/graphql"]),
            query_ok: graphql_requests.with_label_values(&["query", "ok"]),
        };
        Self {
            common,
            registry,
            http_requests,
            http_duration,
            graphql_requests,
            rate_limited,
            store_size,
            store_backend,
            store_reachable,
            store_pool,
            store_lag,
        }
    }

    /// Counts an answered request. `route` must come from a fixed set (see `route_label`).
    pub(crate) fn observe(&self, route: &str, status: u16, elapsed: Duration) {
        if route == "/graphql" && status == 200 {
            self.common.graphql_ok.inc();
            self.common.graphql_duration.observe(elapsed.as_secs_f64());
            return;
        }
        self.http_requests
            .with_label_values(&[route, itoa::Buffer::new().format(status)])
            .inc();
        self.http_duration
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a GraphQL operation: `operation_type` is `query`, `mutation`, `subscription`
    /// or `unknown`; `outcome` is `ok`, `field_error` or `request_error`.
    pub(crate) fn graphql(&self, operation_type: &str, outcome: &str) {
        if (operation_type, outcome) == ("query", "ok") {
            self.common.query_ok.inc();
            return;
        }
        self.graphql_requests
            .with_label_values(&[operation_type, outcome])
            .inc();
    }

    pub(crate) fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// Records the store's size on disk, read at each scrape.
    pub(crate) fn set_store_size(&self, bytes: u64) {
        self.store_size
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    /// Records the storage backend's status, read at each scrape.
    pub(crate) fn set_store_status(
        &self,
        backend: &str,
        reachable: bool,
        pool_size: usize,
        pool_idle: usize,
        lag: u64,
    ) {
        self.store_backend.with_label_values(&[backend]).set(1);
        self.store_reachable.set(i64::from(reachable));
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.store_pool
            .with_label_values(&["total"])
            .set(gauge(pool_size));
        self.store_pool
            .with_label_values(&["idle"])
            .set(gauge(pool_idle));
        self.store_lag.set(i64::try_from(lag).unwrap_or(i64::MAX));
    }

    /// The Prometheus text exposition.
    pub(crate) fn render(&self) -> Result<String, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        Ok(String::from_utf8_lossy(&buffer).into_owned())
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, series: &str) -> Option<&'a str> {
        text.lines().find(|line| line.starts_with(series))
    }

    #[test]
    fn the_series_resolved_once_and_those_looked_up_count_in_the_same_exposition() {
        let counted = Metrics::new();
        counted.observe("/graphql", 200, Duration::from_millis(1));
        counted.observe("/graphql", 200, Duration::from_millis(1));
        counted.observe("/graphql", 400, Duration::from_millis(1));
        counted.observe("/health", 200, Duration::from_millis(1));
        counted.graphql("query", "ok");
        counted.graphql("query", "field_error");

        let text = counted.render().unwrap();
        for (series, value) in [
            (r#"http_requests_total{route="/graphql",status="200"}"#, "2"),
            (r#"http_requests_total{route="/graphql",status="400"}"#, "1"),
            (r#"http_requests_total{route="/health",status="200"}"#, "1"),
            (
                r#"http_request_duration_seconds_count{route="/graphql"}"#,
                "3",
            ),
            (
                r#"http_request_duration_seconds_count{route="/health"}"#,
                "1",
            ),
            (
                r#"graphql_requests_total{operation_type="query",outcome="ok"}"#,
                "1",
            ),
            (
                r#"graphql_requests_total{operation_type="query",outcome="field_error"}"#,
                "1",
            ),
        ] {
            assert_eq!(
                line(&text, series).and_then(|line| line.rsplit(' ').next()),
                Some(value),
                "{series} in\n{text}"
            );
        }
    }
}
