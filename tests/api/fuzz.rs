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

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use serde_json::{json, Value};

use crate::helpers::{copy_of_seed, repository_seed_dir, spawn_app};
use nhs_leadership_graph::seed;

/// Cases per test: `FUZZ_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    match std::env::var("FUZZ_CASES") {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("FUZZ_CASES must be a number of cases, got {value:?}")),
        Err(_) => default,
    }
}

/// Runs `property` over `strategy` for [`cases`] cases, panicking with the shrunk input on
/// failure, and says how long it took.
fn fuzz<S: Strategy>(
    name: &str,
    default_cases: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: fmt::Debug,
{
    let cases = cases(default_cases);
    let mut runner = TestRunner::new(Config {
        cases,
        // Failing inputs are kept as regular regression tests, not in a seeds file.
        failure_persistence: None,
        ..Config::default()
    });
    let started = Instant::now();
    match runner.run(&strategy, property) {
        Ok(()) => eprintln!(
            "fuzz {name}: {cases} cases passed in {:.1} s",
            started.elapsed().as_secs_f64()
        ),
        Err(TestError::Fail(reason, input)) => {
            panic!("fuzz {name} failed: {reason}\nminimal failing input: {input:#?}")
        }
        Err(TestError::Abort(reason)) => panic!("fuzz {name} aborted: {reason}"),
    }
}

/// Runs `work` on its own thread and returns its result, failing if it takes longer than
/// `limit` (a hang) and passing its panic on (so proptest sees and shrinks it).
fn within<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = sender.send(work());
    });
    match receiver.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("no answer within {limit:?}: a hang"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the worker sends before it ends"),
        },
    }
}

// ---------------------------------------------------------------------------------------
// The seed loader
// ---------------------------------------------------------------------------------------

/// One change to a file's bytes. Positions are [`Index`]es, scaled to the file's length.
#[derive(Clone)]
enum Mutation {
    /// Cut the file at a byte (possibly inside a multi-byte character).
    Truncate(Index),
    Insert(Index, Vec<u8>),
    FlipBit(Index, u8),
    DuplicateLine(Index),
    DeleteLine(Index),
    SwapLines(Index, Index),
    /// In a TOML line, replace what follows `=`; in a CSV line, replace one column.
    ReplaceValue(Index, Index, String),
}

impl fmt::Debug for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncate(at) => write!(f, "Truncate({at:?})"),
            Self::Insert(at, bytes) => {
                write!(f, "Insert({at:?}, {:?})", String::from_utf8_lossy(bytes))?;
                if std::str::from_utf8(bytes).is_err() {
                    write!(f, " bytes {bytes:x?}")?;
                }
                Ok(())
            }
            Self::FlipBit(at, bit) => write!(f, "FlipBit({at:?}, {bit})"),
            Self::DuplicateLine(line) => write!(f, "DuplicateLine({line:?})"),
            Self::DeleteLine(line) => write!(f, "DeleteLine({line:?})"),
            Self::SwapLines(a, b) => write!(f, "SwapLines({a:?}, {b:?})"),
            Self::ReplaceValue(line, column, value) => {
                write!(f, "ReplaceValue({line:?}, {column:?}, {value:?})")
            }
        }
    }
}

/// Pieces of TOML and CSV syntax, and characters parsers trip over.
const SEED_TOKENS: &[&str] = &[
    "[[",
    "]]",
    "[",
    "]",
    "{",
    "}",
    "=",
    "\"",
    "\"\"\"",
    "'",
    "'''",
    ",",
    ".",
    "#",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "\\",
    "\\u",
    "\\U0010FFFF",
    "\u{0}",
    "\u{feff}",
    "\u{2028}",
    "é",
    "😀",
    "[[role]]\n",
    "[[organisation]]\n",
    "[[board]]\n",
    "[[post]]\n",
    "[course]\n",
    "[[no_such_table]]\n",
    "code = \"chief-executive\"\n",
    "code = \"\"\n",
    "sources = []\n",
    "sources = [\"no-such-source\"]\n",
    "parent = \"QWE\"\n",
    "unknown_field = 1\n",
    "opened = 2026-02-30\n",
    "closed = 1979-05-27T07:32:00Z\n",
    "value = nan\n",
    "kind = \"ICB\"\n",
    "\"unterminated",
    "a = 1\na = 2\n",
    "\"a,b\"",
    ",,,,,,,,,",
    "\"\"\"\n",
    "Y56",
    "QWE",
    "2026-04-01",
    "9999-12-31",
    "0000-00-00",
    ";",
    ";;",
    "QM7;;QH8",
];

fn seed_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(SEED_TOKENS).prop_map(|token| token.as_bytes().to_vec()),
        2 => "\\PC{0,12}".prop_map(String::into_bytes),
        1 => any::<String>().prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 1..8),
        1 => invalid_utf8(),
    ]
}

