//! `/mcp`, the Model Context Protocol endpoint, over real HTTP: the handshake, the tools and
//! their results, and every guard `/graphql` has, tried through `/mcp`. The official Python
//! SDK drives the same server in `python_sdk_client_lists_and_calls_every_tool`.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// The protocol revision these tests speak: the latest one with the `initialize` handshake
/// and sessions (the Python SDK test speaks 2026-07-28 too).
const PROTOCOL_VERSION: &str = "2025-11-25";

/// An MCP client session over HTTP, written against the transport specification.
struct Session<'a> {
    app: &'a TestApp,
    id: String,
    next_request: u64,
}

impl<'a> Session<'a> {
    /// Initialises a session (`initialize`, then `notifications/initialized`).
    async fn open(app: &'a TestApp) -> Session<'a> {
        let response = post(app, &initialize(PROTOCOL_VERSION), &[]).await;
        assert_eq!(response.status(), 200);
        let id = response
            .headers()
            .get("mcp-session-id")
            .and_then(|value| value.to_str().ok())
            .expect("initialize answers an Mcp-Session-Id")
            .to_owned();
        let answer = message(response).await;
        assert_eq!(answer["result"]["protocolVersion"], PROTOCOL_VERSION);
        let session = Session {
            app,
            id,
            next_request: 2,
        };
        let initialized = session
            .send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
            .await;
        assert_eq!(initialized.status(), 202);
        session
    }

    async fn send(&self, body: &Value) -> reqwest::Response {
        post(
            self.app,
            body,
            &[
                ("mcp-session-id", self.id.as_str()),
                ("mcp-protocol-version", PROTOCOL_VERSION),
            ],
        )
        .await
    }

    /// Sends a request and returns the JSON-RPC response to it.
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_request;
        self.next_request += 1;
        let response = self
            .send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        assert_eq!(response.status(), 200, "{method}");
        let answer = message(response).await;
        assert_eq!(answer["id"], id, "{answer:#}");
        answer
    }

    /// Calls a tool and returns its result (`content`, `structuredContent`, `isError`).
    async fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let answer = self
            .request(
                "tools/call",
                json!({ "name": tool, "arguments": arguments }),
            )
            .await;
        assert!(
            answer.get("error").is_none(),
            "a tool's failure is a result, not a JSON-RPC error: {answer:#}"
        );
        answer["result"].clone()
    }

    /// Calls a tool that must succeed and returns its structured result.
    async fn structured(&mut self, tool: &str, arguments: Value) -> Value {
        let result = self.call(tool, arguments.clone()).await;
        assert_eq!(result["isError"], false, "{tool}({arguments}): {result:#}");
        let structured = result["structuredContent"].clone();
        let text: Value = serde_json::from_str(
            result["content"][0]["text"]
                .as_str()
                .expect("a text content"),
        )
        .expect("the text content is the same JSON");
        assert_eq!(text, structured, "text and structured content agree");
        structured
    }

    /// Calls a tool that must fail and returns its message.
    async fn failure(&mut self, tool: &str, arguments: Value) -> String {
        let result = self.call(tool, arguments.clone()).await;
        assert_eq!(result["isError"], true, "{tool}({arguments}): {result:#}");
        result["content"][0]["text"]
            .as_str()
            .expect("a text message")
            .to_owned()
    }
}

fn initialize(version: &str) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": { "name": "api-tests", "version": "1" }
        }
    })
}

async fn post(app: &TestApp, body: &Value, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/mcp", app.address))
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("the server answers")
}

/// The JSON-RPC response in an answer: a JSON body, or the event of an SSE stream that
/// carries it.
async fn message(response: reqwest::Response) -> Value {
    let is_stream = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    let body = response.text().await.expect("a body");
    if !is_stream {
        return serde_json::from_str(&body).expect("a JSON body");
    }
    body.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .find(|message| message.get("id").is_some())
        .unwrap_or_else(|| panic!("no JSON-RPC response in the stream: {body}"))
}

