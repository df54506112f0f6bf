//! `extensions.cost` on every executed response: what the query cost against the limits, so
//! a client sees how close it is before it is refused.
//!
//! `requested` is the complexity async-graphql computed in validation (each field 1, a
//! connection's children multiplied by its page size, see `connection.rs`); `limit` is
//! [`MAX_COMPLEXITY`]; `depth` and `depthLimit` likewise for nesting. A query refused for
//! its cost answers a `LIMIT_EXCEEDED` error instead (it never executes).
//!
//! The cost is read by a twin of the schema that stops after validation (see [`super::Api`]):
//! an extension on the served schema would send every field of every answer through the
//! extension chain (a boxed future, a type lookup and an allocated type name per field),
//! which measured about 12 % of an uncached nested query.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation,
};
use async_graphql::{value, Response, ServerError, ValidationResult};

use super::{MAX_COMPLEXITY, MAX_DEPTH};

/// Validates a request and answers its cost, without executing it.
pub(crate) struct CostOnly;

impl ExtensionFactory for CostOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostOfRequest::default())
    }
}

/// One request's cost, as validation found it.
#[derive(Default)]
struct CostOfRequest {
    validated: Mutex<Option<(usize, usize)>>,
}

#[async_trait::async_trait]
impl Extension for CostOfRequest {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Ok(mut validated) = self.validated.lock() {
            *validated = Some((result.complexity, result.depth));
        }
        Ok(result)
    }

    /// Never executes: answers the cost alone, with `data` null.
    async fn execute(
        &self,
        _ctx: &ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: NextExecute<'_>,
    ) -> Response {
        let mut response = Response::new(async_graphql::Value::Null);
        let validated = self.validated.lock().ok().and_then(|validated| *validated);
        if let Some((complexity, depth)) = validated {
            response.extensions.insert(
                "cost".to_owned(),
                value!({
                    "requested": complexity,
                    "limit": MAX_COMPLEXITY,
                    "depth": depth,
                    "depthLimit": MAX_DEPTH,
                }),
            );
        }
        response
    }
}
