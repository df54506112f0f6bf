//! The operator on a running server: issuing, listing, expiring and revoking API keys, and
//! onboarding a partner organisation, through the admin API and the CLI's `--server`, with
//! no restart and no failed read.

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::partner::{code_of, graphql_at, titled_course as course};
use nhs_leadership_graph::api_keys;

const BINARY: &str = env!("CARGO_BIN_EXE_nhs-leadership-graph");

const CREATE: &str = r#"mutation Create($input: CourseInput!) {
  createCourse(input: $input) { course { code provider { code } publisher { code } } }
}"#;

impl TestApp {
    /// An admin key, issued into the server's own store as the first operator would.
    fn admin_key(&self) -> String {
        api_keys::issue(self.app.store(), None, Some("operator".to_owned()))
            .expect("an admin key is issued")
            .token
    }

    /// Moves the expiry of the key `id` into the past, as time passing would.
    fn expire(&self, id: &str) {
        let store = self.app.store();
        let mut key = store.api_key(id).unwrap().expect("the key exists");
        key.expires_at = Some(chrono::Utc::now() - chrono::Duration::seconds(1));
        store.put_api_key(&key).unwrap();
    }

    /// Sends an admin request with `key` (if any) and returns the status and JSON body.
    async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    async fn issue_over_http(&self, admin: &str, body: Value) -> Value {
        let (status, issued) = self
            .admin(
                reqwest::Method::POST,
                "/admin/keys",
                Some(admin),
                Some(body),
            )
            .await;
        assert_eq!(status, 201, "{issued}");
        issued
    }

    async fn add_partner(&self, admin: &str, body: Value) -> (u16, Value) {
        self.admin(
            reqwest::Method::POST,
            "/admin/partners",
            Some(admin),
            Some(body),
        )
        .await
    }

    async fn keys_listed(&self, admin: &str) -> Vec<Value> {
        let (status, listed) = self
            .admin(reqwest::Method::GET, "/admin/keys", Some(admin), None)
            .await;
        assert_eq!(status, 200, "{listed}");
        listed["keys"].as_array().expect("keys").clone()
    }

    async fn create_course(&self, key: &str, input: Value) -> Value {
        self.graphql_as(Some(key), CREATE, json!({ "input": input }))
            .await
    }
}

fn error_message(answer: &Value) -> &str {
    answer["errors"][0]["message"].as_str().unwrap_or("(none)")
}

fn key_id(token: &str) -> &str {
    token
        .strip_prefix("nlg_")
        .and_then(|rest| rest.split('_').next())
        .expect("a key of the form nlg_<id>_<secret>")
}