fn operation_files() -> Vec<(String, String)> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("operations");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&directory)
        .expect("the operations directory")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "graphql")
        })
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("an operation file");
            (path.display().to_string(), text)
        })
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn initialize_negotiates_the_protocol_version_and_opens_a_session() {
    let app = spawn_app().await;

    let response = post(&app, &initialize(PROTOCOL_VERSION), &[]).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("mcp-session-id"));
    let answer = message(response).await;
    assert_eq!(answer["result"]["protocolVersion"], PROTOCOL_VERSION);
    assert_eq!(
        answer["result"]["serverInfo"]["name"],
        "nhs-leadership-graph"
    );
    assert!(answer["result"]["capabilities"]["tools"].is_object());
    assert!(answer["result"]["instructions"]
        .as_str()
        .is_some_and(|text| text.contains("search")));

    // A version the server does not know: it answers with one it supports.
    let unknown = message(post(&app, &initialize("2099-01-01"), &[]).await).await;
    let offered = unknown["result"]["protocolVersion"]
        .as_str()
        .expect("a version");
    assert_ne!(offered, "2099-01-01");

    // A request in a session that does not exist is refused.
    let stale = post(
        &app,
        &json!({ "jsonrpc": "2.0", "id": 2, "method": "tools/list" }),
        &[
            ("mcp-session-id", "no-such-session"),
            ("mcp-protocol-version", PROTOCOL_VERSION),
        ],
    )
    .await;
    assert_eq!(stale.status(), 404);
}

#[tokio::test]
async fn get_opens_the_server_stream_of_a_session() {
    let app = spawn_app().await;
    let session = Session::open(&app).await;

    let response = app
        .client
        .get(format!("{}/mcp", app.address))
        .header("accept", "text/event-stream")
        .header("mcp-session-id", session.id.as_str())
        .header("mcp-protocol-version", PROTOCOL_VERSION)
        .send()
        .await
        .expect("the server answers");

    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("text")
        .starts_with("text/event-stream"));
}

#[tokio::test]
async fn tools_list_describes_every_tool_with_its_schemas() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    let answer = session.request("tools/list", json!({})).await;

    let tools = answer["result"]["tools"].as_array().expect("tools");
    let names: Vec<&str> = tools
        .iter()
        .map(|tool| tool["name"].as_str().expect("a name"))
        .collect();
    for expected in [
        "search",
        "fetch",
        "introspect",
        "validate",
        "execute",
        "TrustLeadershipTeam",
        "IcbTrusts",
        "RoleDevelopment",
        "CmiAccreditedCourses",
        "CareerPathFromRole",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert_eq!(names.len(), 5 + operation_files().len(), "{names:?}");
    for tool in tools {
        assert!(
            tool["description"]
                .as_str()
                .is_some_and(|text| text.len() > 40),
            "{tool:#}"
        );
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool:#}");
        assert_eq!(tool["outputSchema"]["type"], "object", "{tool:#}");
        assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool:#}");
    }
    let trust_team = tools
        .iter()
        .find(|tool| tool["name"] == "TrustLeadershipTeam")
        .expect("the operation tool");
    assert_eq!(trust_team["inputSchema"]["required"], json!(["code"]));
    assert_eq!(
        trust_team["inputSchema"]["properties"]["code"]["type"],
        "string"
    );
    let courses = tools
        .iter()
        .find(|tool| tool["name"] == "CmiAccreditedCourses")
        .expect("the operation tool");
    assert_eq!(courses["inputSchema"]["required"], json!([]));
    assert_eq!(courses["inputSchema"]["properties"]["first"]["default"], 50);
}

