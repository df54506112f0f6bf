//! Relay cursor connections with `totalCount`, over lists sorted by a stable key.
//!
//! A cursor is the opaque encoding of an item's sort key (its natural key), so pages stay
//! stable when records are added or removed elsewhere in the list. Every connection pages
//! forwards (`first`, `after`) and backwards (`last`, `before`), as the Relay specification
//! has it: the cursors narrow the list, then `first` keeps its start or `last` its end.

use std::ops::Range;

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{OutputType, Result, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::errors::bad_user_input;

/// Page size when a client gives neither `first` nor `last`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 20;
/// The largest `first` or `last` accepted: bounds the work and the answer of one connection.
pub(crate) const MAX_PAGE_SIZE: usize = 100;

/// Fields every connection has besides its edges.
#[derive(Debug, Clone, Copy, SimpleObject)]
pub(crate) struct ConnectionFields {
    /// How many items match, across all pages.
    pub(crate) total_count: usize,
}

pub(crate) type Page<T> = Connection<String, T, ConnectionFields, EmptyFields>;

/// The pagination arguments of one connection field, as the client gave them.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageArgs {
    /// Page size, counted from the start of the window.
    pub(crate) first: Option<i32>,
    /// Cursor after which the window starts.
    pub(crate) after: Option<String>,
    /// Page size, counted back from the end of the window.
    pub(crate) last: Option<i32>,
    /// Cursor before which the window ends.
    pub(crate) before: Option<String>,
}

