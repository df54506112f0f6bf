//! The response cache in front of the GraphQL pipeline: the bytes of whole answers.
//!
//! The response cache maps (how the request arrived, its raw bytes, the negotiated media
//! type, the store's data version) to the exact bytes of a successful answer. The data
//! version is part of the key, so a write or a reseed (which bumps it) makes every older
//! entry unreachable; moka then evicts them as they age out of the byte budget. Only answers
//! the pipeline marks cacheable are stored: whole successes of queries for anonymous callers.
//! (Parsed documents are cached by the pipeline itself, in `graphql/documents.rs`.)

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

use crate::error_code::MediaType;

/// How the GraphQL parameters arrived: a POST's raw body and a GET's raw query string are
/// never compared with each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Origin {
    Get,
    Post,
}

/// What identifies a cached response: the request, and everything else its answer depends on
/// for an anonymous caller. Answers default to "as of today" (`asOf`), so the UTC day is part
/// of the key: a validity date passing at midnight cannot be hidden by yesterday's entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    data_version: u64,
    day: u64,
    media_type: MediaType,
    origin: Origin,
    request: Bytes,
}

impl Key {
    pub(super) fn new(
        origin: Origin,
        request: Bytes,
        media_type: MediaType,
        data_version: u64,
        day: u64,
    ) -> Self {
        Self {
            data_version,
            day,
            media_type,
            origin,
            request,
        }
    }

    /// The HTTP entity tag of the answer to this key: the same for the same request, media
    /// type, data version and day, across restarts (a fixed-seed hash), so a client's
    /// `If-None-Match` stays valid until the data or the day changes.
    pub(super) fn etag(&self) -> String {
        use std::hash::BuildHasher;
        let hash = foldhash::quality::FixedState::with_seed(ETAG_SEED).hash_one(self);
        format!("\"{:x}.{:x}.{hash:016x}\"", self.data_version, self.day)
    }
}

/// Seeds the entity-tag hash; changing it changes every tag (harmless: one refetch).
const ETAG_SEED: u64 = 0x6e68_735f_6772_6170;

/// The UTC day number (days since 1970-01-01), as the cache keys use it.
pub(super) fn today() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() / 86_400)
}

/// A response cache bounded by bytes (request bytes plus body bytes per entry).
pub(super) struct ResponseCache {
    responses: moka::sync::Cache<Key, Bytes, foldhash::fast::RandomState>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Counters for `/health`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Stats {
    pub(super) hits: u64,
    pub(super) misses: u64,
    pub(super) entries: u64,
    pub(super) weighted_size: u64,
}

impl ResponseCache {
    /// A cache holding at most `capacity_bytes`; `None` when that is 0 (caching disabled).
    pub(super) fn new(capacity_bytes: u64) -> Option<Self> {
        if capacity_bytes == 0 {
            return None;
        }
        let responses = moka::sync::Cache::builder()
            .max_capacity(capacity_bytes)
            .weigher(|key: &Key, body: &Bytes| {
                u32::try_from(key.request.len() + body.len()).unwrap_or(u32::MAX)
            })
            // Keys hold whole request bodies (10 KB and more): foldhash hashes them several
            // times faster than the default SipHash, and HashDoS does not apply to a
            // cache whose keys are salted per process and whose size is bounded.
            .build_with_hasher(foldhash::fast::RandomState::default());
        Some(Self {
            responses,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        })
    }

    /// The cached body for `key`, counting a hit or a miss.
    pub(super) fn get(&self, key: &Key) -> Option<Bytes> {
        let found = self.responses.get(key);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores `body` for `key`. The stored key holds its own copy of the request bytes: a
    /// body read in one piece is a view into the connection's read buffer, and keeping that
    /// view would pin the whole buffer, unweighed, for as long as the entry lives.
    pub(super) fn insert(&self, mut key: Key, body: Bytes) {
        key.request = Bytes::copy_from_slice(&key.request);
        self.responses.insert(key, body);
    }

    pub(super) fn stats(&self) -> Stats {
        self.responses.run_pending_tasks();
        Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.responses.entry_count(),
            weighted_size: self.responses.weighted_size(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_key_does_not_pin_the_buffer_its_request_was_read_into() {
        let cache = ResponseCache::new(1 << 20).unwrap();
        let read_buffer = Bytes::from(vec![b'x'; 64 * 1024]);
        let request = read_buffer.slice(..100);
        cache.insert(
            Key::new(Origin::Post, request, MediaType::Json, 1, 1),
            Bytes::from_static(b"{}"),
        );
        let pinned = read_buffer.as_ptr_range();
        let keys: Vec<_> = cache.responses.iter().map(|(key, _)| key).collect();
        assert_eq!(keys.len(), 1);
        assert!(!pinned.contains(&keys[0].request.as_ptr()));
    }

    fn key(data_version: u64, media_type: MediaType) -> Key {
        Key::new(
            Origin::Post,
            Bytes::from_static(br#"{"query":"{ __typename }"}"#),
            media_type,
            data_version,
            20_000,
        )
    }

    #[test]
    fn a_new_data_version_does_not_see_older_entries() {
        let cache = ResponseCache::new(1024 * 1024).unwrap();
        cache.insert(key(1, MediaType::Json), Bytes::from_static(b"v1"));
        assert_eq!(
            cache.get(&key(1, MediaType::Json)),
            Some(Bytes::from_static(b"v1"))
        );
        assert_eq!(cache.get(&key(2, MediaType::Json)), None);
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses), (1, 1));
    }

    #[test]
    fn media_types_and_origins_do_not_share_entries() {
        let cache = ResponseCache::new(1024 * 1024).unwrap();
        cache.insert(key(1, MediaType::Json), Bytes::from_static(b"json"));
        assert_eq!(cache.get(&key(1, MediaType::GraphqlResponse)), None);
        let mut via_get = key(1, MediaType::Json);
        via_get.origin = Origin::Get;
        assert_eq!(cache.get(&via_get), None);
    }

    #[test]
    fn entity_tags_follow_the_data_version_and_the_day() {
        let tag = key(1, MediaType::Json).etag();
        assert_eq!(
            tag,
            key(1, MediaType::Json).etag(),
            "stable for the same key"
        );
        assert_ne!(tag, key(2, MediaType::Json).etag());
        assert_ne!(tag, key(1, MediaType::GraphqlResponse).etag());
        let mut tomorrow = key(1, MediaType::Json);
        tomorrow.day += 1;
        assert_ne!(tag, tomorrow.etag());
        assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    }

    #[test]
    fn zero_capacity_disables_caching() {
        assert!(ResponseCache::new(0).is_none());
    }

    #[test]
    fn weight_is_request_plus_body_bytes() {
        let cache = ResponseCache::new(1024 * 1024).unwrap();
        let key = key(1, MediaType::Json);
        let request_len = key.request.len() as u64;
        cache.insert(key, Bytes::from_static(b"0123456789"));
        assert_eq!(cache.stats().weighted_size, request_len + 10);
    }
}