#[tokio::test]
async fn search_then_fetch_answers_with_text_and_citations() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    let found = session
        .structured(
            "search",
            json!({ "query": "Mary Seacole programme", "limit": 3 }),
        )
        .await;
    let first = &found["results"][0];
    assert_eq!(first["kind"], "Programme", "{found:#}");
    assert!(first["title"]
        .as_str()
        .is_some_and(|title| title.contains("Mary Seacole")));
    assert!(first["snippet"]
        .as_str()
        .is_some_and(|text| !text.is_empty()));
    assert!(first["summary"]
        .as_str()
        .is_some_and(|text| !text.is_empty()));
    let id = first["id"].as_str().expect("an id");
    assert_eq!(first["url"], format!("{}/records/{id}", app.address));

    let record = session.structured("fetch", json!({ "id": id })).await;

    assert_eq!(record["id"], id);
    assert_eq!(record["title"], first["title"]);
    assert_eq!(record["url"], first["url"]);
    let text = record["text"].as_str().expect("a text");
    let summary = first["summary"].as_str().expect("a summary");
    assert!(
        text.contains(&format!("- Summary: {summary} [1]")),
        "{text}"
    );
    assert!(text.contains("Relationships"), "{text}");
    assert!(text.contains("\nSources:\n[1] "), "{text}");
    assert_eq!(record["metadata"]["kind"], "Programme");
    let sources = record["metadata"]["sources"].as_array().expect("sources");
    assert!(!sources.is_empty());
    assert!(
        text.contains(sources[0]["title"].as_str().expect("a title")),
        "{text}"
    );

    // The url is a page a person can open, showing the record and its sources.
    let page = app.get(&format!("/records/{id}")).await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .expect("text")
        .starts_with("text/html"));
    let html = page.text().await.expect("a body");
    assert!(html.contains("Mary Seacole"), "{html}");
    assert!(html.contains("<h2>Sources</h2>"), "{html}");
}

#[tokio::test]
async fn search_then_fetch_answers_each_chatbot_question_with_cited_text() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;
    let mut answered = 0;
    let mut misses = Vec::new();

    for (question, expected) in crate::search::RELEVANCE {
        let found = session
            .structured("search", json!({ "query": question, "limit": 3 }))
            .await;
        let Some(hit) = found["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|hit| expected.contains(&reference(hit).as_str()))
        else {
            misses.push(format!("{question:?}: {expected:?} not in the top 3"));
            continue;
        };
        let record = session
            .structured("fetch", json!({ "id": hit["id"] }))
            .await;
        let text = record["text"].as_str().expect("a text");
        let summary = hit["summary"].as_str().expect("a summary");
        assert!(
            text.contains(&format!("- Summary: {summary} [")),
            "{question:?}: the fetched text quotes the summary with its citation: {text}"
        );
        let sources = record["metadata"]["sources"].as_array().expect("sources");
        assert!(!sources.is_empty(), "{question:?}: {record:#}");
        for (index, source) in sources.iter().enumerate() {
            let title = source["title"].as_str().expect("a title");
            assert!(
                text.contains(&format!("[{}] {title}", index + 1)),
                "{question:?}: source {} is listed: {text}",
                index + 1
            );
        }
        answered += 1;
    }

    let recall = f64::from(answered) / crate::search::RELEVANCE.len() as f64;
    println!(
        "search then fetch answered {answered} of {} questions",
        crate::search::RELEVANCE.len()
    );
    assert!(recall >= 0.9, "answered {answered}; misses: {misses:#?}");
}

/// `kind:code` of a search result, as `tests/api/search.rs` names its expected records.
fn reference(hit: &Value) -> String {
    let kind = match hit["kind"].as_str().expect("a kind") {
        "PayBand" => "pay-band".to_owned(),
        "CareerStory" => "career-story".to_owned(),
        other => other.to_lowercase(),
    };
    format!("{kind}:{}", hit["code"].as_str().expect("a code"))
}

#[tokio::test]
async fn fetch_of_an_unknown_id_is_a_tool_error_saying_what_to_do() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    let message = session
        .failure("fetch", json!({ "id": "bm90LWFuLWlk" }))
        .await;

    assert!(
        message.contains("no record has id \"bm90LWFuLWlk\""),
        "{message}"
    );
    assert!(message.contains("search"), "{message}");
    let page = app.get("/records/bm90LWFuLWlk").await;
    assert_eq!(page.status(), 404);
}

