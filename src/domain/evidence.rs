//! What a fact rests on and how current it is: the words a record cites from its sources
//! (`Citation`), the hedge a source puts on a number (`Qualifier`), and whether a record's
//! facts may be out of date (`Currency`).
//!
//! Invariant: pure functions over domain types; today's date is always passed in, never read.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Code, Source};

/// The words a record rests on, copied verbatim from one of its sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// The source the words come from; always one of the record's `sources`.
    pub source: Code,
    /// The words, as the source writes them. For a registry row: the CSV row itself.
    pub quote: String,
    /// Where in a dataset the quote is, as `file:line` (e.g. `registry/trusts.csv:12`);
    /// `None` for a quote from a document, which is found by its words.
    pub location: Option<String>,
}

impl Citation {
    pub fn new(source: Code, quote: impl Into<String>) -> Self {
        Self {
            source,
            quote: quote.into(),
            location: None,
        }
    }
}

/// `text` as quotes are compared: every run of whitespace is one space, typographic quotes
/// and apostrophes are ASCII quotes, en and em dashes are hyphens; nothing else changes
/// (same case, same punctuation). Leading and trailing whitespace is dropped.
pub fn normalise_for_quoting(text: &str) -> String {
    let mut normalised = String::with_capacity(text.len());
    let mut in_space = false;
    for character in text.chars() {
        if character.is_whitespace() {
            in_space = true;
            continue;
        }
        if in_space && !normalised.is_empty() {
            normalised.push(' ');
        }
        in_space = false;
        normalised.push(match character {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            other => other,
        });
    }
    normalised
}

/// The hedge a source puts on a number ("nearly 40%"); the figure's value stays the number
/// stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Qualifier {
    Nearly,
    Almost,
    About,
    Around,
    MoreThan,
    Over,
    UpTo,
    AtLeast,
    LessThan,
}

impl Qualifier {
    pub const ALL: [Qualifier; 9] = [
        Qualifier::Nearly,
        Qualifier::Almost,
        Qualifier::About,
        Qualifier::Around,
        Qualifier::MoreThan,
        Qualifier::Over,
        Qualifier::UpTo,
        Qualifier::AtLeast,
        Qualifier::LessThan,
    ];

    /// The words, as written before the number.
    pub fn words(self) -> &'static str {
        match self {
            Qualifier::Nearly => "nearly",
            Qualifier::Almost => "almost",
            Qualifier::About => "about",
            Qualifier::Around => "around",
            Qualifier::MoreThan => "more than",
            Qualifier::Over => "over",
            Qualifier::UpTo => "up to",
            Qualifier::AtLeast => "at least",
            Qualifier::LessThan => "less than",
        }
    }

    /// The qualifier written as `words`, if any.
    pub fn from_words(words: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|qualifier| qualifier.words() == words)
    }
}

/// A number with its hedge and range, as words: "nearly 40", "2 to 3", "more than 350".
pub fn quantity(value: f64, value_max: Option<f64>, qualifier: Option<Qualifier>) -> String {
    let number = |value: f64| {
        if value.fract() == 0.0 && value.abs() < 1e15 {
            format!("{}", value as i64)
        } else {
            format!("{value}")
        }
    };
    let range = match value_max {
        Some(max) => format!("{} to {}", number(value), number(max)),
        None => number(value),
    };
    match qualifier {
        Some(qualifier) => format!("{} {range}", qualifier.words()),
        None => range,
    }
}

/// How long after its date a source's facts may be out of date.
pub const OUTDATED_AFTER_DAYS: i64 = 2 * 365;

/// When a record's facts were stated, and whether they may no longer hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    /// The date its facts were stated: the newest date of its sources (estimated for an
    /// undated document, see `Source::dated`).
    pub stated_on: Option<NaiveDate>,
    /// Each reason the facts may be out of date; empty when none applies.
    pub reasons: Vec<String>,
}

impl Currency {
    pub fn may_be_outdated(&self) -> bool {
        !self.reasons.is_empty()
    }
}

/// What, beyond its sources' dates, can make a record's facts stale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Staleness {
    /// A post holder the source names "as of" a date (or with no date at all).
    pub holder: Option<Option<NaiveDate>>,
    /// The last day an organisation was open.
    pub closed: Option<NaiveDate>,
    /// An organisation that no longer exists in the form the source describes.
    pub historical: bool,
}

/// The currency of a record citing `sources`, on `today`.
pub fn currency(sources: &[&Source], staleness: Staleness, today: NaiveDate) -> Currency {
    let dated: Vec<(&Source, NaiveDate)> = sources
        .iter()
        .filter_map(|source| Some((*source, source.effective_date()?)))
        .collect();
    let stated_on = dated.iter().map(|(_, date)| *date).max();
    let mut reasons = Vec::new();
    if dated.is_empty() && !sources.is_empty() {
        reasons.push("its source carries no date".to_owned());
    }
    // Only when every source is old: a record restated by a recent source is current.
    if let Some(newest) = stated_on {
        if (today - newest).num_days() > OUTDATED_AFTER_DAYS {
            let (source, _) = dated
                .iter()
                .find(|(_, date)| *date == newest)
                .expect("the newest date is one of them");
            reasons.push(format!(
                "its source, {}, is dated {}, more than two years ago",
                source.title,
                source.date_label().unwrap_or_else(|| newest.to_string())
            ));
        }
    }
    match staleness.holder {
        Some(Some(as_of)) => reasons.push(format!(
            "the holder is named as of {as_of}; post holders change"
        )),
        Some(None) => {
            reasons.push("the holder is named without a date; post holders change".to_owned())
        }
        None => {}
    }
    if let Some(closed) = staleness.closed {
        if closed < today {
            reasons.push(format!("the organisation closed on {closed}"));
        }
    }
    if staleness.historical {
        reasons
            .push("the organisation no longer exists in the form the source describes".to_owned());
    }
    Currency { stated_on, reasons }
}

/// `according to <title>, <date>`: how a summary attributes a claim in time to its source.
pub fn according_to(source: &Source) -> String {
    match source.date_label() {
        Some(date) => format!("according to {}, {date}", source.title),
        None => format!("according to {} (undated)", source.title),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_compare_after_whitespace_and_typographic_marks_only() {
        assert_eq!(
            normalise_for_quoting("  the \u{201C}Mary\u{201D}\n  Seacole \u{2013} it\u{2019}s  "),
            "the \"Mary\" Seacole - it's"
        );
        assert_eq!(normalise_for_quoting("Same Case."), "Same Case.");
    }

    #[test]
    fn quantities_keep_the_hedge_and_the_range() {
        assert_eq!(quantity(40.0, None, Some(Qualifier::Nearly)), "nearly 40");
        assert_eq!(quantity(2.0, Some(3.0), None), "2 to 3");
        assert_eq!(
            quantity(2.5, None, Some(Qualifier::MoreThan)),
            "more than 2.5"
        );
        assert_eq!(Qualifier::from_words("up to"), Some(Qualifier::UpTo));
        assert_eq!(Qualifier::from_words("roughly"), None);
    }
}
