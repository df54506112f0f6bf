//! Pre-execution limits that async-graphql cannot enforce by itself.
//!
//! async-graphql 7 re-expands a named fragment at every use, synchronously, in its recursion
//! check, its validation visitors and its executor, before any of its own limits apply: a
//! one-kilobyte query of nested fragment spreads (`fragment A { ...B ...B }`, `fragment B
//! { ...C ...C }`, ...) expands to millions of selections and burns seconds of CPU that no
//! timeout can interrupt. [`check`] measures the expanded size of the parsed document once,
//! memoising each fragment's size (as Apollo Router does), so its cost is linear in the text,
//! and refuses the query before anything expands it.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::Name;

use super::{MAX_DEPTH, MAX_RECURSIVE_DEPTH};

/// The most selections a query may expand to, fragments inlined. GraphiQL's introspection
/// query expands to about 400; the README's nested ICB query to 15.
pub const MAX_EXPANDED_SELECTIONS: u64 = 10_000;

/// The most fields an operation may select at its root (aliases included).
pub const MAX_ROOT_FIELDS: u64 = 50;

/// Why a query was refused before execution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("the query expands to more than {MAX_EXPANDED_SELECTIONS} selections once its fragments are inlined")]
    TooManySelections,
    #[error("the query selects more than {MAX_ROOT_FIELDS} root fields")]
    TooManyRootFields,
    #[error("fragment {0:?} spreads itself")]
    FragmentCycle(String),
    #[error("the query nests selections more than {MAX_RECURSIVE_DEPTH} levels deep; nest less")]
    TooDeep,
    #[error("the query nests fields {0} levels deep against a limit of {MAX_DEPTH}: nest less, or fetch the inner records with a second query by id")]
    FieldsTooDeep(usize),
}

/// Checks every operation of `document` against the limits above.
pub fn check(document: &ExecutableDocument) -> Result<(), LimitError> {
    let mut sizes = Sizes {
        document,
        memo: HashMap::new(),
        visiting: Vec::new(),
    };
    for (_, operation) in document.operations.iter() {
        let selection_set = &operation.node.selection_set.node;
        if sizes.selection_set(selection_set)? > MAX_EXPANDED_SELECTIONS {
            return Err(LimitError::TooManySelections);
        }
        if sizes.root_fields(selection_set)? > MAX_ROOT_FIELDS {
            return Err(LimitError::TooManyRootFields);
        }
        if !within_recursive_depth(document, selection_set, 0) {
            return Err(LimitError::TooDeep);
        }
        let depth = field_depth(document, selection_set);
        if depth > MAX_DEPTH {
            return Err(LimitError::FieldsTooDeep(depth));
        }
    }
    Ok(())
}

/// The deepest nesting of fields, fragments inlined, as async-graphql's validation counts
/// it (a root field is depth 1). Checked here, before validation, so that a query too deep
/// is refused as such even when it is also invalid, as async-graphql itself does.
fn field_depth(document: &ExecutableDocument, set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(field) => 1 + field_depth(document, &field.node.selection_set.node),
            Selection::InlineFragment(fragment) => {
                field_depth(document, &fragment.node.selection_set.node)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |fragment| {
                    field_depth(document, &fragment.node.selection_set.node)
                }),
        })
        .max()
        .unwrap_or(0)
}

/// async-graphql's own recursion check, done here so that its refusal is typed: a field
/// with a selection, an inline fragment and a fragment spread each count one level. Bounded
/// because it runs after the size check, which refuses cycles and large expansions.
fn within_recursive_depth(document: &ExecutableDocument, set: &SelectionSet, depth: usize) -> bool {
    if depth > MAX_RECURSIVE_DEPTH {
        return false;
    }
    set.items.iter().all(|selection| match &selection.node {
        Selection::Field(field) => {
            let inner = &field.node.selection_set.node;
            inner.items.is_empty() || within_recursive_depth(document, inner, depth + 1)
        }
        Selection::InlineFragment(fragment) => {
            within_recursive_depth(document, &fragment.node.selection_set.node, depth + 1)
        }
        Selection::FragmentSpread(spread) => document
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_none_or(|fragment| {
                within_recursive_depth(document, &fragment.node.selection_set.node, depth + 1)
            }),
    })
}

struct Sizes<'a> {
    document: &'a ExecutableDocument,
    /// Expanded size of each fragment already measured.
    memo: HashMap<Name, u64>,
    /// Fragments being measured, to detect cycles.
    visiting: Vec<Name>,
}

