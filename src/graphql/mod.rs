//! The GraphQL schema: types, resolvers, and [`Api`], which builds the schema with its
//! limits and executes requests. It can be built and queried without a socket
//! (`Api::execute`), so the HTTP layer stays a thin adapter.
//!
//! Invariant: `graphql` knows nothing about HTTP or poem, and never touches sled: it reads
//! through `store::Store`, and maps every store error to a masked `INTERNAL` error.

pub mod auth;
mod connection;
mod cost;
mod data;
mod errors;
mod ids;
pub mod limits;
mod mutation;
mod query;
mod scalars;
mod search;
mod types;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema, ValidationMode};

use crate::search::SearchIndex;
use crate::store::Store;

/// The served schema.
type AppSchema = Schema<query::Query, mutation::Mutation, EmptySubscription>;

pub use mutation::MAX_BULK_COURSES;

/// Maximum query depth. The playground's own introspection query needs 13.
pub const MAX_DEPTH: usize = 16;
/// Maximum query complexity (roughly, fields resolved).
pub const MAX_COMPLEXITY: usize = 20_000;
/// Parser recursion limit, against deeply nested input.
pub const MAX_RECURSIVE_DEPTH: usize = 32;

/// Serializes partner writes: every mutation holds it from its first read to its commit, and
/// a backup holds it while it reads the store, so it never sees half a write.
pub(crate) type WriteLock = Arc<tokio::sync::Mutex<()>>;

/// The served schema, and a twin of it that validates strictly and stops there, to refuse
/// invalid requests and report each valid one's cost (`extensions.cost`; see `cost.rs` for
/// why not an extension on the served schema). The served schema executes only what the twin
/// accepted, so its own validation is the fast mode.
#[derive(Clone)]
pub(crate) struct Api {
    schema: AppSchema,
    costing: AppSchema,
    accepted: Option<Arc<cost::AcceptedCosts>>,
}

impl Api {
    /// Builds the schema over `store` and its search index, with every limit set here, once.
    /// `write_lock` is shared with whatever else must not interleave with a write (backups).
    /// The costs of up to `accepted_entries` accepted requests are kept, so that a request
    /// seen before is not validated strictly again (0 keeps none).
    pub(crate) fn new(
        store: Arc<Store>,
        search_index: Arc<SearchIndex>,
        write_lock: WriteLock,
        accepted_entries: u64,
    ) -> Self {
        // Every request the served schema sees has passed the twin's strict validation
        // (same registry, document, operation and variables), so it only recomputes what
        // execution needs (complexity, depth, cache control) instead of every rule again.
        let schema = schema_builder()
            .validation_mode(ValidationMode::Fast)
            .data(data::Graph { store, write_lock })
            .data(search_index)
            .finish();
        // Validation reads no data: the twin needs none, and it never executes.
        let costing = schema_builder().extension(cost::CostOnly).finish();
        let accepted = cost::AcceptedCosts::new(accepted_entries).map(Arc::new);
        Self {
            schema,
            costing,
            accepted,
        }
    }

    /// Validates `request` against the limits and answers there if it is refused (a syntax,
    /// validation or limit error, exactly as the schema would); otherwise executes it, with
    /// `extensions.cost`.
    pub(crate) async fn execute(
        &self,
        mut request: async_graphql::Request,
    ) -> async_graphql::Response {
        let remembered = self
            .accepted
            .as_deref()
            .and_then(|accepted| Some((accepted, cost::AcceptedCosts::key(&mut request)?)));
        let cost = match remembered
            .as_ref()
            .and_then(|(accepted, key)| accepted.get(key))
        {
            Some(cost) => Some(cost),
            None => {
                let cost = match self.validate(&mut request).await {
                    Ok(cost) => cost,
                    Err(refused) => return refused,
                };
                if let (Some((accepted, key)), Some(cost)) = (remembered, &cost) {
                    accepted.insert(key, cost.clone());
                }
                cost
            }
        };
        let mut response = self.schema.execute(request).await;
        if let Some(cost) = cost {
            response.extensions.insert("cost".to_owned(), cost);
        }
        response
    }

    /// The twin's strict validation of `request`: its cost, or the response refusing it.
    pub(crate) async fn validate(
        &self,
        request: &mut async_graphql::Request,
    ) -> Result<Option<async_graphql::Value>, async_graphql::Response> {
        let mut costing =
            async_graphql::Request::new(request.query.clone()).variables(request.variables.clone());
        costing.operation_name.clone_from(&request.operation_name);
        if let Ok(document) = request.parsed_query() {
            costing.set_parsed_query(document.clone());
        }
        let mut validated = self.costing.execute(costing).await;
        if validated.is_err() {
            return Err(validated);
        }
        Ok(validated.extensions.remove("cost"))
    }
}

/// The SDL of the served schema (what `export-schema` prints and `schema/schema.graphql` holds).
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

fn schema_builder(
) -> async_graphql::SchemaBuilder<query::Query, mutation::Mutation, EmptySubscription> {
    Schema::build(query::Query, mutation::Mutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(MAX_RECURSIVE_DEPTH)
}
