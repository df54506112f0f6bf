//! Reads `seed/` (curated TOML and registry CSV), validates everything, then writes through
//! the store (`Store::replace_seed`: durable, and never seen or left half done).
//!
//! A load parses every file and collects every problem, reported one per line as
//! `file:line: field: problem`, before anything is written: a bad seed leaves the store
//! untouched. It reruns only when the seed content (or the way it is derived) changed.
//!
//! Invariant: `seed` never touches sled directly; it builds a `domain::Dataset` and hands it
//! to `store::Store::replace_seed`.

mod build;
mod evidence;
mod names;
mod problems;
mod references;
mod registry;
mod tables;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::Dataset;
use crate::store::{SeedWrite, Store};

pub use problems::{Problem, Problems};

/// Bump when the way seed files become records changes, so existing stores reseed.
const DERIVATION_VERSION: &str = "nhs-leadership-graph seed derivation 3";

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("reading seed directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the seed has {count} problem(s):\n{problems}", count = .0.len(), problems = .0)]
    Invalid(Problems),
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    #[error("seed task failed: {0}")]
    Task(String),
}

/// A parsed, validated seed and the hash of its content.
#[derive(Debug, Clone)]
pub struct Seed {
    pub dataset: Dataset,
    pub hash: [u8; 32],
}

/// What [`ensure_seeded`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    /// The store already held this exact seed content.
    Unchanged,
    Loaded(SeedWrite),
}

/// Where the seed is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedSource {
    /// The repository's `seed/` built into the binary, so that a release binary copied to a
    /// server or an image needs no files beside it. (A debug build reads the checkout's
    /// `seed/` at run time instead, as rust-embed does, so an edit needs no rebuild.)
    Embedded,
    /// A directory given with `--seed-dir`.
    Directory(PathBuf),
}

impl SeedSource {
    /// `--seed-dir` if given, else the seed built into the binary.
    pub fn new(directory: Option<PathBuf>) -> Self {
        directory.map_or(Self::Embedded, Self::Directory)
    }

    /// Every seed file, sorted by path.
    fn read(&self) -> Result<Vec<tables::SeedFile>, Error> {
        match self {
            Self::Directory(directory) => tables::read_files(directory),
            Self::Embedded => tables::files_from(EmbeddedSeed::iter().filter_map(|path| {
                let file = EmbeddedSeed::get(&path)?;
                Some((path.into_owned(), file.data.into_owned()))
            })),
        }
    }
}

impl std::fmt::Display for SeedSource {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Embedded => formatter.write_str("the seed built into this binary"),
            Self::Directory(directory) => write!(formatter, "{}", directory.display()),
        }
    }
}

/// The repository's `seed/`, built into the binary.
#[derive(rust_embed::RustEmbed)]
#[folder = "seed/"]
struct EmbeddedSeed;

/// Parses and validates every file in `directory` without writing anything.
pub fn load(directory: &Path) -> Result<Seed, Error> {
    load_from(&SeedSource::Directory(directory.to_owned()))
}

/// Parses and validates the seed of `source` without writing anything.
pub fn load_from(source: &SeedSource) -> Result<Seed, Error> {
    let files = source.read()?;
    let hash = content_hash(&files);
    let dataset = build::build(&files).map_err(Error::Invalid)?;
    Ok(Seed { dataset, hash })
}

/// Loads `directory` into `store` unless the store already holds exactly this content.
/// Blocking work runs on tokio's blocking pool.
pub async fn ensure_seeded(store: Arc<Store>, source: SeedSource) -> Result<SeedOutcome, Error> {
    match changed_seed(store.clone(), source).await? {
        None => Ok(SeedOutcome::Unchanged),
        Some(seed) => write(store, Arc::new(seed)).await.map(SeedOutcome::Loaded),
    }
}

/// The seed of `source`, parsed and validated, unless `store` already holds exactly this
/// content (`None`). Writes nothing: [`write`] does, so that the caller can start work on
/// the dataset (the search index) while it is written. Runs on tokio's blocking pool.
pub async fn changed_seed(store: Arc<Store>, source: SeedSource) -> Result<Option<Seed>, Error> {
    tokio::task::spawn_blocking(move || {
        let files = source.read()?;
        let hash = content_hash(&files);
        if store.seed_hash()? == Some(hash) {
            return Ok(None);
        }
        let dataset = build::build(&files).map_err(Error::Invalid)?;
        // The write can take a while on a large seed; say what the server is doing.
        tracing::info!(
            source = %source,
            records = dataset.n_records(),
            "the seed changed: writing it to the store"
        );
        Ok(Some(Seed { dataset, hash }))
    })
    .await
    .map_err(|error| Error::Task(error.to_string()))?
}

/// Writes `seed` to `store` (see `Store::replace_seed`), on tokio's blocking pool.
pub async fn write(store: Arc<Store>, seed: Arc<Seed>) -> Result<SeedWrite, Error> {
    tokio::task::spawn_blocking(move || Ok(store.replace_seed(&seed.dataset, seed.hash)?))
        .await
        .map_err(|error| Error::Task(error.to_string()))?
}

fn content_hash(files: &[tables::SeedFile]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(DERIVATION_VERSION.as_bytes());
    for file in files {
        hasher.update(file.relative_path.as_bytes());
        hasher.update(&[0]);
        hasher.update(&(file.content.len() as u64).to_be_bytes());
        hasher.update(file.content.as_bytes());
    }
    *hasher.finalize().as_bytes()
}
