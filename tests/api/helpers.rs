//! `spawn_app()`: a fresh server on `127.0.0.1:0` over a fresh temporary store, and the
//! choice of that store's backend for the whole run.
//!
//! The API suite runs twice in `scripts/test`: on sled (the default), then with
//! `NHS_GRAPH_TEST_BACKEND=postgres` on PostgreSQL, where each test's data directory stands
//! for a database of its own on one throwaway cluster (`postgres_cluster.rs`), so a restart
//! on the same directory finds the same database. A test that cannot mean the same on
//! PostgreSQL says so with [`sled_only`]; a test whose store the variable does not choose
//! says so with [`backend_independent`], and the second pass does not repeat it.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use nhs_leadership_graph::config::Config;
use serde_json::{json, Value};

pub(crate) const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

pub(crate) struct TestApp {
    pub(crate) address: String,
    pub(crate) client: reqwest::Client,
    pub(crate) app: nhs_leadership_graph::App,
    pub(crate) data_dir: tempfile::TempDir,
}

/// Starts the server over this build's `seed/`.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with_seed(&repository_seed_dir()).await
}

/// Starts the server over the seed in `seed_dir`.
pub(crate) async fn spawn_app_with_seed(seed_dir: &Path) -> TestApp {
    spawn_app_configured(seed_dir, |_| {}).await
}

/// Starts the server over this build's `seed/`, with `configure` applied to the defaults.
pub(crate) async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_configured(&repository_seed_dir(), configure).await
}

async fn spawn_app_configured(seed_dir: &Path, configure: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = config(data_dir.path(), seed_dir);
    configure(&mut config);
    let app = nhs_leadership_graph::start(config)
        .await
        .expect("the server starts");
    TestApp {
        address: format!("http://{}", app.local_addr()),
        client: reqwest::Client::new(),
        app,
        data_dir,
    }
}

pub(crate) async fn start(
    data_dir: &Path,
    seed_dir: &Path,
) -> anyhow::Result<nhs_leadership_graph::App> {
    nhs_leadership_graph::start(config(data_dir, seed_dir)).await
}

/// Starts a server on the sled directory `data_dir`, whatever the pass's backend (for a
/// directory written by `restore`, which only writes sled directories).
pub(crate) async fn start_on_sled(
    data_dir: &Path,
    seed_dir: &Path,
) -> anyhow::Result<nhs_leadership_graph::App> {
    let mut config = config(data_dir, seed_dir);
    config.data.database_url = None;
    nhs_leadership_graph::start(config).await
}

/// The configuration of a server on the store standing for `data_dir` in this pass.
fn config(data_dir: &Path, seed_dir: &Path) -> Config {
    let mut config = Config::new(
        "127.0.0.1:0".parse().expect("an address"),
        data_dir.to_owned(),
    );
    config.data.seed_dir = Some(seed_dir.to_owned());
    if backend() == Backend::Postgres {
        config.data.database_url = Some(database_for(data_dir));
    }
    config
}

/// The store the API tests run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    /// A sled directory per test: the default, needing nothing installed.
    Sled,
    /// A PostgreSQL database per test: `NHS_GRAPH_TEST_BACKEND=postgres`.
    Postgres,
}

/// This run's backend, from `NHS_GRAPH_TEST_BACKEND` (`sled` when unset).
pub(crate) fn backend() -> Backend {
    match std::env::var("NHS_GRAPH_TEST_BACKEND").as_deref() {
        Err(_) | Ok("") | Ok("sled") => Backend::Sled,
        Ok("postgres") => Backend::Postgres,
        Ok(other) => panic!("NHS_GRAPH_TEST_BACKEND is {other:?}: use sled or postgres"),
    }
}

/// Marks a test that holds only on sled, saying why: on the PostgreSQL pass it prints the
/// reason and returns true, and the test returns at once.
///
/// `if crate::helpers::sled_only("it opens the sled directory itself") { return; }`
pub(crate) fn sled_only(why: &str) -> bool {
    skip_on_postgres("sled only", why)
}

/// Marks a test whose store `NHS_GRAPH_TEST_BACKEND` does not choose (it picks its own, or
/// it drives a client through reads other tests already make on both backends), saying
/// why: the PostgreSQL pass skips it rather than run the same test twice.
pub(crate) fn backend_independent(why: &str) -> bool {
    skip_on_postgres("run once, in the default pass", why)
}

fn skip_on_postgres(kind: &str, why: &str) -> bool {
    let skip = backend() == Backend::Postgres;
    if skip {
        eprintln!("skipped on the PostgreSQL pass ({kind}): {why}");
    }
    skip
}

/// On the PostgreSQL pass, the database standing for each data directory a test used.
static DATABASES: Mutex<BTreeMap<PathBuf, String>> = Mutex::new(BTreeMap::new());

/// The URL of the database standing for `data_dir`: a fresh one the first time.
pub(crate) fn database_for(data_dir: &Path) -> String {
    let mut databases = DATABASES.lock().expect("no test panicked holding the map");
    databases
        .entry(data_dir.to_owned())
        .or_insert_with(crate::postgres_cluster::fresh_database)
        .clone()
}

/// The command-line flags naming the store standing for `data_dir` in this pass:
/// `--data-dir DIR` on sled, `--database-url URL` on PostgreSQL.
pub(crate) fn store_args(data_dir: &Path) -> Vec<OsString> {
    match backend() {
        Backend::Sled => vec!["--data-dir".into(), data_dir.into()],
        Backend::Postgres => vec!["--database-url".into(), database_for(data_dir).into()],
    }
}

/// Opens the store standing for `data_dir` in this pass (with no server running on it).
pub(crate) fn open_store(data_dir: &Path) -> nhs_leadership_graph::store::Store {
    match backend() {
        Backend::Sled => nhs_leadership_graph::store::Store::open(data_dir),
        Backend::Postgres => {
            nhs_leadership_graph::store::Store::open_postgres(&database_for(data_dir))
        }
    }
    .expect("the store opens")
}

pub(crate) fn repository_seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seed")
}

/// A copy of the repository's seed in a temporary directory, to break or grow.
pub(crate) fn copy_of_seed() -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("a temporary directory");
    copy_dir(&repository_seed_dir(), copy.path());
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read seed directory") {
        let path = entry.expect("directory entry").path();
        let target = to.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy seed file");
        }
    }
}

impl TestApp {
    /// POSTs `query` as JSON, accepting `application/json`, and returns the JSON answer.
    pub(crate) async fn graphql(&self, query: &str) -> Value {
        self.graphql_with(json!({ "query": query })).await
    }

    pub(crate) async fn graphql_with(&self, body: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .header("accept", "application/json")
            .json(&body)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(
            response.status(),
            200,
            "a well-formed request answers 200 with application/json"
        );
        response.json().await.expect("a JSON body")
    }

    /// GETs `path` (from `/`) and returns the response, whatever its status.
    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the server answers")
    }

    /// GETs `path`, a JSON endpoint such as `/health`, and returns its body.
    pub(crate) async fn get_json(&self, path: &str) -> Value {
        self.get(path).await.json().await.expect("a JSON body")
    }

    /// The `data` of a query that must succeed without errors.
    pub(crate) async fn data(&self, query: &str) -> Value {
        let answer = self.graphql(query).await;
        assert!(
            answer.get("errors").is_none(),
            "unexpected errors: {answer:#}"
        );
        answer["data"].clone()
    }

    pub(crate) fn store_reads(&self) -> u64 {
        self.app.store_reads()
    }
}

/// The codes of a connection's nodes.
pub(crate) fn codes(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["code"].as_str().expect("a code").to_owned())
        .collect()
}
