//! Backups: every sled tree's entries in one checksummed file, and restoring such a file into
//! a fresh data directory.
//!
//! The format (version 1), all integers big-endian:
//!
//! ```text
//! header   MAGIC (8 bytes: 0x89 "NLGBAK" 0x0A)   version (u16)
//! entries  0x01  name_len (u32) name  key_len (u32) key  value_len (u32) value   (repeated)
//! trailer  0x00  entry_count (u64)  blake3 (32 bytes) of every byte before it
//! ```
//!
//! Entries are in tree-name order, then key order, so one store gives one file. The magic
//! starts with a non-ASCII byte and ends with a newline, like PNG's, so that a text-mode
//! transfer that mangles either is caught at once.
//!
//! A backup is consistent only if nothing writes while it is taken: sled's iterators are not
//! snapshots. The server takes its write lock around [`Store::backup`]; the CLI works on a
//! stopped server's directory.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::backend::sled::{open_db, DEFAULT_TREE};
use super::{meta, Error, Result, Store, META_TREE};

/// The first bytes of every backup file.
pub const MAGIC: [u8; 8] = *b"\x89NLGBAK\n";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;

const ENTRY_TAG: u8 = 0x01;
const END_TAG: u8 = 0x00;
const HEADER_LEN: usize = MAGIC.len() + 2;
const CHECKSUM_LEN: usize = 32;
/// The end tag, the entry count and the checksum.
const TRAILER_LEN: usize = 1 + 8 + CHECKSUM_LEN;

/// What a backup holds (or, after a restore, what was restored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// (tree, key, value) entries in the file.
    pub entries: u64,
    /// Trees with at least one entry.
    pub trees: usize,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// blake3 of every byte before the checksum, as the trailer holds it.
    pub checksum: [u8; 32],
    /// The store's data version when the backup was taken (0 if it had none).
    pub data_version: u64,
}

impl BackupSummary {
    /// The checksum in lower-case hex, as the `x-backup-checksum` header carries it.
    pub fn checksum_hex(&self) -> String {
        blake3::Hash::from_bytes(self.checksum).to_hex().to_string()
    }
}

impl std::fmt::Display for BackupSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} entries in {} trees, {} bytes, data version {}, blake3 {}",
            self.entries,
            self.trees,
            self.bytes,
            self.data_version,
            self.checksum_hex()
        )
    }
}

/// What [`restore`] did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub summary: BackupSummary,
    /// Where the directory that was there before now is (only with `force`).
    pub moved_aside: Option<PathBuf>,
}

impl Store {
    /// Writes every entry of every tree to `writer` in the backup format and returns what it
    /// wrote. Blocking: call from `spawn_blocking`.
    ///
    /// Not a snapshot: the caller must keep writers out while it runs (the server holds its
    /// write lock; the CLI opens a stopped server's directory, which no one else can open).
    pub fn backup(&self, writer: impl Write) -> Result<BackupSummary> {
        let mut out = HashingWriter::new(BufWriter::new(writer));
        out.put(&MAGIC)?;
        out.put(&FORMAT_VERSION.to_be_bytes())?;
        let mut entries = 0u64;
        let mut trees = 0usize;
        let mut data_version = 0u64;
        let mut last_tree: Option<Vec<u8>> = None;
        self.backend.visit_all(&mut |name, key, value| {
            // When keys were last used is activity, not data: it changes with every use (so
            // two backups of the same data would differ) and is recorded again after a
            // restore, so a backup leaves it out.
            if name == super::partner::API_KEY_LAST_USED_TREE.as_bytes() {
                return Ok(());
            }
            if name == META_TREE.as_bytes() && key == meta::DATA_VERSION {
                data_version = be_u64(value).unwrap_or(0);
            }
            out.put(&[ENTRY_TAG])?;
            out.put_framed(name)?;
            out.put_framed(key)?;
            out.put_framed(value)?;
            entries += 1;
            if last_tree.as_deref() != Some(name) {
                trees += 1;
                last_tree = Some(name.to_vec());
            }
            Ok(())
        })?;
        out.put(&[END_TAG])?;
        out.put(&entries.to_be_bytes())?;
        let checksum = *out.hasher.finalize().as_bytes();
        out.put(&checksum)?;
        out.inner
            .flush()
            .map_err(|source| io("writing the backup", source))?;
        Ok(BackupSummary {
            entries,
            trees,
            bytes: out.bytes,
            checksum,
            data_version,
        })
    }
}

