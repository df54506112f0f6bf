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
citations = [{ source = "nhs-leadership-guide-2026", quote = "NHS England provides national leadership" }]

[[course]]
code = "broken-course"
title = "Broken course"
provider = "COVENTRY"
level = "DOCTORAL"
subject = "testing"
summary = "A test course."
sources = ["nhs-leadership-guide-2026"]
citations = [{ source = "nhs-leadership-guide-2026", quote = "NHS England provides national leadership" }]
"#,
    );

    let problems = problems_of(seed_dir.path());

    assert_eq!(
        problems,
        [
            r#"broken.toml:5: provider: unknown organisation "NO-SUCH-BODY""#,
            r#"broken.toml:7: roles: unknown role "no-such-role""#,
            r#"broken.toml:15: level: unknown value "DOCTORAL""#,
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
    write(seed_dir.path(), "zz-dupe.toml", "\n[[role]]\ncode = \"chief-executive\"\nname = \"Again\"\ncategory = \"EXECUTIVE\"\nsummary = \"x\"\nsources = [\"nhs-leadership-guide-2026\"]\ncitations = [{ source = \"nhs-leadership-guide-2026\", quote = \"NHS England provides national leadership\" }]\n");

    let problems = problems_of(seed_dir.path());

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("zz-dupe.toml:3: code: duplicate code \"chief-executive\" (first defined at web/roles.toml:"), "{problems:?}");
}

#[test]
fn a_curated_organisation_that_is_also_in_the_registry_names_the_registry_row() {
    let seed_dir = copy_of_seed();
    write(seed_dir.path(), "zz-icb.toml", "\n[[organisation]]\ncode = \"QWE\"\nname = \"Again\"\nkind = \"ICB\"\naliases = []\nsummary = \"x\"\nsources = [\"nhs-leadership-guide-2026\"]\ncitations = [{ source = \"nhs-leadership-guide-2026\", quote = \"NHS England provides national leadership\" }]\n");

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
        crate::helpers::open_store(data_dir.path())
    };

    assert_eq!(
        store.data_version().unwrap(),
        1,
        "the second start found the same seed and wrote nothing"
    );
}