impl PageArgs {
    /// How many items to take, and from which end of the window: `first` from its start,
    /// `last` from its end. With neither, a default page from the start, or from the end when
    /// only `before` is given (paging backwards).
    fn size(&self) -> Result<PageSize> {
        match (self.first, self.last) {
            (Some(_), Some(_)) => Err(bad_user_input(
                "give `first` (with `after`) to page forwards or `last` (with `before`) to page backwards, not both",
            )),
            (Some(first), None) => Ok(PageSize::First(checked_size("first", first)?)),
            (None, Some(last)) => Ok(PageSize::Last(checked_size("last", last)?)),
            (None, None) if self.before.is_some() && self.after.is_none() => {
                Ok(PageSize::Last(DEFAULT_PAGE_SIZE))
            }
            (None, None) => Ok(PageSize::First(DEFAULT_PAGE_SIZE)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageSize {
    First(usize),
    Last(usize),
}

fn checked_size(name: &str, size: i32) -> Result<usize> {
    let cursor = if name == "first" { "after" } else { "before" };
    match usize::try_from(size) {
        Err(_) => Err(bad_user_input(format!("`{name}` must not be negative"))),
        Ok(size) if size > MAX_PAGE_SIZE => Err(bad_user_input(format!(
            "`{name}` must be at most {MAX_PAGE_SIZE}; page through larger lists with `{cursor}`"
        ))),
        Ok(size) => Ok(size),
    }
}

/// The complexity of a connection field: its page size times its children's, so that
/// `first: 100` nested three deep costs a million, not three hundred (async-graphql's default
/// ignores page size). `last` counts as `first` does. A size over [`MAX_PAGE_SIZE`] counts as
/// the maximum: the resolver refuses it with its own, clearer error.
pub(crate) fn page_complexity(
    first: Option<i32>,
    last: Option<i32>,
    child_complexity: usize,
) -> usize {
    let requested = |size: Option<i32>| size.map(|size| usize::try_from(size).unwrap_or(0));
    let size = match (requested(first), requested(last)) {
        (None, None) => DEFAULT_PAGE_SIZE,
        (first, last) => first.unwrap_or(0).max(last.unwrap_or(0)),
    };
    size.clamp(1, MAX_PAGE_SIZE)
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

/// One page of `items`, which must be sorted by `key`, as `args` ask.
pub(crate) fn paginate<T: OutputType>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    args: PageArgs,
) -> Result<Page<T>> {
    let size = args.size()?;
    let total_count = items.len();
    let after_key = args.after.as_deref().map(decode_cursor).transpose()?;
    let before_key = args.before.as_deref().map(decode_cursor).transpose()?;
    let start = after_key.map_or(0, |after| {
        items.partition_point(|item| key(item).as_str() <= after.as_str())
    });
    let end = before_key.map_or(total_count, |before| {
        items.partition_point(|item| key(item).as_str() < before.as_str())
    });
    let page = page_within(start..end.max(start), size);
    let mut connection = Page::with_additional_fields(
        page.start > 0,
        page.end < total_count,
        ConnectionFields { total_count },
    );
    connection.edges.extend(
        items
            .into_iter()
            .skip(page.start)
            .take(page.len())
            .map(|item| Edge::new(encode_cursor(&key(&item)), item)),
    );
    Ok(connection)
}

/// The positions of a page of `size` within `window`.
fn page_within(window: Range<usize>, size: PageSize) -> Range<usize> {
    match size {
        PageSize::First(first) => window.start..window.end.min(window.start.saturating_add(first)),
        PageSize::Last(last) => window.end.saturating_sub(last).max(window.start)..window.end,
    }
}

/// The ranks (0 is the first) of the page of a ranked list that `args` ask for: lists whose
/// items are expensive to make (search hits) make only these. `total` counts the list; it is
/// called only when the page is counted back from the list's end (`last` without `before`).
pub(crate) fn ranked_page_ranks(
    args: &PageArgs,
    total: impl FnOnce() -> Result<usize>,
) -> Result<Range<usize>> {
    let size = args.size()?;
    let start = match args.after.as_deref() {
        None => 0,
        Some(cursor) => decode_rank(cursor)?.saturating_add(1),
    };
    let end = match args.before.as_deref() {
        Some(cursor) => decode_rank(cursor)?,
        None if matches!(size, PageSize::Last(_)) => total()?,
        // Paging forwards, the page's own size bounds it: no need to count the list.
        None => usize::MAX,
    };
    Ok(page_within(start..end.max(start), size))
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

fn decode_rank(cursor: &str) -> Result<usize> {
    decode_cursor(cursor)?
        .parse::<usize>()
        .map_err(|_| bad_user_input(format!("invalid cursor {cursor:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(page: &Page<String>) -> Vec<String> {
        page.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    fn letters() -> Vec<String> {
        ["a", "b", "c", "d", "e"].map(String::from).to_vec()
    }

    fn forwards(first: i32, after: Option<String>) -> PageArgs {
        PageArgs {
            first: Some(first),
            after,
            ..PageArgs::default()
        }
    }

    fn backwards(last: i32, before: Option<String>) -> PageArgs {
        PageArgs {
            last: Some(last),
            before,
            ..PageArgs::default()
        }
    }

    #[test]
    fn ranked_pages_follow_each_other_by_cursor() {
        let ranked = ["a", "b", "c", "d", "e"].map(String::from);
        let uncounted = || -> Result<usize> { panic!("a forward page needs no count") };
        let ranks = ranked_page_ranks(&forwards(2, None), uncounted).unwrap();
        let first = ranked_page(ranked[ranks.clone()].to_vec(), ranks.start, ranked.len());
        assert_eq!(keys(&first), ["a", "b"]);
        assert!(first.has_next_page && !first.has_previous_page);
        let cursor = first.edges.last().unwrap().cursor.clone();
        let ranks = ranked_page_ranks(&forwards(5, Some(cursor)), uncounted).unwrap();
        assert_eq!(ranks, 2..7);
        let second = ranked_page(ranked[2..].to_vec(), ranks.start, ranked.len());
        assert_eq!(keys(&second), ["c", "d", "e"]);
        assert!(!second.has_next_page && second.has_previous_page);
        assert_eq!(second.additional_fields.total_count, 5);
        let garbled = forwards(1, Some(encode_cursor("not a rank")));
        assert!(ranked_page_ranks(&garbled, uncounted).is_err());
    }

    #[test]
    fn ranked_pages_go_backwards_from_the_end_or_a_cursor() {
        let last_two = ranked_page_ranks(&backwards(2, None), || Ok(5)).unwrap();
        assert_eq!(last_two, 3..5);
        let before_third = backwards(5, Some(encode_cursor("000002")));
        let uncounted = || -> Result<usize> { panic!("`before` bounds the page") };
        assert_eq!(ranked_page_ranks(&before_third, uncounted).unwrap(), 0..2);
    }

    #[test]
    fn pages_follow_each_other_by_cursor() {
        let first = paginate(letters(), |s| s.clone(), forwards(2, None)).unwrap();
        assert_eq!(keys(&first), ["a", "b"]);
        assert!(first.has_next_page && !first.has_previous_page);
        let cursor = first.edges.last().unwrap().cursor.clone();
        let second = paginate(letters(), |s| s.clone(), forwards(2, Some(cursor))).unwrap();
        assert_eq!(keys(&second), ["c", "d"]);
        assert!(second.has_previous_page && second.has_next_page);
    }

    #[test]
    fn pages_go_backwards_from_the_end_then_by_cursor() {
        let last = paginate(letters(), |s| s.clone(), backwards(2, None)).unwrap();
        assert_eq!(keys(&last), ["d", "e"]);
        assert!(last.has_previous_page && !last.has_next_page);
        let cursor = last.edges[0].cursor.clone();
        let previous = paginate(letters(), |s| s.clone(), backwards(2, Some(cursor))).unwrap();
        assert_eq!(keys(&previous), ["b", "c"]);
        assert!(previous.has_previous_page && previous.has_next_page);
        let cursor = previous.edges[0].cursor.clone();
        let start = paginate(letters(), |s| s.clone(), backwards(2, Some(cursor))).unwrap();
        assert_eq!(keys(&start), ["a"]);
        assert!(!start.has_previous_page && start.has_next_page);
    }

    #[test]
    fn after_and_before_together_bound_a_window() {
        let args = PageArgs {
            after: Some(encode_cursor("a")),
            before: Some(encode_cursor("e")),
            ..PageArgs::default()
        };
        let page = paginate(letters(), |s| s.clone(), args).unwrap();
        assert_eq!(keys(&page), ["b", "c", "d"]);
        assert!(page.has_previous_page && page.has_next_page);
        let crossed = PageArgs {
            after: Some(encode_cursor("d")),
            before: Some(encode_cursor("b")),
            ..PageArgs::default()
        };
        assert!(paginate(letters(), |s| s.clone(), crossed)
            .unwrap()
            .edges
            .is_empty());
    }

    #[test]
    fn only_before_pages_backwards_by_default() {
        let items: Vec<String> = (0..30).map(|n| format!("{n:02}")).collect();
        let args = PageArgs {
            before: Some(encode_cursor("25")),
            ..PageArgs::default()
        };
        let page = paginate(items, |s| s.clone(), args).unwrap();
        assert_eq!(page.edges.len(), DEFAULT_PAGE_SIZE);
        assert_eq!(page.edges[0].node, "05");
        assert_eq!(page.edges.last().unwrap().node, "24");
    }

    #[test]
    fn page_size_is_bounded_and_one_directional() {
        let size = |first, last| {
            PageArgs {
                first,
                last,
                ..PageArgs::default()
            }
            .size()
        };
        assert!(size(Some(-1), None).is_err());
        assert!(size(None, Some(-1)).is_err());
        assert!(size(Some(MAX_PAGE_SIZE as i32 + 1), None).is_err());
        assert!(size(None, Some(MAX_PAGE_SIZE as i32 + 1)).is_err());
        assert!(size(Some(1), Some(1)).is_err());
        assert_eq!(
            size(None, None).unwrap(),
            PageSize::First(DEFAULT_PAGE_SIZE)
        );
        assert_eq!(page_complexity(None, Some(100), 2), 201);
        assert_eq!(page_complexity(None, None, 2), 41);
    }
}
