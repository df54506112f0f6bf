//! The abuse battery: hostile and broken requests over real HTTP. Each gets its documented
//! status and a GraphQL-shaped error with a stable `extensions.code`, quickly; afterwards the
//! server still answers a normal query correctly.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, GRAPHQL_RESPONSE_JSON};

/// One hostile request and what it must get back.
struct Case {
    name: String,
    method: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    /// Query string for GET.
    query: Vec<(String, String)>,
    extra_header: Option<(String, String)>,
    status: u16,
    /// The `extensions.code` of the first error, where the answer is a GraphQL error with one.
    code: Option<&'static str>,
}

fn post_json(name: &str, body: Value, status: u16, code: Option<&'static str>) -> Case {
    post_raw(
        name,
        Some("application/json"),
        body.to_string().into_bytes(),
        status,
        code,
    )
}

fn post_raw(
    name: &str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: Option<&'static str>,
) -> Case {
    Case {
        name: name.to_owned(),
        method: "POST",
        content_type,
        body,
        query: Vec::new(),
        extra_header: None,
        status,
        code,
    }
}

fn query(name: &str, text: String, status: u16, code: Option<&'static str>) -> Case {
    post_json(name, json!({ "query": text }), status, code)
}

fn get(name: &str, parameters: &[(&str, &str)], status: u16, code: Option<&'static str>) -> Case {
    Case {
        name: name.to_owned(),
        method: "GET",
        content_type: None,
        body: Vec::new(),
        query: parameters
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        extra_header: None,
        status,
        code,
    }
}

/// `levels` fragments, each spreading the next `width` times.
fn fragment_fan_out(levels: usize, width: usize) -> String {
    let mut text = String::from("{ roles { ...F0 } }\n");
    for level in 0..levels {
        let spreads = format!(" ...F{}", level + 1).repeat(width);
        text.push_str(&format!("fragment F{level} on Role {{ name{spreads} }}\n"));
    }
    text.push_str(&format!("fragment F{levels} on Role {{ code }}\n"));
    text
}

fn nested(depth: usize) -> String {
    format!(
        "{}{}",
        "{ roles { programmes { roles ".repeat(depth / 3),
        "}".repeat(depth)
    )
}

