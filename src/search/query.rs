//! From a question to a tantivy query: the question's words, and the records' words its
//! wording maps to, searched in every text field with that field's boost; pairs of
//! neighbouring words also as phrases; words in double quotes only as a phrase; and a word
//! the index does not hold at all (a typo: "Frankin", "Bevin") also with a fuzzy match on
//! names and aliases (edit distance 1 from 5 letters, 2 from 8).
//!
//! The query is built directly, not through tantivy's query parser, as a [`Plan`]. Its
//! *matching* clauses decide which records match, and every match is scored by them: the
//! words (each in each field that holds it, with how many records do, looked up once), the
//! quoted phrases and the fuzzy matches. Its *pairs* (neighbouring words as phrases) only add
//! to the score of the best candidates (`ranking.rs`): a record matching a pair holds both its
//! words, so it matches already, and scoring a phrase means reading word positions, which over
//! every record holding two common words ("NHS trust") would cost more than the rest of the
//! search. A word that occurs several times (in the question and in the
//! wording it maps to) is one term query per field with its boost multiplied accordingly,
//! which scores exactly as the repeated clauses would, for less work.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::query::{BoostQuery, FuzzyTermQuery, PhraseQuery, Query};
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::schema::{Fields, BODY_BOOST, NAME_BOOST, SITUATIONS_BOOST, SUMMARY_BOOST};
use super::wording::{sanitise, synonyms, Intent};
use super::Error;

/// At most this many pairs of neighbouring words are also searched as phrases.
const MAX_PHRASE_PAIRS: usize = 16;
/// How much more a pair of neighbouring words scores as a phrase, on top of its words.
const PHRASE_BOOST: f32 = 1.0;
/// At most this many words get a fuzzy lookup, to bound the work of one query.
const MAX_FUZZY_WORDS: usize = 8;
/// A fuzzy match on a name or alias scores this much more than the plain score of its term.
const FUZZY_BOOST: f32 = 2.0;

/// The clauses of one search.
pub(super) struct Plan {
    /// What matches, each scored for every record it matches: the words, each in one field
    /// that holds it (scored as a tantivy term query with its boost would score them)...
    pub(super) words: Vec<Word>,
    /// ...and the quoted phrases and fuzzy matches.
    pub(super) others: Vec<Box<dyn Query>>,
    /// What only adds to the score of a record that matches already.
    pub(super) pairs: Vec<Pair>,
}

/// A word in one field, with its boost and how many records hold it there (at least one).
pub(super) struct Word {
    pub(super) term: Term,
    pub(super) boost: f32,
    pub(super) frequency: u64,
}

/// Two words side by side in one field, scored as a phrase (BM25 of how often they occur
/// side by side) with `boost`.
pub(super) struct Pair {
    pub(super) terms: [Term; 2],
    pub(super) boost: f32,
}

impl Pair {
    fn query(&self) -> Box<dyn Query> {
        boosted(PhraseQuery::new(self.terms.to_vec()), self.boost)
    }
}

impl Plan {
    /// The text of the words and phrase words in `field`, each with how many records hold
    /// it: the words a snippet of `field` highlights.
    pub(super) fn words_in(
        &self,
        searcher: &Searcher,
        field: Field,
    ) -> Result<Vec<(String, u64)>, Error> {
        let mut found: Vec<(String, u64)> = self
            .words
            .iter()
            .filter(|word| word.term.field() == field)
            .filter_map(|word| Some((word.term.value().as_str()?.to_owned(), word.frequency)))
            .collect();
        let mut others = Vec::new();
        for clause in &self.others {
            clause.query_terms(&mut |term, _| {
                if term.field() == field {
                    others.push(term.clone());
                }
            });
        }
        for term in others {
            if let Some(text) = term.value().as_str() {
                let frequency = searcher.doc_freq(&term)?;
                if frequency > 0 && !found.iter().any(|(known, _)| known == text) {
                    found.push((text.to_owned(), frequency));
                }
            }
        }
        Ok(found)
    }
}