/// Byte sequences that are not UTF-8: a lone continuation byte, a truncated sequence, an
/// overlong encoding, a surrogate, a code point past U+10FFFF, bytes never used.
fn invalid_utf8() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        vec![0x80],
        vec![0xbf],
        vec![0xc3],
        vec![0xe2, 0x82],
        vec![0xf0, 0x9f, 0x98],
        vec![0xc0, 0xaf],
        vec![0xed, 0xa0, 0x80],
        vec![0xf4, 0x90, 0x80, 0x80],
        vec![0xfe],
        vec![0xff, 0xfe],
    ])
}

/// A value as TOML or CSV might hold one, right or wrong.
fn seed_value() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        "\\PC{0,16}".prop_map(|text| format!("{text:?}")),
        "[a-z0-9 \\\\\"'\\-]{0,16}".prop_map(|text| format!("\"{text}\"")),
        "\\PC{0,16}",
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|x| format!("{x:?}")),
        prop::sample::select(vec![
            "true",
            "nan",
            "-inf",
            "1e400",
            "0x7f",
            "0o8",
            "1_000",
            "2026-04-01",
            "2026-02-30",
            "2026-04-01T00:00:00Z",
            "07:32:00",
            "\"\"",
            "''",
            "[]",
            "{}",
            "{ code = \"x\" }",
            "[[]]",
            "\"QWE\"",
            "\"Y56\"",
            "\"chief-executive\"",
        ])
        .prop_map(str::to_owned),
    ];
    scalar.prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(|items| format!("[{}]", items.join(", ")))
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Truncate),
        4 => (any::<Index>(), seed_text()).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        1 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit(at, bit)),
        1 => any::<Index>().prop_map(Mutation::DuplicateLine),
        1 => any::<Index>().prop_map(Mutation::DeleteLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        3 => (any::<Index>(), any::<Index>(), seed_value())
            .prop_map(|(line, column, value)| Mutation::ReplaceValue(line, column, value)),
    ]
}

/// Lines with their line endings, so joining them gives the file back.
fn lines(content: &[u8]) -> Vec<Vec<u8>> {
    content
        .split_inclusive(|byte| *byte == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

impl Mutation {
    fn apply(&self, content: &mut Vec<u8>) {
        let mut lines = lines(content);
        match self {
            Self::Truncate(at) if !content.is_empty() => content.truncate(at.index(content.len())),
            Self::Insert(at, bytes) => {
                let at = at.index(content.len() + 1);
                content.splice(at..at, bytes.iter().copied());
            }
            Self::FlipBit(at, bit) if !content.is_empty() => {
                let at = at.index(content.len());
                content[at] ^= 1 << bit;
            }
            Self::DuplicateLine(line) if !lines.is_empty() => {
                let line = line.index(lines.len());
                let mut copy = lines[line].clone();
                if !copy.ends_with(b"\n") {
                    copy.insert(0, b'\n');
                }
                lines.insert(line + 1, copy);
                *content = lines.concat();
            }
            Self::DeleteLine(line) if !lines.is_empty() => {
                lines.remove(line.index(lines.len()));
                *content = lines.concat();
            }
            Self::SwapLines(a, b) if !lines.is_empty() => {
                let n_lines = lines.len();
                lines.swap(a.index(n_lines), b.index(n_lines));
                *content = lines.concat();
            }
            Self::ReplaceValue(line, column, value) if !lines.is_empty() => {
                let line = line.index(lines.len());
                let text = &lines[line];
                let ending_at = text
                    .iter()
                    .position(|byte| *byte == b'\n')
                    .unwrap_or(text.len());
                let (body, ending) = text.split_at(ending_at);
                let replaced = match body.iter().position(|byte| *byte == b'=') {
                    Some(equals) => [&body[..=equals], b" ", value.as_bytes()].concat(),
                    None => {
                        let mut columns: Vec<&[u8]> = body.split(|byte| *byte == b',').collect();
                        let column = column.index(columns.len());
                        columns[column] = value.as_bytes();
                        columns.join(&b',')
                    }
                };
                lines[line] = [replaced.as_slice(), ending].concat();
                *content = lines.concat();
            }
            _ => {}
        }
    }
}

/// Damage to one seed file.
#[derive(Debug, Clone)]
struct Damage {
    /// Path relative to the seed directory.
    file: String,
    mutations: Vec<Mutation>,
}

/// Every TOML and CSV file of the repository seed, relative to it.
fn seed_files() -> Vec<String> {
    fn walk(root: &Path, directory: &Path, files: &mut Vec<String>) {
        for entry in std::fs::read_dir(directory).expect("read the seed directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(root, &path, files);
            } else if matches!(
                path.extension().and_then(|extension| extension.to_str()),
                Some("toml" | "csv")
            ) {
                let relative = path.strip_prefix(root).expect("under the seed directory");
                files.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let root = repository_seed_dir();
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    files
}

/// Writes the original content back when a case ends, however it ends.
struct Restore<'a> {
    path: PathBuf,
    original: &'a [u8],
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        std::fs::write(&self.path, self.original).expect("restore a seed file");
    }
}

/// The longest a load of a damaged seed may take (an intact one takes well under a second,
/// in a debug build, on a busy machine).
const SEED_LOAD_LIMIT: Duration = Duration::from_secs(60);

/// Loads `seed_dir` with `damage` applied to one of its files, and checks what it reports.
fn load_damaged(
    seed_dir: &Path,
    originals: &[(String, Vec<u8>)],
    damage: &Damage,
) -> Result<(), TestCaseError> {
    let (_, original) = originals
        .iter()
        .find(|(file, _)| *file == damage.file)
        .expect("a seed file");
    let mut content = original.clone();
    for mutation in &damage.mutations {
        mutation.apply(&mut content);
    }
    let path = seed_dir.join(&damage.file);
    let _restore = Restore {
        path: path.clone(),
        original,
    };
    std::fs::write(&path, &content).expect("write the damaged file");
    let directory = seed_dir.to_owned();
    let loaded = within(SEED_LOAD_LIMIT, move || seed::load(&directory));
    match loaded {
        Ok(_) => Ok(()),
        Err(seed::Error::Invalid(problems)) => check_problems(seed_dir, &problems),
        Err(other) => Err(TestCaseError::fail(format!(
            "a damaged seed must be reported as `file:line: field: problem`, got: {other}"
        ))),
    }
}

/// Every problem names a path of the seed directory, a line inside that file, a field and a
/// message, each on one line, so the report reads one `file:line: field: problem` per line.
fn check_problems(seed_dir: &Path, problems: &seed::Problems) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty(), "an invalid seed with no problems");
    for problem in &problems.0 {
        let path = seed_dir.join(&problem.file);
        prop_assert!(
            path.exists(),
            "{problem}: no such path in the seed directory"
        );
        prop_assert!(problem.line >= 1, "{problem}: lines count from 1");
        if path.is_file() {
            let content = std::fs::read(&path).expect("read a seed file");
            let n_lines = content.iter().filter(|byte| **byte == b'\n').count() + 1;
            prop_assert!(
                problem.line <= n_lines,
                "{problem}: the file has {n_lines} lines"
            );
        }
        prop_assert!(!problem.field.is_empty(), "{problem}: no field");
        prop_assert!(!problem.message.trim().is_empty(), "{problem}: no message");
        prop_assert!(
            !problem.field.contains(['\n', '\r']) && !problem.message.contains(['\n', '\r']),
            "a problem spans lines: {problem:?}"
        );
    }
    Ok(())
}

