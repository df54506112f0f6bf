//! The files of the seed: which are part of it, read from a directory or from the seed
//! built into the binary, each whole and as UTF-8.

use std::path::Path;

use crate::seed::problems::Problems;
use crate::seed::Error;

/// One file of the seed directory, read whole.
#[derive(Debug, Clone)]
pub(crate) struct SeedFile {
    /// Path relative to the seed directory, with `/` separators.
    pub(crate) relative_path: String,
    pub(crate) content: String,
}

/// Reads every seed file under `directory` (see [`is_seed_file`]), in path order. A file that is
/// not UTF-8 is a problem at the line of its first invalid byte; every such file is reported
/// at once.
pub(crate) fn read_files(directory: &Path) -> Result<Vec<SeedFile>, Error> {
    let mut files = Vec::new();
    let mut problems = Problems::default();
    collect(directory, directory, &mut files, &mut problems)?;
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    files.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
    Ok(files)
}

fn collect(
    root: &Path,
    directory: &Path,
    files: &mut Vec<SeedFile>,
    problems: &mut Problems,
) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: directory.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(directory).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect(root, &path, files, problems)?;
            continue;
        }
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let relative_path = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if !is_seed_file(&relative_path) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        decode(relative_path, bytes, files, problems);
    }
    Ok(())
}

/// The seed files among `entries` (path relative to the seed's root, bytes), sorted by path,
/// as [`read_files`] reads a directory: for the seed built into the binary.
pub(crate) fn files_from(
    entries: impl IntoIterator<Item = (String, Vec<u8>)>,
) -> Result<Vec<SeedFile>, Error> {
    let mut files = Vec::new();
    let mut problems = Problems::default();
    for (relative_path, bytes) in entries {
        if is_seed_file(&relative_path) {
            decode(relative_path, bytes, &mut files, &mut problems);
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    files.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
    Ok(files)
}

/// Adds the file to `files`, or, when it is not UTF-8, a problem at the line of its first
/// invalid byte.
fn decode(
    relative_path: String,
    bytes: Vec<u8>,
    files: &mut Vec<SeedFile>,
    problems: &mut Problems,
) {
    match String::from_utf8(bytes) {
        Ok(content) => files.push(SeedFile {
            relative_path,
            content,
        }),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let before = &error.as_bytes()[..valid];
            let line = before.iter().filter(|byte| **byte == b'\n').count() + 1;
            problems.push(
                &relative_path,
                line,
                "(encoding)",
                format!("not valid UTF-8 (byte {valid} of the file); save it as UTF-8"),
            );
        }
    }
}

/// The directory, under the seed directory, that holds the source documents quotes are
/// checked against.
pub(crate) const DOCUMENTS_DIR: &str = "documents";

/// The registry's provenance file: the document of the registry's `[[source]]`.
pub(crate) const REGISTRY_PROVENANCE: &str = "registry/SOURCES.md";

/// Whether a file (path relative to the seed directory) is part of the seed: TOML tables,
/// CSV rows, source documents and the registry's provenance. Every such file is hashed, so
/// editing a document reseeds (and rechecks every quote).
fn is_seed_file(relative_path: &str) -> bool {
    relative_path.ends_with(".toml")
        || relative_path.ends_with(".csv")
        || relative_path.starts_with(&format!("{DOCUMENTS_DIR}/"))
        || relative_path == REGISTRY_PROVENANCE
}
