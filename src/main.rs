//! The command line: parse it and call into the library.

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(config) => serve(config),
        Command::CheckSeed(data) => check_seed(&data),
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

fn serve(config: Config) -> anyhow::Result<ExitCode> {
    nhs_leadership_graph::telemetry::init(config.log_format);
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    runtime.block_on(nhs_leadership_graph::run(config))?;
    Ok(ExitCode::SUCCESS)
}

fn check_seed(data: &DataConfig) -> anyhow::Result<ExitCode> {
    match nhs_leadership_graph::seed::load(&data.seed_dir) {
        Ok(seed) => {
            println!(
                "seed at {} is valid: {} records, {} links",
                data.seed_dir.display(),
                seed.dataset.n_records(),
                seed.dataset.edges().len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(nhs_leadership_graph::seed::Error::Invalid(problems)) => {
            eprint!("{problems}");
            eprintln!(
                "{} problem(s) in {}",
                problems.len(),
                data.seed_dir.display()
            );
            Ok(ExitCode::from(2))
        }
        Err(error) => Err(error).context("checking the seed"),
    }
}
