//! Durability under SIGKILL, on the pass's backend (`helpers::backend`): the real binary is
//! killed mid-stream of acknowledged writes, over and over; after each restart every
//! acknowledged write is there, no bulk upload is half applied, and the provider index,
//! point reads and the audit trail agree. On sled the store is a data directory; on
//! PostgreSQL, the database standing for it (`helpers::store_args`).
//!
//! (A negative control once ran the same loop against a test-only write-behind mode to show
//! the checks find losses; that mode ran through production code and is gone. The checks'
//! ability to fail is shown by their own logic: each compares what was acknowledged with
//! what is read back.)

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{backend, store_args, Backend};

const BINARY: &str = env!("CARGO_BIN_EXE_nhs-leadership-graph");
/// Concurrent writers per cycle.
const WRITERS: usize = 4;

/// Kill cycles: `NHS_GRAPH_CRASH_CYCLES`, else 100 on sled and 50 on PostgreSQL (where a
/// restart and each write cost a few round trips more).
fn cycles() -> usize {
    std::env::var("NHS_GRAPH_CRASH_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(match backend() {
            Backend::Sled => 100,
            Backend::Postgres => 50,
        })
}

struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// Starts the binary on the store `store` names (`helpers::store_args`).
    fn start(store: &[OsString]) -> Self {
        let mut child = Command::new(BINARY)
            .args(["--bind", "127.0.0.1:0"])
            .args(store)
            .env("RUST_LOG", "warn")
            // The writers and the checks hammer the server from one IP: this test is about
            // durability, not the per-client rate limit.
            .env("NHS_GRAPH_RATE_LIMIT_PER_SECOND", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server binary starts");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        while !line.contains("GraphQL playground") {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .expect("the server prints its address");
            assert!(n > 0, "the server exited before listening");
        }
        let address = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        Self {
            child,
            url: format!("{address}/graphql"),
        }
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("the killed server is reaped");
    }
}