#[test]
fn the_seed_loader_reports_any_damage_as_located_problems() {
    let seed_dir = copy_of_seed();
    let originals: Vec<(String, Vec<u8>)> = seed_files()
        .into_iter()
        .map(|file| {
            let content = std::fs::read(seed_dir.path().join(&file)).expect("read a seed file");
            (file, content)
        })
        .collect();
    let damage = (
        prop::sample::select(seed_files()),
        prop::collection::vec(mutation(), 1..=4),
    )
        .prop_map(|(file, mutations)| Damage { file, mutations });

    fuzz("seed loader", 128, damage, |damage| {
        load_damaged(seed_dir.path(), &originals, &damage)
    });

    seed::load(seed_dir.path()).expect("every damaged file was restored");
}

// ---------------------------------------------------------------------------------------
// The GraphQL endpoint
// ---------------------------------------------------------------------------------------

/// One request to `/graphql`.
#[derive(Clone)]
enum Probe {
    Post {
        content_type: Option<String>,
        accept: Option<String>,
        body: Vec<u8>,
    },
    Get {
        accept: Option<String>,
        /// Everything after `?`.
        query_string: String,
    },
}

impl fmt::Debug for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Post {
                content_type,
                accept,
                body,
            } => {
                let shown = if body.len() > 2_000 {
                    format!(
                        "{} bytes starting {:?}",
                        body.len(),
                        String::from_utf8_lossy(&body[..200])
                    )
                } else {
                    format!("{:?}", String::from_utf8_lossy(body))
                };
                f.debug_struct("Post")
                    .field("content_type", content_type)
                    .field("accept", accept)
                    .field("body", &format_args!("{shown}"))
                    .field("body_is_utf8", &std::str::from_utf8(body).is_ok())
                    .finish()
            }
            Self::Get {
                accept,
                query_string,
            } => f
                .debug_struct("Get")
                .field("accept", accept)
                .field("query_string", query_string)
                .finish(),
        }
    }
}

/// A header value: well-known ones, near misses, and any printable ASCII.
fn header_value(known: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        4 => prop::sample::select(known).prop_map(|value| Some(value.to_owned())),
        1 => "[ -~]{0,40}".prop_map(Some),
    ]
}

fn accept() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        6 => prop::sample::select(vec![
            None,
            Some("application/json"),
            Some("application/graphql-response+json"),
            Some("application/graphql-response+json, application/json;q=0.9"),
        ])
        .prop_map(|accept| accept.map(str::to_owned)),
        1 => unusual_accept(),
    ]
}

