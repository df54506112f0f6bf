//! Backups: taken from the running server (admin key only, never halfway through a partner
//! write) or from a stopped server's directory, verified whole before a restore writes
//! anything, and restored into a directory a fresh server answers the same from.

use std::path::Path;
use std::process::Command;

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use crate::helpers::{repository_seed_dir, spawn_app, start_on_sled, TestApp};
use nhs_leadership_graph::api_keys;
use nhs_leadership_graph::domain::Course;
use nhs_leadership_graph::store::{self, backup, Store};

const BINARY: &str = env!("CARGO_BIN_EXE_nhs-leadership-graph");

const CREATE: &str =
    r#"mutation($c: CourseInput!) { createCourse(input: $c) { course { code } } }"#;

/// What a partner and an admin see of the partner data; equal before and after a restore.
const PARTNER_VIEW: &str = r#"{
  course(code: "cov-bk-leadership") { code title status provider { code } accreditations { body { code } basis } }
  auditTrail { sequence keyId action courseCode before { title } after { title } }
}"#;

fn issue(app: &TestApp, organisation: Option<&str>) -> String {
    api_keys::issue(app.app.store(), organisation, None)
        .expect("a key is issued")
        .token
}

fn course(code: &str) -> Value {
    json!({
        "code": code,
        "title": "MSc Leadership",
        "provider": "COVENTRY",
        "level": "POSTGRADUATE",
        "subject": "health and care leadership",
        "accreditedBy": ["CMI"],
    })
}

async fn graphql_as(
    client: &reqwest::Client,
    address: &str,
    key: &str,
    query: &str,
    variables: Value,
) -> Value {
    client
        .post(format!("{address}/graphql"))
        .header("accept", "application/json")
        .bearer_auth(key)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body")
}

async fn write_ok(
    client: &reqwest::Client,
    address: &str,
    key: &str,
    query: &str,
    variables: Value,
) {
    let answer = graphql_as(client, address, key, query, variables).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
}

async fn get_backup(
    client: &reqwest::Client,
    address: &str,
    key: Option<&str>,
) -> reqwest::Response {
    let mut request = client.get(format!("{address}/admin/backup"));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.expect("the server answers")
}

/// The backup bytes, checked against the response's headers.
async fn take_backup(client: &reqwest::Client, address: &str, admin: &str) -> Vec<u8> {
    let response = get_backup(client, address, Some(admin)).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/octet-stream");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"nhs-leadership-graph-")
            && disposition.ends_with(".nlgbak\""),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    let summary = backup::verify(&bytes).expect("the served backup verifies");
    assert_eq!(
        headers["x-backup-checksum"].to_str().unwrap(),
        summary.checksum_hex()
    );
    bytes
}

