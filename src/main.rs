//! The command line: parse it and call into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use nhs_leadership_graph::config::{Config, DataConfig};

/// mimalloc: faster than the system allocator for the many small allocations of GraphQL
/// execution and serialisation. Set here only, so the library leaves the choice to its users.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A GraphQL knowledge API about leadership in the English NHS.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    serve: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default): seed the store if needed, then serve GraphQL over HTTP.
    Serve(Config),
    /// Validate the seed files and report every problem, without touching the store.
    CheckSeed(DataConfig),
    /// Print the GraphQL schema (SDL) the server serves.
    ExportSchema,
    /// Issue, list and revoke API keys: on a running server with --server and an admin
    /// key, or on a stopped server's store.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Add a partner organisation (a university, say) and issue its key: on a running
    /// server with --server and an admin key, or on a stopped server's store.
    Partners {
        #[command(subcommand)]
        command: PartnersCommand,
    },
    /// Write a checksummed backup of the store: from a stopped server's data directory, or
    /// with --server from a running server (admin key needed).
    Backup {
        /// The backup file to write (written whole or not at all).
        #[arg(long)]
        out: PathBuf,
        /// A running server to fetch the backup from, such as http://127.0.0.1:8000
        /// (`--data-dir` is then not used).
        #[arg(long)]
        server: Option<String>,
        /// An admin API key, for --server.
        #[arg(long, env = "NHS_GRAPH_ADMIN_KEY", hide_env_values = true)]
        key: Option<String>,
        #[command(flatten)]
        data: DataConfig,
    },
    /// Publish courses on a stopped server's store, as the partner API would.
    Courses {
        #[command(subcommand)]
        command: CoursesCommand,
    },
    /// Restore a backup as the data directory (the server must be stopped).
    Restore {
        /// The backup file, as `backup` wrote it; verified whole before anything is written.
        #[arg(long)]
        from: PathBuf,
        /// Restore over a non-empty data directory, which is moved aside to
        /// `<data-dir>.before-restore-<timestamp>` (never deleted).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        data: DataConfig,
    },
}

#[derive(Debug, Subcommand)]
enum CoursesCommand {
    /// Creates or updates the courses of a CSV file (the `upsertCourses(csv:)` format), all
    /// or nothing, recorded in the audit trail under the given key.
    Import {
        /// The CSV file.
        #[arg(long)]
        csv: PathBuf,
        /// The id of the API key the writes are made as (see `keys list`).
        #[arg(long)]
        key_id: String,
        #[command(flatten)]
        data: DataConfig,
    },
}

/// Where `keys` and `partners` act: a running server's admin API, or a store.
#[derive(Debug, clap::Args)]
struct OperatorTarget {
    /// A running server to act on through its admin API, such as http://127.0.0.1:8000
    /// (`--data-dir` and `--database-url` are then not used).
    #[arg(long)]
    server: Option<String>,
    /// An admin API key, for --server.
    #[arg(long, env = "NHS_GRAPH_ADMIN_KEY", hide_env_values = true)]
    key: Option<String>,
    #[command(flatten)]
    data: DataConfig,
}

/// When a key stops being accepted.
#[derive(Debug, clap::Args)]
struct ExpiryArgs {
    /// The key expires this many days after it is issued.
    #[arg(long, conflicts_with = "expires_at")]
    expires_in_days: Option<u32>,
    /// The key expires at this RFC 3339 time, such as 2027-01-31T00:00:00Z.
    #[arg(long)]
    expires_at: Option<String>,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Issue a key for one organisation (or an admin key); the key is printed once.
    Issue {
        /// The organisation whose courses the key may change (e.g. COVENTRY).
        #[arg(long, required_unless_present = "admin", conflicts_with = "admin")]
        organisation: Option<String>,
        /// Issue an admin key, which may change any organisation's courses.
        #[arg(long)]
        admin: bool,
        /// A note to tell keys apart in `keys list`.
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        expiry: ExpiryArgs,
        #[command(flatten)]
        target: OperatorTarget,
    },
    /// List keys (ids, organisations, expiry, last use; never secrets).
    List {
        #[command(flatten)]
        target: OperatorTarget,
    },
    /// Revoke a key by id (the <id> of nlg_<id>_<secret>, or the whole key); its next
    /// request is refused.
    Revoke {
        /// The key's id, as `keys list` shows it.
        id: String,
        #[command(flatten)]
        target: OperatorTarget,
    },
}

