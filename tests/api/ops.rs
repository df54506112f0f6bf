//! Production hardening: readiness, metrics, request ids, CORS and rate limiting.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with};

const QUERY: &str = "{ organisations(kind: REGION) { totalCount } }";

#[tokio::test]
async fn ready_answers_200_with_the_data_version_and_the_search_documents() {
    let app = spawn_app().await;

    let response = app.get("/ready").await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(
        body["dataVersion"].as_u64(),
        Some(app.app.store().data_version().unwrap())
    );
    assert!(
        body["searchDocuments"].as_u64().unwrap() > 0,
        "the index holds the seed: {body}"
    );
}

#[tokio::test]
async fn every_response_carries_a_distinct_request_id() {
    let app = spawn_app().await;
    let id = |path: &'static str| {
        let app = &app;
        async move {
            let response = app
                .client
                .get(format!("{}{path}", app.address))
                .send()
                .await
                .unwrap();
            response.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };

    let first = id("/health").await;
    let second = id("/health").await;
    let missing = id("/no-such-path").await;

    assert!(!first.is_empty());
    assert_ne!(first, second);
    assert_ne!(second, missing);
}

#[tokio::test]
async fn metrics_answer_in_the_prometheus_text_format_and_count_requests() {
    let app = spawn_app().await;
    app.graphql(QUERY).await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = response.text().await.unwrap();
    assert!(
        text.contains(r#"http_requests_total{route="/graphql",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_request_duration_seconds_count{route="/graphql"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"graphql_requests_total{operation_type="query",outcome="ok"} 1"#),
        "{text}"
    );
    assert!(text.contains("rate_limited_total 0"), "{text}");
    let store_size = text
        .lines()
        .find_map(|line| line.strip_prefix("store_size_bytes "))
        .expect("a store_size_bytes sample");
    assert!(store_size.parse::<u64>().unwrap() > 0, "{text}");
}

#[tokio::test]
async fn by_default_any_origin_may_read_and_preflights_are_answered_on_every_route() {
    let app = spawn_app().await;
    let preflight = |path: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}{path}", app.address))
            .header("origin", "https://app.example")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, apollographql-client-name, apollographql-client-version, apollo-require-preflight, x-request-id, authorization",
            )
            .send()
    };

    let graphql_preflight = preflight("/graphql").await.unwrap();
    let health_preflight = preflight("/health").await.unwrap();
    let read = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", QUERY)])
        .header("origin", "https://app.example")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();

    for response in [&graphql_preflight, &health_preflight] {
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "https://app.example"
        );
    }
    let allowed = graphql_preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in [
        "apollo-require-preflight",
        "apollographql-client-name",
        "authorization",
    ] {
        assert!(allowed.contains(header), "{header} not in {allowed}");
    }
    assert_eq!(read.status(), 200);
    assert_eq!(
        read.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let exposed = read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in ["x-request-id", "etag", "x-cache"] {
        assert!(exposed.contains(header), "{header} not in {exposed}");
    }
    assert!(read
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
}

#[tokio::test]
async fn an_allowed_origin_gets_cors_headers_and_another_does_not() {
    let app = spawn_app_with(|config| {
        config.cors_origins = vec!["https://allowed.example".to_owned()];
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let post = |origin: &'static str| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("accept", "application/json")
            .json(&json!({ "query": QUERY }))
            .send()
    };

    let allowed_preflight = preflight("https://allowed.example").await.unwrap();
    let allowed = post("https://allowed.example").await.unwrap();
    let other_preflight = preflight("https://other.example").await.unwrap();
    let other = post("https://other.example").await.unwrap();

    assert_eq!(allowed_preflight.status(), 200);
    assert_eq!(
        allowed_preflight.headers()["access-control-allow-origin"],
        "https://allowed.example"
    );
    assert_eq!(allowed_preflight.headers()["access-control-max-age"], "600");
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://allowed.example"
    );
    assert!(other_preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_eq!(
        other.status(),
        200,
        "a disallowed origin is answered, without CORS headers: the browser withholds it"
    );
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_client_over_its_burst_gets_429_with_retry_after() {
    let app = spawn_app_with(|config| {
        config.rate_limit_per_second = 1;
        config.rate_limit_burst = 3;
        config.rate_limit_loopback = true;
    })
    .await;
    let send = || {
        app.client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", QUERY)])
            .header("accept", "application/json")
            .send()
    };

    // Three pass at once; the next is refused (unless the machine is so slow that a second
    // has passed, which refills one: then a later one is).
    let mut passed = 0;
    let refused = loop {
        let response = send().await.unwrap();
        if response.status() != 200 {
            break response;
        }
        passed += 1;
        assert!(passed < 20, "the limiter never refused");
    };
    assert!(passed >= 3, "the burst of 3 passes: {passed}");
    let health = app.get("/health").await;

    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1, "{retry_after}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert!(body["errors"][0]["message"].is_string());
    assert_eq!(health.status(), 200, "only /graphql is rate limited");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("rate_limited_total 1"), "{metrics}");
}

#[tokio::test]
async fn a_star_allows_any_origin_without_credentials() {
    let app = spawn_app_with(|config| config.cors_origins = vec!["*".to_owned()]).await;

    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", QUERY)])
        .header("origin", "https://anywhere.example")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_some());
    assert!(response
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
}

#[tokio::test]
async fn loopback_clients_are_not_rate_limited_unless_asked() {
    let app = spawn_app_with(|config| {
        config.rate_limit_per_second = 1;
        config.rate_limit_burst = 3;
    })
    .await;

    let mut statuses = Vec::new();
    for _ in 0..10 {
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", QUERY)])
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }

    assert_eq!(
        statuses, [200; 10],
        "a load test on the same machine is not throttled"
    );
}