fn unusual_accept() -> impl Strategy<Value = Option<String>> {
    header_value(&[
        "application/json",
        "application/graphql-response+json",
        "application/graphql-response+json, application/json;q=0.9",
        "application/json;q=0",
        "application/graphql-response+json;q=0, application/json;q=0.5",
        "*/*",
        "application/*",
        "text/html",
        "text/html, */*;q=0.1",
        "application/xml",
        "",
        ",,,",
        ";q=",
        "application/json;q=abc",
        "application/json;q=-1",
        "application/json;q=NaN",
        "*/*;q=1e39",
        "APPLICATION/GRAPHQL-RESPONSE+JSON",
    ])
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        6 => Just(Some("application/json".to_owned())),
        2 => header_value(&[
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/json;",
            " application/json ; charset=latin1",
            "application/graphql",
            "application/graphql-response+json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
            "",
        ]),
    ]
}

/// Field names of the real schema, at every level.
const FIELDS: &[&str] = &[
    "organisations",
    "organisation",
    "node",
    "search",
    "roles",
    "role",
    "post",
    "programmes",
    "programme",
    "courses",
    "course",
    "auditTrail",
    "qualifications",
    "qualification",
    "payBands",
    "topics",
    "topic",
    "careerStories",
    "figures",
    "source",
    "sources",
    "edges",
    "nodes",
    "cursor",
    "pageInfo",
    "hasNextPage",
    "endCursor",
    "totalCount",
    "id",
    "code",
    "name",
    "title",
    "kind",
    "summary",
    "description",
    "aliases",
    "parent",
    "children",
    "posts",
    "holder",
    "accreditedBy",
    "provider",
    "partners",
    "awardedBy",
    "accreditedProgrammes",
    "accreditedCourses",
    "parentHistory",
    "from",
    "to",
    "records",
    "score",
    "snippet",
    "record",
    "duration",
    "audience",
    "publisher",
    "published",
    "url",
    "__typename",
    "__schema",
    "types",
    "fields",
    "__type",
    "noSuchField",
    "passwords",
];

/// Arguments, right and wrong, for any field.
const ARGUMENTS: &[&str] = &[
    "code: \"QWE\"",
    "code: \"CMI\"",
    "code: \"chief-executive\"",
    "code: \"nye-bevan\"",
    "code: \"X24/chief-executive\"",
    "code: \"\"",
    "code: \"../../etc\"",
    "code: 1",
    "code: null",
    "id: \"organisation:QWE\"",
    "id: \"T3JnYW5pc2F0aW9uOlFXRQ\"",
    "id: \"\"",
    "id: \"T3JnYW5pc2F0aW9u\"",
    "id: \"%%%\"",
    "id: 7",
    "first: 100000",
    "first: 100",
    "first: 0",
    "first: -1",
    "first: 2147483648",
    "first: 1.5",
    "after: \"x\"",
    "after: \"YXJyYXljb25uZWN0aW9uOjA\"",
    "after: \"\"",
    "kind: ICB",
    "kind: TRUST",
    "kind: NOPE",
    "kind: \"ICB\"",
    "asOf: \"2025-06-01\"",
    "asOf: \"2025-02-30\"",
    "asOf: \"-9999-01-01\"",
    "asOf: \"\"",
    "query: \"x\"",
    "query: \"nye bevin\"",
    "query: \"\\\"unterminated phrase\"",
    "query: \"\"",
    "query: \"*:*\"",
    "query: \"title:(a OR b)~2^3\"",
    "query: \"\\u0000\\uD800\\n\"",
    "kinds: [POST, COURSE]",
    "kinds: []",
    "kinds: [NOPE]",
    "accreditedBy: \"CMI\"",
    "provider: \"NHSLA\"",
    "subject: \"%\"",
    "updatedSince: \"2020-01-01T00:00:00Z\"",
    "updatedSince: \"yesterday\"",
    "category: EXECUTIVE",
    "parent: \"Y56\"",
    "name: \"__typename\"",
    "after: -1",
    "first: $v",
    "code: $v",
    "query: $v",
    "if: true",
];

const DIRECTIVES: &[&str] = &[
    "@include(if: true)",
    "@include(if: false)",
    "@skip(if: true)",
    "@skip(if: $v)",
    "@include",
    "@deprecated",
    "@nope",
    "@skip(if: \"yes\")",
];

