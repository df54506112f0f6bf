//! Finding records by the codes people type: a code matches whatever its case (`rj1` finds
//! `RJ1`, `Nye-Bevan` finds `nye-bevan`), and a code that matches nothing answers `NOT_FOUND`
//! with the nearest codes or names as suggestions, in its message and in
//! `extensions.suggestions`.
//!
//! Exact codes cost one point read; only a miss lists the kind, which the store's memo keeps.
//! A root field's `id` or `code` argument, and `node(id:)`, are resolved here too.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, Result, ID};

use super::data::{graph, Graph, Stored};
use super::errors::{bad_user_input, not_found};
use super::ids::parse_global_id;
use super::types::{load_node, Node};
use crate::domain::{self, Code};

/// The record a global id names, as a `Node`; unknown gives `NOT_FOUND`.
pub(crate) fn node_by_id(graph: &Graph, id: &ID) -> Result<Node> {
    let missing = || not_found(format!("no record has id {:?}", id.as_str()));
    let reference = parse_global_id(id).ok_or_else(missing)?;
    load_node(graph, &reference)?.ok_or_else(missing)
}

/// Resolves `id` or `code` (exactly one) to a record of kind `T`; unknown gives `NOT_FOUND`.
pub(crate) fn by_id_or_code<T: Stored>(
    ctx: &Context<'_>,
    id: Option<ID>,
    code: Option<String>,
) -> Result<Option<Arc<T>>> {
    let graph = graph(ctx);
    match (id, code) {
        (Some(id), None) => {
            let code = match parse_global_id(&id) {
                Some(reference) if reference.kind == T::KIND => reference.code,
                _ => {
                    return Err(not_found(format!(
                        "no {} has id {:?}",
                        kind_name::<T>(),
                        id.as_str()
                    )))
                }
            };
            let missing = || not_found(format!("no {} has id {:?}", kind_name::<T>(), id.as_str()));
            graph.get::<T>(&code)?.ok_or_else(missing).map(Some)
        }
        (None, Some(code)) => by_code(graph, &code).map(Some),
        _ => Err(bad_user_input("give exactly one of `id` and `code`")),
    }
}

/// The most suggestions a `NOT_FOUND` for a code carries.
const MAX_SUGGESTIONS: usize = 3;
/// Below this, a code or name is not worth suggesting: one edit in a three-letter ODS code
/// scores 0.67, two score 0.33.
const MIN_SIMILARITY: f64 = 0.6;

/// The record of kind `T` whose code a person typed: the exact code, else the code that
/// differs only in case (spaces around it ignored). Nothing found gives `NOT_FOUND`, with the
/// nearest codes or names in its message and in `extensions.suggestions` (`[{code, name}]`).
pub(crate) fn by_code<T: Stored>(graph: &Graph, typed: &str) -> Result<Arc<T>> {
    // Codes have no spaces; a pasted one often has some around it.
    let typed = typed.trim();
    // Point reads first: the code as typed, then in the two cases codes are written in (ODS
    // codes upper, slugs lower). Only a miss pays for listing the kind.
    for spelling in [typed.to_owned(), typed.to_uppercase(), typed.to_lowercase()] {
        if let Ok(code) = Code::parse(&spelling) {
            if let Some(record) = graph.get::<T>(&code)? {
                return Ok(record);
            }
        }
    }
    let all = graph.all::<T>()?;
    if let Some(record) = all
        .iter()
        .find(|record| record.code().as_str().eq_ignore_ascii_case(typed))
    {
        return Ok(record.clone());
    }
    Err(unknown_code(typed, &all))
}

/// The code of the organisation a filter names (any case), or `NOT_FOUND`.
pub(crate) fn organisation_code(graph: &Graph, typed: Option<&str>) -> Result<Option<Code>> {
    typed
        .map(|typed| Ok(by_code::<domain::Organisation>(graph, typed)?.code.clone()))
        .transpose()
}

/// `NOT_FOUND` for a code of kind `T` that matches none of `records`, suggesting the nearest.
fn unknown_code<T: Stored>(typed: &str, records: &[Arc<T>]) -> async_graphql::Error {
    let candidates = records
        .iter()
        .map(|record| (record.code().as_str(), record.name()));
    let nearest: Vec<&T> = nearest(typed, candidates)
        .into_iter()
        .map(|position| records[position].as_ref())
        .collect();
    let mut message = format!("no {} has code {typed:?}", kind_name::<T>());
    if !nearest.is_empty() {
        let named: Vec<String> = nearest
            .iter()
            .map(|record| format!("{} ({})", record.code(), record.name()))
            .collect();
        message.push_str("; did you mean ");
        message.push_str(&or_list(&named));
        message.push('?');
    }
    let suggestions: Vec<async_graphql::Value> = nearest
        .iter()
        .map(|record| {
            let mut suggestion = async_graphql::indexmap::IndexMap::new();
            suggestion.insert(
                async_graphql::Name::new("code"),
                async_graphql::Value::from(record.code().as_str()),
            );
            suggestion.insert(
                async_graphql::Name::new("name"),
                async_graphql::Value::from(record.name()),
            );
            async_graphql::Value::Object(suggestion)
        })
        .collect();
    not_found(message).extend_with(move |_, extensions| {
        extensions.set(
            "suggestions",
            async_graphql::Value::List(suggestions.clone()),
        );
    })
}

