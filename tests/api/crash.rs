//! Durability under SIGKILL: the real binary is killed mid-stream of acknowledged writes, over
//! and over; after each restart every acknowledged write is there, no bulk upload is half
//! applied, and records, indexes and the audit trail agree.
//!
//! (A negative control once ran the same loop against a test-only write-behind mode to show
//! the checks find losses; that mode ran through production code and is gone. The checks'
//! ability to fail is shown by their own logic: each compares what was acknowledged with
//! what is read back.)

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Concurrent writers per cycle.
const WRITERS: usize = 4;

use serde_json::{json, Value};

const BINARY: &str = env!("CARGO_BIN_EXE_nhs-leadership-graph");

/// Kill cycles: 100 by default (CI), more with `NHS_GRAPH_CRASH_CYCLES`.
fn cycles() -> usize {
    std::env::var("NHS_GRAPH_CRASH_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100)
}

struct Server {
    child: Child,
    url: String,
}

fn start(data_dir: &Path) -> Server {
    let mut command = Command::new(BINARY);
    command
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        // The writers and the checks hammer the server from one IP: this test is about
        // durability, not the per-client rate limit.
        .env("NHS_GRAPH_RATE_LIMIT_PER_SECOND", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("the server binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    while !line.contains("GraphQL playground") {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .expect("the server prints its address");
        assert!(n > 0, "the server exited before listening");
    }
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    Server {
        child,
        url: format!("{url}/graphql"),
    }
}

fn issue_key(data_dir: &Path) -> String {
    let output = Command::new(BINARY)
        .args(["keys", "issue", "--organisation", "COVENTRY", "--data-dir"])
        .arg(data_dir)
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

/// What the writer saw acknowledged.
#[derive(Default, Clone)]
struct Acknowledged {
    singles: BTreeSet<String>,
    /// Bulk uploads, each all or nothing.
    bulks: Vec<Vec<String>>,
    /// Bulk uploads sent but not acknowledged: they must be all there or all absent.
    unacknowledged_bulks: Vec<Vec<String>>,
}

/// Writes until the server dies, recording what was acknowledged.
async fn write_until_killed(
    client: reqwest::Client,
    url: String,
    key: String,
    cycle: usize,
    writer: usize,
    acknowledged: Arc<Mutex<Acknowledged>>,
) {
    let (url, key) = (url.as_str(), key.as_str());
    for step in 0.. {
        let step = format!("{writer}-{step}");
        let single = !step.ends_with('2');
        let (query, variables, codes) = if single {
            let code = format!("crash-{cycle}-{step}");
            (
                "mutation($i: CourseInput!) { createCourse(input: $i) { course { code } } }",
                json!({ "i": course(&code) }),
                vec![code],
            )
        } else {
            let codes: Vec<String> = (0..3)
                .map(|i| format!("crash-{cycle}-{step}-{i}"))
                .collect();
            let rows: Vec<Value> = codes.iter().map(|code| course(code)).collect();
            (
                "mutation($c: [CourseInput!]) { upsertCourses(courses: $c) { created } }",
                json!({ "c": rows }),
                codes,
            )
        };
        let sent = client
            .post(url)
            .bearer_auth(key)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await;
        let answer: Option<Value> = match sent {
            Ok(response) => response.json().await.ok(),
            Err(_) => None,
        };
        let ok = answer
            .as_ref()
            .is_some_and(|answer| answer.get("errors").is_none() && answer["data"].is_object());
        let mut acknowledged = acknowledged.lock().unwrap();
        match (ok, single) {
            (true, true) => {
                acknowledged.singles.extend(codes);
            }
            (true, false) => acknowledged.bulks.push(codes),
            (false, false) => acknowledged.unacknowledged_bulks.push(codes),
            (false, true) => {}
        }
        drop(acknowledged);
        if answer.is_none() {
            return; // the server is gone
        }
    }
}

/// Every course code of COVENTRY the restarted server has, read through three ways: the
/// provider index, point reads of each acknowledged code, and the audit trail.
async fn check(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    acknowledged: &Acknowledged,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut indexed = BTreeSet::new();
    let mut after = String::new();
    loop {
        let page: Value = client
            .post(url)
            .json(&json!({ "query": "query($a: String) { courses(provider: \"COVENTRY\", first: 100, after: $a) { edges { node { code } } pageInfo { hasNextPage endCursor } } }", "variables": { "a": if after.is_empty() { Value::Null } else { json!(after) } } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for edge in page["data"]["courses"]["edges"].as_array().unwrap() {
            indexed.insert(edge["node"]["code"].as_str().unwrap().to_owned());
        }
        if page["data"]["courses"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["data"]["courses"]["pageInfo"]["endCursor"]
            .as_str()
            .unwrap()
            .to_owned();
    }
    let mut audited = BTreeSet::new();
    let mut last = 0;
    loop {
        let trail: Value = client
            .post(url)
            .bearer_auth(key)
            .json(&json!({ "query": format!("{{ auditTrail(after: {last}, first: 1000) {{ sequence courseCode }} }}") }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let entries = trail["data"]["auditTrail"].as_array().unwrap().clone();
        for entry in &entries {
            audited.insert(entry["courseCode"].as_str().unwrap().to_owned());
            last = entry["sequence"].as_u64().unwrap();
        }
        if entries.len() < 1000 {
            break;
        }
    }
    let written: BTreeSet<&String> = indexed
        .iter()
        .filter(|code| code.starts_with("crash-"))
        .collect();
    for code in acknowledged
        .singles
        .iter()
        .chain(acknowledged.bulks.iter().flatten())
    {
        if !indexed.contains(code) {
            problems.push(format!("acknowledged {code} is missing"));
        }
    }
    for bulk in acknowledged
        .bulks
        .iter()
        .chain(&acknowledged.unacknowledged_bulks)
    {
        let present = bulk.iter().filter(|code| indexed.contains(*code)).count();
        if present != 0 && present != bulk.len() {
            problems.push(format!(
                "bulk upload {bulk:?} is half applied ({present} of {})",
                bulk.len()
            ));
        }
    }
    for code in written {
        if !audited.contains(code) {
            problems.push(format!("{code} has no audit entry"));
        }
        let point: Value = client
            .post(url)
            .json(&json!({ "query": format!("{{ course(code: \"{code}\") {{ code }} }}") }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if point["data"]["course"]["code"] != json!(code) {
            problems.push(format!("{code} is in the index but not readable"));
        }
    }
    problems
}

/// Runs `n_cycles` kill cycles and returns (acknowledged writes checked, problems found).
async fn kill_cycles(n_cycles: usize) -> (usize, Vec<String>) {
    let data_dir = tempfile::tempdir().unwrap();
    let mut server = start(data_dir.path());
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let key = issue_key(data_dir.path());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let mut problems = Vec::new();
    for cycle in 0..n_cycles {
        let mut server = start(data_dir.path());
        let snapshot = acknowledged.lock().unwrap().clone();
        let found = check(&client, &server.url, &key, &snapshot).await;
        problems.extend(found.into_iter().map(|p| format!("cycle {cycle}: {p}")));
        // Four writers at once; the kill comes after a varying delay, 20 to 400 ms.
        let mut writers = tokio::task::JoinSet::new();
        for writer in 0..WRITERS {
            writers.spawn(write_until_killed(
                client.clone(),
                server.url.clone(),
                key.clone(),
                cycle,
                writer,
                acknowledged.clone(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(20 + (cycle as u64 * 37) % 380)).await;
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        while writers.join_next().await.is_some() {}
    }
    let server = start(data_dir.path());
    let acknowledged = Arc::try_unwrap(acknowledged)
        .ok()
        .expect("the writers are done")
        .into_inner()
        .unwrap();
    problems.extend(check(&client, &server.url, &key, &acknowledged).await);
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let n_checked =
        acknowledged.singles.len() + acknowledged.bulks.iter().map(Vec::len).sum::<usize>();
    (n_checked, problems)
}

#[tokio::test]
async fn no_acknowledged_write_is_lost_and_no_bulk_upload_is_half_applied_across_sigkills() {
    let n_cycles = cycles();

    let (n_checked, problems) = kill_cycles(n_cycles).await;

    println!(
        "crash test: {n_cycles} kill cycles, {n_checked} acknowledged writes checked, {} problems",
        problems.len()
    );
    assert!(
        n_checked > n_cycles,
        "the writer got writes acknowledged ({n_checked})"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
