//! Relay cursor connections with `totalCount`, over lists sorted by a stable key.
//!
//! A cursor is the opaque encoding of the last item's sort key (its natural key), so pages
//! stay stable when records are added or removed elsewhere in the list.

use std::ops::Range;

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{OutputType, Result, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::errors::bad_user_input;

/// Page size when a client gives no `first`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 20;
/// The largest `first` accepted: bounds the work and the answer of one connection.
pub(crate) const MAX_PAGE_SIZE: usize = 100;

/// Fields every connection has besides its edges.
#[derive(Debug, Clone, Copy, SimpleObject)]
pub(crate) struct ConnectionFields {
    /// How many items match, across all pages.
    pub(crate) total_count: usize,
}

pub(crate) type Page<T> = Connection<String, T, ConnectionFields, EmptyFields>;

/// The page size a connection will use, checked against [`MAX_PAGE_SIZE`].
pub(crate) fn page_size(first: Option<i32>) -> Result<usize> {
    match first {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(first) if first < 0 => Err(bad_user_input("`first` must not be negative")),
        Some(first) if first as usize > MAX_PAGE_SIZE => Err(bad_user_input(format!(
            "`first` must be at most {MAX_PAGE_SIZE}; page through larger lists with `after`"
        ))),
        Some(first) => Ok(first as usize),
    }
}

/// The complexity of a connection field: its page size times its children's, so that
/// `first: 100` nested three deep costs a million, not three hundred (async-graphql's default
/// ignores page size). A `first` over [`MAX_PAGE_SIZE`] counts as the maximum: the resolver
/// refuses it with its own, clearer error.
pub(crate) fn page_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let size = first.map_or(DEFAULT_PAGE_SIZE, |first| {
        usize::try_from(first).unwrap_or(0)
    });
    size.clamp(1, MAX_PAGE_SIZE)
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

/// One page of `items`, which must be sorted by `key`, starting after the `after` cursor.
pub(crate) fn paginate<T: OutputType>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Page<T>> {
    let size = page_size(first)?;
    let total_count = items.len();
    let after_key = after.as_deref().map(decode_cursor).transpose()?;
    let start = match &after_key {
        Some(after) => items.partition_point(|item| key(item).as_str() <= after.as_str()),
        None => 0,
    };
    let end = start.saturating_add(size).min(items.len());
    let mut connection = Page::with_additional_fields(
        start > 0,
        end < items.len(),
        ConnectionFields { total_count },
    );
    connection.edges.extend(
        items
            .into_iter()
            .skip(start)
            .take(end - start)
            .map(|item| Edge::new(encode_cursor(&key(&item)), item)),
    );
    Ok(connection)
}

/// The ranks (0 is the first) of the page of a ranked list after the `after` cursor: lists
/// whose items are expensive to make (search hits) make only these.
pub(crate) fn ranked_page_ranks(first: Option<i32>, after: Option<&str>) -> Result<Range<usize>> {
    let size = page_size(first)?;
    let start = match after {
        None => 0,
        Some(cursor) => {
            let rank = decode_cursor(cursor)?
                .parse::<usize>()
                .map_err(|_| bad_user_input(format!("invalid cursor {cursor:?}")))?;
            rank.saturating_add(1)
        }
    };
    Ok(start..start.saturating_add(size))
}

/// The page of a ranked list of `total` items whose `items` have the ranks from `start`.
pub(crate) fn ranked_page<T: OutputType>(items: Vec<T>, start: usize, total: usize) -> Page<T> {
    let end = start.saturating_add(items.len());
    let mut connection = Page::with_additional_fields(
        start > 0,
        end < total,
        ConnectionFields { total_count: total },
    );
    connection.edges.extend(
        items
            .into_iter()
            .zip(start..)
            .map(|(item, rank)| Edge::new(encode_cursor(&format!("{rank:06}")), item)),
    );
    connection
}

fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

fn decode_cursor(cursor: &str) -> Result<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| bad_user_input(format!("invalid cursor {cursor:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(page: &Page<String>) -> Vec<String> {
        page.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    #[test]
    fn ranked_pages_follow_each_other_by_cursor() {
        let ranked = ["a", "b", "c", "d", "e"].map(String::from);
        let ranks = ranked_page_ranks(Some(2), None).unwrap();
        let first = ranked_page(ranked[ranks.clone()].to_vec(), ranks.start, ranked.len());
        assert_eq!(keys(&first), ["a", "b"]);
        assert!(first.has_next_page && !first.has_previous_page);
        let cursor = first.edges.last().unwrap().cursor.clone();
        let ranks = ranked_page_ranks(Some(5), Some(&cursor)).unwrap();
        assert_eq!(ranks, 2..7);
        let second = ranked_page(ranked[2..].to_vec(), ranks.start, ranked.len());
        assert_eq!(keys(&second), ["c", "d", "e"]);
        assert!(!second.has_next_page && second.has_previous_page);
        assert_eq!(second.additional_fields.total_count, 5);
        assert!(ranked_page_ranks(None, Some(&encode_cursor("not a rank"))).is_err());
    }

    #[test]
    fn pages_follow_each_other_by_cursor() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let first = paginate(items.clone(), |s| s.clone(), Some(2), None).unwrap();
        assert_eq!(keys(&first), ["a", "b"]);
        assert!(first.has_next_page && !first.has_previous_page);
        let cursor = first.edges.last().unwrap().cursor.clone();
        let second = paginate(items, |s| s.clone(), Some(2), Some(cursor)).unwrap();
        assert_eq!(keys(&second), ["c", "d"]);
        assert!(second.has_previous_page && second.has_next_page);
    }

    #[test]
    fn page_size_is_bounded() {
        assert!(page_size(Some(-1)).is_err());
        assert!(page_size(Some(MAX_PAGE_SIZE as i32 + 1)).is_err());
        assert_eq!(page_size(None).unwrap(), DEFAULT_PAGE_SIZE);
    }
}