#[derive(Debug, Subcommand)]
enum PartnersCommand {
    /// Add a partner organisation, recorded as added by the operator, and issue its key
    /// (printed once). Refuses a code in use.
    Add {
        /// Its code, upper-case letters, digits and '-' (e.g. KEELE).
        #[arg(long)]
        code: String,
        /// Its name (e.g. "Keele University").
        #[arg(long)]
        name: String,
        /// Its kind, as the schema spells it: UNIVERSITY (the default), PROFESSIONAL_BODY,
        /// LEADERSHIP_ACADEMY, GOVERNMENT, REGULATOR, COMPANY or OTHER.
        #[arg(long)]
        kind: Option<String>,
        /// Its web address (http:// or https://).
        #[arg(long)]
        website: Option<String>,
        /// A note for its key (by default "<name> (onboarding)").
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        expiry: ExpiryArgs,
        #[command(flatten)]
        target: OperatorTarget,
    },
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(config) => serve(config),
        Command::CheckSeed(data) => check_seed(&data),
        Command::Keys { command } => keys(command),
        Command::Partners { command } => partners(command),
        Command::Backup {
            data, server: None, ..
        }
        | Command::Restore { data, .. }
            if data.database_url.is_some() =>
        {
            Err(anyhow::anyhow!("backup and restore read and write a sled data directory; with --database-url use pg_dump and pg_restore (README: Running more than one instance)"))
        }
        Command::Backup {
            out,
            server,
            key,
            data,
        } => backup(&out, server.as_deref(), key.as_deref(), &data),
        Command::Restore { from, force, data } => restore(&from, &data, force),
        Command::Courses {
            command: CoursesCommand::Import { csv, key_id, data },
        } => import_courses(&csv, &key_id, &data),
        Command::ExportSchema => {
            print!("{}", nhs_leadership_graph::graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        ExitCode::FAILURE
    })
}

/// Turns transparent huge pages off for this process, before it allocates much.
///
/// mimalloc asks the kernel for huge pages on its arenas, and on a kernel whose THP mode is
/// `madvise` every touched 2 MiB stretch then counts whole in the resident set: measured
/// with `bench/run`, the idle server at 1x held 104 MiB with huge pages and 48 MiB without,
/// for no measurable difference in throughput. Nothing else is lost if the call fails.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(error) = nix::sys::prctl::set_thp_disable(true) {
        eprintln!("warning: could not turn transparent huge pages off: {error}");
    }
}

fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let _log_writer = nhs_leadership_graph::telemetry::init(config.log_format)
        .context("starting the log writer thread")?;
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    runtime.block_on(nhs_leadership_graph::run(config))?;
    Ok(ExitCode::SUCCESS)
}

