//! `extensions.cost` on every executed response: what the query cost against the limits, so
//! a client sees how close it is before it is refused.
//!
//! `requested` is the complexity async-graphql computed in validation (each field 1, a
//! connection's children multiplied by its page size, see `connection.rs`); `limit` is
//! [`MAX_COMPLEXITY`]; `depth` and `depthLimit` likewise for nesting. A query over either
//! limit answers `LIMIT_EXCEEDED` instead, with the same `extensions.cost` and a message
//! saying what to change (it never executes). The twin has no limits of its own: the
//! pipeline compares the numbers, so a refusal is typed, never recognised by its text.
//!
//! The cost is read by a twin of the schema that stops after validation (see `pipeline.rs`):
//! an extension on the served schema would send every field of every answer through the
//! extension chain (a boxed future, a type lookup and an allocated type name per field),
//! which measured about 12 % of an uncached nested query.

use std::sync::{Arc, Mutex};

use super::documents::Cost;

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
                COST.to_owned(),
                value!({ "requested": complexity, "depth": depth }),
            );
        }
        response
    }
}

/// The extension the twin answers its numbers in.
const COST: &str = "cost";

/// The cost the twin answered in `response`.
pub(crate) fn read(response: &Response) -> Option<Cost> {
    let cost = response.extensions.get(COST)?.clone().into_json().ok()?;
    Some(Cost {
        requested: usize::try_from(cost.get("requested")?.as_u64()?).ok()?,
        depth: usize::try_from(cost.get("depth")?.as_u64()?).ok()?,
    })
}

impl Cost {
    /// `extensions.cost` as clients see it.
    pub(crate) fn to_value(self) -> async_graphql::Value {
        value!({
            "requested": self.requested,
            "limit": MAX_COMPLEXITY,
            "depth": self.depth,
            "depthLimit": MAX_DEPTH,
        })
    }

    /// Why the request is over a limit, saying what to change; `None` when within both.
    pub(crate) fn refusal(self) -> Option<String> {
        if self.requested > MAX_COMPLEXITY {
            Some(format!(
                "the query costs {} against a limit of {MAX_COMPLEXITY}: ask for smaller pages \
                 (a lower `first:` on nested connections multiplies down fastest) or fewer fields",
                self.requested
            ))
        } else if self.depth > MAX_DEPTH {
            Some(format!(
                "the query nests {} levels deep against a limit of {MAX_DEPTH}: nest less, \
                 or fetch the inner records with a second query by id",
                self.depth
            ))
        } else {
            None
        }
    }
}
