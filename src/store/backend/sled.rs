//! The embedded backend: one sled database in one directory, a sled tree per store tree.
//!
//! A transaction is one sled multi-tree transaction, flushed to disk before it returns; a
//! seed is written in steps instead (see [`SledBackend::write_in_steps`]).
//! sled allows one process per directory ([`crate::store::Error::Locked`] for a second).

use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};
use sled::Transactional;

use super::{Backend, BackendStatus, Changed, Entry, Transaction, Visit};
use crate::store::{Error, Result};

/// sled's own tree, present in every database; a backup includes it.
pub(crate) const DEFAULT_TREE: &[u8] = b"__sled__default";

/// How long opening waits for sled's file lock. sled releases the lock from a background
/// thread shortly after the last handle drops, so a reopen in the same process (a restart, a
/// test) can briefly see it held by the store it just closed.
const LOCK_WAIT: Duration = Duration::from_secs(5);

pub(crate) struct SledBackend {
    db: sled::Db,
    /// Trees opened so far, by name.
    trees: RwLock<HashMap<String, sled::Tree>>,
}

impl SledBackend {
    pub(crate) fn open(directory: &Path) -> Result<Self> {
        Ok(Self {
            db: open_db(directory)?,
            trees: RwLock::new(HashMap::new()),
        })
    }

    fn tree(&self, name: &str) -> Result<sled::Tree> {
        if let Some(tree) = self
            .trees
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
        {
            return Ok(tree.clone());
        }
        let tree = self.db.open_tree(name)?;
        self.trees
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_owned(), tree.clone());
        Ok(tree)
    }
}

/// The one place sled is opened (the store's constructors and `restore` call it).
#[allow(
    clippy::disallowed_methods,
    reason = "this is the approved entry point"
)]
pub(crate) fn open_db(directory: &Path) -> Result<sled::Db> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match sled::Config::new()
            .path(directory)
            .mode(sled::Mode::HighThroughput)
            .open()
        {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(error)) if is_lock_conflict(&error) => {
                if Instant::now() >= deadline {
                    return Err(Error::Locked {
                        directory: directory.to_owned(),
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// sled reports a held lock as an `Other` error wrapping the `WouldBlock` from `flock`.
fn is_lock_conflict(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::WouldBlock
        || error.to_string().contains("could not acquire lock")
}

fn entries(iter: sled::Iter, limit: usize) -> Result<Vec<Entry>> {
    iter.take(limit)
        .map(|entry| {
            let (key, value) = entry?;
            Ok((key.to_vec(), value.to_vec()))
        })
        .collect()
}

impl Backend for SledBackend {
    fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.tree(tree)?.get(key)?.map(|value| value.to_vec()))
    }

    fn scan_prefix(&self, tree: &str, prefix: &[u8]) -> Result<Vec<Entry>> {
        entries(self.tree(tree)?.scan_prefix(prefix), usize::MAX)
    }

    fn range(&self, tree: &str, start: &[u8], end: &[u8], limit: usize) -> Result<Vec<Entry>> {
        entries(self.tree(tree)?.range(start..end), limit)
    }

    fn len(&self, tree: &str) -> Result<usize> {
        Ok(self.tree(tree)?.len())
    }

    fn transaction(
        &self,
        trees: &[&str],
        listed: &[&str],
        work: &mut dyn FnMut(&mut dyn Transaction) -> Result<()>,
    ) -> Result<()> {
        let keys = self.keys_of(listed)?;
        let opened: Vec<sled::Tree> = trees
            .iter()
            .map(|name| self.tree(name))
            .collect::<Result<_>>()?;
        // sled wants a `Fn` (it calls it again on a conflict), one call at a time.
        let work = std::cell::RefCell::new(work);
        let outcome: Result<(), TransactionError<Error>> = opened.as_slice().transaction(|views| {
            let mut transaction = SledTransaction {
                names: trees,
                views,
                keys: &keys,
            };
            (work.borrow_mut())(&mut transaction).map_err(|error| match error {
                Error::Conflict => ConflictableTransactionError::Conflict,
                error => ConflictableTransactionError::Abort(error),
            })
        });
        outcome.map_err(|error| match error {
            TransactionError::Abort(error) => error,
            TransactionError::Storage(error) => Error::Sled(error),
        })?;
        self.flush()
    }

    /// In steps, as the trait allows: `begin` as one transaction; then each write of `work`
    /// straight to its tree (a sled transaction buffers every write of every tree it spans
    /// and checks each for conflicts, which made a 100x seed's 620,000 entries take most of
    /// a first start); a flush; then the writes to `last` as one atomic batch, flushed.
    fn write_in_steps(
        &self,
        trees: &[&str],
        listed: &[&str],
        last: &str,
        begin: &mut dyn FnMut(&mut dyn Transaction) -> Result<()>,
        work: &mut dyn FnMut(&mut dyn Transaction) -> Result<()>,
    ) -> Result<()> {
        self.transaction(trees, &[], begin)?;
        let keys = self.keys_of(listed)?;
        let mut steps = StepWrite {
            backend: self,
            names: trees,
            keys: &keys,
            last,
            last_writes: sled::Batch::default(),
        };
        work(&mut steps)?;
        let last_writes = std::mem::take(&mut steps.last_writes);
        self.flush()?;
        self.tree(last)?.apply_batch(last_writes)?;
        self.flush()
    }

    fn visit_all(&self, visit: &mut Visit<'_>) -> Result<()> {
        let mut names = self.db.tree_names();
        names.sort();
        for name in names {
            let tree = if name.as_ref() == DEFAULT_TREE {
                (*self.db).clone()
            } else {
                self.db.open_tree(&name)?
            };
            for entry in tree.iter() {
                let (key, value) = entry?;
                visit(&name, &key, &value)?;
            }
        }
        Ok(())
    }

    fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    fn status(&self) -> BackendStatus {
        BackendStatus {
            backend: "sled",
            reachable: true,
            pool_size: 0,
            pool_idle: 0,
            data_version_lag: 0,
        }
    }
}

impl SledBackend {
    /// Every key of each of `listed`, by tree name.
    fn keys_of<'a>(&self, listed: &[&'a str]) -> Result<HashMap<&'a str, Vec<Vec<u8>>>> {
        let mut keys = HashMap::new();
        for name in listed {
            let tree = self.tree(name)?;
            let tree_keys: Vec<Vec<u8>> = tree
                .iter()
                .keys()
                .map(|key| Ok(key?.to_vec()))
                .collect::<Result<_>>()?;
            keys.insert(*name, tree_keys);
        }
        Ok(keys)
    }
}