#[tokio::test]
async fn a_key_issued_through_the_admin_api_publishes_and_shows_its_last_use() {
    let app = spawn_app().await;
    let admin = app.admin_key();

    let issued = app
        .issue_over_http(
            &admin,
            json!({ "organisation": "COVENTRY", "label": "web team" }),
        )
        .await;
    let token = issued["key"].as_str().expect("the key, shown once");
    let written = app
        .create_course(
            token,
            course("cov-ops-1", "COVENTRY", "MSc Operational Leadership"),
        )
        .await;

    assert_eq!(
        (
            issued["id"].as_str(),
            issued["organisation"].as_str(),
            issued["label"].as_str(),
            issued["state"].as_str(),
            &issued["expiresAt"]
        ),
        (
            Some(key_id(token)),
            Some("COVENTRY"),
            Some("web team"),
            Some("active"),
            &Value::Null
        )
    );
    assert!(written.get("errors").is_none(), "{written}");
    // The last use is written off the request path: poll for it (a generous deadline, not a
    // speed assertion).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let listed = loop {
        let keys = app.keys_listed(&admin).await;
        let listed = keys
            .into_iter()
            .find(|key| key["id"] == issued["id"])
            .expect("the key is listed");
        if !listed["lastUsedAt"].is_null() || std::time::Instant::now() > deadline {
            break listed;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    assert!(!listed["lastUsedAt"].is_null(), "{listed}");
    assert!(
        listed.get("key").is_none(),
        "a listing never shows a secret"
    );
    assert_eq!(listed["revokedAt"], Value::Null);
}

#[tokio::test]
async fn a_revoked_key_is_refused_on_its_very_next_request() {
    let app = spawn_app().await;
    let admin = app.admin_key();
    let issued = app
        .issue_over_http(&admin, json!({ "organisation": "COVENTRY" }))
        .await;
    let token = issued["key"].as_str().unwrap().to_owned();
    let first = app
        .create_course(&token, course("cov-rev-1", "COVENTRY", "MSc One"))
        .await;
    assert!(first.get("errors").is_none(), "{first}");

    let (status, revoked) = app
        .admin(
            reqwest::Method::DELETE,
            &format!("/admin/keys/{}", key_id(&token)),
            Some(&admin),
            None,
        )
        .await;
    let next = app
        .create_course(&token, course("cov-rev-2", "COVENTRY", "MSc Two"))
        .await;

    assert_eq!((status, revoked["state"].as_str()), (200, Some("revoked")));
    assert_eq!(code_of(&next), "UNAUTHENTICATED", "{next}");
    let (status, unknown) = app
        .admin(
            reqwest::Method::DELETE,
            "/admin/keys/0000000000000000",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!((status, code_of(&unknown)), (404, "NOT_FOUND"));
}

#[tokio::test]
async fn an_expired_key_is_refused_with_a_message_saying_it_expired() {
    let app = spawn_app().await;
    let admin = app.admin_key();
    let issued = app
        .issue_over_http(
            &admin,
            json!({ "organisation": "COVENTRY", "expiresInDays": 30 }),
        )
        .await;
    let token = issued["key"].as_str().unwrap().to_owned();
    assert!(!issued["expiresAt"].is_null(), "{issued}");
    let accepted = app
        .create_course(
            &token,
            course("cov-exp-0", "COVENTRY", "MSc Not Yet Expired"),
        )
        .await;
    assert!(accepted.get("errors").is_none(), "{accepted}");
    app.expire(key_id(&token));

    let refused = app
        .create_course(&token, course("cov-exp-1", "COVENTRY", "MSc Expired"))
        .await;
    let listed = app.keys_listed(&admin).await;

    assert_eq!(code_of(&refused), "UNAUTHENTICATED", "{refused}");
    assert!(error_message(&refused).contains("expired"), "{refused}");
    let listed = listed.iter().find(|key| key["id"] == issued["id"]).unwrap();
    assert_eq!(listed["state"], "expired");
    let (status, past) = app
        .admin(
            reqwest::Method::POST,
            "/admin/keys",
            Some(&admin),
            Some(json!({ "organisation": "COVENTRY", "expiresAt": "2001-01-01T00:00:00Z" })),
        )
        .await;
    assert_eq!((status, code_of(&past)), (400, "BAD_USER_INPUT"));
    assert!(error_message(&past).contains("not in the future"), "{past}");
}

#[tokio::test]
async fn only_an_admin_key_may_use_the_admin_routes() {
    let app = spawn_app().await;
    let partner = api_keys::issue(app.app.store(), Some("COVENTRY"), None)
        .unwrap()
        .token;
    let routes = [
        (reqwest::Method::GET, "/admin/keys", None),
        (
            reqwest::Method::POST,
            "/admin/keys",
            Some(json!({ "organisation": "COVENTRY" })),
        ),
        (
            reqwest::Method::DELETE,
            "/admin/keys/0123456789abcdef",
            None,
        ),
        (
            reqwest::Method::POST,
            "/admin/partners",
            Some(json!({ "code": "KEELE", "name": "Keele University" })),
        ),
    ];

    for (method, path, body) in routes {
        let (anonymous, answer) = app.admin(method.clone(), path, None, body.clone()).await;
        assert_eq!(
            (anonymous, code_of(&answer)),
            (401, "UNAUTHENTICATED"),
            "{method} {path}"
        );
        let (bad, answer) = app
            .admin(method.clone(), path, Some("nlg_00_00"), body.clone())
            .await;
        assert_eq!(
            (bad, code_of(&answer)),
            (401, "UNAUTHENTICATED"),
            "{method} {path}"
        );
        let (forbidden, answer) = app.admin(method.clone(), path, Some(&partner), body).await;
        assert_eq!(
            (forbidden, code_of(&answer)),
            (403, "FORBIDDEN"),
            "{method} {path}"
        );
    }
    let organisation = app
        .graphql(r#"{ organisation(code: "KEELE") { code } }"#)
        .await;
    assert_eq!(organisation["data"]["organisation"], Value::Null);
    assert_eq!(code_of(&organisation), "NOT_FOUND");
}

#[tokio::test]
async fn an_onboarded_partner_publishes_a_course_that_reads_and_searches_back() {
    let app = spawn_app().await;
    let admin = app.admin_key();

    let (status, onboarded) = app
        .add_partner(
            &admin,
            json!({
                "code": "KEELE",
                "name": "Keele University",
                "website": "https://www.keele.ac.uk",
            }),
        )
        .await;
    assert_eq!(status, 201, "{onboarded}");
    let token = onboarded["key"]["key"].as_str().unwrap().to_owned();
    let organisation = app
        .data(
            r#"{ organisation(code: "KEELE") { code name kind website sources { code kind title } }
                 organisations(kind: UNIVERSITY, first: 100) { edges { node { code } } } }"#,
        )
        .await;
    let found = app
        .data(r#"{ search(query: "Keele University", first: 3) { edges { node { record { __typename code } } } } }"#)
        .await;
    let written = app
        .create_course(
            &token,
            course(
                "keele-msc-ldr",
                "KEELE",
                "MSc Compassionate Leadership in Staffordshire",
            ),
        )
        .await;
    let course = app
        .data(r#"{ course(code: "keele-msc-ldr") { code provider { code name } publisher { code } } }"#)
        .await;
    let searched = app
        .data(r#"{ search(query: "compassionate leadership Staffordshire", first: 5) { edges { node { record { code } } } } }"#)
        .await;

    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        organisation["organisation"],
        json!({
            "code": "KEELE",
            "name": "Keele University",
            "kind": "UNIVERSITY",
            "website": "https://www.keele.ac.uk",
            "sources": [{
                "code": "operator-keele",
                "kind": "OPERATOR",
                "title": format!("Added by the operator on {today}"),
            }],
        })
    );
    assert!(
        crate::helpers::codes(&organisation["organisations"]).contains(&"KEELE".to_owned()),
        "{organisation}"
    );
    assert_eq!(
        found["search"]["edges"][0]["node"]["record"],
        json!({ "__typename": "Organisation", "code": "KEELE" })
    );
    assert_eq!(
        (
            onboarded["key"]["organisation"].as_str(),
            onboarded["source"]["code"].as_str()
        ),
        (Some("KEELE"), Some("operator-keele"))
    );
    assert!(written.get("errors").is_none(), "{written}");
    assert_eq!(
        course["course"],
        json!({
            "code": "keele-msc-ldr",
            "provider": { "code": "KEELE", "name": "Keele University" },
            "publisher": { "code": "KEELE" },
        })
    );
    let hits: Vec<&str> = searched["search"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|edge| edge["node"]["record"]["code"].as_str())
        .collect();
    assert!(hits.contains(&"keele-msc-ldr"), "{searched}");
}

#[tokio::test]
async fn a_code_in_use_is_refused_with_409_and_nothing_is_written() {
    let app = spawn_app().await;
    let admin = app.admin_key();
    let add =
        |code: &str| json!({ "code": code, "name": "Another Coventry", "kind": "UNIVERSITY" });
    let keys_before = app.keys_listed(&admin).await.len();

    let (seeded, seeded_answer) = app.add_partner(&admin, add("COVENTRY")).await;
    let (first, _) = app.add_partner(&admin, add("KEELE")).await;
    let (again, again_answer) = app.add_partner(&admin, add("KEELE")).await;
    let (nhs, nhs_answer) = app
        .add_partner(
            &admin,
            json!({ "code": "NEWTRUST", "name": "A Trust", "kind": "TRUST" }),
        )
        .await;

    assert_eq!((seeded, code_of(&seeded_answer)), (409, "BAD_USER_INPUT"));
    assert!(
        error_message(&seeded_answer).contains("\"COVENTRY\" exists already"),
        "{seeded_answer}"
    );
    assert_eq!((first, again), (201, 409));
    assert_eq!(code_of(&again_answer), "BAD_USER_INPUT");
    assert_eq!((nhs, code_of(&nhs_answer)), (400, "BAD_USER_INPUT"));
    let name = app
        .data(r#"{ organisation(code: "COVENTRY") { name } }"#)
        .await;
    assert_ne!(name["organisation"]["name"], "Another Coventry");
    assert_eq!(
        app.keys_listed(&admin).await.len(),
        keys_before + 1,
        "only the one onboarding issued a key"
    );
}

#[tokio::test]
async fn an_onboarded_partner_and_its_courses_survive_a_reseed() {
    let seed = crate::helpers::copy_of_seed();
    let data_dir = tempfile::tempdir().unwrap();
    let token = {
        let app = crate::helpers::start(data_dir.path(), seed.path())
            .await
            .unwrap();
        let address = format!("http://{}", app.local_addr());
        let admin = api_keys::issue(app.store(), None, None).unwrap().token;
        let client = reqwest::Client::new();
        let onboarded: Value = client
            .post(format!("{address}/admin/partners"))
            .bearer_auth(&admin)
            .json(&json!({ "code": "KEELE", "name": "Keele University" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = onboarded["key"]["key"].as_str().unwrap().to_owned();
        let input = course("keele-pgcert", "KEELE", "PGCert Leadership");
        let written = graphql_at(
            &client,
            &address,
            Some(&token),
            CREATE,
            json!({ "input": input }),
        )
        .await;
        assert!(written.get("errors").is_none(), "{written}");
        app.shutdown().await.unwrap();
        token
    };
    // A seed edit: the next start reseeds.
    let glossary = std::fs::read_dir(seed.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .expect("a TOML file at the seed's top level");
    let mut text = std::fs::read_to_string(&glossary).unwrap();
    text.push_str("\n# edited after onboarding\n");
    std::fs::write(&glossary, text).unwrap();

    let app = crate::helpers::start(data_dir.path(), seed.path())
        .await
        .unwrap();
    let address = format!("http://{}", app.local_addr());
    let client = reqwest::Client::new();
    let read = graphql_at(
        &client,
        &address,
        None,
        r#"{ organisation(code: "KEELE") { name sources { code } }
            organisations(kind: UNIVERSITY, first: 100) { edges { node { code } } }
            course(code: "keele-pgcert") { provider { code } } }"#,
        Value::Null,
    )
    .await;
    let input = course("keele-pgdip", "KEELE", "PGDip Leadership");
    let again = graphql_at(
        &client,
        &address,
        Some(&token),
        CREATE,
        json!({ "input": input }),
    )
    .await;

    assert_eq!(
        read["data"]["organisation"],
        json!({ "name": "Keele University", "sources": [{ "code": "operator-keele" }] })
    );
    assert!(
        crate::helpers::codes(&read["data"]["organisations"]).contains(&"KEELE".to_owned()),
        "{read}"
    );
    assert_eq!(
        read["data"]["course"],
        json!({ "provider": { "code": "KEELE" } })
    );
    assert!(again.get("errors").is_none(), "{again}");
}

/// The acceptance test: every operator action on a running server under a read loop, with
/// no failed read and the revoked key refused on its next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuing_revoking_expiring_and_onboarding_under_read_load_fail_no_read() {
    let app = spawn_app().await;
    let admin = app.admin_key();
    let stop = Arc::new(AtomicBool::new(false));
    let (reads, failures) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut readers = Vec::new();
    for reader in 0..4 {
        let (client, address) = (app.client.clone(), app.address.clone());
        let (stop, reads, failures) = (stop.clone(), reads.clone(), failures.clone());
        readers.push(tokio::spawn(async move {
            let query = if reader % 2 == 0 {
                r#"{ organisations(kind: UNIVERSITY, first: 100) { totalCount } }"#
            } else {
                r#"{ search(query: "leadership", first: 3) { totalCount } }"#
            };
            while !stop.load(Ordering::Relaxed) {
                let answer = client
                    .post(format!("{address}/graphql"))
                    .header("accept", "application/json")
                    .json(&json!({ "query": query }))
                    .send()
                    .await;
                let ok = match answer {
                    Ok(response) if response.status() == 200 => response
                        .json::<Value>()
                        .await
                        .is_ok_and(|body| body.get("errors").is_none()),
                    _ => false,
                };
                reads.fetch_add(1, Ordering::Relaxed);
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }

    let issued = app
        .issue_over_http(&admin, json!({ "organisation": "COVENTRY" }))
        .await;
    let token = issued["key"].as_str().unwrap().to_owned();
    let used = app
        .create_course(&token, course("cov-load-1", "COVENTRY", "MSc Load One"))
        .await;
    let (revoked, _) = app
        .admin(
            reqwest::Method::DELETE,
            &format!("/admin/keys/{}", key_id(&token)),
            Some(&admin),
            None,
        )
        .await;
    let after_revoke = app
        .create_course(&token, course("cov-load-2", "COVENTRY", "MSc Load Two"))
        .await;
    let expiring = app
        .issue_over_http(
            &admin,
            json!({ "organisation": "COVENTRY", "expiresAt": "2099-01-01T00:00:00Z" }),
        )
        .await;
    let (onboarded, onboarding) = app
        .add_partner(
            &admin,
            json!({ "code": "KEELE", "name": "Keele University" }),
        )
        .await;
    let keele = app
        .create_course(
            onboarding["key"]["key"].as_str().unwrap(),
            course("keele-load", "KEELE", "MSc Keele Load"),
        )
        .await;
    app.expire(expiring["id"].as_str().unwrap());
    let after_expiry = app
        .create_course(
            expiring["key"].as_str().unwrap(),
            course("cov-load-3", "COVENTRY", "MSc Load Three"),
        )
        .await;
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }

    assert!(used.get("errors").is_none(), "{used}");
    assert_eq!(revoked, 200);
    assert_eq!(code_of(&after_revoke), "UNAUTHENTICATED");
    assert_eq!((onboarded, keele.get("errors")), (201, None), "{keele}");
    assert_eq!(code_of(&after_expiry), "UNAUTHENTICATED");
    assert!(reads.load(Ordering::Relaxed) > 0);
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "no read failed among {}",
        reads.load(Ordering::Relaxed)
    );
}

/// `keys` and `partners` with `--server`: the real binary against a running server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_manages_keys_and_partners_on_a_running_server() {
    let app = spawn_app().await;
    let admin = app.admin_key();
    let run = |args: &[&str]| {
        let (address, admin) = (app.address.clone(), admin.clone());
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        async move {
            tokio::task::spawn_blocking(move || {
                Command::new(BINARY)
                    .args(&args)
                    .args(["--server", &address, "--key", &admin])
                    .env_remove("NHS_GRAPH_ADMIN_KEY")
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };

    let issued = run(&[
        "keys",
        "issue",
        "--organisation",
        "COVENTRY",
        "--label",
        "cli",
        "--expires-in-days",
        "30",
    ])
    .await;
    let token = String::from_utf8(issued.stdout.clone())
        .unwrap()
        .trim()
        .to_owned();
    let listed = run(&["keys", "list"]).await;
    let revoked = run(&["keys", "revoke", key_id(&token)]).await;
    let refused = app
        .create_course(&token, course("cov-cli-1", "COVENTRY", "MSc CLI"))
        .await;
    let onboarded = run(&[
        "partners",
        "add",
        "--code",
        "KEELE",
        "--name",
        "Keele University",
        "--website",
        "https://www.keele.ac.uk",
    ])
    .await;
    let keele_token = String::from_utf8(onboarded.stdout.clone())
        .unwrap()
        .trim()
        .to_owned();
    let duplicate = run(&["partners", "add", "--code", "KEELE", "--name", "Keele"]).await;
    let published = app
        .create_course(
            &keele_token,
            course("keele-cli", "KEELE", "MSc Keele by CLI"),
        )
        .await;
    let wrong_key = Command::new(BINARY)
        .args(["keys", "list", "--server", &app.address, "--key", &token])
        .env_remove("NHS_GRAPH_ADMIN_KEY")
        .output()
        .unwrap();

    assert!(
        issued.status.success(),
        "{}",
        String::from_utf8_lossy(&issued.stderr)
    );
    assert!(token.starts_with("nlg_"), "{token}");
    let listing = String::from_utf8(listed.stdout).unwrap();
    let line = listing
        .lines()
        .find(|line| line.starts_with(key_id(&token)))
        .unwrap_or_else(|| panic!("the key is listed: {listing}"));
    assert!(
        line.contains("COVENTRY") && line.contains("active") && line.ends_with("cli"),
        "{line}"
    );
    assert!(revoked.status.success());
    assert_eq!(code_of(&refused), "UNAUTHENTICATED");
    assert!(
        onboarded.status.success(),
        "{}",
        String::from_utf8_lossy(&onboarded.stderr)
    );
    assert!(String::from_utf8_lossy(&onboarded.stderr).contains("operator-keele"));
    assert!(!duplicate.status.success());
    assert!(
        String::from_utf8_lossy(&duplicate.stderr).contains("409"),
        "{}",
        String::from_utf8_lossy(&duplicate.stderr)
    );
    assert!(published.get("errors").is_none(), "{published}");
    assert!(!wrong_key.status.success());
    assert!(String::from_utf8_lossy(&wrong_key.stderr).contains("401"));
}

/// The README's first step: the operator's admin key is issued before the server's first
/// start, and the running server accepts it on the admin API.
#[tokio::test]
async fn the_first_admin_key_is_issued_before_the_first_start() {
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().join("fresh");
    let issued = Command::new(BINARY)
        .args(["keys", "issue", "--admin", "--label", "operator"])
        .args(crate::helpers::store_args(&data_dir))
        .output()
        .unwrap();
    assert!(
        issued.status.success(),
        "{}",
        String::from_utf8_lossy(&issued.stderr)
    );
    let admin = String::from_utf8(issued.stdout).unwrap().trim().to_owned();

    let app = crate::helpers::start(&data_dir, &crate::helpers::repository_seed_dir())
        .await
        .unwrap();
    let listed: Value = reqwest::Client::new()
        .get(format!("http://{}/admin/keys", app.local_addr()))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(listed["keys"][0]["id"].as_str(), Some(key_id(&admin)));
    assert_eq!(listed["keys"][0]["organisation"], Value::Null);
    app.shutdown().await.unwrap();
}

/// Two servers on one PostgreSQL database: what the operator does on one, the other sees:
/// a revoked key refused on its next request there, and a new partner readable and
/// searchable there.
#[tokio::test]
async fn on_postgres_another_server_refuses_a_revoked_key_at_once_and_learns_a_new_partner() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL database") {
        return;
    }
    let url = crate::postgres_cluster::fresh_database();
    let on = |url: String| {
        crate::helpers::spawn_app_with(move |config| config.data.database_url = Some(url))
    };
    let writer = on(url.clone()).await;
    let reader = on(url).await;
    let admin = writer.admin_key();
    let issued = writer
        .issue_over_http(&admin, json!({ "organisation": "COVENTRY" }))
        .await;
    let token = issued["key"].as_str().unwrap().to_owned();
    let accepted = reader
        .create_course(&token, course("pg-ops-1", "COVENTRY", "MSc Shared One"))
        .await;
    assert!(accepted.get("errors").is_none(), "{accepted}");
    // The reader has answered this query once, so it is in its response cache.
    let keele = r#"{ organisation(code: "KEELE") { name sources { kind } } }"#;
    assert_eq!(
        reader.graphql(keele).await["data"]["organisation"],
        Value::Null
    );

    let (revoked, _) = writer
        .admin(
            reqwest::Method::DELETE,
            &format!("/admin/keys/{}", key_id(&token)),
            Some(&admin),
            None,
        )
        .await;
    let refused = reader
        .create_course(&token, course("pg-ops-2", "COVENTRY", "MSc Shared Two"))
        .await;
    let (onboarded, _) = writer
        .admin(
            reqwest::Method::POST,
            "/admin/partners",
            Some(&admin),
            Some(json!({ "code": "KEELE", "name": "Keele University" })),
        )
        .await;
    // The reader learns other servers' writes through the database's change notification:
    // poll until it has (a generous deadline, not a speed assertion).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let (read, found) = loop {
        let read = reader.graphql(keele).await;
        let found = reader
            .data(r#"{ search(query: "Keele University", first: 3) { edges { node { record { code } } } } }"#)
            .await;
        let learnt = !read["data"]["organisation"].is_null()
            && found["search"]["edges"][0]["node"]["record"]["code"] == "KEELE";
        if learnt || std::time::Instant::now() > deadline {
            break (read, found);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };

    assert_eq!(revoked, 200);
    assert_eq!(code_of(&refused), "UNAUTHENTICATED", "{refused}");
    assert_eq!(onboarded, 201);
    assert_eq!(
        read["data"]["organisation"],
        json!({ "name": "Keele University", "sources": [{ "kind": "OPERATOR" }] })
    );
    assert_eq!(
        found["search"]["edges"][0]["node"]["record"]["code"], "KEELE",
        "{found}"
    );
}

/// `--help` gives every subcommand a description of its own, so an operator reading it
/// learns what each does (`restore` and `courses` once had each other's).
#[test]
fn help_describes_every_subcommand_in_its_own_words() {
    let output = Command::new(BINARY)
        .arg("--help")
        .output()
        .expect("--help runs");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).expect("UTF-8 help");
    let commands: Vec<(&str, &str)> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.trim().split_once(' '))
        .map(|(name, about)| (name, about.trim()))
        .collect();
    let about = |name: &str| {
        commands
            .iter()
            .find(|(command, _)| *command == name)
            .map(|(_, about)| *about)
            .unwrap_or_else(|| panic!("no `{name}` in:\n{help}"))
    };
    assert!(about("restore").starts_with("Restore a backup"), "{help}");
    assert!(about("courses").starts_with("Publish courses"), "{help}");
    assert!(
        about("backup").starts_with("Write a checksummed backup"),
        "{help}"
    );
    let mut descriptions: Vec<&str> = commands.iter().map(|(_, about)| *about).collect();
    descriptions.sort_unstable();
    descriptions.dedup();
    assert_eq!(descriptions.len(), commands.len(), "{help}");
}
