//! Understanding a question's wording: what kind of record it asks for ([`Intent`]), the
//! records' words for everyday wording ([`synonyms`]), and text made safe to parse
//! ([`sanitise`]). Plain string work: nothing here knows tantivy.

use crate::domain::RecordKind;

/// A question asking what something is ranks definitions (topics) this much higher; one
/// asking how many ranks figures this much higher.
const INTENT_FACTOR: f32 = 3.0;

/// What a question asks for, read from its wording, to rank the kind of record that
/// answers it higher: a definition for "what is...", a figure for "how many...".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Intent {
    Definition,
    Count,
    Story,
    Programme,
    Other,
}

impl Intent {
    pub(super) fn of(question: &str) -> Self {
        let question = format!(
            " {} ",
            question.to_lowercase().replace(['?', ',', '.', '\''], " ")
        );
        let has = |phrases: &[&str]| phrases.iter().any(|phrase| question.contains(phrase));
        if has(&[
            " how many ",
            " how big ",
            " how large ",
            " number of ",
            " what proportion ",
            " what percentage ",
            " what share ",
        ]) {
            return Intent::Count;
        }
        if has(&[
            " career story ",
            " story of ",
            " stories ",
            " whose career ",
        ]) {
            return Intent::Story;
        }
        if has(&[
            " programme ",
            " programmes ",
            " program ",
            " course ",
            " courses ",
            " scheme ",
            " training for ",
        ]) {
            return Intent::Programme;
        }
        // "what does a practice manager do" asks about a role, not for a definition.
        let asks_what_it_does = question.trim_end().ends_with(" do");
        let asks_what_it_is = has(&[
            " what is ",
            " what are ",
            " whats ",
            " what s ",
            " define ",
            " definition ",
            " meaning of ",
            " stand for ",
            " mean ",
        ]);
        if asks_what_it_is && !asks_what_it_does {
            Intent::Definition
        } else {
            Intent::Other
        }
    }

    /// The kind of record this wording favours, and by what factor its score is multiplied.
    pub(super) fn favoured(self) -> Option<(RecordKind, f32)> {
        match self {
            Intent::Definition => Some((RecordKind::Topic, INTENT_FACTOR)),
            Intent::Count => Some((RecordKind::Figure, INTENT_FACTOR)),
            Intent::Story => Some((RecordKind::CareerStory, INTENT_FACTOR)),
            // Milder: "a course for a new ward manager" may still be answered by the role.
            Intent::Programme => Some((RecordKind::Programme, INTENT_FACTOR / 1.5)),
            Intent::Other => None,
        }
    }
}

/// Abbreviations and everyday words users type, and the words the records use instead:
/// each is searched for as well as the word typed.
const SYNONYMS: &[(&str, &str)] = &[
    ("hr", "human resources"),
    ("ceo", "chief executive"),
    ("cfo", "chief financial officer"),
    ("coo", "chief operating officer"),
    ("vacancies", "unfilled positions"),
    ("work", "employs workforce"),
    ("physicist", "physics"),
    ("course", "programme"),
    ("job", "role"),
    ("nurses", "nursing clinical staff"),
    ("cost", "free funded budgets"),
    ("costs", "free funded budgets"),
    ("fee", "free funded"),
    ("fees", "free funded"),
    ("price", "free funded"),
    (
        "regulator",
        "regulators registration GMC NMC professional accountability",
    ),
    ("regulates", "regulators registration"),
    ("degree", "postgraduate degrees university"),
    ("masters", "postgraduate degrees"),
    ("msc", "postgraduate degrees"),
    ("called", "described known"),
    ("recommended", "suggested report"),
    ("recommend", "suggested report"),
];

/// Abbreviations and what they stand for, added only when the question asks what one is:
/// the definition spells it out, while every ICB's own record answers to "ICB" already.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("icb", "integrated care board"),
    ("icbs", "integrated care boards"),
    ("ics", "integrated care system"),
    ("ccg", "clinical commissioning group"),
    ("ccgs", "clinical commissioning groups"),
    ("pct", "primary care trust"),
];

