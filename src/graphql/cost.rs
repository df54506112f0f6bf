//! `extensions.cost` on every executed response: what the query cost against the limits, so
//! a client sees how close it is before it is refused.
//!
//! `requested` is the complexity async-graphql computed in validation (each field 1, a
//! connection's children multiplied by its page size, see `connection.rs`); `limit` is
//! [`MAX_COMPLEXITY`]; `depth` and `depthLimit` likewise for nesting. A query refused for
//! its cost answers a `LIMIT_EXCEEDED` error instead (it never executes).

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation,
};
use async_graphql::{value, Response, ServerError, ValidationResult};

use super::{MAX_COMPLEXITY, MAX_DEPTH};

/// Adds `extensions.cost` to responses.
pub(crate) struct Cost;

impl ExtensionFactory for Cost {
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

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
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
