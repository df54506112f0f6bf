//! What the pipeline remembers about query texts: one cache, keyed by the text, holding each
//! parsed document with its limit verdict and the costs of the requests validation accepted
//! with it; and the automatic persisted queries (texts by their SHA-256).
//!
//! A query seen before therefore skips parsing, the limit walk and, for the same operation
//! and variable values, strict validation. Nothing here depends on the data or the caller,
//! so nothing here is invalidated by a write.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition};
use async_graphql::{Positioned, Variables};

use super::limits::{self, LimitError};

/// A parsed query, what the limits said of it, and the costs of its accepted requests.
pub(crate) struct Document {
    pub(crate) parsed: ExecutableDocument,
    pub(crate) limits: Result<(), LimitError>,
    costs: Mutex<HashMap<CostKey, Cost>>,
}

/// What validation computed for an accepted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cost {
    /// async-graphql's complexity (each field 1, a connection's children times its page).
    pub(crate) requested: usize,
    /// The deepest nesting of fields.
    pub(crate) depth: usize,
}

/// Validation reads the document, the operation chosen and the values of the variables the
/// document defines, and nothing else (not the data, not the caller), so those are the key.
/// Variables the document does not define cannot change the outcome: a reference to an
/// undefined variable is itself an error, and refusals are never kept.
#[derive(Hash, PartialEq, Eq)]
pub(crate) struct CostKey {
    operation_name: Option<String>,
    /// The defined variables' values, in definition order, as JSON.
    variables: String,
}

impl Document {
    /// The most accepted costs kept per document; more are validated every time.
    const MAX_COSTS: usize = 64;
    /// Variable values longer than this are validated every time.
    const MAX_KEY_BYTES: usize = 8 * 1024;

    fn new(parsed: ExecutableDocument) -> Self {
        Self {
            limits: limits::check(&parsed),
            parsed,
            costs: Mutex::new(HashMap::new()),
        }
    }

    /// The key of a request on this document, or `None` when it is not to be kept.
    pub(crate) fn cost_key(
        &self,
        operation_name: Option<&str>,
        values: &Variables,
    ) -> Option<CostKey> {
        use async_graphql::parser::types::DocumentOperations;
        use std::fmt::Write as _;

        let names: Vec<&async_graphql::Name> = match &self.parsed.operations {
            DocumentOperations::Single(operation) => defined_variables(operation).collect(),
            DocumentOperations::Multiple(operations) => {
                operations.values().flat_map(defined_variables).collect()
            }
        };
        let mut variables = String::new();
        for name in names {
            // `name=value;`, or `name;` when absent: names are GraphQL names (no `=` or `;`),
            // and a JSON value ends where its syntax says, so the encoding is unambiguous.
            let _ = match values.get(name) {
                Some(value) => write!(variables, "{name}={};", serde_json::to_string(value).ok()?),
                None => write!(variables, "{name};"),
            };
            if variables.len() > Self::MAX_KEY_BYTES {
                return None;
            }
        }
        Some(CostKey {
            operation_name: operation_name.map(str::to_owned),
            variables,
        })
    }

    pub(crate) fn cost(&self, key: &CostKey) -> Option<Cost> {
        self.costs.lock().ok()?.get(key).copied()
    }

    pub(crate) fn remember_cost(&self, key: CostKey, cost: Cost) {
        if let Ok(mut costs) = self.costs.lock() {
            if costs.len() < Self::MAX_COSTS {
                costs.insert(key, cost);
            }
        }
    }
}

fn defined_variables(
    operation: &Positioned<OperationDefinition>,
) -> impl Iterator<Item = &async_graphql::Name> + '_ {
    operation
        .node
        .variable_definitions
        .iter()
        .map(|definition| &definition.node.name.node)
}

/// Documents of queries up to [`Documents::MAX_QUERY_BYTES`], bounded by count.
pub(crate) struct Documents {
    /// `None` when disabled (0 entries): every request is parsed and validated in full.
    documents: Option<moka::sync::Cache<Arc<str>, Arc<Document>>>,
}

impl Documents {
    /// Longer queries are parsed every time: they are rarely repeated verbatim.
    const MAX_QUERY_BYTES: usize = 8 * 1024;

    /// A cache of at most `entries` documents (0 disables it).
    pub(crate) fn new(entries: u64) -> Self {
        Self {
            documents: (entries > 0).then(|| moka::sync::Cache::new(entries)),
        }
    }

    /// The document of `query`, from the cache or freshly parsed (and checked).
    pub(crate) fn parse(&self, query: &str) -> async_graphql::parser::Result<Arc<Document>> {
        let parse = || {
            async_graphql::parser::parse_query(query).map(|parsed| Arc::new(Document::new(parsed)))
        };
        let Some(documents) = self
            .documents
            .as_ref()
            .filter(|_| query.len() <= Self::MAX_QUERY_BYTES)
        else {
            return parse();
        };
        if let Some(document) = documents.get(query) {
            return Ok(document);
        }
        let document = parse()?;
        documents.insert(Arc::from(query), document.clone());
        Ok(document)
    }
}

/// Automatic persisted queries: query texts by their SHA-256, registered by clients that sent
/// both, so that later requests (GET URLs especially) may send the hash alone. Bounded by the
/// bytes of the texts; an evicted hash is simply registered again by the client.
pub(crate) struct PersistedQueries {
    queries: moka::sync::Cache<[u8; 32], Arc<str>>,
}

impl PersistedQueries {
    /// At most this many bytes of query text.
    const CAPACITY_BYTES: u64 = 16 * 1024 * 1024;

    pub(crate) fn new() -> Self {
        Self {
            queries: moka::sync::Cache::builder()
                .max_capacity(Self::CAPACITY_BYTES)
                .weigher(|_hash: &[u8; 32], query: &Arc<str>| {
                    u32::try_from(query.len()).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }

    pub(crate) fn get(&self, hash: &[u8; 32]) -> Option<Arc<str>> {
        self.queries.get(hash)
    }

    /// Registers `query` under `hash` if it is the query's SHA-256; `false` if it is not.
    pub(crate) fn register(&self, hash: [u8; 32], query: &str) -> bool {
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
    use serde_json::json;

    use super::*;

    const QUERY: &str = "query A($size: Int) { roles(first: $size) { name } } \
                         query B { roles { name } }";

    fn key(operation: &str, variables: serde_json::Value) -> CostKey {
        let document = Documents::new(10).parse(QUERY).expect("the query parses");
        document
            .cost_key(Some(operation), &Variables::from_json(variables))
            .expect("short variables have a key")
    }

    #[test]
    fn the_cost_key_is_the_operation_and_the_defined_variables() {
        let base = key("A", json!({ "size": 2 }));

        assert!(
            base == key("A", json!({ "size": 2, "other": [1, 2] })),
            "undefined variables are not read"
        );
        assert!(
            base != key("A", json!({ "size": 3 })),
            "a defined variable's value is read"
        );
        assert!(base != key("A", json!({})), "so is its absence");
        assert!(
            base != key("B", json!({ "size": 2 })),
            "the operation is part of the key"
        );
    }

    #[test]
    fn documents_are_parsed_once_and_unparsable_ones_not_kept() {
        let documents = Documents::new(10);
        let first = documents.parse("{ __typename }").unwrap();
        let second = documents.parse("{ __typename }").unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert!(documents.parse("{ broken").is_err());
    }

    #[test]
    fn a_disabled_cache_parses_every_time() {
        let documents = Documents::new(0);
        let first = documents.parse("{ __typename }").unwrap();
        let second = documents.parse("{ __typename }").unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
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
}
