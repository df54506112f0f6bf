//! The PostgreSQL backend (`--database-url`) beyond what the suite's PostgreSQL pass checks:
//! the same answers as sled side by side, several server processes on one database seeing
//! each other's writes, clear failures at start, and recovery from the database going away,
//! with no restart. Each test picks its own databases from `postgres_cluster.rs`, so these
//! run once, in the default pass.

use std::time::{Duration, Instant};

use chrono::Utc;
use nhs_leadership_graph::api_keys as keys;
use nhs_leadership_graph::domain::{ApiKey, Code};
use nhs_leadership_graph::store::{Error, Store};
use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::postgres_cluster::{fresh_database, Cluster, PASSWORD, PASSWORD_ROLE};

/// Generous: a deadline for eventual outcomes, never a speed assertion.
const DEADLINE: Duration = Duration::from_secs(30);

async fn spawn_app_on(url: &str) -> TestApp {
    let url = url.to_owned();
    spawn_app_with(move |config| config.data.database_url = Some(url)).await
}

const CREATE: &str = r#"mutation Create($input: CourseInput!) {
  createCourse(input: $input) {
    course { code title provider { code } accreditations { body { code } basis } }
    auditEntry { sequence action courseCode }
  }
}"#;

fn course(code: &str, title: &str) -> Value {
    json!({
        "code": code,
        "title": title,
        "provider": "COVENTRY",
        "level": "POSTGRADUATE",
        "subject": "health and care leadership",
        "accreditedBy": ["CMI"],
    })
}

impl TestApp {
    async fn post_as(&self, key: &str, query: &str, variables: Value) -> reqwest::Response {
        self.client
            .post(format!("{}/graphql", self.address))
            .header("accept", "application/json")
            .bearer_auth(key)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("the server answers")
    }

    async fn write_course(&self, key: &str, code: &str, title: &str) -> Value {
        self.post_as(key, CREATE, json!({ "input": course(code, title) }))
            .await
            .json()
            .await
            .expect("a JSON body")
    }

    fn coventry_key(&self) -> String {
        keys::issue(self.app.store(), Some("COVENTRY"), None)
            .expect("a key is issued")
            .token
    }
}

/// Queries that walk the graph several levels deep, root lists, filters and search.
const QUERIES: [&str; 4] = [
    r#"{ organisation(code: "QWE") { name kind parent { code kind }
         children(kind: TRUST, first: 50) { totalCount edges { node { code name
           posts { role { code name programmes { code name } } } } } } } }"#,
    r#"{ organisations(kind: ICB, asOf: "2025-06-01") { totalCount } }"#,
    r#"{ courses(accreditedBy: "CMI", first: 20) { totalCount edges { node { code title provider { code } } } } }"#,
    r#"{ search(query: "Mary Seacole", first: 5) { totalCount edges { node { record { code } } } } }"#,
];

#[tokio::test]
async fn a_postgres_backed_server_answers_exactly_as_a_sled_backed_one() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    let sled = spawn_app().await;
    let postgres = spawn_app_on(&fresh_database()).await;

    for query in QUERIES {
        let expected = sled.data(query).await;
        let answered = postgres.data(query).await;
        assert_eq!(answered, expected, "{query}");
    }
}

