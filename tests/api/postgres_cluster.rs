//! A PostgreSQL server for the tests: `NHS_GRAPH_TEST_DATABASE_URL` when it is set, else a
//! throwaway cluster (`initdb` and `pg_ctl` from Debian's PostgreSQL, on a free loopback
//! port, in a temporary directory, as the `postgres` user when the tests run as root). Each
//! test gets a database of its own; tests that stop the server get a cluster of their own.
//!
//! A throwaway cluster is stopped and its directory removed when the test binary exits, by a
//! small watcher process started with it (statics are never dropped).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Where Debian installs each PostgreSQL version's programs (`<version>/bin`).
const PG_LIB: &str = "/usr/lib/postgresql";
/// The role whose login needs a password, for the wrong-password test.
pub(crate) const PASSWORD_ROLE: &str = "nlg_secret";
pub(crate) const PASSWORD: &str = "correct-horse";

/// A PostgreSQL server: `url_for(db)` connects to database `db` on it.
pub(crate) struct Cluster {
    /// `postgres://user@host:port`, without a database.
    base: String,
    /// The data directory and port of a throwaway cluster (None for an external server).
    local: Option<(PathBuf, u16)>,
}

static SHARED: OnceLock<Cluster> = OnceLock::new();
static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty database on the shared server, as a URL.
pub(crate) fn fresh_database() -> String {
    let cluster = SHARED.get_or_init(|| match std::env::var("NHS_GRAPH_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Cluster {
            base: url
                .rsplit_once('/')
                .map_or(url.clone(), |(base, _)| base.to_owned()),
            local: None,
        },
        _ => Cluster::start(),
    });
    cluster.create_database()
}

impl Cluster {
    /// Starts a throwaway cluster of its own (for tests that stop and start it).
    pub(crate) fn start() -> Self {
        let directory = tempfile::Builder::new()
            .prefix("nlg-postgres-")
            .tempdir()
            .expect("a temporary directory")
            .keep();
        let data = directory.join("data");
        std::fs::create_dir(&data).expect("creating the cluster directory");
        if as_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&directory)
                .status()
                .expect("chown runs");
            assert!(status.success(), "chown of the cluster directory");
        }
        let output = pg_command("initdb")
            .args(["-D"])
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
            .output()
            .expect("initdb runs (is Debian's postgresql installed? scripts/test installs it)");
        assert!(
            output.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::write(
            data.join("pg_hba.conf"),
            format!(
                "local all all trust\n\
                 host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n\
                 host all all 127.0.0.1/32 trust\n"
            ),
        )
        .expect("writing pg_hba.conf");
        let port = free_port();
        let cluster = Self {
            base: format!("postgres://postgres@127.0.0.1:{port}"),
            local: Some((data, port)),
        };
        cluster.start_server();
        watch_for_exit(&directory, &cluster);
        cluster.psql(&format!(
            "CREATE ROLE {PASSWORD_ROLE} LOGIN SUPERUSER PASSWORD '{PASSWORD}'"
        ));
        cluster
    }

    /// The URL of database `database` on this server.
    pub(crate) fn url_for(&self, database: &str) -> String {
        format!("{}/{database}", self.base)
    }

    /// The URL of `database` logging in as `user` with `password`.
    pub(crate) fn url_as(&self, user: &str, password: &str, database: &str) -> String {
        let (_, host) = self.base.split_once('@').expect("a user in the base URL");
        format!("postgres://{user}:{password}@{host}/{database}")
    }

    /// Creates an empty database and returns its URL.
    pub(crate) fn create_database(&self) -> String {
        let name = format!(
            "nlg_test_{}_{}",
            std::process::id(),
            NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)
        );
        self.psql(&format!("CREATE DATABASE {name}"));
        self.url_for(&name)
    }

    /// Runs one SQL statement on database `postgres`.
    pub(crate) fn psql(&self, sql: &str) {
        self.psql_on("postgres", sql);
    }

    /// Runs one SQL statement on `database`.
    pub(crate) fn psql_on(&self, database: &str, sql: &str) {
        let url = self.url_for(database);
        let sql = sql.to_owned();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap_or_else(|error| panic!("connecting to {url}: {error}"));
                tokio::spawn(connection);
                client
                    .batch_execute(&sql)
                    .await
                    .unwrap_or_else(|error| panic!("{sql}: {error}"));
            });
        })
        .join()
        .expect("the SQL thread");
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`).
    pub(crate) fn stop_immediately(&self) {
        let (data, _) = self.local.as_ref().expect("a throwaway cluster");
        let status = pg_command("pg_ctl")
            .arg("-D")
            .arg(data)
            .args(["stop", "-m", "immediate", "-w"])
            .stdout(Stdio::null())
            .status()
            .expect("pg_ctl runs");
        assert!(status.success(), "pg_ctl stop");
    }

    /// Starts the server again on the same port.
    pub(crate) fn start_server(&self) {
        let (data, port) = self.local.as_ref().expect("a throwaway cluster");
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300",
            data.display()
        );
        let status = pg_command("pg_ctl")
            .arg("-D")
            .arg(data)
            .arg("-l")
            .arg(data.join("server.log"))
            .args(["-w", "-o", &options, "start"])
            .stdout(Stdio::null())
            .status()
            .expect("pg_ctl runs");
        assert!(
            status.success(),
            "pg_ctl start (see {}/server.log)",
            data.display()
        );
    }
}

fn as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.starts_with(b"0\n"))
}

/// A PostgreSQL program, run as `postgres` when the tests run as root (PostgreSQL refuses
/// to run as root).
fn pg_command(program: &str) -> Command {
    let path = pg_bin().join(program);
    if as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(path);
        command
    } else {
        Command::new(path)
    }
}

/// The `bin` directory of the newest PostgreSQL installed.
fn pg_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(PG_LIB)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .unwrap_or_else(|| panic!("no {PG_LIB}/*/bin/initdb: install Debian's postgresql (scripts/test does) or set NHS_GRAPH_TEST_DATABASE_URL"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Starts a shell that waits for this test binary to exit, then stops the cluster and
/// removes its directory.
#[allow(
    clippy::zombie_processes,
    reason = "the watcher must outlive the test binary, which never waits for it"
)]
fn watch_for_exit(directory: &Path, cluster: &Cluster) {
    let (data, _) = cluster.local.as_ref().expect("a throwaway cluster");
    let pg_ctl = pg_bin().join("pg_ctl");
    let as_postgres = if as_root() {
        "runuser -u postgres -- "
    } else {
        ""
    };
    let stop = format!(
        "{as_postgres}'{}' -D '{}' stop -m immediate",
        pg_ctl.display(),
        data.display()
    );
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{directory}'",
        pid = std::process::id(),
        directory = directory.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the cluster's watcher starts");
}
