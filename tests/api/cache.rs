//! The response cache: repeated queries are answered from it, byte for byte; anything else
//! is not.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, GRAPHQL_RESPONSE_JSON};

const QUERY: &str =
    r#"{ organisation(code: "QWE") { name children(kind: TRUST, first: 5) { totalCount } } }"#;

/// POSTs `body` with `accept`; returns the status, the `x-cache` header and the raw bytes.
async fn post(app: &TestApp, accept: &str, body: &Value) -> (u16, String, String, Vec<u8>) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", accept)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (x_cache, content_type) = (header("x-cache"), header("content-type"));
    let bytes = response.bytes().await.unwrap().to_vec();
    (status, x_cache, content_type, bytes)
}

/// Renames Coventry's physiotherapy course to "Renamed" with a Coventry key: a partner write
/// that bumps the data version. Returns the mutation's answer.
async fn rename_physiotherapy_course(app: &TestApp) -> Value {
    let key = nhs_leadership_graph::api_keys::issue(app.app.store(), Some("COVENTRY"), None)
        .unwrap()
        .token;
    app.client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&key)
        .json(&json!({ "query": r#"mutation { updateCourse(code: "coventry-pg-physiotherapy", patch: { title: "Renamed" }) { course { title } } }"# }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_repeated_query_is_a_hit_with_identical_bytes() {
    let app = spawn_app().await;
    let body = json!({ "query": QUERY });

    let first = post(&app, "application/json", &body).await;
    let second = post(&app, "application/json", &body).await;

    assert_eq!((first.0, first.1.as_str()), (200, "miss"));
    assert_eq!((second.0, second.1.as_str()), (200, "hit"));
    assert_eq!(first.2, second.2);
    assert_eq!(first.3, second.3);
    let cache = &app.get_json("/health").await["cache"];
    assert_eq!(cache["hits"], 1);
    assert_eq!(cache["misses"], 1);
    assert_eq!(cache["entries"], 1);
    assert!(cache["weightedSize"].as_u64().unwrap() > first.3.len() as u64);
}

#[tokio::test]
async fn a_different_query_is_a_miss() {
    let app = spawn_app().await;
    post(&app, "application/json", &json!({ "query": QUERY })).await;

    let other = post(
        &app,
        "application/json",
        &json!({ "query": r#"{ organisation(code: "QKS") { name } }"# }),
    )
    .await;

    assert_eq!((other.0, other.1.as_str()), (200, "miss"));
}

#[tokio::test]
async fn an_error_response_is_never_cached() {
    let app = spawn_app().await;
    let body = json!({ "query": r#"{ organisation(code: "NOPE") { name } }"# });

    for _ in 0..2 {
        let (status, x_cache, _, bytes) = post(&app, "application/json", &body).await;
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(status, 200);
        assert!(answer["errors"].is_array(), "{answer}");
        assert_eq!(x_cache, "miss");
    }
    let syntax_error = json!({ "query": "{ organisation(" });
    for _ in 0..2 {
        let (_, x_cache, _, _) = post(&app, GRAPHQL_RESPONSE_JSON, &syntax_error).await;
        assert_eq!(x_cache, "miss");
    }
    assert_eq!(app.get_json("/health").await["cache"]["entries"], 0);
}

#[tokio::test]
async fn another_accept_is_not_served_the_other_media_type() {
    let app = spawn_app().await;
    let body = json!({ "query": QUERY });

    let json_answer = post(&app, "application/json", &body).await;
    let graphql_answer = post(&app, GRAPHQL_RESPONSE_JSON, &body).await;
    let graphql_again = post(&app, GRAPHQL_RESPONSE_JSON, &body).await;

    assert_eq!(json_answer.1, "miss");
    assert!(json_answer.2.starts_with("application/json"));
    assert_eq!(graphql_answer.1, "miss");
    assert!(graphql_answer.2.starts_with(GRAPHQL_RESPONSE_JSON));
    assert_eq!(graphql_again.1, "hit");
    assert!(graphql_again.2.starts_with(GRAPHQL_RESPONSE_JSON));
}

#[tokio::test]
async fn get_requests_are_cached_by_their_query_string() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    let get = || async {
        let response = app
            .client
            .get(&url)
            .query(&[("query", QUERY)])
            .send()
            .await
            .unwrap();
        let x_cache = response.headers()["x-cache"].to_str().unwrap().to_owned();
        (x_cache, response.bytes().await.unwrap())
    };

    let first = get().await;
    let second = get().await;

    assert_eq!((first.0.as_str(), second.0.as_str()), ("miss", "hit"));
    assert_eq!(first.1, second.1);
}

#[tokio::test]
async fn after_a_write_no_stale_answer_is_served() {
    let app = spawn_app().await;
    let body = json!({ "query": r#"{ course(code: "coventry-pg-physiotherapy") { title } }"# });
    let before = post(&app, "application/json", &body).await;
    let cached = post(&app, "application/json", &body).await;
    let write = rename_physiotherapy_course(&app).await;

    let after = post(&app, "application/json", &body).await;

    assert_eq!(cached.1, "hit");
    assert!(write.get("errors").is_none(), "{write}");
    assert_eq!(after.1, "miss", "the write bumped the data version");
    assert_ne!(before.3, after.3);
    let after: Value = serde_json::from_slice(&after.3).unwrap();
    assert_eq!(after["data"], json!({ "course": { "title": "Renamed" } }));
}

#[tokio::test]
async fn authenticated_requests_are_never_answered_from_the_shared_cache() {
    let app = spawn_app().await;
    let key = nhs_leadership_graph::api_keys::issue(app.app.store(), Some("COVENTRY"), None)
        .unwrap()
        .token;
    let send = || {
        app.client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&key)
            .json(&json!({ "query": "{ auditTrail { sequence } }" }))
            .send()
    };

    let first = send().await.unwrap();
    let second = send().await.unwrap();

    assert!(first.headers().get("x-cache").is_none());
    assert!(second.headers().get("x-cache").is_none());
}

/// GETs `query` with `accept: application/json` and any `extra` headers.
async fn get(app: &TestApp, query: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", query)])
        .header("accept", "application/json");
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_get_answer_carries_an_etag_that_revalidates_until_the_data_changes() {
    let app = spawn_app().await;
    let query = r#"{ course(code: "coventry-pg-physiotherapy") { title } }"#;

    let first = get(&app, query, &[]).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(first.headers()["cache-control"], "public, no-cache");
    let revalidated = get(&app, query, &[("if-none-match", &etag)]).await;
    let other_tag = get(&app, query, &[("if-none-match", "\"stale\"")]).await;

    assert_eq!(revalidated.status(), 304);
    assert_eq!(revalidated.headers()["etag"], etag.as_str());
    assert!(revalidated.bytes().await.unwrap().is_empty());
    assert_eq!(other_tag.status(), 200);
    assert_eq!(other_tag.headers()["etag"], etag.as_str());

    let write = rename_physiotherapy_course(&app).await;
    assert!(write.get("errors").is_none(), "{write}");

    let after = get(&app, query, &[("if-none-match", &etag)]).await;
    assert_eq!(after.status(), 200, "the write changed the data version");
    assert_ne!(after.headers()["etag"], etag.as_str());
    let after: Value = after.json().await.unwrap();
    assert_eq!(after["data"]["course"]["title"], "Renamed");
}

#[tokio::test]
async fn errors_and_authenticated_answers_carry_no_etag() {
    let app = spawn_app().await;
    let error = get(
        &app,
        r#"{ course(code: "no-such-course") { title } nope }"#,
        &[],
    )
    .await;
    let key = nhs_leadership_graph::api_keys::issue(app.app.store(), Some("COVENTRY"), None)
        .unwrap()
        .token;
    let authorization = format!("Bearer {key}");
    let authenticated = get(
        &app,
        "{ organisations(kind: REGION) { totalCount } }",
        &[("authorization", &authorization)],
    )
    .await;

    assert!(error.headers().get("etag").is_none());
    assert_eq!(authenticated.status(), 200);
    assert!(authenticated.headers().get("etag").is_none());
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[tokio::test]
async fn a_persisted_query_is_registered_once_then_sent_by_its_hash() {
    let app = spawn_app().await;
    let query = "{ organisations(kind: REGION) { totalCount } }";
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(query) } });

    let unknown = app.graphql_with(json!({ "extensions": extensions })).await;
    let registered = app
        .graphql_with(json!({ "query": query, "extensions": extensions }))
        .await;
    let by_hash = app.graphql_with(json!({ "extensions": extensions })).await;
    let by_hash_over_get: Value = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("extensions", extensions.to_string())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    for answer in [registered, by_hash, by_hash_over_get] {
        assert_eq!(answer["data"]["organisations"]["totalCount"], 7, "{answer}");
    }
}

#[tokio::test]
async fn a_persisted_query_whose_hash_is_not_its_own_is_refused() {
    let app = spawn_app().await;
    let send = |extensions: Value| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("accept", GRAPHQL_RESPONSE_JSON)
            .json(&json!({ "query": "{ __typename }", "extensions": extensions }))
            .send()
    };

    let wrong_hash =
        send(json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex("{ other }") } }))
            .await
            .unwrap();
    let not_hex = send(json!({ "persistedQuery": { "version": 1, "sha256Hash": "xyz" } }))
        .await
        .unwrap();
    let wrong_version = send(
        json!({ "persistedQuery": { "version": 2, "sha256Hash": sha256_hex("{ __typename }") } }),
    )
    .await
    .unwrap();

    for response in [wrong_hash, not_hex, wrong_version] {
        assert_eq!(response.status(), 400);
        let answer: Value = response.json().await.unwrap();
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{answer}"
        );
    }
}