fn issue_key(store: &[OsString]) -> String {
    let output = Command::new(BINARY)
        .args(["keys", "issue", "--organisation", "COVENTRY"])
        .args(store)
        .output()
        .expect("keys issue runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn course(code: &str) -> Value {
    json!({ "code": code, "title": format!("Course {code}"), "provider": "COVENTRY", "level": "POSTGRADUATE", "subject": "crash testing", "accreditedBy": ["CMI"] })
}

/// What the writers saw acknowledged.
#[derive(Default, Clone)]
struct Acknowledged {
    /// Every code of every acknowledged write.
    codes: BTreeSet<String>,
    /// Every bulk upload sent, acknowledged or not: each must be all there or all absent.
    bulks: Vec<Vec<String>>,
}

/// Writes until the server dies (single creates, and every third step a bulk upload of
/// three), recording what was acknowledged.
async fn write_until_killed(
    client: reqwest::Client,
    url: String,
    key: String,
    prefix: String,
    acknowledged: Arc<Mutex<Acknowledged>>,
) {
    for step in 0.. {
        let bulk = step % 3 == 2;
        let codes: Vec<String> = if bulk {
            (0..3).map(|i| format!("{prefix}-{step}-{i}")).collect()
        } else {
            vec![format!("{prefix}-{step}")]
        };
        let body = if bulk {
            let rows: Vec<Value> = codes.iter().map(|code| course(code)).collect();
            json!({ "query": "mutation($c: [CourseInput!]) { upsertCourses(courses: $c) { created } }", "variables": { "c": rows } })
        } else {
            json!({ "query": "mutation($i: CourseInput!) { createCourse(input: $i) { course { code } } }", "variables": { "i": course(&codes[0]) } })
        };
        if bulk {
            acknowledged.lock().unwrap().bulks.push(codes.clone());
        }
        let answer: Option<Value> =
            match client.post(&url).bearer_auth(&key).json(&body).send().await {
                Ok(response) => response.json().await.ok(),
                Err(_) => None,
            };
        let Some(answer) = answer else { return }; // the server is gone
        if answer.get("errors").is_none() && answer["data"].is_object() {
            acknowledged.lock().unwrap().codes.extend(codes);
        }
    }
}

async fn post(client: &reqwest::Client, url: &str, key: &str, query: String) -> Value {
    client
        .post(url)
        .bearer_auth(key)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("the restarted server answers")
        .json()
        .await
        .expect("a JSON body")
}

/// What the restarted server disagrees with: acknowledged codes missing, half-applied bulk
/// uploads, and indexed courses without an audit entry or a point read.
async fn check(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    acknowledged: &Acknowledged,
) -> Vec<String> {
    let mut indexed = BTreeSet::new();
    let mut after = "null".to_owned();
    loop {
        let page = post(client, url, key, format!(
            "{{ courses(provider: \"COVENTRY\", first: 100, after: {after}) {{ edges {{ node {{ code }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )).await;
        let courses = &page["data"]["courses"];
        for edge in courses["edges"].as_array().expect("a page of courses") {
            indexed.insert(edge["node"]["code"].as_str().unwrap().to_owned());
        }
        if courses["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = courses["pageInfo"]["endCursor"].to_string();
    }
    let mut audited = BTreeSet::new();
    let mut last = 0;
    loop {
        let trail = post(
            client,
            url,
            key,
            format!("{{ auditTrail(after: {last}, first: 1000) {{ sequence courseCode }} }}"),
        )
        .await;
        let entries = trail["data"]["auditTrail"]
            .as_array()
            .expect("an audit trail")
            .clone();
        for entry in &entries {
            audited.insert(entry["courseCode"].as_str().unwrap().to_owned());
            last = entry["sequence"].as_u64().unwrap();
        }
        if entries.len() < 1000 {
            break;
        }
    }
    let mut problems = Vec::new();
    for code in &acknowledged.codes {
        if !indexed.contains(code) {
            problems.push(format!("acknowledged {code} is missing"));
        }
    }
    for bulk in &acknowledged.bulks {
        let present = bulk.iter().filter(|code| indexed.contains(*code)).count();
        if present != 0 && present != bulk.len() {
            problems.push(format!(
                "bulk upload {bulk:?} is half applied ({present} of 3)"
            ));
        }
    }
    for code in indexed.iter().filter(|code| code.starts_with("crash-")) {
        if !audited.contains(code) {
            problems.push(format!("{code} has no audit entry"));
        }
        let point = post(
            client,
            url,
            key,
            format!("{{ course(code: \"{code}\") {{ code }} }}"),
        )
        .await;
        if point["data"]["course"]["code"] != json!(code) {
            problems.push(format!("{code} is in the index but not readable"));
        }
    }
    problems
}

#[tokio::test]
async fn no_acknowledged_write_is_lost_and_no_bulk_upload_is_half_applied_across_sigkills() {
    let data_dir = tempfile::tempdir().unwrap();
    let store = store_args(data_dir.path());
    Server::start(&store).kill(); // creates and seeds the store
    let key = issue_key(&store);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let mut problems = Vec::new();
    let n_cycles = cycles();

    for cycle in 0..n_cycles {
        let server = Server::start(&store);
        let snapshot = acknowledged.lock().unwrap().clone();
        let found = check(&client, &server.url, &key, &snapshot).await;
        problems.extend(
            found
                .into_iter()
                .map(|problem| format!("cycle {cycle}: {problem}")),
        );
        let mut writers = tokio::task::JoinSet::new();
        for writer in 0..WRITERS {
            writers.spawn(write_until_killed(
                client.clone(),
                server.url.clone(),
                key.clone(),
                format!("crash-{cycle}-{writer}"),
                acknowledged.clone(),
            ));
        }
        // The kill comes after a varying delay, 50 to 430 ms.
        tokio::time::sleep(Duration::from_millis(50 + (cycle as u64 * 37) % 380)).await;
        server.kill();
        while writers.join_next().await.is_some() {}
    }
    let server = Server::start(&store);
    let acknowledged = acknowledged.lock().unwrap().clone();
    problems.extend(check(&client, &server.url, &key, &acknowledged).await);
    server.kill();

    println!(
        "crash test on {:?}: {n_cycles} kill cycles, {} acknowledged writes checked, {} problems",
        backend(),
        acknowledged.codes.len(),
        problems.len()
    );
    assert!(
        acknowledged.codes.len() > n_cycles,
        "writes were acknowledged ({})",
        acknowledged.codes.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// How many records of each kind a server answers with, and how many its search finds.
async fn census(client: &reqwest::Client, url: &str) -> Value {
    let query = "{ organisations(first: 1) { totalCount } courses(first: 1) { totalCount } \
                 roles { id } programmes { id } qualifications { id } payBands { id } \
                 topics { id } careerStories { id } figures { id } sources { id } \
                 search(query: \"chief executive\", first: 1) { totalCount } }";
    let answer: Value = client
        .post(url)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body");
    assert!(answer.get("errors").is_none(), "{answer}");
    let data = &answer["data"];
    let mut counts = serde_json::Map::new();
    for (field, value) in data.as_object().expect("data") {
        let count = match value {
            Value::Array(items) => items.len() as u64,
            _ => value["totalCount"].as_u64().expect("a totalCount"),
        };
        counts.insert(field.clone(), count.into());
    }
    Value::Object(counts)
}

/// A first start killed at any moment (reading the seed, writing it, building the search
/// index beside the write, or putting the index in place) leaves a store that the next start
/// seeds again in full: the restarted server answers with exactly what a start that was
/// never killed answers, search included.
#[tokio::test]
async fn a_first_start_killed_part_way_through_seeding_is_seeded_in_full_by_the_next() {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let clean_dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let clean = Server::start(&store_args(clean_dir.path()));
    let first_start = started.elapsed();
    let expected = census(&client, &clean.url).await;
    clean.kill();
    assert!(expected["organisations"].as_u64() > Some(100), "{expected}");

    let data_dir = tempfile::tempdir().unwrap();
    let store = store_args(data_dir.path());
    const CYCLES: u32 = 12;
    for cycle in 0..CYCLES {
        let mut child = Command::new(BINARY)
            .args(["--bind", "127.0.0.1:0"])
            .args(&store)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server binary starts");
        // From at once to past the time a first start takes here, later each cycle: the
        // early kills leave nothing seeded, so the next start is a first start again, until
        // one is killed mid-write (and the next writes the seed over what that one left).
        tokio::time::sleep(first_start.mul_f64(1.2 * f64::from(cycle) / f64::from(CYCLES))).await;
        child.kill().expect("SIGKILL");
        child.wait().expect("the killed server is reaped");
    }
    let server = Server::start(&store);
    assert_eq!(census(&client, &server.url).await, expected);
    server.kill();
}
