//! Ranking one search: the kinds asked for as a filter, the exact number of matches of those
//! kinds, and the best [`MAX_HITS`] by score.
//!
//! The kinds filter works on runs of consecutive documents of one kind and currency
//! ([`KindRuns`](super::runs::KindRuns), read once per segment from the `kind_id` and `current` fast fields and kept
//! while the segment lives): the matching clauses' postings are read only inside the runs of
//! the kinds asked for and seek over the others. A build indexes records kind by kind, and a
//! write's records go to a segment of their own, so a kind left out (posts, by default: most
//! of the records of a grown graph) costs a seek per run, not a look at each record; were
//! kinds ever interleaved, the runs would be shorter and the answer the same.
//!
//! Inside the runs every record matching a clause is counted and scored (a union of the
//! clauses' postings, a window of documents at a time), so the count is exact. The score is
//! BM25 multiplied by what the wording asks for (the [`Intent`]'s favoured kind) and by
//! [`NOT_CURRENT_FACTOR`] for a closed or historical organisation, so a general question finds
//! current records first. The best [`MAX_HITS`] of each segment then get the score of the
//! pair clauses (neighbouring words as phrases, with the same factors) and are ranked again:
//! the pairs reorder the best candidates, and reading positions for them costs at most
//! [`MAX_HITS`] lookups per pair. The candidates do not depend on the page asked for, so
//! pages follow each other.

use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::SegmentPostings;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight, EnableScoring, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocAddress, DocId, DocSet, Postings, Score, Searcher, SegmentReader, Term, TERMINATED,
};

use super::query::{self, Pair, Plan};
use super::runs::{KindRuns, Run};
use super::schema::kind_id;
use super::wording::Intent;
use super::{Error, MAX_HITS};
use crate::domain::RecordKind;

/// A closed or historical organisation's score is multiplied by this: it still answers a
/// question naming it, but ranks below the current ones a general question is about.
const NOT_CURRENT_FACTOR: f32 = 0.3;

/// Documents scored together: the union of the clauses' postings is summed in a buffer of
/// this many documents at a time.
const WINDOW: u32 = 4096;

/// What one search keeps of each record: which kinds, and the factors of its score.
pub(super) struct Ranking {
    /// Allowed kinds, by `kind_id`.
    allowed: [bool; RecordKind::ALL.len()],
    /// The favoured kind's `kind_id` and its factor.
    favoured: Option<(u64, f32)>,
}

/// How many matched, and the best hits, best first.
pub(super) type Ranked = (usize, Vec<(Score, DocAddress)>);

/// One matching clause in one segment.
enum Clause {
    Word(Box<WordScorer>),
    Other(Box<dyn Scorer>),
}

/// A word's postings in one field of one segment, scored as tantivy's term scorer does.
struct WordScorer {
    postings: SegmentPostings,
    norms: FieldNormReader,
    weight: Bm25Weight,
}

impl WordScorer {
    fn score(&self) -> Score {
        let doc = self.postings.doc();
        self.weight
            .score(self.norms.fieldnorm_id(doc), self.postings.term_freq())
    }
}

impl Clause {
    fn doc(&self) -> DocId {
        match self {
            Clause::Word(scorer) => scorer.postings.doc(),
            Clause::Other(scorer) => scorer.doc(),
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        match self {
            Clause::Word(scorer) => scorer.postings.seek(target),
            Clause::Other(scorer) => scorer.seek(target),
        }
    }

    fn advance(&mut self) -> DocId {
        match self {
            Clause::Word(scorer) => scorer.postings.advance(),
            Clause::Other(scorer) => scorer.advance(),
        }
    }

    fn score(&mut self) -> Score {
        match self {
            Clause::Word(scorer) => scorer.score(),
            Clause::Other(scorer) => scorer.score(),
        }
    }
}

/// A word of the plan with its BM25 weight (boost included), if some record holds it.
struct Word<'a> {
    term: &'a Term,
    weight: Bm25Weight,
}

/// The BM25 weights of `words`, as a tantivy term query with the same boost has them. A
/// weight carries a table for its field's average length, the slow part of making one; it is
/// made once per field, and each word's is that field's, scaled by its idf and boost.
fn word_weights<'a>(searcher: &Searcher, words: &'a [query::Word]) -> Result<Vec<Word<'a>>, Error> {
    let documents = Bm25StatisticsProvider::total_num_docs(searcher)?;
    let mut per_field: HashMap<Field, Bm25Weight> = HashMap::new();
    let mut weights = Vec::with_capacity(words.len());
    for query::Word {
        term,
        boost,
        frequency,
    } in words
    {
        let field = term.field();
        let base = match per_field.entry(field) {
            Entry::Occupied(base) => base.into_mut(),
            Entry::Vacant(vacant) => {
                let tokens = searcher.total_num_tokens(field)?;
                let average = tokens as Score / documents as Score;
                vacant.insert(Bm25Weight::for_one_term_without_explain(
                    0, documents, average,
                ))
            }
        };
        let weight = base.boost_by(boost * idf(*frequency, documents) / idf(0, documents));
        weights.push(Word { term, weight });
    }
    Ok(weights)
}

