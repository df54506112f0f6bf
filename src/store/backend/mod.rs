//! The storage backends below the store: named trees of byte keys and byte values, with
//! point reads, ordered prefix and range scans, and atomic, durable multi-tree transactions.
//!
//! Everything the store knows (key layout, record encoding, the memo, the data version, the
//! partner-record rules of a reseed) sits above this interface and is the same for every
//! backend. [`sled`] keeps the trees in an embedded database in one directory (the default,
//! nothing to install); [`postgres`] keeps them in one table of a PostgreSQL database that
//! any number of server processes share.
//!
//! Invariant: a backend knows nothing about records, relations or GraphQL; it moves bytes.

pub(crate) mod postgres;
pub(crate) mod sled;

use super::Result;

/// A key and its value.
pub(crate) type Entry = (Vec<u8>, Vec<u8>);

/// Called with each (tree, key, value) of a backup.
pub(crate) type Visit<'a> = dyn FnMut(&[u8], &[u8], &[u8]) -> Result<()> + 'a;

/// What a committed transaction changed, as other server processes learn it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// These records (and their links) were written: `kind:code` references.
    Records(Vec<crate::domain::RecordRef>),
    /// Anything may have changed (a reseed).
    Everything,
}

/// What a backend reports about itself, for `/health`, `/ready` and `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendStatus {
    /// `sled` or `postgres`.
    pub backend: &'static str,
    /// Whether the last contact with the database succeeded (always true for sled).
    pub reachable: bool,
    /// Connections the pool holds and how many of them are idle (0 and 0 for sled).
    pub pool_size: usize,
    pub pool_idle: usize,
    /// The newest data version the database held at the last poll, minus the version this
    /// process serves: how far behind the other processes' writes it is (0 for sled).
    pub data_version_lag: u64,
}

/// One storage engine. Every method blocks its caller until the engine answers.
pub(crate) trait Backend: Send + Sync {
    /// The value of `key` in `tree`, if any.
    fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Every entry of `tree` whose key starts with `prefix` (all of them for an empty
    /// prefix), in key order.
    fn scan_prefix(&self, tree: &str, prefix: &[u8]) -> Result<Vec<Entry>>;

    /// At most `limit` entries of `tree` with `start <= key < end`, in key order.
    fn range(&self, tree: &str, start: &[u8], end: &[u8], limit: usize) -> Result<Vec<Entry>>;

    /// The number of entries in `tree`.
    fn len(&self, tree: &str) -> Result<usize>;

    /// Runs `work` in one transaction over `trees` (every tree it writes must be listed; those
    /// whose keys it lists with [`Transaction::keys`] must also be in `listed`) and commits it
    /// atomically and durably: when this returns `Ok`, the writes survive a crash
    /// of this process, and no reader, here or in another process, ever sees part of them.
    /// Concurrent transactions are serialised. `work` may run more than once (sled retries
    /// on a conflict), so it must not have effects outside the transaction.
    fn transaction(
        &self,
        trees: &[&str],
        listed: &[&str],
        work: &mut dyn FnMut(&mut dyn Transaction) -> Result<()>,
    ) -> Result<()>;

    /// Runs `work` like [`Backend::transaction`], for one write too large to buffer (a
    /// seed), made before the store serves anything. A backend may apply it in steps: `begin`
    /// in a transaction of its own, then each write of `work` to a tree other than `last` as
    /// it is made, then its writes to `last` together, each step durable before the next.
    /// A crash part-way then leaves `begin`'s writes and part of the rest, so `begin` must
    /// mark the store as holding part of a write (the seed write removes the seed hash, so
    /// the next start writes the seed again) and `work`'s writes to `last` undo that mark.
    /// Reads in `work` see the store as `begin` left it, not `work`'s own writes.
    ///
    /// By default (PostgreSQL, where other processes read while it is written) `begin` is
    /// skipped and `work` is one transaction.
    fn write_in_steps(
        &self,
        trees: &[&str],
        listed: &[&str],
        last: &str,
        begin: &mut dyn FnMut(&mut dyn Transaction) -> Result<()>,
        work: &mut dyn FnMut(&mut dyn Transaction) -> Result<()>,
    ) -> Result<()> {
        let _ = (last, begin);
        self.transaction(trees, listed, work)
    }

    /// Calls `visit` with every (tree, key, value) of the store, in tree-name order, then key
    /// order, for a backup.
    fn visit_all(&self, visit: &mut Visit<'_>) -> Result<()>;

    /// Bytes the store occupies on disk.
    fn size_on_disk(&self) -> Result<u64>;

    /// Writes everything buffered to disk (committed transactions already are).
    fn flush(&self) -> Result<()>;

    /// See [`BackendStatus`].
    fn status(&self) -> BackendStatus;
}

/// The view of the store inside a transaction: reads see the transaction's own writes.
pub(crate) trait Transaction {
    fn get(&mut self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Every key of `tree`, which must be one of the transaction's `listed` trees, as the
    /// transaction began (its own writes are not included). On sled the keys are read just
    /// before the transaction starts (sled's transactions cannot iterate, and a plain read
    /// inside one deadlocks), which is exact because sled has one process and its writers are
    /// serialised by the store's callers; on PostgreSQL they are read inside it, under its lock.
    fn keys(&mut self, tree: &str) -> Result<Vec<Vec<u8>>>;

    fn insert(&mut self, tree: &str, key: &[u8], value: &[u8]) -> Result<()>;

    fn remove(&mut self, tree: &str, key: &[u8]) -> Result<()>;

    /// Records, with the commit, that the data version `version` changed `changed`, so that
    /// other processes sharing the database learn what to forget. A no-op on sled.
    fn record_changes(&mut self, version: u64, changed: &Changed) -> Result<()>;
}

/// The smallest key greater than every key that starts with `prefix`, or `None` when there
/// is none (an empty prefix, or one of `0xFF` bytes only).
pub(crate) fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut successor = prefix.to_vec();
    while let Some(last) = successor.pop() {
        if last < u8::MAX {
            successor.push(last + 1);
            return Some(successor);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::prefix_successor;

    #[test]
    fn a_prefix_successor_bounds_exactly_the_keys_with_that_prefix() {
        assert_eq!(prefix_successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_successor(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_successor(&[0xFF, 0xFF]), None);
        assert_eq!(prefix_successor(b""), None);
        let successor = prefix_successor(&[4, b'R', 0]).unwrap();
        assert!([4, b'R', 0, 0xFF, 0xFF].as_slice() < successor.as_slice());
        assert!([4, b'R', 1].as_slice() >= successor.as_slice());
    }
}