#[tokio::test]
async fn a_partner_write_on_postgres_is_read_back_listed_and_audited() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    // A pool of one connection: a write never needs a second one while it holds the first.
    let url = fresh_database();
    let app = spawn_app_with(move |config| {
        config.data.database_url = Some(url);
        config.data.database_pool_size = 1;
    })
    .await;
    let key = app.coventry_key();

    let written = app
        .write_course(&key, "pg-msc-leadership", "MSc Leadership on Postgres")
        .await;
    let read = app
        .data(r#"{ course(code: "pg-msc-leadership") { title provider { code } } }"#)
        .await;
    let listed = app
        .data(r#"{ courses(accreditedBy: "CMI", first: 100) { edges { node { code } } } }"#)
        .await;
    let trail: Value = app
        .post_as(
            &key,
            "{ auditTrail(after: 0) { sequence courseCode action } }",
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();

    assert!(written.get("errors").is_none(), "{written}");
    assert_eq!(
        written["data"]["createCourse"]["auditEntry"],
        json!({ "sequence": 1, "action": "CREATE", "courseCode": "pg-msc-leadership" })
    );
    assert_eq!(
        read,
        json!({ "course": { "title": "MSc Leadership on Postgres", "provider": { "code": "COVENTRY" } } })
    );
    assert!(listed.to_string().contains("pg-msc-leadership"), "{listed}");
    let health = app.get_json("/health").await;
    assert_eq!(
        health["store"]["poolSize"],
        json!(1),
        "the pool holds at most one connection: {health}"
    );
    assert_eq!(
        trail["data"]["auditTrail"],
        json!([{ "sequence": 1, "courseCode": "pg-msc-leadership", "action": "CREATE" }])
    );
}

#[tokio::test]
async fn a_restarted_server_on_postgres_keeps_partner_writes_and_does_not_reseed() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    let url = fresh_database();
    let first = spawn_app_on(&url).await;
    let key = first.coventry_key();
    first.write_course(&key, "pg-kept", "Kept").await;
    let version = first.app.store().data_version().unwrap();
    first.app.shutdown().await.unwrap();

    let second = spawn_app_on(&url).await;

    assert_eq!(
        second
            .data(r#"{ course(code: "pg-kept") { title } }"#)
            .await,
        json!({ "course": { "title": "Kept" } })
    );
    assert_eq!(
        second.app.store().data_version().unwrap(),
        version,
        "the seed was current, so nothing was written"
    );
}

#[tokio::test]
async fn two_servers_on_one_database_see_each_others_writes_through_their_caches() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    let url = fresh_database();
    let writer = spawn_app_on(&url).await;
    let reader = spawn_app_on(&url).await;
    let key = writer.coventry_key();
    let query = r#"{ course(code: "pg-shared") { title } }"#;
    let search = r#"{ search(query: "Zanzibar", first: 5) { totalCount } }"#;
    // Both answers are now in the reader's response cache.
    assert_eq!(
        reader.graphql(query).await["data"],
        json!({ "course": null })
    );
    assert_eq!(reader.data(search).await["search"]["totalCount"], 0);

    let written = writer
        .write_course(&key, "pg-shared", "Leadership in Zanzibar")
        .await;
    assert!(written.get("errors").is_none(), "{written}");

    let deadline = Instant::now() + DEADLINE;
    let seen = loop {
        let answer = reader.graphql(query).await;
        if answer["data"]["course"] != Value::Null || Instant::now() > deadline {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        seen["data"],
        json!({ "course": { "title": "Leadership in Zanzibar" } })
    );
    let found = loop {
        let answer = reader.data(search).await;
        if answer["search"]["totalCount"] != 0 || Instant::now() > deadline {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        found["search"]["totalCount"], 1,
        "the reader's search index follows"
    );
    assert_eq!(
        reader.app.store().data_version().unwrap(),
        writer.app.store().data_version().unwrap()
    );
}

#[tokio::test]
async fn a_bad_url_an_unreachable_server_and_a_wrong_password_fail_at_start_with_one_line() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    let cluster = Cluster::start();
    let database = cluster.create_database();
    let name = database.rsplit('/').next().unwrap().to_owned();

    let bad_url = Store::open_postgres("postgres://user@host:not-a-port/db").err();
    let tls = ["require", "verify-ca", "verify-full"].map(|mode| {
        Store::open_postgres(&format!("{}?sslmode={mode}", cluster.url_for(&name)))
            .err()
            .unwrap_or_else(|| panic!("sslmode={mode} is refused"))
    });
    let started = Instant::now();
    let unreachable = Store::open_postgres("postgres://postgres@127.0.0.1:9/nlg").err();
    let unreachable_after = started.elapsed();
    let wrong_password = Store::open_postgres(&cluster.url_as(PASSWORD_ROLE, "wrong", &name)).err();
    let right_password = Store::open_postgres(&cluster.url_as(PASSWORD_ROLE, PASSWORD, &name));

    let bad_url = bad_url.expect("a bad URL is refused");
    assert!(matches!(bad_url, Error::BadDatabaseUrl { .. }), "{bad_url}");
    let unreachable = unreachable.expect("an unreachable server is refused");
    assert!(
        matches!(unreachable, Error::Unavailable { .. }),
        "{unreachable}"
    );
    assert!(
        unreachable.to_string().contains("127.0.0.1:9"),
        "{unreachable}"
    );
    assert!(unreachable_after < DEADLINE, "connecting gives up");
    let wrong_password = wrong_password.expect("a wrong password is refused");
    assert!(
        wrong_password
            .to_string()
            .contains("password authentication failed"),
        "{wrong_password}"
    );
    for (error, mode) in tls.iter().zip(["require", "verify-ca", "verify-full"]) {
        assert!(matches!(error, Error::BadDatabaseUrl { .. }), "{error}");
        assert!(
            error.to_string().contains(&format!(
                "sslmode={mode} asks for TLS, which this build does not support"
            )),
            "{error}"
        );
    }
    for error in tls.iter().chain([&bad_url, &unreachable, &wrong_password]) {
        assert!(!error.to_string().contains('\n'), "one line: {error}");
        assert!(
            !error.to_string().contains(PASSWORD),
            "no password: {error}"
        );
    }
    assert!(right_password.is_ok(), "{:?}", right_password.err());
}

#[tokio::test]
async fn a_database_on_a_newer_migration_is_refused_at_start() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    let cluster = Cluster::start();
    let url = cluster.create_database();
    drop(Store::open_postgres(&url).expect("a fresh database is migrated"));
    let name = url.rsplit('/').next().unwrap();
    cluster.psql_on(
        name,
        "INSERT INTO schema_migrations (version, name) VALUES (999, 'from a newer build')",
    );

    let refused = Store::open_postgres(&url).err().expect("refused");

    assert!(
        matches!(refused, Error::SchemaTooNew { found: 999, .. }),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("run a newer build"),
        "{refused}"
    );
}

fn model_key() -> ApiKey {
    ApiKey {
        id: "model".to_owned(),
        organisation: Code::parse("COVENTRY").ok(),
        secret_hash: [0; 32],
        label: None,
        created_at: Utc::now(),
        revoked_at: None,
        expires_at: None,
    }
}

/// What a reader saw while the database went away and came back.
#[derive(Default)]
struct Seen {
    statuses: Vec<u16>,
    /// Warm reads (in the memo) whose answer differed from the one before the outage.
    wrong_warm_answers: Vec<Value>,
    n_warm: usize,
    n_cold: usize,
    /// Reads the memo could not answer that failed (the database was away).
    n_cold_errors: usize,
}

/// Reads until `stop`: a query the memo holds, then one it cannot (an unknown code is never
/// remembered), over and over.
async fn read_until(
    app_address: String,
    warm: &'static str,
    expected: Value,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Seen {
    let client = reqwest::Client::builder()
        .timeout(DEADLINE)
        .build()
        .unwrap();
    let mut seen = Seen::default();
    for n in 0.. {
        if *stop.borrow() {
            break;
        }
        let warm_turn = n % 2 == 0;
        let query = if warm_turn {
            warm.to_owned()
        } else {
            format!(r#"{{ organisation(code: "ZZ{n}") {{ name }} }}"#)
        };
        let response = client
            .post(format!("{app_address}/graphql"))
            .header("accept", "application/json")
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("the server answers");
        seen.statuses.push(response.status().as_u16());
        let answer: Value = response.json().await.expect("a JSON body");
        if warm_turn {
            seen.n_warm += 1;
            if answer["data"] != expected {
                seen.wrong_warm_answers.push(answer);
            }
        } else {
            seen.n_cold += 1;
            // An unknown code answers null and NOT_FOUND when the database says so.
            let code = &answer["errors"][0]["extensions"]["code"];
            seen.n_cold_errors += usize::from(!code.is_null() && code != "NOT_FOUND");
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_down_under_load_writes_fail_fast_warm_reads_answer_and_it_recovers_without_restart(
) {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    let cluster = Cluster::start();
    let app = spawn_app_on(&cluster.create_database()).await;
    let key = app.coventry_key();
    const WARM: &str = r#"{ organisation(code: "QWE") { name children(kind: TRUST, first: 5) { edges { node { code } } } } }"#;
    let expected = app.data(WARM).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let readers: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(read_until(
                app.address.clone(),
                WARM,
                expected.clone(),
                stopped.clone(),
            ))
        })
        .collect();

    cluster.stop_immediately();
    let started = Instant::now();
    let store_write = tokio::task::block_in_place(|| app.app.store().put_api_key(&model_key()));
    let store_write_after = started.elapsed();
    let http_write = app
        .post_as(
            &key,
            CREATE,
            json!({ "input": course("pg-during", "During") }),
        )
        .await;
    let http_write_status = http_write.status();
    let http_write: Value = http_write.json().await.unwrap();
    let reachable_during = app.app.store().backend_status().reachable;
    let ready_during = app.get("/ready").await.status();
    cluster.start_server();
    let deadline = Instant::now() + DEADLINE;
    let recovered = loop {
        let answer = app.write_course(&key, "pg-after", "After").await;
        if answer.get("errors").is_none() || Instant::now() > deadline {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    stop.send(true).unwrap();
    let mut seen = Seen::default();
    for reader in readers {
        let reader = reader.await.unwrap();
        seen.statuses.extend(reader.statuses);
        seen.wrong_warm_answers.extend(reader.wrong_warm_answers);
        seen.n_warm += reader.n_warm;
        seen.n_cold += reader.n_cold;
        seen.n_cold_errors += reader.n_cold_errors;
    }

    println!(
        "outage test: {} warm reads, {} cold reads of which {} failed, statuses {:?}",
        seen.n_warm,
        seen.n_cold,
        seen.n_cold_errors,
        seen.statuses
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
    );
    let store_write = store_write.expect_err("a write with the database down fails");
    assert!(
        matches!(store_write, Error::Unavailable { .. }),
        "{store_write}"
    );
    assert!(store_write_after < DEADLINE, "it fails, not hangs");
    assert!(
        !reachable_during,
        "the store reports the database unreachable"
    );
    assert_eq!(
        http_write["errors"][0]["extensions"]["code"], "UNAVAILABLE",
        "a write while the database is down says so: {http_write}"
    );
    assert_eq!(
        http_write_status, 503,
        "and answers 503, for clients to retry"
    );
    assert_eq!(
        ready_during, 503,
        "/ready says not ready while the database is down"
    );
    assert!(seen.n_warm > 0 && seen.n_cold > 0, "the readers read");
    assert!(
        seen.n_cold_errors > 0,
        "the outage was felt by reads the memo cannot answer"
    );
    assert!(
        seen.statuses
            .iter()
            .all(|status| *status < 500 || *status == 503),
        "no 5xx but 503: {:?}",
        seen.statuses
    );
    assert_eq!(
        seen.wrong_warm_answers,
        Vec::<Value>::new(),
        "reads in memory are still answered"
    );
    assert!(recovered.get("errors").is_none(), "{recovered}");
    assert_eq!(
        app.data(r#"{ course(code: "pg-after") { title } }"#).await,
        json!({ "course": { "title": "After" } })
    );
    assert!(app.app.store().backend_status().reachable);
}

#[tokio::test]
async fn a_reseed_by_another_server_keeps_partner_published_courses() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    let url = fresh_database();
    let seed = crate::helpers::copy_of_seed();
    let first = {
        let (url, seed) = (url.clone(), seed.path().to_owned());
        spawn_app_with(move |config| {
            config.data.database_url = Some(url);
            config.data.seed_dir = Some(seed);
        })
        .await
    };
    let key = first.coventry_key();
    let created = first.write_course(&key, "pg-kept", "Kept").await;
    let updated: Value = first
        .post_as(&key, r#"mutation { updateCourse(code: "coventry-pg-physiotherapy", patch: { title: "Partner title" }) { course { title } } }"#, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        created.get("errors").is_none() && updated.get("errors").is_none(),
        "{created} {updated}"
    );
    let version_before = first.app.store().data_version().unwrap();
    std::fs::write(
        seed.path().join("zz-extra.toml"),
        "# a change to the seed, so it reloads\n",
    )
    .unwrap();

    let second = {
        let (url, seed) = (url.clone(), seed.path().to_owned());
        spawn_app_with(move |config| {
            config.data.database_url = Some(url);
            config.data.seed_dir = Some(seed);
        })
        .await
    };
    let query = r#"{ kept: course(code: "pg-kept") { title } updated: course(code: "coventry-pg-physiotherapy") { title } }"#;

    assert!(
        second.app.store().data_version().unwrap() > version_before,
        "the changed seed was written"
    );
    assert_eq!(
        second.data(query).await,
        json!({ "kept": { "title": "Kept" }, "updated": { "title": "Partner title" } })
    );
    let deadline = Instant::now() + DEADLINE;
    while first.app.store().data_version().unwrap() < second.app.store().data_version().unwrap()
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        first.app.store().data_version().unwrap(),
        second.app.store().data_version().unwrap(),
        "the first server follows the reseed"
    );
    assert_eq!(
        first.data(query).await,
        json!({ "kept": { "title": "Kept" }, "updated": { "title": "Partner title" } })
    );
}

#[tokio::test]
async fn three_servers_starting_at_once_on_an_empty_database_write_the_seed_once() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    let url = fresh_database();

    let (first, second, third) =
        tokio::join!(spawn_app_on(&url), spawn_app_on(&url), spawn_app_on(&url));

    for app in [&first, &second, &third] {
        assert_eq!(
            app.app.store().data_version().unwrap(),
            1,
            "one seed write, which the others waited for and found current"
        );
        assert_eq!(
            app.data("{ organisations(kind: ICB) { totalCount } }")
                .await,
            json!({ "organisations": { "totalCount": 36 } })
        );
    }
}

/// Not a speed assertion: prints how long a write on one server takes to show through the
/// other's response cache, for the record (`cargo test --test api postgres::cross -- --nocapture`).
#[tokio::test]
async fn cross_server_visibility_is_measured_over_twenty_writes() {
    if crate::helpers::backend_independent("it picks its own PostgreSQL databases") {
        return;
    }
    let url = fresh_database();
    let writer = spawn_app_on(&url).await;
    let reader = spawn_app_on(&url).await;
    let key = writer.coventry_key();
    let mut delays = Vec::new();

    // A count the reader has in its response cache and its memo, so the write shows only
    // once the reader has learnt of it (an unknown code's answer carries an error and is
    // not cached: its poll would read the database directly).
    let query = r#"{ courses(provider: "COVENTRY", first: 1) { totalCount } }"#;
    let count = |answer: Value| answer["courses"]["totalCount"].as_u64().expect("a count");
    for n in 0..20 {
        let before = count(reader.data(query).await);
        let written = writer
            .write_course(&key, &format!("pg-visible-{n}"), "Visible")
            .await;
        assert!(written.get("errors").is_none(), "{written}");
        let acknowledged = Instant::now();
        while count(reader.data(query).await) == before {
            assert!(acknowledged.elapsed() < DEADLINE, "write {n} never showed");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        delays.push(acknowledged.elapsed());
    }

    delays.sort();
    println!(
        "cross-server visibility over {} writes: p50 {:?}, max {:?}",
        delays.len(),
        delays[delays.len() / 2],
        delays[delays.len() - 1]
    );
}