/// A selection set drawn from the schema's names: not always valid, but usually parses, so
/// it reaches validation, the limits and the resolvers.
fn selection() -> impl Strategy<Value = String> {
    let leaf = (
        prop::option::of("[a-z][a-zA-Z0-9_]{0,6}"),
        prop::sample::select(FIELDS),
        prop::option::weighted(
            0.4,
            prop::collection::vec(prop::sample::select(ARGUMENTS), 1..3),
        ),
        prop::option::weighted(0.15, prop::sample::select(DIRECTIVES)),
    )
        .prop_map(|(alias, field, arguments, directive)| {
            let mut text = String::new();
            if let Some(alias) = alias.filter(|_| field.len() % 3 == 0) {
                text.push_str(&alias);
                text.push_str(": ");
            }
            text.push_str(field);
            if let Some(arguments) = arguments {
                text.push_str(&format!("({})", arguments.join(", ")));
            }
            if let Some(directive) = directive {
                text.push(' ');
                text.push_str(directive);
            }
            text
        });
    leaf.prop_recursive(5, 40, 5, |inner| {
        prop_oneof![
            4 => (inner.clone(), prop::collection::vec(inner.clone(), 1..5))
                .prop_map(|(field, children)| format!("{field} {{ {} }}", children.join(" "))),
            1 => (prop::sample::select(vec!["Organisation", "Role", "Programme", "Course", "Query", "Node", "Record", "Nope"]), prop::collection::vec(inner.clone(), 1..4))
                .prop_map(|(on, children)| format!("... on {on} {{ {} }}", children.join(" "))),
            1 => prop::collection::vec(inner, 1..4).prop_map(|children| children.join(" ")),
        ]
    })
}

/// Pieces of GraphQL syntax, for queries that do not parse or barely do.
const GRAPHQL_TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ":",
    "...",
    "$v",
    "$",
    "!",
    "=",
    "|",
    "&",
    "@",
    ",",
    "#c\n",
    "query",
    "query Q($v: String)",
    "query Q($v: Int!)",
    "mutation",
    "subscription",
    "fragment F on Query",
    "fragment F on Organisation",
    "... F",
    "...F",
    "... on Organisation",
    "@include(if: true)",
    "organisations",
    "organisation(code: \"QWE\")",
    "search(query: \"x\")",
    "node(id: \"organisation:QWE\")",
    "first: 100000",
    "a:",
    "name",
    "code",
    "__typename",
    "\"\\u0000\"",
    "\"\\uD800\"",
    "\"\\\\\"",
    "\"\\q\"",
    "\"\"\"block \\\"\"\" \"\"\"",
    "\"",
    "\"\"\"",
    "1e309",
    "-0",
    "0x10",
    "99999999999999999999999",
    "1.",
    ".5",
    "null",
    "true",
    "\u{0}",
    "\u{feff}",
    "é",
    "😀",
    "\t",
    "\r\n",
];

/// A GraphQL string literal: a real code, id or date, or any text, escaped.
fn string_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "QWE", "CMI", "RJ7", "Y56", "COVENTRY", "chief-executive", "nye-bevan",
            "X24/chief-executive", "careers-in-management-booklet", "2025-06-01", "2026-04-01",
            "T3JnYW5pc2F0aW9uOlFXRQ", "b3JnYW5pc2F0aW9uOlFXRQ", "Organisation:QWE", "",
            "nye bevin", "\"mary seacole\" accredited", "CMI -level", "*", "a AND (b OR",
        ])
        .prop_map(str::to_owned),
        2 => "\\PC{0,24}",
        1 => any::<String>(),
        1 => "[a-z ]{400,600}",
    ]
    .prop_map(|text| serde_json::to_string(&text).expect("a string"))
}

/// An `Int` literal, in range or not.
fn int_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0i64..120).prop_map(|n| n.to_string()),
        2 => any::<i32>().prop_map(|n| n.to_string()),
        1 => prop::sample::select(vec!["2147483648", "-2147483649", "1e3", "1.0", "null", "\"5\""])
            .prop_map(str::to_owned),
    ]
}

fn date_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "\"2025-06-01\"",
            "\"2026-04-01\"",
            "\"1900-01-01\"",
            "\"9999-12-31\"",
            "\"2025-02-29\"",
            "\"2025-13-01\"",
            "\"today\"",
            "\"\"",
            "\"+262143-01-01\"",
            "\"2025-06-01T00:00:00Z\"",
            "20250601",
            "null",
        ])
        .prop_map(str::to_owned),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}".prop_map(|date| format!("\"{date}\"")),
    ]
}

/// `name: value` pairs, each present or not, as an argument list.
fn arguments(pairs: Vec<BoxedStrategy<Option<String>>>) -> BoxedStrategy<String> {
    pairs
        .prop_map(|pairs| {
            let pairs: Vec<String> = pairs.into_iter().flatten().collect();
            if pairs.is_empty() {
                String::new()
            } else {
                format!("({})", pairs.join(", "))
            }
        })
        .boxed()
}

fn argument(
    name: &'static str,
    value: impl Strategy<Value = String> + 'static,
) -> BoxedStrategy<Option<String>> {
    prop::option::of(value.prop_map(move |value| format!("{name}: {value}"))).boxed()
}

fn kind_literal() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "ICB",
        "TRUST",
        "REGION",
        "UNIVERSITY",
        "NHS_ENGLAND",
        "OTHER",
    ])
    .prop_map(str::to_owned)
}

