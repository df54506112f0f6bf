//! `spawn_app()`: a fresh server on `127.0.0.1:0` over a fresh temporary store.

use std::path::{Path, PathBuf};

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
    // `NHS_GRAPH_TEST_BACKEND=postgres` runs every API test on a fresh PostgreSQL database.
    if std::env::var("NHS_GRAPH_TEST_BACKEND").as_deref() == Ok("postgres") {
        config.data.database_url = Some(crate::postgres_cluster::fresh_database());
    }
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

fn config(data_dir: &Path, seed_dir: &Path) -> Config {
    let mut config = Config::new(
        "127.0.0.1:0".parse().expect("an address"),
        data_dir.to_owned(),
    );
    config.data.seed_dir = Some(seed_dir.to_owned());
    config
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
