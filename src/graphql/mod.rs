//! The GraphQL schema: types, resolvers and the one function that builds the schema with
//! its limits. It can be built and queried without a socket (`schema.execute`), so the HTTP
//! layer stays a thin adapter.
//!
//! Invariant: `graphql` knows nothing about HTTP or poem, and never touches sled: it reads
//! through `store::Store`, and maps every store error to a masked `INTERNAL` error.

mod connection;
mod data;
mod errors;
mod ids;
pub mod limits;
mod query;
mod scalars;
mod types;

use std::sync::Arc;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

use crate::store::Store;

/// The served schema.
pub(crate) type AppSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Maximum query depth. The playground's own introspection query needs 13.
pub const MAX_DEPTH: usize = 16;
/// Maximum query complexity (roughly, fields resolved).
pub const MAX_COMPLEXITY: usize = 20_000;
/// Parser recursion limit, against deeply nested input.
pub const MAX_RECURSIVE_DEPTH: usize = 32;

/// Builds the schema over `store`, with every limit set here, once.
pub(crate) fn build_schema(store: Arc<Store>) -> AppSchema {
    schema_builder().data(data::Graph { store }).finish()
}

/// The SDL of the served schema (what `export-schema` prints and `schema/schema.graphql` holds).
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

fn schema_builder() -> async_graphql::SchemaBuilder<query::Query, EmptyMutation, EmptySubscription>
{
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(MAX_RECURSIVE_DEPTH)
}