/// A query the schema accepts, or nearly (a value out of range, an unknown code): it runs
/// the resolvers, pagination, dates, ids and search with hostile values.
fn schema_query() -> impl Strategy<Value = String> {
    let organisation_fields = "id code name kind opened closed isOpen parent { code } parentHistory { organisation { code } from to } predecessors { code } successors { code } posts { code role { name } } accreditedProgrammes { code } sources { title }";
    let organisations = arguments(vec![
        argument("kind", kind_literal()),
        argument("parent", string_literal()),
        argument("asOf", date_literal()),
        argument("first", int_literal()),
        argument("after", string_literal()),
    ])
    .prop_map(move |arguments| {
        format!("organisations{arguments} {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {organisation_fields} }} }} }}")
    });
    let organisation = (
        prop_oneof![string_literal().prop_map(|code| format!("code: {code}")), string_literal().prop_map(|id| format!("id: {id}"))],
        arguments(vec![
            argument("kind", kind_literal()),
            argument("asOf", date_literal()),
            argument("first", int_literal()),
            argument("after", string_literal()),
        ]),
        arguments(vec![argument("first", int_literal()), argument("after", string_literal())]),
    )
        .prop_map(move |(key, children, courses)| {
            format!("organisation({key}) {{ {organisation_fields} children{children} {{ totalCount edges {{ node {{ code }} }} }} courses{courses} {{ totalCount }} accreditedCourses{courses} {{ totalCount }} }}")
        });
    let search = arguments(vec![
        argument("query", string_literal()).prop_map(|query| query.or_else(|| Some("query: \"nhs\"".to_owned()))).boxed(),
        argument("kinds", prop::collection::vec(prop::sample::select(vec!["ORGANISATION", "ROLE", "POST", "PROGRAMME", "COURSE", "SOURCE", "FIGURE"]), 0..4).prop_map(|kinds| format!("[{}]", kinds.join(", ")))),
        argument("first", int_literal()),
        argument("after", string_literal()),
    ])
    .prop_map(|arguments| {
        format!("search{arguments} {{ totalCount edges {{ cursor node {{ score snippet summary sources {{ code }} record {{ __typename id code name }} }} }} }}")
    });
    let by_key = (
        prop::sample::select(vec![
            "role",
            "post",
            "programme",
            "course",
            "qualification",
            "topic",
            "source",
        ]),
        prop_oneof![
            string_literal().prop_map(|code| format!("code: {code}")),
            string_literal().prop_map(|id| format!("id: {id}")),
            Just(String::new())
        ],
    )
        .prop_map(|(field, key)| {
            let key = if key.is_empty() {
                key
            } else {
                format!("({key})")
            };
            format!("{field}{key} {{ __typename id code name summary }}")
        });
    let node = string_literal()
        .prop_map(|id| format!("node(id: {id}) {{ id __typename ... on Record {{ code name }} }}"));
    let courses = arguments(vec![
        argument("accreditedBy", string_literal()),
        argument("provider", string_literal()),
        argument("subject", string_literal()),
        argument("updatedSince", prop_oneof![date_literal(), Just("\"2020-01-01T00:00:00Z\"".to_owned())]),
        argument("first", int_literal()),
        argument("after", string_literal()),
    ])
    .prop_map(|arguments| format!("courses{arguments} {{ totalCount edges {{ node {{ code title status provider {{ code }} }} }} }}"));
    let lists = prop::sample::select(vec![
        "roles(category: EXECUTIVE) { code posts(first: 3) { totalCount } }",
        "programmes(accreditedBy: \"CMI\") { code roles { code } }",
        "qualifications { code awardedBy { code } }",
        "payBands { code }",
        "figures { code }",
        "careerStories { code }",
        "auditTrail { sequence }",
        "__schema { queryType { name } }",
        "__type(name: \"Organisation\") { fields { name } }",
    ])
    .prop_map(str::to_owned);
    let root = prop_oneof![
        3 => organisations,
        3 => organisation,
        3 => search,
        2 => by_key,
        2 => node,
        2 => courses,
        1 => lists,
    ];
    prop::collection::vec((prop::option::weighted(0.2, "[a-z]{1,3}"), root), 1..4).prop_map(
        |roots| {
            let roots: Vec<String> = roots
                .into_iter()
                .map(|(alias, root)| match alias {
                    Some(alias) => format!("{alias}: {root}"),
                    None => root,
                })
                .collect();
            format!("{{ {} }}", roots.join(" "))
        },
    )
}