/// The plan matching `text`, asked with `intent`, or `None` if it has no word to search.
pub(super) fn text_query(
    searcher: &Searcher,
    fields: &Fields,
    analyzer: &mut TextAnalyzer,
    text: &str,
    intent: Intent,
) -> Result<Option<Plan>, Error> {
    let mut clean = sanitise(text);
    clean.push_str(&sanitise(&synonyms(&clean, intent)));

    // The words, in order (for neighbouring pairs), how often each is searched as a word,
    // and the quoted phrases.
    let mut words: Vec<String> = Vec::new();
    let mut searched: BTreeMap<String, f32> = BTreeMap::new();
    let mut quoted: Vec<Vec<String>> = Vec::new();
    for (position, segment) in clean.split('"').enumerate() {
        let tokens = tokens(analyzer, segment);
        words.extend(tokens.iter().cloned());
        let is_quoted = position % 2 == 1;
        if is_quoted && tokens.len() > 1 {
            quoted.push(tokens);
        } else {
            for token in tokens {
                *searched.entry(token).or_default() += 1.0;
            }
        }
    }
    if words.is_empty() {
        return Ok(None);
    }

    let mut terms: Vec<Word> = Vec::new();
    let mut known: BTreeSet<&str> = BTreeSet::new();
    for (word, times) in &searched {
        for (field, boost) in fields.searched() {
            let term = Term::from_field_text(field, word);
            let frequency = searcher.doc_freq(&term)?;
            if frequency > 0 {
                known.insert(word);
                terms.push(Word {
                    term,
                    boost: boost * times,
                    frequency,
                });
            }
        }
    }
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    for phrase in &quoted {
        for (field, boost) in fields.searched() {
            clauses.push(boosted(phrase_query(field, phrase), boost));
        }
    }

    // Two words side by side in the question ("staff college", "mid level") score more
    // where the record has them side by side too.
    let mut pairs: Vec<&[String]> = words.windows(2).filter(|pair| pair[0] != pair[1]).collect();
    pairs.dedup();
    let mut phrases: BTreeMap<&[String], f32> = BTreeMap::new();
    for pair in pairs.into_iter().take(MAX_PHRASE_PAIRS) {
        *phrases.entry(pair).or_default() += 1.0;
    }
    let mut pair_clauses: Vec<Pair> = Vec::new();
    for (pair, times) in phrases {
        // A pair of quoted words, neither searched as a word, can match where no word clause
        // does: it decides what matches.
        let adds_only = pair.iter().any(|word| searched.contains_key(word));
        for (field, boost) in [
            (fields.name, NAME_BOOST),
            (fields.situations, SITUATIONS_BOOST),
            (fields.summary, SUMMARY_BOOST),
            (fields.body, BODY_BOOST),
        ] {
            let pair = Pair {
                terms: [0, 1].map(|at| Term::from_field_text(field, &pair[at])),
                boost: boost * PHRASE_BOOST * times,
            };
            if adds_only {
                pair_clauses.push(pair);
            } else {
                clauses.push(pair.query());
            }
        }
    }

    let distinct: BTreeSet<&String> = words.iter().collect();
    let mut fuzzy_words = 0;
    for word in distinct {
        let length = word.chars().count();
        if length < 5
            || fuzzy_words >= MAX_FUZZY_WORDS
            || known.contains(word.as_str())
            || (!searched.contains_key(word) && is_known(searcher, fields, word)?)
        {
            continue;
        }
        fuzzy_words += 1;
        let distance = if length >= 8 { 2 } else { 1 };
        for field in [fields.name, fields.aliases] {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true);
            clauses.push(boosted(fuzzy, FUZZY_BOOST));
        }
    }
    Ok(Some(Plan {
        words: terms,
        others: clauses,
        pairs: pair_clauses,
    }))
}

/// The analyzed words of `text`.
fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        words.push(stream.token().text.clone());
    }
    words
}

fn boosted(query: impl Query, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(Box::new(query), boost))
}

fn phrase_query(field: Field, words: &[String]) -> PhraseQuery {
    PhraseQuery::new(
        words
            .iter()
            .map(|word| Term::from_field_text(field, word))
            .collect(),
    )
}

/// Whether some record holds `word` in a searched field.
fn is_known(searcher: &Searcher, fields: &Fields, word: &str) -> Result<bool, Error> {
    for (field, _) in fields.searched() {
        if searcher.doc_freq(&Term::from_field_text(field, word))? > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