/// The view of a write in steps (see [`SledBackend::write_in_steps`]): writes go straight to
/// their trees, but those to `last`, which wait for the others.
struct StepWrite<'a> {
    backend: &'a SledBackend,
    names: &'a [&'a str],
    keys: &'a HashMap<&'a str, Vec<Vec<u8>>>,
    last: &'a str,
    last_writes: sled::Batch,
}

impl StepWrite<'_> {
    fn tree(&self, tree: &str) -> Result<sled::Tree> {
        if !self.names.contains(&tree) {
            return Err(Error::Task(format!(
                "a write used tree {tree} it did not open"
            )));
        }
        self.backend.tree(tree)
    }
}

impl Transaction for StepWrite<'_> {
    fn get(&mut self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.tree(tree)?.get(key)?.map(|value| value.to_vec()))
    }

    fn keys(&mut self, tree: &str) -> Result<Vec<Vec<u8>>> {
        self.keys
            .get(tree)
            .cloned()
            .ok_or_else(|| Error::Task(format!("a write listed tree {tree} it did not name")))
    }

    fn insert(&mut self, tree: &str, key: &[u8], value: &[u8]) -> Result<()> {
        if tree == self.last {
            self.last_writes.insert(key, value);
        } else {
            self.tree(tree)?.insert(key, value)?;
        }
        Ok(())
    }

    fn remove(&mut self, tree: &str, key: &[u8]) -> Result<()> {
        if tree == self.last {
            self.last_writes.remove(key);
        } else {
            self.tree(tree)?.remove(key)?;
        }
        Ok(())
    }

    fn record_changes(&mut self, _version: u64, _changed: &Changed) -> Result<()> {
        Ok(())
    }
}

struct SledTransaction<'a> {
    names: &'a [&'a str],
    views: &'a [TransactionalTree],
    /// The keys of the `listed` trees, read before the transaction began.
    keys: &'a HashMap<&'a str, Vec<Vec<u8>>>,
}

impl SledTransaction<'_> {
    fn view(&self, tree: &str) -> Result<&TransactionalTree> {
        let index = self
            .names
            .iter()
            .position(|name| *name == tree)
            .ok_or_else(|| {
                Error::Task(format!("a transaction used tree {tree} it did not open"))
            })?;
        Ok(&self.views[index])
    }
}

fn unabortable(error: UnabortableTransactionError) -> Error {
    match error {
        UnabortableTransactionError::Conflict => Error::Conflict,
        UnabortableTransactionError::Storage(error) => Error::Sled(error),
    }
}

impl Transaction for SledTransaction<'_> {
    fn get(&mut self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let value = self.view(tree)?.get(key).map_err(unabortable)?;
        Ok(value.map(|value| value.to_vec()))
    }

    fn keys(&mut self, tree: &str) -> Result<Vec<Vec<u8>>> {
        self.keys
            .get(tree)
            .cloned()
            .ok_or_else(|| Error::Task(format!("a transaction listed tree {tree} it did not name")))
    }

    fn insert(&mut self, tree: &str, key: &[u8], value: &[u8]) -> Result<()> {
        self.view(tree)?.insert(key, value).map_err(unabortable)?;
        Ok(())
    }

    fn remove(&mut self, tree: &str, key: &[u8]) -> Result<()> {
        self.view(tree)?.remove(key).map_err(unabortable)?;
        Ok(())
    }

    fn record_changes(&mut self, _version: u64, _changed: &Changed) -> Result<()> {
        Ok(())
    }
}