#[tokio::test]
async fn introspect_describes_a_type_compactly() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    let root = session.structured("introspect", json!({})).await;
    assert_eq!(root["name"], "Query");
    assert!(root["types"]
        .as_array()
        .expect("type names")
        .contains(&json!("Organisation (OBJECT)")));

    let organisation = session
        .structured("introspect", json!({ "typeName": "Organisation" }))
        .await;
    let fields = organisation["fields"].as_array().expect("fields");
    let posts = fields
        .iter()
        .find(|field| field["name"] == "posts")
        .expect("posts");
    assert_eq!(posts["type"], "[Post!]!");
    assert!(posts["description"].is_string());

    let kinds = session
        .structured("introspect", json!({ "typeName": "OrganisationKind" }))
        .await;
    assert!(kinds["enumValues"]
        .as_array()
        .expect("values")
        .iter()
        .any(|value| value["name"] == "ICB"));

    let message = session
        .failure("introspect", json!({ "typeName": "Hospital" }))
        .await;
    assert!(
        message.contains("no type is named \"Hospital\""),
        "{message}"
    );
    assert!(message.contains("Organisation"), "{message}");
}

#[tokio::test]
async fn validate_reports_the_cost_or_every_error() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    let valid = session
        .structured(
            "validate",
            json!({ "query": "{ organisation(code: \"RJ1\") { name } }" }),
        )
        .await;
    assert_eq!(valid["valid"], true);
    assert!(valid["cost"]["requested"].is_number(), "{valid:#}");

    let invalid = session
        .structured(
            "validate",
            json!({ "query": "{ organisation(code: \"RJ1\") { colour } }" }),
        )
        .await;
    assert_eq!(invalid["valid"], false);
    assert_eq!(invalid["errors"][0]["code"], "GRAPHQL_VALIDATION_FAILED");
    assert!(invalid["errors"][0]["message"]
        .as_str()
        .is_some_and(|message| message.contains("colour")));
}

#[tokio::test]
async fn every_operation_file_validates_against_the_schema_and_limits() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    for (file, text) in operation_files() {
        let answer = session
            .structured("validate", json!({ "query": text }))
            .await;
        assert_eq!(answer["valid"], true, "{file}: {answer:#}");
    }
}

#[tokio::test]
async fn execute_runs_a_query_and_refuses_a_mutation() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    let answer = session
        .structured(
            "execute",
            json!({
                "query": "query One($code: String) { organisation(code: $code) { code kind } }",
                "variables": { "code": "QWE" }
            }),
        )
        .await;
    assert_eq!(
        answer["data"],
        json!({ "organisation": { "code": "QWE", "kind": "ICB" } })
    );
    assert!(answer["cost"].is_object());

    let message = session
        .failure(
            "execute",
            json!({ "query": "mutation { retireCourse(code: \"x\") { course { code } } }" }),
        )
        .await;
    assert!(message.contains("READ_ONLY"), "{message}");
    assert!(message.contains("mutations"), "{message}");
}

#[tokio::test]
async fn each_operation_tool_answers_from_the_graph() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    let team = session
        .structured("TrustLeadershipTeam", json!({ "code": "RJ1" }))
        .await;
    assert_eq!(team["data"]["organisation"]["code"], "RJ1");
    assert!(!team["data"]["organisation"]["posts"]
        .as_array()
        .expect("posts")
        .is_empty());

    let trusts = session
        .structured("IcbTrusts", json!({ "code": "QWE" }))
        .await;
    let children = &trusts["data"]["organisation"]["children"];
    assert!(
        children["totalCount"]
            .as_u64()
            .is_some_and(|count| count > 0),
        "{trusts:#}"
    );
    assert_eq!(
        children["totalCount"].as_u64().map(|count| count.min(50)),
        Some(children["nodes"].as_array().expect("nodes").len() as u64)
    );

    let development = session
        .structured("RoleDevelopment", json!({ "code": "chief-executive" }))
        .await;
    assert!(!development["data"]["role"]["programmes"]
        .as_array()
        .expect("programmes")
        .is_empty());

    let courses = session.structured("CmiAccreditedCourses", json!({})).await;
    let nodes = courses["data"]["courses"]["nodes"]
        .as_array()
        .expect("nodes");
    assert!(!nodes.is_empty());
    for course in nodes {
        assert!(course["accreditedBy"]
            .as_array()
            .expect("bodies")
            .contains(&json!({ "code": "CMI" })));
    }
    let by_provider = session
        .structured("CmiAccreditedCourses", json!({ "provider": "COVENTRY" }))
        .await;
    for course in by_provider["data"]["courses"]["nodes"]
        .as_array()
        .expect("nodes")
    {
        assert_eq!(course["provider"]["code"], "COVENTRY");
    }

    let path = session
        .structured("CareerPathFromRole", json!({ "code": "ward-manager" }))
        .await;
    assert_eq!(path["data"]["role"]["code"], "ward-manager");
}

