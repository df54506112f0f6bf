//! The server's configuration: one clap struct, every flag with an environment equivalent.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// Where the server listens unless told otherwise.
pub const DEFAULT_BIND: &str = "127.0.0.1:8000";

/// The response cache's default byte budget (64 MiB).
pub const DEFAULT_RESPONSE_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// The document cache's default number of parsed queries.
pub const DEFAULT_DOCUMENT_CACHE_ENTRIES: u64 = 1_000;

/// How long a request may take before it answers 503 `TIMEOUT`, in seconds.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
/// Default seconds a connection may stay silent before it is closed.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 60;
/// Requests per second each client (API key, else IP address) may send to `/graphql`.
pub const DEFAULT_RATE_LIMIT_PER_SECOND: u32 = 50;
/// Requests a client may send to `/graphql` at once before the per-second rate applies.
pub const DEFAULT_RATE_LIMIT_BURST: u32 = 100;
/// Connections per process to PostgreSQL: enough that a burst of memo misses and a write do
/// not wait on each other, few enough that a handful of replicas fit PostgreSQL's default
/// `max_connections` of 100.
pub const DEFAULT_DATABASE_POOL_SIZE: u32 = 16;

/// Settings for `serve`.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "NHS_GRAPH_BIND", default_value = DEFAULT_BIND)]
    pub bind: SocketAddr,

    #[command(flatten)]
    pub data: DataConfig,

    /// Byte budget of the response cache (request plus response bytes per entry); 0
    /// disables it. Entries are keyed by the store's data version, so a reseed invalidates.
    #[arg(long, env = "NHS_GRAPH_RESPONSE_CACHE_BYTES", default_value_t = DEFAULT_RESPONSE_CACHE_BYTES)]
    pub response_cache_bytes: u64,

    /// How many query documents to keep, each parsed, with its limit check and the costs of
    /// its validated requests; 0 disables the cache (every request is then parsed and
    /// validated in full).
    #[arg(long, env = "NHS_GRAPH_DOCUMENT_CACHE_ENTRIES", default_value_t = DEFAULT_DOCUMENT_CACHE_ENTRIES)]
    pub document_cache_entries: u64,

    /// Seconds a request may take before it is abandoned with 503 `TIMEOUT` (at least 1).
    #[arg(
        long,
        env = "NHS_GRAPH_REQUEST_TIMEOUT_SECS",
        default_value_t = DEFAULT_REQUEST_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub request_timeout_secs: u64,

    /// Seconds a connection may send and receive nothing before the server closes it: idle
    /// keep-alive connections, and clients that open a connection and never finish a
    /// request's headers (at least 1).
    #[arg(
        long,
        env = "NHS_GRAPH_IDLE_TIMEOUT_SECS",
        default_value_t = DEFAULT_IDLE_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub idle_timeout_secs: u64,

    /// Origins allowed to read the API from a browser (CORS), comma-separated, such as
    /// `https://a.example,https://b.example`. Empty (the default) or `*`: any origin, never
    /// with credentials (reads are public; writes still need an API key).
    #[arg(long, env = "NHS_GRAPH_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Requests per second each client (its API key, else its IP address) may send to
    /// `/graphql`; over it the answer is 429 `RATE_LIMITED`. 0 disables rate limiting.
    #[arg(long, env = "NHS_GRAPH_RATE_LIMIT_PER_SECOND", default_value_t = DEFAULT_RATE_LIMIT_PER_SECOND)]
    pub rate_limit_per_second: u32,

    /// Requests a client may send to `/graphql` in a burst before the per-second rate
    /// applies. 0 disables rate limiting.
    #[arg(long, env = "NHS_GRAPH_RATE_LIMIT_BURST", default_value_t = DEFAULT_RATE_LIMIT_BURST)]
    pub rate_limit_burst: u32,

    /// Also rate-limit clients on loopback (127.0.0.0/8, ::1). Off by default: local callers
    /// (health checks, sidecars, a load test on the same machine) are not throttled. Behind a
    /// reverse proxy on the same host, turn this on.
    #[arg(long, env = "NHS_GRAPH_RATE_LIMIT_LOOPBACK", default_value_t = false)]
    pub rate_limit_loopback: bool,

    /// Which requests get an access-log line: `all`; `errors`, only answers that are not a
    /// success (2xx, or a 304 revalidation) and answers slower than 1 s; or `off`. Metrics
    /// count every request whatever this says.
    #[arg(long, env = "NHS_GRAPH_ACCESS_LOG", value_enum, default_value_t = AccessLog::All)]
    pub access_log: AccessLog,

    /// The MCP endpoint for LLM agents (`/mcp`, and the `/records/{id}` pages its tools link
    /// to): `on` (the default) or `off`.
    #[arg(long, env = "NHS_GRAPH_MCP", value_enum, default_value_t = Switch::On)]
    pub mcp: Switch,

    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, env = "NHS_GRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Where the data lives: shared by every subcommand that opens the store or reads the seed.