/// Checks a whole backup (magic, version, framing, entry count, checksum) and returns what
/// it holds, without writing anything anywhere.
pub fn verify(bytes: &[u8]) -> Result<BackupSummary> {
    parse(bytes).map(|(summary, _)| summary)
}

/// Restores the backup read from `backup` as the store in `directory`.
///
/// The whole file is read and verified first; nothing is written unless it is intact. The
/// store is then written into a fresh sibling directory, flushed, and renamed into place, so
/// `directory` never holds half a store. A `directory` that exists and is not empty is left
/// alone unless `force`, and then moved aside to `<directory>.before-restore-<timestamp>`,
/// never deleted. The server must be stopped: a directory it holds is reported as
/// [`Error::Locked`].
pub fn restore(mut backup: impl Read, directory: &Path, force: bool) -> Result<Restored> {
    let mut bytes = Vec::new();
    backup
        .read_to_end(&mut bytes)
        .map_err(|source| io("reading the backup", source))?;
    let (summary, entries) = parse(&bytes)?;

    let occupied = is_non_empty(directory)?;
    if occupied && !force {
        return Err(Error::RestoreTargetNotEmpty {
            directory: directory.to_owned(),
        });
    }
    if occupied && looks_like_sled(directory) {
        // Fails with `Locked` while a server holds the directory.
        drop(open_db(directory)?);
    }

    let staging = sibling(directory, "restoring")?;
    if let Err(error) = write_store(&staging, &entries, summary.entries) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }

    let moved_aside = if occupied {
        let aside = sibling(directory, "before-restore")?;
        std::fs::rename(directory, &aside).map_err(|source| {
            io(
                &format!(
                    "moving {} aside to {}",
                    directory.display(),
                    aside.display()
                ),
                source,
            )
        })?;
        Some(aside)
    } else {
        if directory.exists() {
            std::fs::remove_dir(directory)
                .map_err(|source| io(&format!("removing empty {}", directory.display()), source))?;
        }
        None
    };
    std::fs::rename(&staging, directory).map_err(|source| {
        io(
            &format!(
                "renaming {} to {}{}",
                staging.display(),
                directory.display(),
                moved_aside
                    .as_ref()
                    .map_or_else(String::new, |aside| format!(
                        " (the previous store is at {})",
                        aside.display()
                    ))
            ),
            source,
        )
    })?;
    Ok(Restored {
        summary,
        moved_aside,
    })
}

/// One entry of a parsed backup, borrowing from the file's bytes.
struct Entry<'a> {
    tree: &'a [u8],
    key: &'a [u8],
    value: &'a [u8],
}