#[tokio::test]
async fn an_operation_tool_with_an_unknown_code_or_bad_arguments_says_what_to_do() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    let unknown = session
        .failure("TrustLeadershipTeam", json!({ "code": "QWX" }))
        .await;
    assert!(unknown.contains("QWX"), "{unknown}");
    assert!(unknown.contains("NOT_FOUND"), "{unknown}");
    assert!(unknown.contains("search"), "{unknown}");

    let missing = session.failure("TrustLeadershipTeam", json!({})).await;
    assert!(missing.contains("`code` is required"), "{missing}");

    let wrong_type = session
        .failure("IcbTrusts", json!({ "code": "QWE", "first": "ten" }))
        .await;
    assert!(
        wrong_type.contains("`first` must be of type integer"),
        "{wrong_type}"
    );
}

#[tokio::test]
async fn an_unknown_tool_is_a_protocol_error() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;

    let answer = session
        .request(
            "tools/call",
            json!({ "name": "createCourse", "arguments": {} }),
        )
        .await;

    assert_eq!(answer["error"]["code"], -32602, "{answer:#}");
}

#[tokio::test]
async fn a_query_over_the_cost_limit_is_refused_through_mcp_as_through_graphql() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;
    let costly = "{ organisations(first: 100) { nodes { children(first: 100) { nodes { children(first: 100) { nodes { code } } } } } } }";
    let graphql = app.graphql(costly).await;
    assert_eq!(graphql["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");

    let message = session.failure("execute", json!({ "query": costly })).await;
    assert!(message.contains("LIMIT_EXCEEDED"), "{message}");

    let verdict = session
        .structured("validate", json!({ "query": costly }))
        .await;
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["errors"][0]["code"], "LIMIT_EXCEEDED");
}