#[derive(Debug, Clone, Args)]
pub struct DataConfig {
    /// Directory of the sled database; created and seeded on first start.
    /// Defaults to the platform's local data directory (on Linux
    /// `~/.local/share/nhs-leadership-graph`).
    #[arg(long, env = "NHS_GRAPH_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// A seed directory to load instead of the seed built into the binary (the repository's
    /// `seed/` as it was when the binary was built); for operators who edit the knowledge.
    #[arg(long, env = "NHS_GRAPH_SEED_DIR")]
    pub seed_dir: Option<PathBuf>,

    /// A PostgreSQL database to keep the store in instead of `--data-dir`, such as
    /// `postgres://user:password@host:5432/nhs_graph`: the store of record when more than one
    /// server process runs. Unset (the default): the embedded sled store in `--data-dir`.
    #[arg(long, env = "NHS_GRAPH_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// With `--database-url`: the most connections this process holds to the database at
    /// once, for reads that miss the memo and for writes (warm reads use none). The database's
    /// `max_connections` must cover every replica's pool plus 2 each (README: Running more
    /// than one instance).
    #[arg(
        long,
        env = "NHS_GRAPH_DATABASE_POOL_SIZE",
        default_value_t = DEFAULT_DATABASE_POOL_SIZE,
        value_parser = clap::value_parser!(u32).range(1..=10_000)
    )]
    pub database_pool_size: u32,
}

impl DataConfig {
    /// The data directory, resolved to its default when none was given.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }

    /// Settings for a given data directory and this build's seed.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir: Some(data_dir),
            seed_dir: None,
            database_url: None,
            database_pool_size: DEFAULT_DATABASE_POOL_SIZE,
        }
    }
}

/// Which requests the access log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AccessLog {
    All,
    Errors,
    Off,
}

/// A feature that is on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

fn default_data_dir() -> PathBuf {
    dirs::data_local_dir()
        .map(|directory| directory.join("nhs-leadership-graph"))
        .unwrap_or_else(|| PathBuf::from("nhs-leadership-graph-data"))
}

impl Config {
    /// A configuration for `data_dir`, listening on `bind`, with this build's seed.
    pub fn new(bind: SocketAddr, data_dir: PathBuf) -> Self {
        Self {
            bind,
            data: DataConfig::new(data_dir),
            response_cache_bytes: DEFAULT_RESPONSE_CACHE_BYTES,
            document_cache_entries: DEFAULT_DOCUMENT_CACHE_ENTRIES,
            request_timeout_secs: DEFAULT_REQUEST_TIMEOUT_SECS,
            idle_timeout_secs: DEFAULT_IDLE_TIMEOUT_SECS,
            cors_origins: Vec::new(),
            rate_limit_per_second: DEFAULT_RATE_LIMIT_PER_SECOND,
            rate_limit_burst: DEFAULT_RATE_LIMIT_BURST,
            rate_limit_loopback: false,
            access_log: AccessLog::All,
            mcp: Switch::On,
            log_format: LogFormat::Text,
        }
    }
}