/// Every file under `directory` with its content, to show a directory was not touched.
fn snapshot(directory: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if directory.exists() {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(snapshot(&path));
            } else {
                files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

fn entries_in(directory: &Path) -> usize {
    std::fs::read_dir(directory).unwrap().count()
}

#[tokio::test]
async fn a_backup_of_the_running_server_restores_to_a_server_that_answers_the_same() {
    let app = spawn_app().await;
    let partner = issue(&app, Some("COVENTRY"));
    let admin = issue(&app, None);
    write_ok(
        &app.client,
        &app.address,
        &partner,
        CREATE,
        json!({ "c": course("cov-bk-leadership") }),
    )
    .await;
    write_ok(
        &app.client,
        &app.address,
        &partner,
        r#"mutation { updateCourse(code: "cov-bk-leadership", patch: { title: "MSc Leadership and Management" }) { course { code } } }"#,
        json!({}),
    )
    .await;
    let partner_view =
        graphql_as(&app.client, &app.address, &partner, PARTNER_VIEW, json!({})).await;
    let admin_view = graphql_as(&app.client, &app.address, &admin, PARTNER_VIEW, json!({})).await;
    assert_eq!(
        partner_view["data"]["auditTrail"].as_array().unwrap().len(),
        2
    );
    let health: Value = app.get_json("/health").await;

    let bytes = take_backup(&app.client, &app.address, &admin).await;
    let scratch = tempfile::tempdir().unwrap();
    let restored_dir = scratch.path().join("restored");
    let restored =
        backup::restore(bytes.as_slice(), &restored_dir, false).expect("the backup restores");
    assert_eq!(restored.summary, backup::verify(&bytes).unwrap());
    assert_eq!(
        restored.summary.data_version,
        health["dataVersion"].as_u64().unwrap()
    );

    let second = start_on_sled(&restored_dir, &repository_seed_dir())
        .await
        .expect("a server starts on the restored store");
    let address = format!("http://{}", second.local_addr());
    let client = reqwest::Client::new();
    assert_eq!(
        graphql_as(&client, &address, &partner, PARTNER_VIEW, json!({})).await,
        partner_view
    );
    assert_eq!(
        graphql_as(&client, &address, &admin, PARTNER_VIEW, json!({})).await,
        admin_view
    );
    let second_health: Value = client
        .get(format!("{address}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second_health["dataVersion"], health["dataVersion"]);
    assert_eq!(
        take_backup(&client, &address, &admin).await,
        bytes,
        "the restored store holds exactly what was backed up"
    );
    // The keys still work for writing, too.
    write_ok(
        &client,
        &address,
        &partner,
        CREATE,
        json!({ "c": course("cov-bk-after-restore") }),
    )
    .await;
    second.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_backup_needs_an_admin_key() {
    let app = spawn_app().await;
    let partner = issue(&app, Some("COVENTRY"));

    for (key, status, code) in [
        (None, 401, "UNAUTHENTICATED"),
        (Some("nlg_0123456789abcdef_00"), 401, "UNAUTHENTICATED"),
        (Some(partner.as_str()), 403, "FORBIDDEN"),
    ] {
        let response = get_backup(&app.client, &app.address, key).await;
        assert_eq!(response.status(), status, "{key:?}");
        assert!(response.headers().get("x-backup-checksum").is_none());
        let body: Value = response.json().await.expect("a JSON error body");
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
        assert!(body["errors"][0]["message"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn a_flipped_byte_or_a_truncated_file_is_refused_and_the_target_is_untouched() {
    let app = spawn_app().await;
    let admin = issue(&app, None);
    let bytes = take_backup(&app.client, &app.address, &admin).await;
    let scratch = tempfile::tempdir().unwrap();
    let existing = scratch.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    std::fs::write(existing.join("precious"), b"keep me").unwrap();
    let absent = scratch.path().join("absent");
    let before = snapshot(&existing);

    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x01;
    let truncated = &bytes[..bytes.len() - 100];
    for (what, broken) in [("flipped", flipped.as_slice()), ("truncated", truncated)] {
        for target in [&existing, &absent] {
            let error = backup::restore(broken, target, true).expect_err(what);
            assert!(
                matches!(error, store::Error::BackupCorrupt { .. }),
                "{what}: {error}"
            );
            assert!(
                error.to_string().contains("corrupted or truncated"),
                "{error}"
            );
        }
    }

    assert_eq!(snapshot(&existing), before);
    assert!(!absent.exists());
    assert_eq!(
        entries_in(scratch.path()),
        1,
        "no staging or moved-aside directory"
    );
}

#[tokio::test]
async fn partner_writes_during_backups_never_leave_half_a_write_in_one() {
    let app = spawn_app().await;
    let partner = issue(&app, Some("COVENTRY"));
    let admin = issue(&app, None);

    let writer = {
        let (client, address, partner) = (app.client.clone(), app.address.clone(), partner.clone());
        tokio::spawn(async move {
            for n in 0..30 {
                write_ok(
                    &client,
                    &address,
                    &partner,
                    CREATE,
                    json!({ "c": course(&format!("cov-bk-{n:02}")) }),
                )
                .await;
            }
        })
    };
    let mut backups = Vec::new();
    while !writer.is_finished() {
        backups.push(take_backup(&app.client, &app.address, &admin).await);
    }
    writer.await.unwrap();
    backups.push(take_backup(&app.client, &app.address, &admin).await);

    let scratch = tempfile::tempdir().unwrap();
    for (n, bytes) in backups.iter().enumerate() {
        let directory = scratch.path().join(format!("restored-{n}"));
        backup::restore(bytes.as_slice(), &directory, false).unwrap();
        let store = Store::open(&directory).unwrap();
        let audited = store.audit_entries(None, 0, 1_000).unwrap().len();
        let written = store
            .all::<Course>()
            .unwrap()
            .iter()
            .filter(|course| course.code.as_str().starts_with("cov-bk-"))
            .count();
        assert_eq!(
            audited, written,
            "backup {n} holds a course without its audit entry or the reverse"
        );
    }
    assert_eq!(backup::verify(backups.last().unwrap()).is_ok(), true);
}

#[tokio::test]
async fn the_cli_backs_up_through_the_server_and_restores_only_with_force_over_a_store() {
    if crate::helpers::sled_only(
        "the CLI's backup and restore read and write sled directories and refuse --database-url",
    ) {
        return;
    }
    let app = spawn_app().await;
    let admin = issue(&app, None);
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("graph.nlgbak");

    // The server holds its directory: a direct backup says so and points to --server.
    let locked = Command::new(BINARY)
        .args(["backup", "--out"])
        .arg(&file)
        .arg("--data-dir")
        .arg(app.data_dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&locked.stderr);
    assert!(!locked.status.success());
    assert!(
        stderr.contains("in use") && stderr.contains("--server"),
        "{stderr}"
    );
    assert!(!file.exists());

    let address = app.address.clone();
    let fetched = tokio::task::spawn_blocking({
        let file = file.clone();
        move || {
            Command::new(BINARY)
                .args(["backup", "--out"])
                .arg(&file)
                .args(["--server", &address])
                .env("NHS_GRAPH_ADMIN_KEY", &admin)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&fetched.stdout);
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    let summary = backup::verify(&std::fs::read(&file).unwrap()).unwrap();
    assert!(
        stdout.contains(&summary.checksum_hex()) && stdout.contains("entries"),
        "{stdout}"
    );

    // A stopped server's directory: restore refuses it without --force.
    let TestApp { app, data_dir, .. } = app;
    app.shutdown().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let before = snapshot(data_dir.path());
    let refused = Command::new(BINARY)
        .args(["restore", "--from"])
        .arg(&file)
        .arg("--data-dir")
        .arg(data_dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("not empty") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(snapshot(data_dir.path()), before);

    let forced = Command::new(BINARY)
        .args(["restore", "--force", "--from"])
        .arg(&file)
        .arg("--data-dir")
        .arg(data_dir.path())
        .output()
        .unwrap();
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    assert!(String::from_utf8_lossy(&forced.stdout).contains(&summary.checksum_hex()));
    let name = data_dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let aside: Vec<_> = std::fs::read_dir(data_dir.path().parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{name}.before-restore-"))
        })
        .collect();
    assert_eq!(aside.len(), 1, "the old store is moved aside, not deleted");
    assert!(
        aside[0].join("db").is_file(),
        "the old store's files are kept"
    );

    // The restored directory, backed up directly now that no server holds it, is the same backup.
    let again = scratch.path().join("again.nlgbak");
    let direct = Command::new(BINARY)
        .args(["backup", "--out"])
        .arg(&again)
        .arg("--data-dir")
        .arg(data_dir.path())
        .output()
        .unwrap();
    assert!(
        direct.status.success(),
        "{}",
        String::from_utf8_lossy(&direct.stderr)
    );
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&file).unwrap()
    );
    let _ = std::fs::remove_dir_all(&aside[0]);
}
