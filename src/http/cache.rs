//! Caches in front of GraphQL execution: whole responses, and parsed query documents.
//!
//! The response cache maps (how the request arrived, its raw bytes, the negotiated media
//! type, the store's data version) to the exact bytes of a successful answer. The data
//! version is part of the key, so a write or a reseed (which bumps it) makes every older
//! entry unreachable; moka then evicts them as they age out of the byte budget. Only answers
//! with status 200, no `errors` and a `query` operation are stored (see `graphql.rs`).
//!
//! The document cache maps a query's text to its parsed `ExecutableDocument`, so a query
//! the cache has seen skips parsing even when its response is not cached (for example other
//! variables).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use bytes::Bytes;

use super::graphql::MediaType;

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

/// Parsed documents of queries up to [`DocumentCache::MAX_QUERY_BYTES`], bounded by count.
pub(super) struct DocumentCache {
    documents: moka::sync::Cache<Arc<str>, Arc<ExecutableDocument>>,
}

impl DocumentCache {
    /// Longer queries are parsed every time: they are rarely repeated verbatim.
    const MAX_QUERY_BYTES: usize = 8 * 1024;

    /// A cache of at most `entries` documents; `None` when that is 0 (caching disabled).
    pub(super) fn new(entries: u64) -> Option<Self> {
        (entries > 0).then(|| Self {
            documents: moka::sync::Cache::new(entries),
        })
    }

    /// The parsed document of `query`, from the cache or freshly parsed.
    pub(super) fn parse(
        &self,
        query: &str,
    ) -> async_graphql::parser::Result<Arc<ExecutableDocument>> {
        if query.len() > Self::MAX_QUERY_BYTES {
            return async_graphql::parser::parse_query(query).map(Arc::new);
        }
        if let Some(document) = self.documents.get(query) {
            return Ok(document);
        }
        let document = Arc::new(async_graphql::parser::parse_query(query)?);
        self.documents.insert(Arc::from(query), document.clone());
        Ok(document)
    }
}

/// Automatic persisted queries: query texts by their SHA-256, registered by clients that sent
/// both, so that later requests (GET URLs especially) may send the hash alone. Bounded by the
/// bytes of the texts; an evicted hash is simply registered again by the client.
pub(super) struct PersistedQueries {
    queries: moka::sync::Cache<[u8; 32], Arc<str>>,
}

impl PersistedQueries {
    /// At most this many bytes of query text.
    const CAPACITY_BYTES: u64 = 16 * 1024 * 1024;

    pub(super) fn new() -> Self {
        Self {
            queries: moka::sync::Cache::builder()
                .max_capacity(Self::CAPACITY_BYTES)
                .weigher(|_hash: &[u8; 32], query: &Arc<str>| {
                    u32::try_from(query.len()).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }

    pub(super) fn get(&self, hash: &[u8; 32]) -> Option<Arc<str>> {
        self.queries.get(hash)
    }

    /// Registers `query` under `hash` if it is the query's SHA-256; `false` if it is not.
    pub(super) fn register(&self, hash: [u8; 32], query: &str) -> bool {
        use sha2::Digest;
        if sha2::Sha256::digest(query.as_bytes()).as_slice() != hash {
            return false;
        }
        if !self.queries.contains_key(&hash) {
            self.queries.insert(hash, Arc::from(query));
        }
        true
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
    fn a_persisted_query_is_registered_only_under_its_own_hash() {
        use sha2::Digest;
        let queries = PersistedQueries::new();
        let query = "{ __typename }";
        let hash: [u8; 32] = sha2::Sha256::digest(query).into();

        assert!(!queries.register([0; 32], query));
        assert_eq!(queries.get(&[0; 32]), None);
        assert!(queries.register(hash, query));
        assert_eq!(queries.get(&hash).as_deref(), Some(query));
    }

    #[test]
    fn zero_capacity_disables_caching() {
        assert!(ResponseCache::new(0).is_none());
        assert!(DocumentCache::new(0).is_none());
    }

    #[test]
    fn weight_is_request_plus_body_bytes() {
        let cache = ResponseCache::new(1024 * 1024).unwrap();
        let key = key(1, MediaType::Json);
        let request_len = key.request.len() as u64;
        cache.insert(key, Bytes::from_static(b"0123456789"));
        assert_eq!(cache.stats().weighted_size, request_len + 10);
    }

    #[test]
    fn documents_are_parsed_once() {
        let cache = DocumentCache::new(10).unwrap();
        let first = cache.parse("{ __typename }").unwrap();
        let second = cache.parse("{ __typename }").unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert!(cache.parse("{ broken").is_err());
    }
}