/// The positions of the `(code, name)` candidates nearest to `typed`, best first, at most
/// [`MAX_SUGGESTIONS`]: codes by edit distance (a typo, a swapped pair), names by containing
/// the text or by Jaro-Winkler similarity (a name typed where a code was expected).
fn nearest<'a>(typed: &str, candidates: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<usize> {
    /// Names are long and share words ("NHS", "Trust"): only a close one counts.
    const MIN_NAME_SIMILARITY: f64 = 0.85;
    let typed = typed.trim().to_lowercase();
    let compare_names = typed.chars().count() >= 4;
    let similarity = |code: &str, name: &str| {
        let by_code = similarity_of_codes(&typed, &code.to_lowercase());
        let by_name = if compare_names {
            let name = name.to_lowercase();
            if name.contains(&typed) {
                0.95
            } else {
                Some(strsim::jaro_winkler(&typed, &name))
                    .filter(|similarity| *similarity >= MIN_NAME_SIMILARITY)
                    .unwrap_or(0.0)
            }
        } else {
            0.0
        };
        by_code.max(by_name)
    };
    let mut scored: Vec<(f64, f64, &str, usize)> = candidates
        .enumerate()
        .map(|(position, (code, name))| (similarity(code, name), code, position))
        .filter(|(score, _, _)| *score >= MIN_SIMILARITY)
        .map(|(score, code, position)| {
            // Among codes as many edits away, the one that shares the typed start reads as
            // the likelier typo (QWX: QWE before QNX).
            let shared_start = strsim::jaro_winkler(&typed, &code.to_lowercase());
            (score, shared_start, code, position)
        })
        .collect();
    scored.sort_by(|(a, a_start, a_code, _), (b, b_start, b_code, _)| {
        b.total_cmp(a)
            .then_with(|| b_start.total_cmp(a_start))
            .then_with(|| a_code.cmp(b_code))
    });
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, _, _, position)| position)
        .collect()
}

/// 1 for equal codes, down to 0: one minus the edits (insertions, deletions, substitutions
/// and swaps of neighbours: optimal string alignment) per character of the longer. Codes whose
/// lengths alone put them below [`MIN_SIMILARITY`] are not compared, so that a miss over a
/// kind of thousands of records costs little.
fn similarity_of_codes(typed: &str, code: &str) -> f64 {
    let (typed_length, code_length) = (typed.chars().count(), code.chars().count());
    let longer = typed_length.max(code_length).max(1) as f64;
    let at_best = 1.0 - typed_length.abs_diff(code_length) as f64 / longer;
    if at_best < MIN_SIMILARITY {
        return 0.0;
    }
    1.0 - strsim::osa_distance(typed, code) as f64 / longer
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

pub(crate) fn kind_name<T: Stored>() -> String {
    T::KIND.type_name().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANDIDATES: [(&str, &str); 6] = [
        ("QNX", "NHS Sussex ICB"),
        ("QWE", "NHS South West London ICB"),
        ("QKK", "NHS South East London ICB"),
        ("RJ1", "Guy's and St Thomas' NHS Foundation Trust"),
        ("nye-bevan", "Nye Bevan Programme"),
        ("ZZZ", "Elsewhere"),
    ];

    fn suggested(typed: &str) -> Vec<&'static str> {
        nearest(typed, CANDIDATES.into_iter())
            .into_iter()
            .map(|position| CANDIDATES[position].0)
            .collect()
    }

    #[test]
    fn a_mistyped_code_suggests_the_codes_one_edit_away() {
        assert_eq!(suggested("QWX"), ["QWE", "QNX"]);
        assert_eq!(suggested("RJ2"), ["RJ1"]);
        assert_eq!(suggested("nye-bevn"), ["nye-bevan"]);
    }

    #[test]
    fn a_name_typed_as_a_code_suggests_the_records_so_named() {
        assert_eq!(suggested("nye bevan"), ["nye-bevan"]);
        assert_eq!(suggested("guy's and st thomas"), ["RJ1"]);
    }

    #[test]
    fn nothing_near_suggests_nothing() {
        assert!(suggested("X9Q4").is_empty());
        assert!(suggested("ambulance").is_empty());
    }

    #[test]
    fn suggestions_read_as_an_english_list() {
        let items = ["a", "b", "c"].map(String::from);
        assert_eq!(or_list(&items[..1]), "a");
        assert_eq!(or_list(&items[..2]), "a or b");
        assert_eq!(or_list(&items), "a, b or c");
    }
}
