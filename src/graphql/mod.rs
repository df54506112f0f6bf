//! The GraphQL schema: types, resolvers, and [`Api`], which builds the schema with its
//! limits and runs the one request pipeline (`pipeline.rs`). It can be built and queried
//! without a socket (`Api::execute`), so HTTP and MCP stay thin adapters.
//!
//! Invariant: `graphql` knows nothing about HTTP or poem, and never touches sled: it reads
//! through `store::Store`, and maps every store error to a masked `INTERNAL` error.

mod answer;
pub mod auth;
mod connection;
mod cost;
mod data;
mod documents;
mod errors;
mod ids;
pub mod limits;
mod lookup;
mod mutation;
mod pipeline;
mod query;
mod scalars;
mod search;
mod service;
mod types;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema, ValidationMode};

use crate::publish::Publisher;
use crate::search::SearchIndex;
use crate::store::Store;

pub use crate::operators::{
    parse_expiry, parse_kind, Expiry, IssuedKey, KeyListing, KeyRequest, KeyView, NewKey,
    NewPartner, Onboarded, OperatorError, PartnerRequest, PartnerView,
};
pub use crate::publish::MAX_BULK_COURSES;
pub use auth::Caller;
pub(crate) use pipeline::operation_type;
pub use pipeline::{Answer, Method, Outcome, RawRequest};
pub use service::{AdminError, BackendStatus, Backup, BackupError, Readiness};

/// The served schema.
type AppSchema = Schema<query::Query, mutation::Mutation, EmptySubscription>;

/// Maximum query depth. The playground's own introspection query needs 13.
pub const MAX_DEPTH: usize = 16;
/// Maximum query complexity (roughly, fields resolved).
pub const MAX_COMPLEXITY: usize = 20_000;
/// Parser recursion limit, against deeply nested input.
pub const MAX_RECURSIVE_DEPTH: usize = 32;

/// What `__schema { description }` answers: the API's own summary, for codegen headers.
pub const SCHEMA_DESCRIPTION: &str = "The NHS leadership knowledge graph: organisations, \
roles, posts, programmes, courses and the knowledge around them, each record with its sources.";

/// The GraphQL API: the served schema, the twin that validates strictly and stops there (to
/// refuse invalid requests and report each valid one's cost; see `cost.rs` for why not an
/// extension on the served schema), the document cache and the persisted queries. The
/// request pipeline ([`Api::execute`], `pipeline.rs`) runs every request through them; the
/// served schema executes only what the twin accepted, so its own validation is the fast
/// mode. It is also the transports' one door to the data (`service.rs`).
#[derive(Clone)]
pub struct Api(Arc<Inner>);

struct Inner {
    schema: AppSchema,
    costing: AppSchema,
    documents: documents::Documents,
    persisted: documents::PersistedQueries,
    graph: data::Graph,
    search_index: Arc<SearchIndex>,
    /// Partner writes; its write lock also keeps writes out of a backup.
    publisher: Arc<Publisher>,
    /// The operator's keys and partner organisations (the admin API).
    operators: crate::operators::Operators,
}

impl Api {
    /// Builds the schema over `store` and its search index, with every limit set here, once.
    /// Up to `document_cache_entries` parsed queries (and the costs of their accepted
    /// requests) are kept, so that a request seen before is neither parsed nor validated
    /// strictly again (0 keeps none).
    pub fn new(
        store: Arc<Store>,
        search_index: Arc<SearchIndex>,
        document_cache_entries: u64,
    ) -> Self {
        let publisher = Arc::new(Publisher::new(store.clone(), Some(search_index.clone())));
        let operators = crate::operators::Operators::new(store.clone(), Some(search_index.clone()));
        let graph = data::Graph { store };
        // Every request the served schema sees has passed the twin's strict validation
        // (same registry, document, operation and variables), so it only recomputes what
        // execution needs (complexity, depth, cache control) instead of every rule again.
        let schema = schema_builder()
            .limit_depth(MAX_DEPTH)
            .limit_complexity(MAX_COMPLEXITY)
            .validation_mode(ValidationMode::Fast)
            .data(graph.clone())
            .data(search_index.clone())
            .data(publisher.clone())
            .finish();
        // Validation reads no data: the twin needs none, and it never executes. It has no
        // depth or complexity limit: the pipeline compares its numbers with them.
        let costing = schema_builder().extension(cost::CostOnly).finish();
        Self(Arc::new(Inner {
            schema,
            costing,
            documents: documents::Documents::new(document_cache_entries),
            persisted: documents::PersistedQueries::new(),
            graph,
            search_index,
            publisher,
            operators,
        }))
    }
}

/// The SDL of the served schema (what `export-schema` prints and `schema/schema.graphql` holds).
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

fn schema_builder(
) -> async_graphql::SchemaBuilder<query::Query, mutation::Mutation, EmptySubscription> {
    Schema::build(query::Query, mutation::Mutation, EmptySubscription)
        .limit_recursive_depth(MAX_RECURSIVE_DEPTH)
}
