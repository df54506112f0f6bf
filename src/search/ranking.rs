//! Collecting one search: the kinds asked for as a filter on a fast field (not a query
//! clause: it takes no part in scoring), the exact number of matches of those kinds, and the
//! best [`MAX_HITS`](super::MAX_HITS) by score, in one pass over the matches.
//!
//! The score is BM25 multiplied by what the wording asks for (the [`Intent`]'s favoured kind)
//! and by [`NOT_CURRENT_FACTOR`] for a closed or historical organisation, so a general
//! question finds current records first.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::schema::{kind_id, CURRENT_FIELD, KIND_FIELD};
use super::wording::Intent;
use crate::domain::RecordKind;

/// A closed or historical organisation's score is multiplied by this: it still answers a
/// question naming it, but ranks below the current ones a general question is about.
const NOT_CURRENT_FACTOR: f32 = 0.3;

/// The collector of one search.
pub(super) struct Ranking {
    /// Allowed kinds, by `kind_id`.
    allowed: [bool; RecordKind::ALL.len()],
    /// The favoured kind's `kind_id` and its factor.
    favoured: Option<(u64, f32)>,
    limit: usize,
}

impl Ranking {
    /// The best `limit` hits of `kinds` (`None`: every kind but posts) for a question asked
    /// with `intent`.
    pub(super) fn new(kinds: Option<&[RecordKind]>, intent: Intent, limit: usize) -> Self {
        let mut allowed = [false; RecordKind::ALL.len()];
        for kind in RecordKind::ALL {
            allowed[kind_id(kind) as usize] = match kinds {
                Some(kinds) => kinds.contains(&kind),
                None => kind != RecordKind::Post,
            };
        }
        Self {
            allowed,
            favoured: intent
                .favoured()
                .map(|(kind, factor)| (kind_id(kind), factor)),
            limit,
        }
    }
}

/// A hit while collecting: ordered by score, then by address (the earlier first), so that the
/// heap's top is the worst kept.
#[derive(Debug, Clone, Copy)]
struct Scored {
    score: Score,
    address: DocAddress,
}

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Scored {}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scored {
    /// Better is smaller, so that a max-heap holds the worst kept hit on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.address.cmp(&other.address))
    }
}

/// How many matched, and the best hits, best first.
pub(super) type Ranked = (usize, Vec<(Score, DocAddress)>);

pub(super) struct SegmentRanking {
    segment: SegmentOrdinal,
    kinds: Option<Column<u64>>,
    current: Option<Column<u64>>,
    allowed: [bool; RecordKind::ALL.len()],
    favoured: Option<(u64, f32)>,
    limit: usize,
    count: usize,
    best: BinaryHeap<Scored>,
}

impl Collector for Ranking {
    type Fruit = Ranked;
    type Child = SegmentRanking;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentRanking> {
        let columns = reader.fast_fields();
        Ok(SegmentRanking {
            segment,
            kinds: columns.u64(KIND_FIELD).ok(),
            current: columns.u64(CURRENT_FIELD).ok(),
            allowed: self.allowed,
            favoured: self.favoured,
            limit: self.limit,
            count: 0,
            best: BinaryHeap::with_capacity(self.limit + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Ranked>) -> tantivy::Result<Ranked> {
        let count = fruits.iter().map(|(count, _)| count).sum();
        let mut best: Vec<Scored> = fruits
            .into_iter()
            .flat_map(|(_, hits)| hits)
            .map(|(score, address)| Scored { score, address })
            .collect();
        best.sort();
        best.truncate(self.limit);
        Ok((
            count,
            best.into_iter()
                .map(|hit| (hit.score, hit.address))
                .collect(),
        ))
    }
}

impl SegmentCollector for SegmentRanking {
    type Fruit = Ranked;

    fn collect(&mut self, doc: DocId, score: Score) {
        let kind = self.kinds.as_ref().and_then(|column| column.first(doc));
        let Some(kind) = kind.filter(|&kind| self.allowed.get(kind as usize) == Some(&true)) else {
            return;
        };
        self.count += 1;
        let mut score = score;
        if let Some((favoured, factor)) = self.favoured {
            if kind == favoured {
                score *= factor;
            }
        }
        let is_current = self
            .current
            .as_ref()
            .and_then(|column| column.first(doc))
            .is_none_or(|value| value == 1);
        if !is_current {
            score *= NOT_CURRENT_FACTOR;
        }
        let hit = Scored {
            score,
            address: DocAddress::new(self.segment, doc),
        };
        if self.best.len() < self.limit {
            self.best.push(hit);
        } else if self.best.peek().is_some_and(|worst| hit < *worst) {
            self.best.pop();
            self.best.push(hit);
        }
    }

    fn harvest(self) -> Ranked {
        let best = self.best.into_sorted_vec();
        (
            self.count,
            best.into_iter()
                .map(|hit| (hit.score, hit.address))
                .collect(),
        )
    }
}
