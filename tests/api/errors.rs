//! Bad input gets a clear, GraphQL-shaped error with a stable code, and the server stays up.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_unknown_code_gives_null_and_a_not_found_error() {
    let app = spawn_app().await;

    let answer = app
        .graphql(r#"{ organisation(code: "QXX") { name } }"#)
        .await;

    assert_eq!(answer["data"], json!({ "organisation": null }));
    assert_eq!(answer["errors"][0]["extensions"]["code"], "NOT_FOUND");
    // The message goes on to suggest the nearest codes (tests/api/frontend.rs).
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(r#"no organisation has code "QXX""#),
        "{message}"
    );
    assert_eq!(answer["errors"][0]["path"], json!(["organisation"]));
}

#[tokio::test]
async fn an_unknown_or_garbled_global_id_gives_null_and_a_not_found_error() {
    let app = spawn_app().await;

    for id in ["T3JnYW5pc2F0aW9uOk5PUEU", "!!not-an-id!!", ""] {
        let answer = app
            .graphql(&format!(r#"{{ node(id: "{id}") {{ id }} }}"#))
            .await;

        assert_eq!(answer["data"], json!({ "node": null }), "for id {id:?}");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "for id {id:?}"
        );
    }
}

#[tokio::test]
async fn an_id_of_another_kind_is_not_found_rather_than_misread() {
    let app = spawn_app().await;
    let role_id = app
        .data(r#"{ role(code: "chief-executive") { id } }"#)
        .await["role"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let answer = app
        .graphql(&format!(
            r#"{{ organisation(id: "{role_id}") {{ name }} }}"#
        ))
        .await;

    assert_eq!(answer["data"], json!({ "organisation": null }));
    assert_eq!(answer["errors"][0]["extensions"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn asking_by_both_id_and_code_is_bad_user_input() {
    let app = spawn_app().await;

    let answer = app
        .graphql(r#"{ programme(id: "x", code: "nye-bevan") { name } }"#)
        .await;

    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_page_larger_than_the_limit_is_refused_with_bad_user_input() {
    let app = spawn_app().await;

    let answer = app
        .graphql("{ organisations(first: 100000) { totalCount } }")
        .await;

    assert_eq!(
        answer["data"],
        json!(null),
        "a non-null field's error nulls its parent"
    );
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(answer["errors"][0]["path"], json!(["organisations"]));
    assert!(answer["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("at most 100"));
}

#[tokio::test]
async fn a_malformed_date_is_refused_with_a_message_naming_the_format() {
    let app = spawn_app().await;

    let answer = app
        .graphql(r#"{ organisations(asOf: "1 June 2025") { totalCount } }"#)
        .await;

    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM-DD"),
        "{answer}"
    );
}

#[tokio::test]
async fn the_server_still_answers_after_bad_requests() {
    let app = spawn_app().await;
    for body in ["{", "null", "[]", "{\"query\": 5}", "\u{0}\u{1}garbage"] {
        let _ = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
    }

    let data = app
        .data("{ organisations(kind: REGION) { totalCount } }")
        .await;

    assert_eq!(data, json!({ "organisations": { "totalCount": 7 } }));
}

#[tokio::test]
async fn a_query_over_the_cost_limit_says_its_cost_the_limit_and_what_to_change() {
    let app = spawn_app().await;

    let answer = app
        .graphql(
            "{ organisations(kind: REGION) { edges { node { children(first: 100) { edges { node { \
             children(first: 100) { edges { node { name } } } } } } } } } }",
        )
        .await;

    assert_eq!(answer["data"], Value::Null);
    let error = &answer["errors"][0];
    assert_eq!(error["extensions"]["code"], "LIMIT_EXCEEDED");
    let cost = &error["extensions"]["cost"];
    assert!(cost["requested"].as_u64().unwrap() > 20_000, "{cost}");
    assert_eq!(
        (cost["limit"].clone(), cost["depthLimit"].clone()),
        (json!(20_000), json!(16))
    );
    assert!(cost["depth"].as_u64().unwrap() > 0, "{cost}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("first:") && message.contains("20000"),
        "the message says what to change: {message}"
    );
}