/// The small, fully cited seed of `tests/fixtures/cited-seed`, copied to break.
fn copy_of_cited_fixture() -> tempfile::TempDir {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cited-seed");
    let copy = tempfile::tempdir().expect("a temporary directory");
    copy_tree(&fixture, copy.path());
    copy
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Runs the real binary's `check-seed` over `seed_dir`: its exit code and standard error.
fn check_seed(seed_dir: &std::path::Path) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nhs-leadership-graph"))
        .arg("check-seed")
        .arg("--seed-dir")
        .arg(seed_dir)
        .output()
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Curated records (every record that is not a registry row or a source) with no citation.
fn uncited_curated_records(dataset: &nhs_leadership_graph::domain::Dataset) -> Vec<String> {
    use nhs_leadership_graph::domain::{RecordKind, RecordType, RecordsVisitor};
    struct Uncited(Vec<String>);
    impl RecordsVisitor for Uncited {
        type Error = std::convert::Infallible;
        fn visit<T: RecordType>(&mut self, records: &[T]) -> Result<(), Self::Error> {
            if T::KIND == RecordKind::Source {
                return Ok(());
            }
            let registry = "ods-registry-2026";
            self.0.extend(
                records
                    .iter()
                    .filter(|record| record.sources().iter().all(|s| s.as_str() != registry))
                    .filter(|record| record.citations().is_empty())
                    .map(|record| record.reference().to_string()),
            );
            Ok(())
        }
    }
    let mut uncited = Uncited(Vec::new());
    let Ok(()) = dataset.visit(&mut uncited);
    uncited.0
}

#[test]
fn check_seed_passes_on_a_seed_whose_quotes_are_verbatim() {
    let seed_dir = copy_of_cited_fixture();

    let (code, stderr) = check_seed(seed_dir.path());

    assert_eq!((code, stderr), (Some(0), String::new()));
}

#[test]
fn check_seed_fails_on_a_quote_changed_by_one_word() {
    let seed_dir = copy_of_cited_fixture();
    let records = seed_dir.path().join("web/records.toml");
    let text = std::fs::read_to_string(&records).unwrap();
    let line = 1 + text
        .lines()
        .position(|line| line.contains("offers nine months of development"))
        .expect("the Rosalind Franklin quote");
    std::fs::write(
        &records,
        text.replace(
            "offers nine months of development",
            "offers ten months of development",
        ),
    )
    .unwrap();

    let (code, stderr) = check_seed(seed_dir.path());

    assert_eq!(code, Some(2), "{stderr}");
    let expected = format!(
        "web/records.toml:{line}: citations: quote not found verbatim in documents/003_trimmed.txt: \"Rosalind Franklin Programme offers ten months"
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    let summary = format!("1 problem(s) in {}\n", seed_dir.path().display());
    assert!(stderr.ends_with(&summary), "{stderr}");
}

#[test]
fn a_citation_of_a_source_the_record_does_not_list_is_a_problem() {
    let seed_dir = copy_of_cited_fixture();
    write(
        seed_dir.path(),
        "web/extra.toml",
        r#"[[role]]
code = "medical-director"
name = "Medical Director"
category = "EXECUTIVE"
summary = "An executive director."
sources = ["nhs-leadership-guide-2026"]
citations = [
  { source = "ods-registry-2026", quote = "One region" },
  { source = "nhs-leadership-guide-2026", quote = "The Chief Executive role combines multiple demanding responsibilities" },
]
"#,
    );

    let problems = problems_of(seed_dir.path());

    assert_eq!(
        problems,
        [
            r#"web/extra.toml:8: citations: cites "ods-registry-2026", which is not in this record's `sources`"#
        ]
    );
}

#[test]
fn a_source_whose_document_is_missing_is_a_problem() {
    let seed_dir = copy_of_cited_fixture();
    std::fs::remove_file(seed_dir.path().join("documents/003_trimmed.txt")).unwrap();

    let problems = problems_of(seed_dir.path());

    assert_eq!(
        problems,
        ["sources.toml:9: document: no file documents/003_trimmed.txt holds the text of this source"]
    );
}

#[test]
fn no_curated_record_is_without_a_citation() {
    let fixture = seed::load(copy_of_cited_fixture().path()).expect("the fixture loads");
    assert_eq!(
        uncited_curated_records(&fixture.dataset),
        Vec::<String>::new()
    );
    let repository = seed::load(&repository_seed_dir()).expect("the seed loads");
    assert_eq!(
        uncited_curated_records(&repository.dataset),
        Vec::<String>::new(),
        "the repository's seed is held to the same rule"
    );
}

#[test]
fn every_reference_a_record_makes_is_checked_at_the_field_that_wrote_it() {
    let seed_dir = copy_of_cited_fixture();
    write(
        seed_dir.path(),
        "web/references.toml",
        r#"[[career_story]]
code = "a-story"
person = "A Person"
job_title = "Manager"
employer = "Somewhere"
entry_route = "no-such-topic"
text = "A story."
summary = "A story."
sources = ["nhs-leadership-guide-2026"]
citations = [{ source = "nhs-leadership-guide-2026", quote = "NHS England provides national leadership" }]

[[figure]]
code = "a-figure"
statement = "A figure."
value = 1
unit = "posts"
scope = "a test"
about = ["post:X24/chief-executive", "programme:no-such-programme"]
sources = ["nhs-leadership-guide-2026"]
citations = [{ source = "nhs-leadership-guide-2026", quote = "NHS England provides national leadership" }]
"#,
    );

    let problems = problems_of(seed_dir.path());

    assert_eq!(
        problems,
        [
            r#"web/references.toml:6: entry_route: unknown topic "no-such-topic""#,
            r#"web/references.toml:18: about: "post:X24/chief-executive": refer to the organisation or role, not a post"#,
            r#"web/references.toml:18: about: unknown programme "no-such-programme""#,
        ]
    );
}

#[test]
fn the_binary_carries_the_repository_seed_and_needs_no_seed_directory() {
    // Run from an empty directory, with no `--seed-dir`: a release binary copied to a server
    // finds its knowledge inside itself.
    let elsewhere = tempfile::tempdir().expect("a temporary directory");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nhs-leadership-graph"))
        .arg("check-seed")
        .current_dir(elsewhere.path())
        .env_remove("NHS_GRAPH_SEED_DIR")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("seed at the seed built into this binary is valid"),
        "{stdout}"
    );
    let embedded = seed::load_from(&seed::SeedSource::Embedded).expect("the built-in seed loads");
    let repository = seed::load(&repository_seed_dir()).expect("the repository's seed loads");
    assert_eq!(
        embedded.hash, repository.hash,
        "the built-in seed is the repository's seed/"
    );
}
