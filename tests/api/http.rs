//! GraphQL over HTTP: media types, status codes and methods as the specification gives them.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, GRAPHQL_RESPONSE_JSON};

#[tokio::test]
async fn a_query_over_get_answers_in_the_media_type_the_client_accepts() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "{ organisations(kind: REGION) { totalCount } }")])
        .header("accept", GRAPHQL_RESPONSE_JSON)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/graphql-response+json; charset=utf-8"
    );
    let answer = response.json::<Value>().await.unwrap();
    assert_eq!(
        answer["data"],
        json!({ "organisations": { "totalCount": 7 } })
    );
    assert!(answer.get("errors").is_none(), "{answer}");
}

#[tokio::test]
async fn head_answers_as_get_does_without_a_body() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    let query = [("query", "{ organisations(kind: REGION) { totalCount } }")];

    let get = app.client.get(&url).query(&query).send().await.unwrap();
    let head = app.client.head(&url).query(&query).send().await.unwrap();

    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["content-type"],
        get.headers()["content-type"]
    );
    assert_eq!(head.headers().get("etag"), get.headers().get("etag"));
    assert_eq!(head.bytes().await.unwrap().len(), 0);
    assert!(!get.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_syntax_error_is_a_400_for_graphql_response_json_and_a_200_for_json() {
    let app = spawn_app().await;
    let send = |accept: &'static str| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("accept", accept)
            .json(&json!({ "query": "{ organisations(kind: ICB { totalCount } }" }))
            .send()
    };

    let strict = send(GRAPHQL_RESPONSE_JSON).await.unwrap();
    let legacy = send("application/json").await.unwrap();

    assert_eq!(strict.status(), 400);
    let strict: Value = strict.json().await.unwrap();
    assert!(
        strict.get("data").is_none(),
        "a request error has no data: {strict}"
    );
    assert!(strict["errors"][0]["message"].is_string());
    assert_eq!(legacy.status(), 200);
    assert_eq!(
        legacy.headers()["content-type"],
        "application/json; charset=utf-8"
    );
}

#[tokio::test]
async fn an_unknown_field_is_a_validation_error_not_a_null() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", GRAPHQL_RESPONSE_JSON)
        .json(&json!({ "query": "{ organisations { totalCount colour } }" }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{body}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_with_415_and_nothing_runs() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "text/plain")
        .body("{ organisations { totalCount } }")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn a_malformed_json_body_is_a_400_with_a_graphql_shaped_error() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn an_oversize_body_is_refused_with_413_even_without_content_length() {
    let app = spawn_app().await;
    let padding = " ".repeat(2 * 1024 * 1024);
    let chunks: Vec<Result<String, std::io::Error>> = vec![Ok(format!(
        "{{\"query\": \"{{ roles {{ name }} }}{padding}\"}}"
    ))];
    let streamed = reqwest::Body::wrap_stream(futures_util_stream(chunks));

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(streamed)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");
}

#[tokio::test]
async fn a_client_that_accepts_neither_json_type_gets_406() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .json(&json!({ "query": "{ roles { name } }" }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 406);
}

#[tokio::test]
async fn health_answers_when_the_store_is_open() {
    let app = spawn_app().await;

    let response = app.get("/health").await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn the_schema_describes_itself_as_this_api() {
    let app = spawn_app().await;

    let answer = app
        .graphql("{ __schema { description } s: __schema { d: description queryType { name } } }")
        .await;

    let description = &answer["data"]["__schema"]["description"];
    assert!(
        description
            .as_str()
            .unwrap()
            .starts_with("The NHS leadership knowledge graph"),
        "{answer}"
    );
    assert_eq!(
        &answer["data"]["s"]["d"], description,
        "aliases are honoured"
    );
    assert_eq!(answer["data"]["s"]["queryType"]["name"], "Query");
}

/// A body stream of one chunk: sent chunked, so it carries no `Content-Length`.
fn futures_util_stream(
    chunks: Vec<Result<String, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<String, std::io::Error>> {
    tokio_stream::iter(chunks)
}
