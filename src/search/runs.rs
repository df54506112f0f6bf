//! The runs of a segment: consecutive documents of one kind and currency, read once per
//! segment from the `kind_id` and `current` fast fields and kept while the segment is served,
//! so that ranking reads postings only inside the runs of the kinds asked for (`ranking.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::{DocId, Searcher, SegmentId, SegmentReader};

use super::schema::{CURRENT_FIELD, KIND_FIELD};

/// A run of consecutive documents of one segment with the same `kind_id` (`None`: no kind)
/// and the same currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Run {
    pub(super) start: DocId,
    pub(super) end: DocId,
    pub(super) kind: Option<u64>,
    pub(super) current: bool,
}

/// The runs of each segment searched so far, kept while the segment is served.
#[derive(Debug, Default)]
pub(super) struct KindRuns(Mutex<HashMap<SegmentId, Arc<Vec<Run>>>>);

impl KindRuns {
    /// The runs of `reader`'s segment, read once per segment; the runs of segments
    /// `searcher` no longer holds are dropped.
    pub(super) fn of(&self, searcher: &Searcher, reader: &SegmentReader) -> Arc<Vec<Run>> {
        let id = reader.segment_id();
        if let Some(runs) = self.lock().get(&id) {
            return runs.clone();
        }
        let runs = Arc::new(runs_of(reader));
        let mut cache = self.lock();
        cache.retain(|kept, _| {
            searcher
                .segment_readers()
                .iter()
                .any(|reader| reader.segment_id() == *kept)
        });
        cache.insert(id, runs.clone());
        runs
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<Vec<Run>>>> {
        // The map holds only whole entries: one left by a panicking search is still right.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn runs_of(reader: &SegmentReader) -> Vec<Run> {
    let kinds = reader.fast_fields().u64(KIND_FIELD).ok();
    let currents = reader.fast_fields().u64(CURRENT_FIELD).ok();
    let mut runs: Vec<Run> = Vec::new();
    for doc in 0..reader.max_doc() {
        let kind = kinds.as_ref().and_then(|column| column.first(doc));
        let current = currents
            .as_ref()
            .and_then(|column| column.first(doc))
            .is_none_or(|value| value == 1);
        match runs.last_mut() {
            Some(run) if run.kind == kind && run.current == current => run.end = doc + 1,
            _ => runs.push(Run {
                start: doc,
                end: doc + 1,
                kind,
                current,
            }),
        }
    }
    runs
}
