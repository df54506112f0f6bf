//! Decoded reads kept in memory in front of sled: records by code, edge lists, whole-kind
//! listings. Reads dominate (the knowledge changes at a reseed or a partner write), and a
//! GraphQL answer reads the same few records many times (every post of a trust names one
//! of a handful of roles), so a decoded record is shared (`Arc`) instead of decoded again.
//!
//! Correctness rests on two rules:
//! - every committed write empties the memo ([`Memo::forget_all`]) *before* it publishes
//!   its new data version, so nothing keyed by the new version can see an older record;
//! - a read that missed inserts what it loaded only if no write emptied the memo while it
//!   was loading (a generation check), so a slow reader cannot put back what a write replaced.
//!
//! Bounded by entries: a memo that reaches its capacity is emptied and refills with what is
//! read next. Capacity 0 turns it off.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use crate::domain::{Code, OrganisationKind, RecordKind, RecordRef, Relation, Validity};

use super::Result;
use crate::domain::Direction;

type Shared = Arc<dyn Any + Send + Sync>;
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The edges leaving (or reaching) one record through one relation.
pub(crate) type Edges = Arc<[(RecordRef, Validity)]>;

/// What a whole-kind read was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Listing {
    /// Every record of a kind.
    All(RecordKind),
    /// The codes of every organisation of a kind.
    OrganisationsOfKind(OrganisationKind),
}

#[derive(Default)]
struct Entries {
    /// Bumped whenever the entries are emptied by a write.
    generation: u64,
    /// Per record kind: code -> the decoded record (an `Arc<T>` behind `Any`).
    records: Map<RecordKind, Map<Code, Shared>>,
    edges: Map<(Relation, Direction), Map<RecordRef, Edges>>,
    listings: Map<Listing, Shared>,
    len: usize,
}

/// See the module documentation.
pub(crate) struct Memo {
    entries: RwLock<Entries>,
    capacity: usize,
}