fn graphql_query() -> impl Strategy<Value = String> {
    let operation = prop::sample::select(vec![
        "",
        "query ",
        "query Q ",
        "query Q($v: String) ",
        "query Q($v: Int = 3) ",
        "mutation ",
        "mutation M ",
        "subscription ",
        "query Q($v: [String!]!) ",
    ]);
    let document = (
        operation,
        selection(),
        prop::option::weighted(0.2, selection()),
    )
        .prop_map(|(operation, selection, fragment)| {
            let mut text = format!("{operation}{{ {selection} }}");
            if let Some(fragment) = fragment {
                text.push_str(&format!(" fragment F on Query {{ {fragment} }}"));
            }
            text
        })
        .boxed();
    prop_oneof![
        6 => schema_query(),
        4 => document.clone(),
        2 => prop::collection::vec(prop::sample::select(GRAPHQL_TOKENS), 0..40)
            .prop_map(|tokens| tokens.join(" ")),
        // A document with a few tokens spliced in.
        2 => (document, prop::collection::vec((any::<Index>(), prop::sample::select(GRAPHQL_TOKENS)), 1..4))
            .prop_map(|(mut text, insertions)| {
                for (at, token) in insertions {
                    let boundaries: Vec<usize> = (0..=text.len()).filter(|i| text.is_char_boundary(*i)).collect();
                    let at = boundaries[at.index(boundaries.len())];
                    text.insert_str(at, token);
                }
                text
            }),
        1 => any::<String>(),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        "\\PC{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "QWE",
            "chief-executive",
            "Q",
            "",
            "{ roles { name } }"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec!["v", "n", "code", "", "__proto__"])
                    .prop_map(str::to_owned),
                inner,
                0..3
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A JSON body of GraphQL parameters, each present or not, of the right type or not.
fn parameters() -> impl Strategy<Value = Value> {
    let query = prop_oneof![
        8 => graphql_query().prop_map(Value::from),
        1 => json_value(),
    ];
    let name = prop_oneof![
        4 => prop::sample::select(vec!["Q", "M", "F", ""]).prop_map(Value::from),
        2 => Just(Value::Null),
        1 => json_value(),
    ];
    let variables = prop_oneof![
        4 => json_value().prop_map(|v| json!({ "v": v })),
        1 => Just(json!({})),
        1 => json_value(),
    ];
    let extensions = prop_oneof![
        2 => Just(json!({})),
        1 => json_value(),
    ];
    (
        prop::option::weighted(0.97, query),
        prop::option::weighted(0.2, name),
        prop::option::weighted(0.3, variables),
        prop::option::weighted(0.05, extensions),
    )
        .prop_map(|(query, name, variables, extensions)| {
            let mut body = serde_json::Map::new();
            for (key, value) in [
                ("query", query),
                ("operationName", name),
                ("variables", variables),
                ("extensions", extensions),
            ] {
                if let Some(value) = value {
                    body.insert(key.to_owned(), value);
                }
            }
            Value::Object(body)
        })
}

/// `text` percent-encoded, each byte either encoded or, where URLs allow it, left as is.
fn percent_encode(text: &[u8], encode_all: bool) -> String {
    text.iter()
        .map(|byte| {
            if !encode_all && (byte.is_ascii_alphanumeric() || b"-._~".contains(byte)) {
                (*byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// A GET query string: GraphQL parameters, percent-encoded or not, and random bytes.
fn query_string() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        4 => prop::sample::select(vec!["query", "variables", "operationName", "extensions"]).prop_map(str::to_owned),
        1 => "[a-zA-Z%+=]{0,8}",
    ];
    let value = prop_oneof![
        4 => graphql_query().prop_map(String::into_bytes),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..24),
    ];
    let pair = (name, value, any::<bool>()).prop_map(|(name, value, encode_all)| {
        format!("{name}={}", percent_encode(&value, encode_all))
    });
    let raw = prop::sample::select(vec![
        "%", "%z", "%zz", "%FF", "%C3", "%00", "&", "&&", "=", "==", "+", "%2",
    ])
    .prop_map(str::to_owned);
    let query = (graphql_query(), any::<bool>()).prop_map(|(query, encode_all)| {
        format!("query={}", percent_encode(query.as_bytes(), encode_all))
    });
    (
        prop::option::weighted(0.8, query),
        prop::collection::vec(prop_oneof![4 => pair, 1 => raw], 0..3),
    )
        .prop_map(|(query, mut parts)| {
            parts.extend(query);
            parts.reverse();
            parts.join("&")
        })
}

fn probe() -> impl Strategy<Value = Probe> {
    let json_post =
        (content_type(), accept(), parameters()).prop_map(|(content_type, accept, body)| {
            Probe::Post {
                content_type,
                accept,
                body: body.to_string().into_bytes(),
            }
        });
    let raw_post = (
        content_type(),
        accept(),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            // Almost JSON: a valid body cut or with a byte changed.
            (parameters(), any::<Index>(), any::<u8>()).prop_map(|(body, at, byte)| {
                let mut bytes = body.to_string().into_bytes();
                let at = at.index(bytes.len());
                if byte % 2 == 0 {
                    bytes.truncate(at)
                } else {
                    bytes[at] = byte
                }
                bytes
            }),
        ],
    )
        .prop_map(|(content_type, accept, body)| Probe::Post {
            content_type,
            accept,
            body,
        });
    // Just over the body limit (256 KiB): JSON with a long query.
    let large_post = (accept(), 0usize..64).prop_map(|(accept, extra)| Probe::Post {
        content_type: Some("application/json".to_owned()),
        accept,
        body:
            json!({ "query": format!("{{ roles {{ name }} }}{}", " ".repeat(256 * 1024 + extra)) })
                .to_string()
                .into_bytes(),
    });
    let get = (accept(), query_string()).prop_map(|(accept, query_string)| Probe::Get {
        accept,
        query_string,
    });
    prop_oneof![
        6 => json_post,
        2 => raw_post,
        3 => get,
        1 => large_post,
    ]
}

/// Every status the GraphQL-over-HTTP adapter gives (`src/http/graphql.rs`), plus the rate
/// limiter's 429 (loopback is exempt by default, so it should not appear).
const STATUSES: &[u16] = &[200, 400, 405, 406, 413, 415, 429];

/// How long one answer may take, well past the server's own 30 s timeout.
const REQUEST_LIMIT: Duration = Duration::from_secs(60);

/// The answer's status, content type and body are what GraphQL clients can rely on.
fn check_answer(status: u16, content_type: &str, body: &[u8]) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(body);
    prop_assert!(STATUSES.contains(&status), "status {status}: {text}");
    prop_assert!(
        content_type.starts_with("application/json")
            || content_type.starts_with("application/graphql-response+json"),
        "content type {content_type:?} with status {status}: {text}"
    );
    let answer: Value = match serde_json::from_slice(body) {
        Ok(answer) => answer,
        Err(error) => {
            return Err(TestCaseError::fail(format!(
                "status {status}, body is not JSON ({error}): {text}"
            )))
        }
    };
    prop_assert!(
        answer.is_object(),
        "status {status}, not a JSON object: {answer}"
    );
    let errors = answer.get("errors");
    prop_assert!(
        answer.get("data").is_some() || errors.is_some(),
        "status {status}, neither data nor errors: {answer}"
    );
    if status != 200 {
        prop_assert!(errors.is_some(), "status {status} without errors: {answer}");
    }
    if let Some(errors) = errors {
        let errors = errors.as_array();
        prop_assert!(
            errors.is_some_and(|errors| !errors.is_empty()),
            "`errors` must be a non-empty array: {answer}"
        );
        for error in errors.into_iter().flatten() {
            prop_assert!(
                error["message"].is_string(),
                "an error without a message: {error}"
            );
            prop_assert!(
                error["extensions"]["code"].is_string(),
                "an error without extensions.code: {error}"
            );
        }
    }
    Ok(())
}

/// An error and its sources, `: `-separated.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[test]
fn the_graphql_endpoint_answers_any_request_with_a_documented_status_and_graphql_json() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let app = runtime.block_on(spawn_app());
    let client = reqwest::Client::builder()
        .timeout(REQUEST_LIMIT)
        .build()
        .expect("an HTTP client");
    let url = format!("{}/graphql", app.address);
    let answers = std::sync::Mutex::new(std::collections::BTreeMap::<(u16, String), usize>::new());

    fuzz("graphql endpoint", 500, probe(), |probe| {
        let request = match &probe {
            Probe::Post {
                content_type,
                accept,
                body,
            } => {
                let mut request = client.post(&url).body(body.clone());
                if let Some(content_type) = content_type {
                    request = request.header("content-type", content_type);
                }
                (request, accept)
            }
            Probe::Get {
                accept,
                query_string,
            } => (client.get(format!("{url}?{query_string}")), accept),
        };
        let (mut request, accept) = request;
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let (status, content_type, body) = runtime
            .block_on(async {
                let response = request
                    .send()
                    .await
                    .map_err(|error| format!("no answer: {}", chain(&error)))?;
                let status = response.status().as_u16();
                let content_type = response
                    .headers()
                    .get("content-type")
                    .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                    .unwrap_or_default();
                let body = response
                    .bytes()
                    .await
                    .map_err(|error| format!("no body: {}", chain(&error)))?;
                Ok::<_, String>((status, content_type, body))
            })
            .map_err(TestCaseError::fail)?;
        let outcome = check_answer(status, &content_type, &body);
        let kind = match serde_json::from_slice::<Value>(&body) {
            Ok(answer) if answer.get("data").is_some_and(|data| !data.is_null()) => {
                "data".to_owned()
            }
            Ok(answer) => answer["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("?")
                .to_owned(),
            Err(_) => "not JSON".to_owned(),
        };
        *answers.lock().unwrap().entry((status, kind)).or_default() += 1;
        outcome
    });
    eprintln!(
        "answers (status, data or first error code): {:?}",
        answers.lock().unwrap()
    );

    let data = runtime.block_on(app.data(r#"{ organisation(code: "QWE") { name kind } }"#));
    assert_eq!(
        data,
        json!({ "organisation": { "name": "NHS South West London Integrated Care Board", "kind": "ICB" } }),
        "after the fuzzing the server still answers a normal query"
    );
    runtime
        .block_on(app.app.shutdown())
        .expect("a clean shutdown");
}

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