#[tokio::test]
async fn fragment_fan_out_depth_and_root_field_limits_hold_through_mcp() {
    let app = spawn_app().await;
    let mut session = Session::open(&app).await;
    let mut fan_out = String::from("{ ...F0 }\n");
    for level in 0..14 {
        fan_out.push_str(&format!(
            "fragment F{level} on Query {{ ...F{next} ...F{next} }}\n",
            next = level + 1
        ));
    }
    fan_out.push_str("fragment F14 on Query { __typename }\n");
    let deep = format!(
        "{{ organisation(code: \"RJ1\") {{ {}code{} }} }}",
        "parent { ".repeat(20),
        " }".repeat(20)
    );
    let many_roots: String = (0..60)
        .map(|index| format!("a{index}: __typename "))
        .collect();

    for query in [fan_out, deep, format!("{{ {many_roots} }}")] {
        let graphql = app.graphql(&query).await;
        assert_eq!(
            graphql["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED",
            "{graphql:#}"
        );
        let message = session.failure("execute", json!({ "query": query })).await;
        assert!(message.contains("LIMIT_EXCEEDED"), "{message}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = spawn_app().await;
    let session = Session::open(&app).await;
    let padding = "x".repeat(300 * 1024);

    let response = session
        .send(&json!({
            "jsonrpc": "2.0",
            "id": 9,
            "method": "tools/call",
            "params": { "name": "search", "arguments": { "query": padding } }
        }))
        .await;

    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn mcp_requests_count_against_the_graphql_rate_limit() {
    let app = spawn_app_with(|config| {
        config.rate_limit_per_second = 1;
        config.rate_limit_burst = 2;
        config.rate_limit_loopback = true;
    })
    .await;

    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            post(&app, &initialize(PROTOCOL_VERSION), &[])
                .await
                .status()
                .as_u16(),
        );
    }

    assert_eq!(&statuses[..2], &[200, 200], "{statuses:?}");
    assert!(statuses[2..].contains(&429), "{statuses:?}");
}

#[tokio::test]
async fn an_origin_off_the_cors_allow_list_is_refused() {
    let app = spawn_app_with(|config| {
        config.cors_origins = vec!["https://allowed.example".to_owned()];
    })
    .await;

    let refused = post(
        &app,
        &initialize(PROTOCOL_VERSION),
        &[("origin", "https://evil.example")],
    )
    .await;
    let allowed = post(
        &app,
        &initialize(PROTOCOL_VERSION),
        &[("origin", "https://allowed.example")],
    )
    .await;
    let other_port = post(
        &app,
        &initialize(PROTOCOL_VERSION),
        &[("origin", "https://allowed.example:8443")],
    )
    .await;

    assert_eq!(refused.status(), 403);
    assert_eq!(allowed.status(), 200);
    assert_eq!(other_port.status(), 403);
}

#[tokio::test]
async fn any_origin_is_allowed_when_the_allow_list_is_empty() {
    let app = spawn_app().await;

    let response = post(
        &app,
        &initialize(PROTOCOL_VERSION),
        &[("origin", "https://anywhere.example")],
    )
    .await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn mcp_off_serves_neither_mcp_nor_record_pages() {
    let app = spawn_app_with(|config| {
        config.mcp = nhs_leadership_graph::config::Switch::Off;
    })
    .await;

    let response = post(&app, &initialize(PROTOCOL_VERSION), &[]).await;
    assert_eq!(response.status(), 404);
    assert_eq!(app.get("/records/anything").await.status(), 404);
    assert_eq!(app.get("/health").await.status(), 200);
}

/// The Python interpreter with the official MCP SDK (`mcp` on PyPI): `scripts/test` installs
/// it in a virtual environment and names it in `NHS_GRAPH_MCP_PYTHON`.
fn python_with_mcp_sdk() -> String {
    std::env::var("NHS_GRAPH_MCP_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

#[tokio::test]
async fn python_sdk_client_lists_and_calls_every_tool() {
    if crate::helpers::backend_independent(
        "the SDK's protocol is under test; the tools' reads are the ones the Rust MCP tests make",
    ) {
        return;
    }
    if std::env::var("NHS_GRAPH_SKIP_PYTHON_MCP").as_deref() == Ok("1") {
        eprintln!("NHS_GRAPH_SKIP_PYTHON_MCP=1: not running the MCP Python SDK client");
        return;
    }
    let python = python_with_mcp_sdk();
    let has_sdk = tokio::process::Command::new(&python)
        .args(["-c", "import mcp"])
        .output()
        .await
        .is_ok_and(|output| output.status.success());
    assert!(
        has_sdk,
        "{python} cannot import the MCP Python SDK: run scripts/test (it installs it), or \
         `python3 -m pip install 'mcp==2.3.0'` and set NHS_GRAPH_MCP_PYTHON, or set \
         NHS_GRAPH_SKIP_PYTHON_MCP=1 to skip this test"
    );
    let app = spawn_app().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py");

    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(format!("{}/mcp", app.address))
        .output()
        .await
        .expect("the Python client runs");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the MCP Python SDK client failed:\n{stdout}\n{stderr}"
    );
    let runs: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON line per connection"))
        .collect();
    let versions: Vec<&Value> = runs.iter().map(|run| &run["protocolVersion"]).collect();
    assert_eq!(versions, [&json!("2025-11-25"), &json!("2026-07-28")]);
    for run in &runs {
        assert_eq!(
            run["toolsCalled"].as_array().map(Vec::len),
            Some(5 + operation_files().len()),
            "{run}"
        );
    }
}