fn parse(bytes: &[u8]) -> Result<(BackupSummary, Vec<Entry<'_>>)> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(Error::NotABackup);
    }
    if bytes.len() < HEADER_LEN + TRAILER_LEN {
        return Err(corrupt("the file ends before its trailer"));
    }
    let version = u16::from_be_bytes([bytes[MAGIC.len()], bytes[MAGIC.len() + 1]]);
    if version != FORMAT_VERSION {
        return Err(Error::UnsupportedBackupVersion { version });
    }
    let mut reader = Cursor {
        bytes,
        at: HEADER_LEN,
    };
    let mut entries = Vec::new();
    let mut trees = std::collections::BTreeSet::new();
    let mut data_version = 0;
    loop {
        let Some(tag) = reader.take(1) else {
            return Err(corrupt(format!(
                "the file ends after {} entries, before its trailer",
                entries.len()
            )));
        };
        match tag[0] {
            END_TAG => break,
            ENTRY_TAG => {
                let truncated = || {
                    corrupt(format!(
                        "entry {} runs past the end of the file",
                        entries.len() + 1
                    ))
                };
                let tree = reader.framed().ok_or_else(truncated)?;
                let key = reader.framed().ok_or_else(truncated)?;
                let value = reader.framed().ok_or_else(truncated)?;
                if tree == META_TREE.as_bytes() && key == meta::DATA_VERSION {
                    data_version = be_u64(value).unwrap_or(0);
                }
                trees.insert(tree);
                entries.push(Entry { tree, key, value });
            }
            other => {
                return Err(corrupt(format!(
                    "byte {} is {other:#04x} where an entry or the trailer should start",
                    reader.at - 1
                )))
            }
        }
    }
    let checked_len = reader.at + 8;
    let count = reader
        .take(8)
        .and_then(be_u64)
        .ok_or_else(|| corrupt("the file ends inside its trailer"))?;
    let checksum: [u8; 32] = reader
        .take(CHECKSUM_LEN)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| corrupt("the file ends inside its checksum"))?;
    if reader.at != bytes.len() {
        return Err(corrupt(format!(
            "{} bytes follow the trailer",
            bytes.len() - reader.at
        )));
    }
    let actual = blake3::hash(&bytes[..checked_len]);
    if actual != blake3::Hash::from_bytes(checksum) {
        return Err(corrupt(format!(
            "its blake3 checksum is {actual}, the trailer says {}",
            blake3::Hash::from_bytes(checksum)
        )));
    }
    if count != entries.len() as u64 {
        return Err(corrupt(format!(
            "the trailer counts {count} entries, the file holds {}",
            entries.len()
        )));
    }
    Ok((
        BackupSummary {
            entries: count,
            trees: trees.len(),
            bytes: bytes.len() as u64,
            checksum,
            data_version,
        },
        entries,
    ))
}

/// Writes `entries` into a new sled database at `directory` (which must not exist), flushes
/// it, and checks that it holds `expected` entries.
fn write_store(directory: &Path, entries: &[Entry<'_>], expected: u64) -> Result<()> {
    std::fs::create_dir(directory)
        .map_err(|source| io(&format!("creating {}", directory.display()), source))?;
    let db = open_db(directory)?;
    let mut batches: std::collections::BTreeMap<&[u8], sled::Batch> = Default::default();
    for entry in entries {
        batches
            .entry(entry.tree)
            .or_default()
            .insert(entry.key, entry.value);
    }
    let mut written = 0u64;
    for (name, batch) in batches {
        let tree = if name == DEFAULT_TREE {
            (*db).clone()
        } else {
            db.open_tree(name)?
        };
        tree.apply_batch(batch)?;
        written += tree.len() as u64;
    }
    db.flush()?;
    if written != expected {
        return Err(corrupt(format!(
            "the restored store holds {written} entries, the backup {expected} (duplicate keys?)"
        )));
    }
    Ok(())
}

/// Whether `directory` holds sled's files (opening any other directory would add them).
fn looks_like_sled(directory: &Path) -> bool {
    directory.join("db").is_file() || directory.join("conf").is_file()
}

fn is_non_empty(directory: &Path) -> Result<bool> {
    match std::fs::read_dir(directory) {
        Ok(mut listing) => Ok(listing.next().is_some()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(io(&format!("reading {}", directory.display()), source)),
    }
}

/// A path next to `directory` that does not exist yet: `<directory>.<what>-<UTC timestamp>`
/// (plus `-2`, `-3`, ... if taken). Creates the parent directory if needed.
fn sibling(directory: &Path, what: &str) -> Result<PathBuf> {
    let name = directory.file_name().ok_or_else(|| Error::Io {
        action: format!("{} has no directory name", directory.display()),
        source: std::io::ErrorKind::InvalidInput.into(),
    })?;
    let parent = directory
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|source| io(&format!("creating {}", parent.display()), source))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let base = format!("{}.{what}-{stamp}", name.to_string_lossy());
    let mut candidate = parent.join(&base);
    let mut n = 2;
    while candidate.exists() {
        candidate = parent.join(format!("{base}-{n}"));
        n += 1;
    }
    Ok(candidate)
}

fn be_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

fn corrupt(reason: impl Into<String>) -> Error {
    Error::BackupCorrupt {
        reason: reason.into(),
    }
}

fn io(action: &str, source: std::io::Error) -> Error {
    Error::Io {
        action: action.to_owned(),
        source,
    }
}

/// A writer that hashes and counts what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: blake3::Hasher,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: blake3::Hasher::new(),
            bytes: 0,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.inner
            .write_all(bytes)
            .map_err(|source| io("writing the backup", source))?;
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    fn put_framed(&mut self, bytes: &[u8]) -> Result<()> {
        let len = u32::try_from(bytes.len()).map_err(|_| Error::Io {
            action: "writing the backup: an entry over 4 GiB".to_owned(),
            source: std::io::ErrorKind::InvalidData.into(),
        })?;
        self.put(&len.to_be_bytes())?;
        self.put(bytes)
    }
}

