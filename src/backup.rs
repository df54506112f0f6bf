//! `backup` and `restore`: a checksummed copy of the store (see [`crate::store::backup`] for
//! the format), taken from a stopped server's data directory or from a running server's
//! `GET /admin/backup`, and restored into a stopped server's data directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use crate::store::{self, BackupSummary, Restored, Store};

/// The header carrying the blake3 checksum of a backup served over HTTP.
pub const CHECKSUM_HEADER: &str = "x-backup-checksum";

/// Writes a backup of the store in `data_dir` (no server may hold it) to `out`.
pub fn from_directory(data_dir: &Path, out: &Path) -> anyhow::Result<BackupSummary> {
    if !data_dir.exists() {
        anyhow::bail!("no store at {}", data_dir.display());
    }
    let store = match Store::open(data_dir) {
        Ok(store) => store,
        Err(error @ store::Error::Locked { .. }) => {
            return Err(error).context(
                "backing up a running server's store: take it through the server instead, \
                 with --server http://127.0.0.1:8000 --key <ADMIN KEY> (or NHS_GRAPH_ADMIN_KEY)",
            )
        }
        Err(error) => {
            return Err(error)
                .with_context(|| format!("opening the store at {}", data_dir.display()))
        }
    };
    write_atomically(out, |file| Ok(store.backup(file)?))
}

/// Fetches a backup from the running server at `server` (`http://host:port`) with an admin
/// key, checks it, and writes it to `out`. Plain HTTP only: meant for loopback or a private
/// network.
pub async fn from_server(server: &str, key: &str, out: &Path) -> anyhow::Result<BackupSummary> {
    let server = server.trim_end_matches('/');
    if !server.starts_with("http://") {
        anyhow::bail!(
            "--server must be an http:// address such as http://127.0.0.1:8000 (this build speaks plain HTTP only)"
        );
    }
    let url = format!("{server}/admin/backup");
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .context("building the HTTP client")?;
    let response = client
        .get(&url)
        .bearer_auth(key)
        .send()
        .await
        .with_context(|| format!("requesting {url}"))?;
    let status = response.status();
    let announced = response
        .headers()
        .get(CHECKSUM_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response
        .bytes()
        .await
        .with_context(|| format!("reading the answer of {url}"))?;
    if !status.is_success() {
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|json| json["errors"][0]["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        anyhow::bail!("{url} answered {status}: {message}");
    }
    let summary =
        store::backup::verify(&body).with_context(|| format!("checking the backup {url} sent"))?;
    match announced {
        Some(announced) if announced != summary.checksum_hex() => anyhow::bail!(
            "the backup {url} sent has checksum {}, but its {CHECKSUM_HEADER} header says {announced}",
            summary.checksum_hex()
        ),
        Some(_) => {}
        None => anyhow::bail!("{url} sent no {CHECKSUM_HEADER} header: is it this server?"),
    }
    write_atomically(out, |file| {
        file.write_all(&body)?;
        Ok(summary)
    })
}

/// Restores the backup file `from` as the store in `data_dir` (the server must be stopped).
/// Refuses a non-empty `data_dir` unless `force`, which moves it aside.
pub fn restore(from: &Path, data_dir: &Path, force: bool) -> anyhow::Result<Restored> {
    let file = std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
    store::backup::restore(std::io::BufReader::new(file), data_dir, force).map_err(|error| {
        let hint = match &error {
            store::Error::Locked { .. } => " (stop the server before restoring)",
            store::Error::RestoreTargetNotEmpty { .. } => {
                " (--force moves it aside to <data dir>.before-restore-<timestamp>)"
            }
            _ => "",
        };
        anyhow::anyhow!(
            "restoring {} into {}: {error}{hint}",
            from.display(),
            data_dir.display()
        )
    })
}

/// Writes `out` through a temporary sibling that is synced and renamed into place, so a
/// failed backup never leaves a partial file under the name asked for.
fn write_atomically(
    out: &Path,
    write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<BackupSummary>,
) -> anyhow::Result<BackupSummary> {
    let partial = partial_path(out);
    let result = (|| {
        let mut file = std::fs::File::create(&partial)
            .with_context(|| format!("creating {}", partial.display()))?;
        let summary = write(&mut file).with_context(|| format!("writing {}", partial.display()))?;
        file.sync_all()
            .with_context(|| format!("syncing {}", partial.display()))?;
        std::fs::rename(&partial, out)
            .with_context(|| format!("renaming {} to {}", partial.display(), out.display()))?;
        Ok(summary)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    out.with_file_name(name)
}
