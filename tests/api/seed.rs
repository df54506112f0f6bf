//! A bad seed is reported precisely (`file:line: field: problem`, every problem at once) and
//! leaves the store untouched; a good one loads once and only reloads when it changes.

use pretty_assertions::assert_eq;

use crate::helpers::{copy_of_seed, repository_seed_dir, spawn_app_with_seed, start};
use nhs_leadership_graph::seed;

fn problems_of(seed_dir: &std::path::Path) -> Vec<String> {
    match seed::load(seed_dir) {
        Err(seed::Error::Invalid(problems)) => {
            problems.to_string().lines().map(str::to_owned).collect()
        }
        Err(error) => panic!("expected seed problems, got {error}"),
        Ok(_) => panic!("expected seed problems, the seed loaded"),
    }
}

fn write(seed_dir: &std::path::Path, file: &str, content: &str) {
    std::fs::write(seed_dir.join(file), content).unwrap();
}

#[test]
fn the_repository_seed_is_valid() {
    let seed = seed::load(&repository_seed_dir()).expect("the seed in the repository loads");
    assert!(seed.dataset.n_records() > 1_000);
}

#[test]
fn bad_seed_reports_file_line_and_field_for_every_problem_at_once() {
    let seed_dir = copy_of_seed();
    write(
        seed_dir.path(),
        "broken.toml",
        r#"# A programme with two mistakes, and a course with a third.
[[programme]]
code = "broken-programme"
name = "Broken"
provider = "NO-SUCH-BODY"
summary = "A test programme."
roles = ["chief-executive", "no-such-role"]
sources = ["nhs-leadership-guide-2026"]

[[course]]
code = "broken-course"
title = "Broken course"
provider = "COVENTRY"
level = "DOCTORAL"
subject = "testing"
summary = "A test course."
sources = ["nhs-leadership-guide-2026"]
"#,
    );

    let problems = problems_of(seed_dir.path());

    assert_eq!(
        problems,
        [
            r#"broken.toml:5: provider: unknown organisation "NO-SUCH-BODY""#,
            r#"broken.toml:7: roles: unknown role "no-such-role""#,
            r#"broken.toml:14: level: unknown value "DOCTORAL""#,
        ]
    );
}

#[test]
fn a_misspelled_field_is_reported_not_ignored() {
    let seed_dir = copy_of_seed();
    write(seed_dir.path(), "typo.toml", "[[role]]\ncode = \"typo-role\"\nname = \"Typo\"\ncategory = \"MANAGEMENT\"\nsumary = \"misspelled\"\nsources = [\"nhs-leadership-guide-2026\"]\n");

    let problems = problems_of(seed_dir.path());

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("typo.toml:5: sumary: unknown field `sumary`"),
        "{problems:?}"
    );
}

#[test]
fn a_duplicate_code_names_both_places() {
    let seed_dir = copy_of_seed();
    write(seed_dir.path(), "zz-dupe.toml", "\n[[role]]\ncode = \"chief-executive\"\nname = \"Again\"\ncategory = \"EXECUTIVE\"\nsummary = \"x\"\nsources = [\"nhs-leadership-guide-2026\"]\n");

    let problems = problems_of(seed_dir.path());

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("zz-dupe.toml:3: code: duplicate code \"chief-executive\" (first defined at web/roles.toml:"), "{problems:?}");
}

#[test]
fn a_curated_organisation_that_is_also_in_the_registry_names_the_registry_row() {
    let seed_dir = copy_of_seed();
    write(seed_dir.path(), "zz-icb.toml", "\n[[organisation]]\ncode = \"QWE\"\nname = \"Again\"\nkind = \"ICB\"\naliases = []\nsummary = \"x\"\nsources = [\"nhs-leadership-guide-2026\"]\n");

    let problems = problems_of(seed_dir.path());

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("registry/icbs.csv:39: ods_code: organisation QWE is both in the registry and in a TOML file"),
        "{problems:?}"
    );
}

#[test]
fn a_bad_registry_row_names_the_csv_line_and_column() {
    let seed_dir = copy_of_seed();
    let path = seed_dir.path().join("registry/trusts.csv");
    let mut trusts = std::fs::read_to_string(&path).unwrap();
    trusts.push_str("ZZ1,BROKEN NHS TRUST,AB1 2CD,QWE,Y56,not-a-date,,QWE\n");
    std::fs::write(&path, trusts).unwrap();

    let problems = problems_of(seed_dir.path());

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("registry/trusts.csv:201: open_date: "),
        "{problems:?}"
    );
}

#[tokio::test]
async fn a_bad_seed_leaves_the_store_untouched_and_the_server_refuses_to_start() {
    let seed_dir = copy_of_seed();
    let app = spawn_app_with_seed(seed_dir.path()).await;
    let before = app
        .data(r#"{ programme(code: "nye-bevan") { name duration } }"#)
        .await;
    let data_dir = app.data_dir;
    app.app.shutdown().await.unwrap();
    write(
        seed_dir.path(),
        "web/programmes.toml",
        "[[programme]]\ncode = \"nye-bevan\"\n",
    );

    let error = start(data_dir.path(), seed_dir.path())
        .await
        .err()
        .expect("a bad seed stops the start");
    let restored = copy_of_seed();
    let app = start(data_dir.path(), restored.path()).await.unwrap();
    let client = reqwest::Client::new();
    let after: serde_json::Value = client
        .post(format!("http://{}/graphql", app.local_addr()))
        .json(&serde_json::json!({ "query": r#"{ programme(code: "nye-bevan") { name duration } }"# }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert!(
        format!("{error:#}").contains("web/programmes.toml:1: name: missing field `name`"),
        "{error:#}"
    );
    assert_eq!(after["data"], before);
}

#[tokio::test]
async fn an_unchanged_seed_is_not_reloaded_on_restart() {
    let seed_dir = copy_of_seed();
    let data_dir = tempfile::tempdir().unwrap();
    let first = start(data_dir.path(), seed_dir.path()).await.unwrap();
    first.shutdown().await.unwrap();

    let store = {
        let second = start(data_dir.path(), seed_dir.path()).await.unwrap();
        second.shutdown().await.unwrap();
        nhs_leadership_graph::store::Store::open(data_dir.path()).unwrap()
    };

    assert_eq!(
        store.data_version().unwrap(),
        1,
        "the second start found the same seed and wrote nothing"
    );
}