/// Reads a backup's bytes front to back; every read is bounds-checked.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let taken = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(taken)
    }

    fn framed(&mut self) -> Option<&'a [u8]> {
        let len = u32::from_be_bytes(self.take(4)?.try_into().ok()?);
        self.take(usize::try_from(len).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store with a few entries in a few trees, including sled's default tree.
    fn sample_store(directory: &Path) -> Store {
        {
            let db = open_db(directory).unwrap();
            let meta_tree = db.open_tree(META_TREE).unwrap();
            meta_tree
                .insert(meta::DATA_VERSION, &7u64.to_be_bytes()[..])
                .unwrap();
            let api_keys = db.open_tree("api_keys").unwrap();
            api_keys.insert(b"k1", b"key one".as_slice()).unwrap();
            let audit = db.open_tree("audit").unwrap();
            audit.insert(1u64.to_be_bytes(), vec![0u8; 300]).unwrap();
            audit.insert(2u64.to_be_bytes(), Vec::new()).unwrap();
            db.insert(b"default", b"tree".as_slice()).unwrap();
            db.flush().unwrap();
        }
        Store::open(directory).unwrap()
    }

    fn contents(directory: &Path) -> Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> {
        let db = open_db(directory).unwrap();
        let mut names = db.tree_names();
        names.sort();
        let mut all = Vec::new();
        for name in names {
            let tree = db.open_tree(&name).unwrap();
            for entry in tree.iter() {
                let (key, value) = entry.unwrap();
                all.push((name.to_vec(), key.to_vec(), value.to_vec()));
            }
        }
        all
    }

    fn backup_of(store: &Store) -> (Vec<u8>, BackupSummary) {
        let mut bytes = Vec::new();
        let summary = store.backup(&mut bytes).unwrap();
        (bytes, summary)
    }

    #[test]
    fn a_backup_restores_to_the_same_entries() {
        let scratch = tempfile::tempdir().unwrap();
        let original = scratch.path().join("original");
        let (bytes, summary) = backup_of(&sample_store(&original));
        let target = scratch.path().join("restored");

        let restored = restore(bytes.as_slice(), &target, false).unwrap();

        assert_eq!(restored.summary, summary);
        assert_eq!(
            summary.entries, 6,
            "five written, and the store's own upgrade mark"
        );
        assert_eq!(summary.trees, 4);
        assert_eq!(summary.data_version, 7);
        assert_eq!(summary.bytes, bytes.len() as u64);
        assert!(restored.moved_aside.is_none());
        assert_eq!(contents(&target), contents(&original));
        let leftovers: Vec<_> = std::fs::read_dir(scratch.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            2,
            "no staging directory is left: {leftovers:?}"
        );
    }

    #[test]
    fn the_same_store_gives_the_same_bytes_and_the_trailer_checks_them() {
        let scratch = tempfile::tempdir().unwrap();
        let store = sample_store(scratch.path());
        let (first, summary) = backup_of(&store);
        let (second, _) = backup_of(&store);

        assert_eq!(first, second);
        assert_eq!(&first[..8], &MAGIC);
        assert_eq!(&first[8..10], &FORMAT_VERSION.to_be_bytes());
        let trailer = &first[first.len() - TRAILER_LEN..];
        assert_eq!(trailer[0], END_TAG);
        assert_eq!(&trailer[1..9], &6u64.to_be_bytes());
        assert_eq!(
            blake3::hash(&first[..first.len() - CHECKSUM_LEN]).as_bytes(),
            &summary.checksum
        );
        assert_eq!(verify(&first).unwrap(), summary);
    }

    #[test]
    fn every_flipped_byte_and_every_truncation_is_refused() {
        let scratch = tempfile::tempdir().unwrap();
        let (bytes, _) = backup_of(&sample_store(scratch.path()));
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x20;
            assert!(verify(&flipped).is_err(), "a flip at byte {at} passes");
        }
        for len in 0..bytes.len() {
            assert!(verify(&bytes[..len]).is_err(), "{len} bytes pass");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(verify(&longer).is_err());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let scratch = tempfile::tempdir().unwrap();
        let (bytes, _) = backup_of(&sample_store(scratch.path()));

        let not_a_backup = verify(b"{\"json\": true}").unwrap_err();
        assert!(matches!(not_a_backup, Error::NotABackup), "{not_a_backup}");

        let mut newer = bytes.clone();
        newer[9] = 2;
        let version = verify(&newer).unwrap_err();
        assert!(
            matches!(version, Error::UnsupportedBackupVersion { version: 2 }),
            "{version}"
        );

        let truncated = verify(&bytes[..bytes.len() / 2]).unwrap_err();
        assert!(truncated.to_string().contains("truncated"), "{truncated}");

        let mut flipped = bytes.clone();
        let last_value_byte = bytes.len() - TRAILER_LEN - 1;
        flipped[last_value_byte] ^= 1;
        let checksum = verify(&flipped).unwrap_err();
        assert!(checksum.to_string().contains("checksum"), "{checksum}");
    }

    #[test]
    fn a_bad_backup_leaves_the_target_alone() {
        let scratch = tempfile::tempdir().unwrap();
        let (mut bytes, _) = backup_of(&sample_store(&scratch.path().join("original")));
        let target = scratch.path().join("target");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), b"mine").unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;

        assert!(restore(bytes.as_slice(), &target, true).is_err());

        assert_eq!(std::fs::read(target.join("keep")).unwrap(), b"mine");
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 1);
        assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_non_empty_target_needs_force_and_is_then_moved_aside() {
        let scratch = tempfile::tempdir().unwrap();
        let original = scratch.path().join("original");
        let (bytes, _) = backup_of(&sample_store(&original));
        let target = scratch.path().join("target");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), b"mine").unwrap();

        let refused = restore(bytes.as_slice(), &target, false).unwrap_err();
        assert!(
            matches!(refused, Error::RestoreTargetNotEmpty { .. }),
            "{refused}"
        );
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 1);

        let restored = restore(bytes.as_slice(), &target, true).unwrap();
        let aside = restored.moved_aside.expect("the old directory is kept");
        assert!(aside
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("target.before-restore-"));
        assert_eq!(std::fs::read(aside.join("keep")).unwrap(), b"mine");
        assert_eq!(contents(&target), contents(&original));
    }

    #[test]
    fn an_empty_target_directory_is_restored_into() {
        let scratch = tempfile::tempdir().unwrap();
        let (bytes, _) = backup_of(&sample_store(&scratch.path().join("original")));
        let target = scratch.path().join("empty");
        std::fs::create_dir(&target).unwrap();

        let restored = restore(bytes.as_slice(), &target, false).unwrap();

        assert!(restored.moved_aside.is_none());
        assert_eq!(contents(&target).len(), 6);
    }

    #[test]
    fn a_directory_held_by_a_store_is_not_restored_over() {
        let scratch = tempfile::tempdir().unwrap();
        let (bytes, _) = backup_of(&sample_store(&scratch.path().join("original")));
        let target = scratch.path().join("serving");
        let _held = Store::open(&target).unwrap();

        let error = restore(bytes.as_slice(), &target, true).unwrap_err();

        assert!(matches!(error, Error::Locked { .. }), "{error}");
        assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 2);
    }
}