fn cases() -> Vec<Case> {
    let mut cases = vec![
        // Malformed bodies.
        post_raw("empty body", Some("application/json"), Vec::new(), 400, Some("BAD_REQUEST")),
        post_raw("truncated JSON", Some("application/json"), b"{\"query\": \"{ roles".to_vec(), 400, Some("BAD_REQUEST")),
        post_raw("JSON null", Some("application/json"), b"null".to_vec(), 400, Some("BAD_REQUEST")),
        post_raw("JSON number", Some("application/json"), b"42".to_vec(), 400, Some("BAD_REQUEST")),
        post_raw("JSON string", Some("application/json"), b"\"{ roles { name } }\"".to_vec(), 400, Some("BAD_REQUEST")),
        post_raw("a batch (arrays are not accepted)", Some("application/json"), br#"[{"query":"{ roles { name } }"}]"#.to_vec(), 400, Some("BAD_REQUEST")),
        post_raw("random bytes", Some("application/json"), (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect(), 400, Some("BAD_REQUEST")),
        post_raw("invalid UTF-8", Some("application/json"), b"{\"query\": \"{ roles { name \xff\xfe } }\"}".to_vec(), 400, Some("BAD_REQUEST")),
        post_raw("a NUL inside the JSON", Some("application/json"), b"{\"query\": \"{ roles\0 }\"}".to_vec(), 400, Some("BAD_REQUEST")),
        post_json("no query", json!({ "variables": {} }), 400, Some("BAD_REQUEST")),
        post_json("query is a number", json!({ "query": 1 }), 400, Some("BAD_REQUEST")),
        post_json("query is an object", json!({ "query": { "roles": "name" } }), 400, Some("BAD_REQUEST")),
        post_json("variables is a string", json!({ "query": "{ roles { name } }", "variables": "{}" }), 400, Some("BAD_REQUEST")),
        post_json("variables is an array", json!({ "query": "{ roles { name } }", "variables": [] }), 400, Some("BAD_REQUEST")),
        post_json("operationName is a number", json!({ "query": "{ roles { name } }", "operationName": 7 }), 400, Some("BAD_REQUEST")),
        post_json("extensions is a string", json!({ "query": "{ roles { name } }", "extensions": "x" }), 400, Some("BAD_REQUEST")),
        // Wrong content types.
        post_raw("no content type", None, br#"{"query":"{ roles { name } }"}"#.to_vec(), 415, Some("BAD_REQUEST")),
        post_raw("text/plain", Some("text/plain"), b"{ roles { name } }".to_vec(), 415, Some("BAD_REQUEST")),
        post_raw("application/graphql", Some("application/graphql"), b"{ roles { name } }".to_vec(), 415, Some("BAD_REQUEST")),
        post_raw("form-urlencoded", Some("application/x-www-form-urlencoded"), b"query=%7B+roles+%7B+name+%7D+%7D".to_vec(), 415, Some("BAD_REQUEST")),
        post_raw("multipart", Some("multipart/form-data; boundary=x"), b"--x\r\n\r\n{}\r\n--x--".to_vec(), 415, Some("BAD_REQUEST")),
        // Size.
        post_raw("a 10 MB body", Some("application/json"), vec![b' '; 10 * 1024 * 1024], 413, Some("LIMIT_EXCEEDED")),
        query("a query just over the body limit", format!("{{ roles {{ name }} }}{}", " ".repeat(300 * 1024)), 413, Some("LIMIT_EXCEEDED")),
        // GraphQL syntax and validation.
        query("a syntax error", "{ roles { name }".to_owned(), 400, Some("GRAPHQL_PARSE_FAILED")),
        query("an unknown field", "{ roles { salary } }".to_owned(), 400, Some("GRAPHQL_VALIDATION_FAILED")),
        query("an unknown root field", "{ passwords }".to_owned(), 400, None),
        query("an unknown argument", r#"{ roles(colour: "red") { name } }"#.to_owned(), 400, None),
        query("a wrong argument type", "{ organisations(first: \"ten\") { totalCount } }".to_owned(), 400, None),
        query("a bad enum value", "{ organisations(kind: HOSPITAL) { totalCount } }".to_owned(), 400, None),
        // Argument coercion errors surface as field errors: data null, 200, BAD_USER_INPUT.
        query("a bad date", r#"{ organisations(asOf: "yesterday") { totalCount } }"#.to_owned(), 200, Some("BAD_USER_INPUT")),
        query("a subscription", "subscription { roles { name } }".to_owned(), 400, None),
        query("a mutation", "mutation { roles { name } }".to_owned(), 400, None),
        query("an undefined fragment", "{ roles { ...Missing } }".to_owned(), 400, None),
        query("an unused fragment", "{ roles { name } } fragment Unused on Role { code }".to_owned(), 400, None),
        query("a fragment on the wrong type", "{ roles { ...F } } fragment F on Course { title }".to_owned(), 400, None),
        post_json("an unknown operation name", json!({ "query": "query A { roles { name } }", "operationName": "B" }), 400, None),
        post_json("two operations and no name", json!({ "query": "query A { roles { name } } query B { roles { code } }" }), 400, None),
        post_json("a variable of the wrong type", json!({ "query": "query Q($n: Int) { organisations(first: $n) { totalCount } }", "variables": { "n": "many" } }), 400, None),
        post_json("a missing required variable", json!({ "query": "query Q($code: String!) { role(code: $code) { name } }", "variables": {} }), 200, Some("BAD_USER_INPUT")),
        post_json("an undeclared variable", json!({ "query": "{ role(code: $code) { name } }" }), 400, None),
        // Resource abuse.
        query("depth 1000", nested(1000), 400, Some("GRAPHQL_PARSE_FAILED")),
        query("depth 30", nested(30), 400, Some("LIMIT_EXCEEDED")),
        query("10,000 aliases", format!("{{{} }}", (0..10_000).map(|i| format!(" a{i}: roles {{ name }}")).collect::<String>()), 400, Some("LIMIT_EXCEEDED")),
        query("60 root fields", format!("{{{} }}", (0..60).map(|i| format!(" a{i}: __typename")).collect::<String>()), 400, Some("LIMIT_EXCEEDED")),
        query("fragment fan-out of 2^30", fragment_fan_out(30, 2), 400, Some("LIMIT_EXCEEDED")),
        query("fragment fan-out of 10^10", fragment_fan_out(10, 10), 400, Some("LIMIT_EXCEEDED")),
        query("a fragment cycle", "{ roles { ...A } } fragment A on Role { name ...B } fragment B on Role { ...A }".to_owned(), 400, Some("LIMIT_EXCEEDED")),
        query("a self-spreading fragment", "{ roles { ...A } } fragment A on Role { ...A }".to_owned(), 400, Some("LIMIT_EXCEEDED")),
        query("nested connections of 100 each", "{ organisations(first: 100) { edges { node { children(first: 100) { edges { node { children(first: 100) { totalCount } } } } } } } }".to_owned(), 400, Some("LIMIT_EXCEEDED")),
        query("a huge first", "{ organisations(first: 2147483647) { totalCount } }".to_owned(), 200, Some("BAD_USER_INPUT")),
        query("a negative first", "{ organisations(first: -5) { totalCount } }".to_owned(), 200, Some("BAD_USER_INPUT")),
        query("a garbage cursor", r#"{ organisations(after: "%%%") { totalCount } }"#.to_owned(), 200, Some("BAD_USER_INPUT")),
        query("an unknown code", r#"{ organisation(code: "NOPE") { name } }"#.to_owned(), 200, Some("NOT_FOUND")),
        query("a code with a NUL", "{ organisation(code: \"RJ1\\u0000x\") { name } }".to_owned(), 200, Some("NOT_FOUND")),
        query("a 10 KB code", format!(r#"{{ organisation(code: "{}") {{ name }} }}"#, "A".repeat(10_000)), 200, Some("NOT_FOUND")),
        query("an id and a code at once", r#"{ role(id: "x", code: "chair") { name } }"#.to_owned(), 200, Some("BAD_USER_INPUT")),
        query("a very long string argument", format!(r#"{{ courses(subject: "{}", first: 1) {{ totalCount }} }}"#, "x".repeat(100_000)), 200, None),
        // Methods.
        get("a mutation over GET", &[("query", "mutation { roles { name } }")], 405, Some("BAD_REQUEST")),
        get("GET without a query", &[], 400, Some("BAD_REQUEST")),
        get("GET with variables that are not JSON", &[("query", "{ roles { name } }"), ("variables", "{oops")], 400, Some("BAD_REQUEST")),
    ];
    let mut oversized_header = get(
        "a 1 MB header",
        &[("query", "{ roles { name } }")],
        431,
        None,
    );
    oversized_header.extra_header = Some(("x-padding".to_owned(), "a".repeat(1024 * 1024)));
    cases.push(oversized_header);
    for (name, method) in [("PUT", "PUT"), ("DELETE", "DELETE"), ("PATCH", "PATCH")] {
        let mut case = post_json(
            &format!("{name} /graphql"),
            json!({ "query": "{ roles { name } }" }),
            405,
            None,
        );
        case.method = method;
        cases.push(case);
    }
    cases
}

async fn send(
    app: &TestApp,
    case: &Case,
) -> Result<(u16, Value, std::time::Duration), reqwest::Error> {
    let url = format!("{}/graphql", app.address);
    let method = reqwest::Method::from_bytes(case.method.as_bytes()).expect("a method");
    let mut request = app
        .client
        .request(method, url)
        .header("accept", GRAPHQL_RESPONSE_JSON)
        .query(&case.query);
    if let Some(content_type) = case.content_type {
        request = request.header("content-type", content_type);
    }
    if let Some((name, value)) = &case.extra_header {
        request = request.header(name.as_str(), value.as_str());
    }
    if case.method != "GET" {
        request = request.body(case.body.clone());
    }
    let started = std::time::Instant::now();
    let response = request.send().await?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await?;
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        started.elapsed(),
    ))
}

#[tokio::test]
async fn every_abusive_request_gets_its_documented_answer_and_the_server_stays_up() {
    let app = spawn_app().await;
    let cases = cases();
    assert!(cases.len() >= 50, "the battery has {} cases", cases.len());

    let mut failures = Vec::new();
    for case in &cases {
        match send(&app, case).await {
            Ok((status, body, _elapsed)) => {
                if status != case.status {
                    failures.push(format!(
                        "{}: status {status}, expected {} ({body})",
                        case.name, case.status
                    ));
                    continue;
                }
                if status == 405 && case.method != "GET" || status == 431 {
                    continue; // answered by the router or the HTTP parser, not GraphQL
                }
                let errors = body["errors"].as_array();
                if errors.is_none_or(Vec::is_empty) && case.code.is_some() {
                    failures.push(format!("{}: no GraphQL errors in {body}", case.name));
                    continue;
                }
                if let Some(code) = case.code {
                    let found = &body["errors"][0]["extensions"]["code"];
                    if found != code {
                        failures.push(format!(
                            "{}: code {found}, expected {code} ({body})",
                            case.name
                        ));
                    }
                }
            }
            Err(error) => failures.push(format!("{}: no answer: {error}", case.name)),
        }
    }

    let data = app
        .data("{ organisations(kind: REGION) { totalCount } }")
        .await;
    assert_eq!(
        data,
        json!({ "organisations": { "totalCount": 7 } }),
        "the server still answers"
    );
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_playgrounds_introspection_query_is_within_the_limits() {
    let app = spawn_app().await;

    let answer = app.graphql(INTROSPECTION_QUERY).await;

    assert!(answer.get("errors").is_none(), "{answer}");
    assert_eq!(answer["data"]["__schema"]["queryType"]["name"], "Query");
}

/// GraphiQL's introspection query (graphql-js `getIntrospectionQuery`), depth 13.
const INTROSPECTION_QUERY: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

#[tokio::test]
async fn every_answer_reports_its_cost_against_the_limits() {
    let app = spawn_app().await;

    let one = app
        .graphql(r#"{ organisation(code: "QWE") { name } }"#)
        .await;
    let page = app
        .graphql(r#"{ organisations(kind: TRUST, first: 100) { edges { node { name code } } } }"#)
        .await;

    let (one, page) = (&one["extensions"]["cost"], &page["extensions"]["cost"]);
    assert_eq!(one["limit"], 20_000, "{one}");
    assert_eq!(one["depthLimit"], 16, "{one}");
    assert_eq!(one["depth"], 2, "{one}");
    let requested = |cost: &Value| cost["requested"].as_u64().expect("a number");
    assert!(requested(one) <= 3, "one field of one node: {one}");
    assert!(
        requested(page) >= 200,
        "a page of 100 nodes costs its page size times its fields: {page}"
    );
}

#[tokio::test]
async fn the_reported_cost_follows_the_variables_of_the_request() {
    let app = spawn_app().await;
    let query = "query Page($size: Int) { organisations(kind: TRUST, first: $size) { edges { node { name code } } } }";
    let cost_of = |size: u32| {
        let app = &app;
        async move {
            let answer = app
                .graphql_with(serde_json::json!({ "query": query, "variables": { "size": size } }))
                .await;
            assert!(answer["errors"].is_null(), "{answer}");
            answer["extensions"]["cost"]["requested"]
                .as_u64()
                .expect("a number")
        }
    };

    let small = cost_of(1).await;
    let large = cost_of(100).await;

    assert!(
        large >= small * 50,
        "a page of 100 costs far more than a page of 1: {small} vs {large}"
    );
}

#[tokio::test]
async fn a_query_accepted_once_is_judged_again_on_its_new_variables() {
    let app = spawn_app().await;
    let query = "query Nested($size: Int) { organisations(first: $size) { edges { node { \
                 children(first: $size) { edges { node { children(first: $size) { totalCount } } } } } } } }";
    let ask =
        |variables: Value| app.graphql_with(json!({ "query": query, "variables": variables }));
    let code = |answer: &Value| answer["errors"][0]["extensions"]["code"].clone();

    let small = ask(json!({ "size": 2 })).await;
    assert!(
        small["errors"].is_null(),
        "pages of 2 are within the limits: {small}"
    );

    let large = ask(json!({ "size": 100 })).await;
    assert_eq!(
        code(&large),
        "LIMIT_EXCEEDED",
        "pages of 100 exceed them: {large}"
    );

    let wrong = ask(json!({ "size": "many" })).await;
    assert!(wrong["data"].is_null(), "a string is no Int: {wrong}");
    assert!(!wrong["errors"].is_null(), "a string is no Int: {wrong}");

    let again = ask(json!({ "size": 2, "unused": "anything" })).await;
    assert!(again["errors"].is_null(), "{again}");
    assert_eq!(
        again["extensions"]["cost"], small["extensions"]["cost"],
        "a variable the query does not define changes nothing"
    );
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::spawn_app_with(|config| config.idle_timeout_secs = 1).await;
    let address = app.address.trim_start_matches("http://");
    let mut connection = tokio::net::TcpStream::connect(address).await.unwrap();

    connection
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let mut buffer = [0u8; 1024];
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        connection.read(&mut buffer),
    )
    .await
    .expect("the server closes the connection well before 10 s");

    assert!(
        matches!(read, Ok(0) | Err(_)),
        "closed without an answer: {read:?}"
    );
    let health = app.get("/health").await;
    assert_eq!(health.status(), 200, "other clients are served meanwhile");
}