/// BM25's inverse document frequency, as tantivy computes it.
fn idf(frequency: u64, documents: u64) -> Score {
    let x = (documents.saturating_sub(frequency) as Score + 0.5) / (frequency as Score + 0.5);
    (1.0 + x).ln()
}

impl Ranking {
    /// Records of `kinds` (`None`: every kind but posts), for a question asked with `intent`.
    pub(super) fn new(kinds: Option<&[RecordKind]>, intent: Intent) -> Self {
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
        }
    }

    /// The number of records matching `plan` and the best [`MAX_HITS`] of them.
    pub(super) fn rank(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        runs: &KindRuns,
    ) -> Result<Ranked, Error> {
        let words = word_weights(searcher, &plan.words)?;
        let others = plan
            .others
            .iter()
            .map(|clause| Ok(clause.weight(EnableScoring::enabled_from_searcher(searcher))?))
            .collect::<Result<Vec<Box<dyn Weight>>, Error>>()?;
        let pairs: Vec<(&Pair, Bm25Weight)> = plan
            .pairs
            .iter()
            .map(|pair| {
                let weight = Bm25Weight::for_terms(searcher, &pair.terms)?;
                Ok((pair, weight.boost_by(pair.boost)))
            })
            .collect::<Result<_, Error>>()?;
        let mut buffers = Buffers::default();
        let mut total = 0;
        let mut best: Vec<Candidate> = Vec::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let mut clauses = Vec::with_capacity(words.len() + others.len());
            let mut norms: HashMap<Field, FieldNormReader> = HashMap::new();
            for word in &words {
                let field = word.term.field();
                let postings = reader
                    .inverted_index(field)?
                    .read_postings(word.term, IndexRecordOption::WithFreqs)
                    .map_err(|error| Error::Tantivy(error.into()))?;
                let Some(postings) = postings else {
                    continue;
                };
                let norms = match norms.entry(field) {
                    Entry::Occupied(norms) => norms.into_mut(),
                    Entry::Vacant(vacant) => vacant.insert(reader.get_fieldnorms_reader(field)?),
                };
                clauses.push(Clause::Word(Box::new(WordScorer {
                    postings,
                    norms: norms.clone(),
                    weight: word.weight.clone(),
                })));
            }
            for weight in &others {
                clauses.push(Clause::Other(weight.scorer(reader, 1.0)?));
            }
            clauses.retain(|clause| clause.doc() != TERMINATED);
            let runs = runs.of(searcher, reader);
            let found = self.segment(reader, &runs, clauses, &mut buffers);
            total += found.count;
            let mut candidates = found.best.into_vec();
            add_pairs(reader, &pairs, &mut candidates)?;
            best.extend(candidates.into_iter().map(|mut candidate| {
                candidate.address = DocAddress::new(segment as u32, candidate.address.doc_id);
                candidate
            }));
        }
        best.sort();
        best.truncate(MAX_HITS);
        Ok((
            total,
            best.into_iter()
                .map(|candidate| (candidate.score, candidate.address))
                .collect(),
        ))
    }

    /// The matches of `clauses` in one segment, inside the runs of the kinds asked for:
    /// counted, and the best [`MAX_HITS`] kept.
    fn segment(
        &self,
        reader: &SegmentReader,
        runs: &[Run],
        mut clauses: Vec<Clause>,
        buffers: &mut Buffers,
    ) -> Found {
        let alive = reader.alive_bitset();
        let mut found = Found {
            count: 0,
            best: BinaryHeap::with_capacity(MAX_HITS + 1),
        };
        let Buffers { sums, hit } = buffers;
        for run in runs {
            if clauses.is_empty() {
                break;
            }
            let Some(kind) = run
                .kind
                .filter(|&kind| self.allowed.get(kind as usize) == Some(&true))
            else {
                continue;
            };
            let mut factor = match self.favoured {
                Some((favoured, factor)) if favoured == kind => factor,
                _ => 1.0,
            };
            if !run.current {
                factor *= NOT_CURRENT_FACTOR;
            }
            let mut start = run.start;
            while start < run.end {
                let end = run.end.min(start + WINDOW);
                let mut any = false;
                for clause in &mut clauses {
                    let mut doc = clause.doc();
                    if doc < start {
                        doc = clause.seek(start);
                    }
                    while doc < end {
                        let at = (doc - start) as usize;
                        sums[at] += clause.score();
                        hit[at / 64] |= 1 << (at % 64);
                        any = true;
                        doc = clause.advance();
                    }
                }
                clauses.retain(|clause| clause.doc() != TERMINATED);
                if any {
                    for (block, bits) in hit.iter_mut().enumerate() {
                        while *bits != 0 {
                            let at = block * 64 + bits.trailing_zeros() as usize;
                            *bits &= *bits - 1;
                            let score = std::mem::take(&mut sums[at]);
                            let doc = start + at as DocId;
                            if alive.is_some_and(|alive| alive.is_deleted(doc)) {
                                continue;
                            }
                            found.push(Candidate {
                                score: score * factor,
                                factor,
                                address: DocAddress::new(0, doc),
                            });
                        }
                    }
                }
                start = end;
            }
        }
        found
    }
}