fn check_seed(data: &DataConfig) -> anyhow::Result<ExitCode> {
    let source = nhs_leadership_graph::seed::SeedSource::new(data.seed_dir.clone());
    match nhs_leadership_graph::seed::load_from(&source) {
        Ok(seed) => {
            println!(
                "seed at {source} is valid: {} records, {} links",
                seed.dataset.n_records(),
                seed.dataset.edges().len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(nhs_leadership_graph::seed::Error::Invalid(problems)) => {
            eprint!("{problems}");
            eprintln!("{} problem(s) in {source}", problems.len());
            Ok(ExitCode::from(2))
        }
        Err(error) => Err(error).context("checking the seed"),
    }
}

fn keys(command: KeysCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeysCommand::Issue {
            organisation,
            admin,
            label,
            expiry,
            target,
        } => {
            // The operator's first admin key may be issued before the server's first start.
            if admin && target.server.is_none() && target.data.database_url.is_none() {
                let data_dir = target.data.data_dir();
                std::fs::create_dir_all(&data_dir)
                    .with_context(|| format!("creating data directory {}", data_dir.display()))?;
            }
            let request = nhs_leadership_graph::operators::NewKey {
                organisation,
                label,
                expires: expiry.parse()?,
            };
            let issued = operator_target(&target)?.issue(request)?;
            eprintln!(
                "issued key {} for {}{}; it is shown once, keep it secret:",
                issued.id,
                issued.scope(),
                expiring(&issued)
            );
            println!("{}", issued.key.unwrap_or_default());
        }
        KeysCommand::List { target } => {
            println!("id\torganisation\tstate\tcreated\texpires\tlast used\tlabel");
            for key in operator_target(&target)?.list()? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    key.id,
                    key.scope(),
                    key.state,
                    time(Some(key.created_at)),
                    time(key.expires_at),
                    time(key.last_used_at),
                    key.label.as_deref().unwrap_or_default()
                );
            }
        }
        KeysCommand::Revoke { id, target } => {
            let key = operator_target(&target)?.revoke(&id)?;
            println!("revoked key {} ({})", key.id, key.scope());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn partners(command: PartnersCommand) -> anyhow::Result<ExitCode> {
    let PartnersCommand::Add {
        code,
        name,
        kind,
        website,
        label,
        expiry,
        target,
    } = command;
    let request = nhs_leadership_graph::operators::NewPartner {
        code,
        name,
        kind: kind
            .as_deref()
            .map(nhs_leadership_graph::operators::parse_kind)
            .transpose()?,
        website,
        label,
        expires: expiry.parse()?,
    };
    let added = operator_target(&target)?.add_partner(request)?;
    eprintln!(
        "added {} ({}, {}), citing source {}; issued key {}{}; it is shown once, keep it secret:",
        added.organisation.code,
        added.organisation.name,
        added.organisation.kind,
        added.source.code,
        added.key.id,
        expiring(&added.key)
    );
    println!("{}", added.key.key.unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

impl ExpiryArgs {
    fn parse(&self) -> anyhow::Result<Option<nhs_leadership_graph::operators::Expiry>> {
        use nhs_leadership_graph::operators::{parse_expiry, Expiry};
        Ok(match (self.expires_in_days, &self.expires_at) {
            (Some(days), _) => Some(Expiry::InDays(days)),
            (None, Some(at)) => Some(Expiry::At(parse_expiry(at)?)),
            (None, None) => None,
        })
    }
}

/// The running server `target` names, or else the store it names.
fn operator_target(
    target: &OperatorTarget,
) -> anyhow::Result<nhs_leadership_graph::api_keys::Target> {
    use nhs_leadership_graph::api_keys::{AdminClient, Target};
    match &target.server {
        Some(server) => {
            let key = target
                .key
                .as_deref()
                .context("--server needs an admin key: --key or NHS_GRAPH_ADMIN_KEY")?;
            Ok(Target::Server(AdminClient::new(server, key)?))
        }
        None => Ok(Target::Store(open_store(&target.data)?)),
    }
}

fn expiring(key: &nhs_leadership_graph::operators::KeyView) -> String {
    key.expires_at
        .map(|at| format!(", expiring {}", time(Some(at))))
        .unwrap_or_default()
}

fn time(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(
        || "-".to_owned(),
        |at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

fn import_courses(
    csv: &std::path::Path,
    key_id: &str,
    data: &DataConfig,
) -> anyhow::Result<ExitCode> {
    use nhs_leadership_graph::publish::{submissions_from_csv, PublishError, Publisher};
    let text =
        std::fs::read_to_string(csv).with_context(|| format!("reading {}", csv.display()))?;
    let store = std::sync::Arc::new(open_store(data)?);
    let key = store
        .api_key(key_id)?
        .filter(|key| !key.is_revoked())
        .with_context(|| format!("no active key has id {key_id:?}"))?;
    let publisher = Publisher::new(store.clone(), None);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let upserted = submissions_from_csv(&text)
        .map_err(PublishError::Invalid)
        .and_then(|submissions| {
            runtime.block_on(
                publisher.upsert(&std::sync::Arc::new(key), submissions, |index| {
                    format!("csv line {}: ", index + 2)
                }),
            )
        });
    match upserted {
        Ok(upserted) => {
            println!(
                "{} created, {} updated (the search index follows at the next start)",
                upserted.created, upserted.updated
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(PublishError::Invalid(problems)) => {
            for problem in &problems {
                eprintln!("{}: {}", problem.field, problem.message);
            }
            eprintln!("{} problem(s); nothing was written", problems.len());
            Ok(ExitCode::from(2))
        }
        Err(error) => Err(error).context("publishing the courses"),
    }
}

fn backup(
    out: &std::path::Path,
    server: Option<&str>,
    key: Option<&str>,
    data: &DataConfig,
) -> anyhow::Result<ExitCode> {
    use nhs_leadership_graph::backup;
    let summary = match server {
        Some(server) => {
            let key = key.context("--server needs an admin key: --key or NHS_GRAPH_ADMIN_KEY")?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the tokio runtime")?;
            runtime.block_on(backup::from_server(server, key, out))?
        }
        None => backup::from_directory(&data.data_dir(), out)?,
    };
    println!("wrote {}: {summary}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn restore(from: &std::path::Path, data: &DataConfig, force: bool) -> anyhow::Result<ExitCode> {
    let data_dir = data.data_dir();
    let restored = nhs_leadership_graph::backup::restore(from, &data_dir, force)?;
    if let Some(aside) = &restored.moved_aside {
        eprintln!("the previous data directory is now {}", aside.display());
    }
    println!("restored {}: {}", data_dir.display(), restored.summary);
    Ok(ExitCode::SUCCESS)
}

/// The store `data` names: PostgreSQL with `--database-url`, else the sled data directory
/// (which a running server holds: stop it first).
fn open_store(data: &DataConfig) -> anyhow::Result<nhs_leadership_graph::store::Store> {
    match &data.database_url {
        Some(url) => nhs_leadership_graph::store::Store::open_postgres_with_pool(
            url,
            data.database_pool_size as usize,
        )
        .context("opening the PostgreSQL store"),
        None => nhs_leadership_graph::api_keys::open(&data.data_dir()),
    }
}