impl Sizes<'_> {
    /// Selections in `set` with every fragment inlined; saturates rather than overflows.
    fn selection_set(&mut self, set: &SelectionSet) -> Result<u64, LimitError> {
        let mut total: u64 = 0;
        for selection in &set.items {
            let size = match &selection.node {
                Selection::Field(field) => {
                    1 + self.selection_set(&field.node.selection_set.node)?
                }
                Selection::InlineFragment(fragment) => {
                    self.selection_set(&fragment.node.selection_set.node)?
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node)?
                }
            };
            total = total.saturating_add(size);
            if total > MAX_EXPANDED_SELECTIONS {
                return Ok(total);
            }
        }
        Ok(total)
    }

    /// Root fields of `set`, looking through fragments (bounded: the size check ran first).
    fn root_fields(&mut self, set: &SelectionSet) -> Result<u64, LimitError> {
        let mut total: u64 = 0;
        for selection in &set.items {
            total = total.saturating_add(match &selection.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(fragment) => {
                    self.root_fields(&fragment.node.selection_set.node)?
                }
                Selection::FragmentSpread(spread) => {
                    match self.document.fragments.get(&spread.node.fragment_name.node) {
                        Some(fragment) => self.root_fields(&fragment.node.selection_set.node)?,
                        None => 0,
                    }
                }
            });
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &Name) -> Result<u64, LimitError> {
        if let Some(size) = self.memo.get(name) {
            return Ok(*size);
        }
        if self.visiting.contains(name) {
            return Err(LimitError::FragmentCycle(name.to_string()));
        }
        // An unknown fragment is for validation to report; it expands to nothing here.
        let Some(fragment) = self.document.fragments.get(name) else {
            return Ok(0);
        };
        self.visiting.push(name.clone());
        let size = self.selection_set(&fragment.node.selection_set.node);
        self.visiting.pop();
        let size = size?;
        self.memo.insert(name.clone(), size);
        Ok(size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn check_text(query: &str) -> Result<(), LimitError> {
        check(&parse_query(query).expect("the test query parses"))
    }

    /// `levels` fragments, each spreading the next `width` times: expands to width^levels.
    fn fan_out(levels: usize, width: usize) -> String {
        let mut query = String::from("{ roles { ...F0 } }\n");
        for level in 0..levels {
            let spreads = format!(" ...F{}", level + 1).repeat(width);
            query.push_str(&format!("fragment F{level} on Role {{ name{spreads} }}\n"));
        }
        query.push_str(&format!("fragment F{levels} on Role {{ code }}\n"));
        query
    }

    #[test]
    fn an_ordinary_nested_query_passes() {
        let query = r#"{ organisation(code: "QWE") { name children(kind: TRUST) { edges { node { posts { role { programmes { name } } } } } } } }"#;
        assert_eq!(check_text(query), Ok(()));
    }

    #[test]
    fn nested_fragment_spreads_are_refused_without_expanding_them() {
        // 2^40 selections once inlined: measured in microseconds thanks to the memo.
        assert_eq!(
            check_text(&fan_out(40, 2)),
            Err(LimitError::TooManySelections)
        );
        assert_eq!(check_text(&fan_out(3, 2)), Ok(()));
    }

    #[test]
    fn a_fragment_cycle_is_refused_not_followed_forever() {
        let query =
            "{ roles { ...A } } fragment A on Role { name ...B } fragment B on Role { ...A }";
        assert!(matches!(
            check_text(query),
            Err(LimitError::FragmentCycle(_))
        ));
    }

    #[test]
    fn selections_nested_past_the_recursion_limit_are_refused() {
        let fields = |levels: usize| format!("{}{}", "{ roles ".repeat(levels), "}".repeat(levels));
        assert_eq!(check_text(&fields(16)), Ok(()));
        assert_eq!(check_text(&fields(17)), Err(LimitError::FieldsTooDeep(17)));
        // A chain of fragment spreads nests without deepening fields.
        let spreads = |levels: usize| {
            let mut query = String::from("{ roles { ...F1 } }");
            for level in 1..levels {
                query.push_str(&format!(
                    " fragment F{level} on Role {{ ...F{} }}",
                    level + 1
                ));
            }
            query + &format!(" fragment F{levels} on Role {{ name }}")
        };
        assert_eq!(check_text(&spreads(31)), Ok(()));
        assert_eq!(check_text(&spreads(32)), Err(LimitError::TooDeep));
    }

    #[test]
    fn ten_thousand_aliases_or_sixty_root_fields_are_refused() {
        let aliases: String = (0..10_000)
            .map(|i| format!(" a{i}: roles {{ name }}"))
            .collect();
        assert_eq!(
            check_text(&format!("{{{aliases} }}")),
            Err(LimitError::TooManySelections)
        );
        let few: String = (0..60).map(|i| format!(" a{i}: __typename")).collect();
        assert_eq!(
            check_text(&format!("{{{few} }}")),
            Err(LimitError::TooManyRootFields)
        );
    }
}