/// The sums of one window of documents, and which of them matched.
struct Buffers {
    sums: Vec<Score>,
    hit: Vec<u64>,
}

impl Default for Buffers {
    fn default() -> Self {
        Self {
            sums: vec![0.0; WINDOW as usize],
            hit: vec![0; WINDOW as usize / 64],
        }
    }
}

/// Adds the score of the pair clauses to `candidates` (documents of `reader`'s segment): for
/// each candidate holding both words of a pair, how often they occur side by side, scored as
/// tantivy scores a phrase. Only the candidates are looked at: a phrase query would also read
/// the positions of every record between them holding both words.
fn add_pairs(
    reader: &SegmentReader,
    pairs: &[(&Pair, Bm25Weight)],
    candidates: &mut [Candidate],
) -> Result<(), Error> {
    if pairs.is_empty() || candidates.is_empty() {
        return Ok(());
    }
    candidates.sort_by_key(|candidate| candidate.address.doc_id);
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for (pair, weight) in pairs {
        let [left, right] = &pair.terms;
        let index = reader.inverted_index(left.field())?;
        let read = |term: &Term| -> Result<Option<SegmentPostings>, Error> {
            index
                .read_postings(term, IndexRecordOption::WithFreqsAndPositions)
                .map_err(|error| Error::Tantivy(error.into()))
        };
        let (Some(mut left), Some(mut right)) = (read(left)?, read(right)?) else {
            continue;
        };
        let norms = reader.get_fieldnorms_reader(pair.terms[0].field())?;
        for candidate in candidates.iter_mut() {
            let doc = candidate.address.doc_id;
            if !holds(&mut left, doc) || !holds(&mut right, doc) {
                continue;
            }
            left.positions(&mut first);
            right.positions(&mut second);
            let side_by_side = side_by_side(&first, &second);
            if side_by_side > 0 {
                candidate.score +=
                    weight.score(norms.fieldnorm_id(doc), side_by_side) * candidate.factor;
            }
        }
    }
    Ok(())
}

/// Whether `postings` holds `doc`, moving it there if it is before.
fn holds(postings: &mut SegmentPostings, doc: DocId) -> bool {
    if postings.doc() < doc {
        postings.seek(doc);
    }
    postings.doc() == doc
}

/// How many positions of `second` directly follow one of `first` (both ascending).
fn side_by_side(first: &[u32], second: &[u32]) -> u32 {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < first.len() && j < second.len() {
        match (first[i] + 1).cmp(&second[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                count += 1;
                i += 1;
                j += 1;
            }
        }
    }
    count
}

/// One segment's matches.
struct Found {
    count: usize,
    best: BinaryHeap<Candidate>,
}

impl Found {
    fn push(&mut self, candidate: Candidate) {
        self.count += 1;
        if self.best.len() < MAX_HITS {
            self.best.push(candidate);
        } else if self.best.peek().is_some_and(|worst| candidate < *worst) {
            self.best.pop();
            self.best.push(candidate);
        }
    }
}

/// A hit while ranking: ordered by score, then by address (the earlier first), so that the
/// heap's top is the worst kept. `factor` is what its clauses' scores are multiplied by.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: Score,
    factor: f32,
    address: DocAddress,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    /// Better is smaller, so that a max-heap holds the worst kept hit on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.address.cmp(&other.address))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_side_by_side_are_counted_where_the_second_follows_the_first() {
        assert_eq!(side_by_side(&[0, 5, 9], &[1, 7, 10]), 2);
        assert_eq!(side_by_side(&[3], &[3, 5]), 0);
        assert_eq!(side_by_side(&[], &[1]), 0);
    }
}
