//! English stemming with a memo of the words already stemmed.
//!
//! Snowball stemming is the dearest step of the analyzer, and the indexed text repeats a small
//! vocabulary (role titles, organisation kinds, registry words) across every record: at 100×,
//! stemming was over a third of the index build. This filter gives exactly the stems of
//! tantivy's `Stemmer` (the same `rust-stemmers` English algorithm); it only remembers them.
//! Only whole-index builds use it (`schema::bulk_analyzer`): a query's or a snippet's few
//! words would pay the memo's upkeep for no reuse.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered by one analyzer before its memo starts afresh, which bounds its memory
/// (a few MiB) whatever text it meets.
const MEMO_WORDS: usize = 50_000;

/// A [`TokenFilter`] stemming lower-cased English words, remembering each word's stem.
#[derive(Clone, Default)]
pub(super) struct MemoStemmer;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter {
            inner: tokenizer,
            memo: HashMap::new(),
        }
    }
}

/// The tokenizer [`MemoStemmer`] makes: one per analyzer (tantivy clones an analyzer for each
/// indexing thread and each query), so its memo is never shared between threads.
#[derive(Clone)]
pub(super) struct MemoStemmerFilter<T> {
    inner: T,
    memo: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.memo.len() >= MEMO_WORDS {
            self.memo.clear();
        }
        MemoStemmerStream {
            tail: self.inner.token_stream(text),
            memo: &mut self.memo,
            stemmer: None,
        }
    }
}

pub(super) struct MemoStemmerStream<'a, T> {
    tail: T,
    memo: &'a mut HashMap<String, String>,
    /// Made on the first word the memo does not hold.
    stemmer: Option<Stemmer>,
}

impl<T: TokenStream> TokenStream for MemoStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        match self.memo.get(&token.text) {
            Some(stem) => {
                token.text.clear();
                token.text.push_str(stem);
            }
            None => {
                let stemmer = self
                    .stemmer
                    .get_or_insert_with(|| Stemmer::create(Algorithm::English));
                let stem = stemmer.stem(&token.text).into_owned();
                let word = std::mem::replace(&mut token.text, stem.clone());
                self.memo.insert(word, stem);
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    use super::*;

    fn stems(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while stream.advance() {
            words.push(stream.token().text.clone());
        }
        words
    }

    #[test]
    fn stems_exactly_as_tantivys_stemmer_including_words_it_has_seen() {
        let text = "Directors of nursing lead nursing; the leadership academy's programmes \
                    develop leaders, managing directors and managers. Nursing directors.";
        let mut memo = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(MemoStemmer)
            .build();
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let expected = stems(&mut plain, text);
        assert!(expected.contains(&"nurs".to_owned()), "{expected:?}");
        // Twice: the second pass answers every word from the memo.
        assert_eq!(stems(&mut memo, text), expected);
        assert_eq!(stems(&mut memo, text), expected);
    }

    #[test]
    fn the_memo_starts_afresh_when_full_and_still_stems() {
        let mut memo = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(MemoStemmer)
            .build();
        let words: Vec<String> = (0..MEMO_WORDS + 10).map(|n| format!("w{n}ing")).collect();
        for chunk in words.chunks(1000) {
            stems(&mut memo, &chunk.join(" "));
        }
        assert_eq!(
            stems(&mut memo, "managing directors"),
            ["manag", "director"]
        );
    }
}
