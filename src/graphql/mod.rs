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

use async_graphql::{EmptySubscription, Schema};

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

/// The served schema, and a twin of it that stops after validation to report each request's
/// cost (`extensions.cost`; see `cost.rs` for why not an extension on the served schema).
#[derive(Clone)]
pub(crate) struct Api {
    schema: AppSchema,
    costing: AppSchema,
}

impl Api {
    /// Builds the schema over `store` and its search index, with every limit set here, once.
    /// `write_lock` is shared with whatever else must not interleave with a write (backups).
    pub(crate) fn new(
        store: Arc<Store>,
        search_index: Arc<SearchIndex>,
        write_lock: WriteLock,
    ) -> Self {
        let schema = schema_builder()
            .data(data::Graph { store, write_lock })
            .data(search_index)
            .finish();
        // Validation reads no data: the twin needs none, and it never executes.
        let costing = schema_builder().extension(cost::CostOnly).finish();
        Self { schema, costing }
    }

    /// Validates `request` against the limits and answers there if it is refused (a syntax,
    /// validation or limit error, exactly as the schema would); otherwise executes it, with
    /// `extensions.cost`.
    pub(crate) async fn execute(
        &self,
        mut request: async_graphql::Request,
    ) -> async_graphql::Response {
        let mut costing =
            async_graphql::Request::new(request.query.clone()).variables(request.variables.clone());
        costing.operation_name.clone_from(&request.operation_name);
        if let Ok(document) = request.parsed_query() {
            costing.set_parsed_query(document.clone());
        }
        let cost = self.costing.execute(costing).await;
        if cost.is_err() {
            return cost;
        }
        let mut response = self.schema.execute(request).await;
        response.extensions.extend(cost.extensions);
        response
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
