//! The shape of the index: its fields and their boosts, the text analyzer every text field
//! and every query share, and how a [`Document`] becomes a tantivy document.
//!
//! A change here or in `documents.rs` changes what a stored index holds: the stored index's
//! stamp carries a hash of both files' text (see `stored.rs`), so an index written by an older
//! build is rebuilt, never served.

use chrono::NaiveDate;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TextAnalyzerBuilder, Tokenizer,
};
use tantivy::{Index, TantivyDocument};

use super::documents::Document;
use super::stemming::MemoStemmer;
use crate::domain::RecordKind;

/// The name the analyzer is registered under in every index.
pub(super) const TOKENIZER: &str = "en_search";

/// Field boosts: a word in the name or an alias weighs most, then the situations a record is
/// for, then its summary, then the rest of its text (1).
pub(super) const NAME_BOOST: f32 = 3.0;
pub(super) const ALIASES_BOOST: f32 = 3.0;
pub(super) const SITUATIONS_BOOST: f32 = 2.0;
pub(super) const SUMMARY_BOOST: f32 = 1.5;
pub(super) const BODY_BOOST: f32 = 1.0;

/// Fast-field names: the record kind's index in `RecordKind::ALL`, and 1 for a current
/// record, 0 for a closed or historical organisation.
pub(super) const KIND_FIELD: &str = "kind_id";
pub(super) const CURRENT_FIELD: &str = "current";

/// Words that carry no meaning in a question, on top of Lucene's English stop words.
const QUESTION_WORDS: &[&str] = &[
    "what", "which", "who", "whom", "whose", "how", "why", "when", "where", "does", "do", "did",
    "can", "could", "should", "would", "i", "me", "my", "you", "your", "we", "our", "about",
    "tell", "much", "many", "any", "there", "have", "has", "get", "need", "offer", "offers",
];

/// The index's fields.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) reference: Field,
    pub(super) name: Field,
    pub(super) aliases: Field,
    pub(super) summary: Field,
    pub(super) shown_summary: Field,
    pub(super) situations: Field,
    pub(super) body: Field,
    pub(super) source: Field,
    pub(super) kind_id: Field,
    pub(super) current: Field,
}

impl Fields {
    /// The searched text fields with their boosts, most telling first.
    pub(super) fn searched(&self) -> [(Field, f32); 5] {
        [
            (self.name, NAME_BOOST),
            (self.aliases, ALIASES_BOOST),
            (self.situations, SITUATIONS_BOOST),
            (self.summary, SUMMARY_BOOST),
            (self.body, BODY_BOOST),
        ]
    }
}

/// The analyzer: words split on anything but letters and digits, ASCII-folded, lower-cased,
/// stripped of English stop words and question words, and stemmed (English). For queries,
/// snippets and the few documents of a write; [`bulk_analyzer`] gives the same words.
pub(super) fn analyzer() -> TextAnalyzer {
    words().filter(Stemmer::new(Language::English)).build()
}

/// [`analyzer`] for building a whole index: it remembers each word's stem (`stemming.rs`),
/// which pays over a whole seed's text and costs a little on a query's few words.
pub(super) fn bulk_analyzer() -> TextAnalyzer {
    words().filter(MemoStemmer).build()
}

/// Every step of the analyzers but stemming.
fn words() -> TextAnalyzerBuilder<impl Tokenizer> {
    let mut stop_words: Vec<String> = Vec::new();
    // Lucene's English list (what `StopWordFilter::new(Language::English)` holds).
    stop_words.extend(
        [
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into",
            "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then",
            "there", "these", "they", "this", "to", "was", "will", "with",
        ]
        .map(String::from),
    );
    stop_words.extend(QUESTION_WORDS.iter().map(|&word| word.to_owned()));
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(AsciiFoldingFilter)
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(stop_words))
}

/// The schema and its fields.
pub(super) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        reference: builder.add_text_field("reference", STRING | STORED),
        name: builder.add_text_field("name", text.clone()),
        aliases: builder.add_text_field("aliases", text.clone()),
        summary: builder.add_text_field("summary", text.clone() | STORED),
        shown_summary: builder.add_text_field("shown_summary", STORED),
        situations: builder.add_text_field("situations", text.clone()),
        body: builder.add_text_field("body", text | STORED),
        source: builder.add_text_field("source", STORED),
        kind_id: builder.add_u64_field(KIND_FIELD, FAST),
        current: builder.add_u64_field(CURRENT_FIELD, FAST),
    };
    (builder.build(), fields)
}

/// The fields of `index`, if its schema is this build's.
pub(super) fn fields_of(index: &Index) -> Option<Fields> {
    let (schema, fields) = schema();
    (index.schema() == schema).then_some(fields)
}

/// `document` as tantivy stores it, current or not as of `today`.
pub(super) fn to_tantivy(
    fields: &Fields,
    document: &Document,
    today: NaiveDate,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.reference, document.reference.to_string());
    doc.add_u64(fields.kind_id, kind_id(document.reference.kind));
    doc.add_u64(fields.current, u64::from(document.is_current(today)));
    for situation in &document.situations {
        doc.add_text(fields.situations, situation);
    }
    doc.add_text(fields.name, &document.name);
    for alias in &document.aliases {
        doc.add_text(fields.aliases, alias);
    }
    doc.add_text(
        fields.summary,
        document
            .indexed_summary
            .as_deref()
            .unwrap_or(&document.summary),
    );
    doc.add_text(fields.shown_summary, &document.summary);
    for part in &document.body {
        doc.add_text(fields.body, part);
    }
    for source in &document.sources {
        doc.add_text(fields.source, source.as_str());
    }
    doc
}

/// The kind's position in `RecordKind::ALL`, as the `kind_id` fast field holds it.
pub(super) fn kind_id(kind: RecordKind) -> u64 {
    RecordKind::ALL
        .iter()
        .position(|known| *known == kind)
        .expect("every kind is in ALL") as u64
}