/// Everyday descriptions of a situation or an audience, and the words the records use for
/// it (a programme's audience and level): people say where they are, not what to take.
const PHRASES: &[(&str, &str)] = &[
    ("mid-level", "mid-level leaders with management experience"),
    ("mid level", "mid-level leaders with management experience"),
    ("middle manager", "mid-level leaders middle management"),
    ("middle management", "mid-level leaders middle management"),
    ("manage a team", "mid-level leaders management experience"),
    ("beyond my team", "expand influence beyond immediate teams"),
    ("beyond it", "expand influence beyond immediate teams"),
    (
        "senior manager",
        "senior managers middle management executive roles",
    ),
    ("executive post", "executive roles executive positions"),
    ("executive role", "executive roles executive positions"),
    ("become a director", "executive roles aspiring directors"),
    ("board level", "board-level executive positions"),
    (
        "first line",
        "first-line managers first formal leadership supervisory",
    ),
    (
        "first-line",
        "first-line managers first formal leadership supervisory",
    ),
    (
        "new manager",
        "first formal leadership management responsibilities first-time team leaders",
    ),
    (
        "new ward manager",
        "first formal leadership management responsibilities ward managers",
    ),
    (
        "new to management",
        "first formal leadership management responsibilities first-time",
    ),
    (
        "first management",
        "first formal leadership management responsibilities first-time",
    ),
    (
        "first time",
        "first formal leadership first-time team leaders",
    ),
    (
        "first leadership",
        "first formal leadership first significant leadership role",
    ),
    ("how long", "duration months"),
    ("how many", "number"),
    ("number of", "number"),
    ("how much does", "free funded cost"),
    ("pay for", "free funded cost"),
];

/// The words of [`SYNONYMS`] and [`PHRASES`] (and for a definition question, of
/// [`ABBREVIATIONS`]) to add for `text`.
pub(super) fn synonyms(text: &str, intent: Intent) -> String {
    let mut extra = String::new();
    let abbreviations = if intent == Intent::Definition {
        ABBREVIATIONS
    } else {
        &[]
    };
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        for (typed, used) in SYNONYMS.iter().chain(abbreviations) {
            if word == *typed {
                extra.push(' ');
                extra.push_str(used);
            }
        }
    }
    let lower = format!(
        " {} ",
        text.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (said, used) in PHRASES {
        if lower.contains(&format!(" {said}")) {
            extra.push(' ');
            extra.push_str(used);
        }
    }
    extra
}

/// Keeps letters, digits, spaces and balanced double quotes (phrases); anything else, which
/// tantivy's query language could read as syntax, becomes a space. Upper-case `AND`, `OR`
/// and `NOT` are operators to tantivy: they are lower-cased, so they are plain words.
pub(super) fn sanitise(text: &str) -> String {
    let mut clean: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '"' {
                c
            } else {
                ' '
            }
        })
        .collect();
    if clean.matches('"').count() % 2 == 1 {
        if let Some(last) = clean.rfind('"') {
            clean.replace_range(last..=last, " ");
        }
    }
    clean
        .split(' ')
        .map(|word| match word {
            "AND" | "OR" | "NOT" | "IN" | "TO" => word.to_lowercase(),
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wording_of_a_question_says_what_kind_of_record_answers_it() {
        assert_eq!(Intent::of("What is an ICB?"), Intent::Definition);
        assert_eq!(Intent::of("how many NHS trusts are there?"), Intent::Count);
        assert_eq!(Intent::of("what does a practice manager do"), Intent::Other);
        assert_eq!(
            Intent::of("career story of a finance director"),
            Intent::Story
        );
        assert_eq!(
            Intent::of("programmes for mid-level leaders"),
            Intent::Programme
        );
    }

    #[test]
    fn everyday_wording_adds_the_records_words() {
        let extra = synonyms(
            "I manage a team and want to influence beyond it",
            Intent::Other,
        );
        assert!(
            extra.contains("expand influence beyond immediate teams"),
            "{extra}"
        );
        assert!(!synonyms("Frimley ICB", Intent::Other).contains("integrated care board"));
        assert!(synonyms("what is an ICB", Intent::Definition).contains("integrated care board"));
    }

    #[test]
    fn sanitising_leaves_no_query_syntax() {
        assert_eq!(sanitise("a:b (c* AND \"d"), "a b  c  and  d");
        assert_eq!(sanitise("\"mary seacole\""), "\"mary seacole\"");
    }
}