impl Memo {
    /// A memo of at most `capacity` entries (records, edge lists and listings together).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: RwLock::new(Entries::default()),
            capacity,
        }
    }

    /// The record of `kind` with `code`, from memory or from `load`. A record that does not
    /// exist is not remembered.
    pub(crate) fn record<T: Any + Send + Sync>(
        &self,
        kind: RecordKind,
        code: &Code,
        load: impl FnOnce() -> Result<Option<T>>,
    ) -> Result<Option<Arc<T>>> {
        let generation = {
            let entries = self.read();
            let found = entries.records.get(&kind).and_then(|codes| codes.get(code));
            if let Some(record) = found.and_then(|record| record.clone().downcast::<T>().ok()) {
                return Ok(Some(record));
            }
            entries.generation
        };
        let Some(record) = load()?.map(Arc::new) else {
            return Ok(None);
        };
        self.remember(generation, |entries| {
            let codes = entries.records.entry(kind).or_default();
            codes.insert(code.clone(), record.clone()).is_none()
        });
        Ok(Some(record))
    }

    /// The edges of `from` through `relation` in `direction`, from memory or from `load`.
    pub(crate) fn edges(
        &self,
        relation: Relation,
        direction: Direction,
        from: &RecordRef,
        load: impl FnOnce() -> Result<Vec<(RecordRef, Validity)>>,
    ) -> Result<Edges> {
        let generation = {
            let entries = self.read();
            let found = entries
                .edges
                .get(&(relation, direction))
                .and_then(|edges| edges.get(from));
            if let Some(edges) = found {
                return Ok(edges.clone());
            }
            entries.generation
        };
        let edges: Edges = load()?.into();
        self.remember(generation, |entries| {
            let by_record = entries.edges.entry((relation, direction)).or_default();
            by_record.insert(from.clone(), edges.clone()).is_none()
        });
        Ok(edges)
    }

    /// A whole-kind listing, from memory or from `load`.
    pub(crate) fn listing<T: Any + Send + Sync>(
        &self,
        listing: Listing,
        load: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        let generation = {
            let entries = self.read();
            let found = entries.listings.get(&listing);
            if let Some(value) = found.and_then(|value| value.clone().downcast::<T>().ok()) {
                return Ok(value);
            }
            entries.generation
        };
        let value = Arc::new(load()?);
        self.remember(generation, |entries| {
            entries.listings.insert(listing, value.clone()).is_none()
        });
        Ok(value)
    }

    /// Empties the memo. Every write calls this after its commit and before it publishes its
    /// data version.
    pub(crate) fn forget_all(&self) {
        let mut entries = self.write();
        let generation = entries.generation + 1;
        *entries = Entries {
            generation,
            ..Entries::default()
        };
    }

    /// Inserts with `insert` (which says whether the entry is new), unless a write emptied
    /// the memo since `generation` was read.
    fn remember(&self, generation: u64, insert: impl FnOnce(&mut Entries) -> bool) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.write();
        if entries.generation != generation {
            return;
        }
        if entries.len >= self.capacity {
            *entries = Entries {
                generation,
                ..Entries::default()
            };
        }
        if insert(&mut entries) {
            entries.len += 1;
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Entries> {
        // The entries are valid whatever a panicking holder was doing: each insert is one call.
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Entries> {
        self.entries.write().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.read().len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Code {
        Code::parse(text).unwrap()
    }

    #[test]
    fn a_record_read_twice_is_loaded_once_and_shared() {
        let memo = Memo::new(10);
        let mut loads = 0;
        let first = memo
            .record(RecordKind::Role, &code("chief-executive"), || {
                loads += 1;
                Ok(Some("Chief executive".to_owned()))
            })
            .unwrap()
            .unwrap();
        let second = memo
            .record(
                RecordKind::Role,
                &code("chief-executive"),
                || -> Result<Option<String>> { panic!("the second read must come from memory") },
            )
            .unwrap()
            .unwrap();
        assert_eq!(loads, 1);
        assert!(Arc::ptr_eq(&first, &second));
    }

    #[test]
    fn after_forget_all_the_next_read_loads_again() {
        let memo = Memo::new(10);
        let role = code("chief-executive");
        memo.record(RecordKind::Role, &role, || Ok(Some(1_u32)))
            .unwrap();
        memo.forget_all();
        let reread = memo
            .record(RecordKind::Role, &role, || Ok(Some(2_u32)))
            .unwrap();
        assert_eq!(reread.as_deref(), Some(&2));
    }

    #[test]
    fn a_read_that_overlaps_a_write_does_not_put_back_the_old_record() {
        let memo = Memo::new(10);
        let role = code("chief-executive");
        let loaded = memo
            .record(RecordKind::Role, &role, || {
                // A write commits and empties the memo while this read is loading.
                memo.forget_all();
                Ok(Some("before the write"))
            })
            .unwrap();
        assert_eq!(loaded.as_deref(), Some(&"before the write"));
        let next = memo
            .record(RecordKind::Role, &role, || Ok(Some("after the write")))
            .unwrap();
        assert_eq!(next.as_deref(), Some(&"after the write"));
    }

    #[test]
    fn missing_records_are_not_remembered() {
        let memo = Memo::new(10);
        let absent = code("no-such-role");
        assert!(memo
            .record(RecordKind::Role, &absent, || Ok(None::<u32>))
            .unwrap()
            .is_none());
        assert_eq!(memo.len(), 0);
    }

    #[test]
    fn a_full_memo_starts_again_instead_of_growing() {
        let memo = Memo::new(3);
        for index in 0..10 {
            memo.record(RecordKind::Role, &code(&format!("role-{index}")), || {
                Ok(Some(index))
            })
            .unwrap();
            assert!(memo.len() <= 3, "{} entries", memo.len());
        }
    }

    #[test]
    fn capacity_zero_remembers_nothing() {
        let memo = Memo::new(0);
        let role = code("chief-executive");
        memo.record(RecordKind::Role, &role, || Ok(Some(1_u32)))
            .unwrap();
        let reread = memo
            .record(RecordKind::Role, &role, || Ok(Some(2_u32)))
            .unwrap();
        assert_eq!(reread.as_deref(), Some(&2));
    }
}
