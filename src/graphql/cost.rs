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

/// The costs of requests the twin accepted, so a request seen before skips strict validation.
///
/// Validation reads the document, the operation chosen and the values of the variables the
/// document defines, and nothing else (not the data, not the caller), so those are the key.
/// Variables the document does not define cannot change the outcome: a reference to an
/// undefined variable is itself an error, and refusals are never kept. Like the document
/// cache, bounded by entries, and long queries are not kept.
pub(crate) struct AcceptedCosts {
    costs: moka::sync::Cache<CostKey, async_graphql::Value>,
}

#[derive(Hash, PartialEq, Eq)]
pub(crate) struct CostKey {
    query: String,
    operation_name: Option<String>,
    /// The defined variables' values, in definition order, as JSON.
    variables: String,
}

impl AcceptedCosts {
    /// Queries or variable values longer than this are validated every time.
    const MAX_KEY_BYTES: usize = 8 * 1024;

    /// A cache of at most `entries` costs; `None` when that is 0 (caching disabled).
    pub(crate) fn new(entries: u64) -> Option<Self> {
        (entries > 0).then(|| Self {
            costs: moka::sync::Cache::new(entries),
        })
    }

    /// The key of `request`, or `None` when it is not to be kept (too long, or unparsable:
    /// then validation answers the error).
    pub(crate) fn key(request: &mut async_graphql::Request) -> Option<CostKey> {
        use async_graphql::parser::types::DocumentOperations;
        use std::fmt::Write as _;

        if request.query.len() > Self::MAX_KEY_BYTES {
            return None;
        }
        let names: Vec<async_graphql::Name> = match &request.parsed_query().ok()?.operations {
            DocumentOperations::Single(operation) => defined_variables(operation).collect(),
            DocumentOperations::Multiple(operations) => {
                operations.values().flat_map(defined_variables).collect()
            }
        };
        let mut variables = String::new();
        for name in &names {
            // `name=value;`, or `name;` when absent: names are GraphQL names (no `=` or `;`),
            // and a JSON value ends where its syntax says, so the encoding is unambiguous.
            let _ = match request.variables.get(name) {
                Some(value) => write!(variables, "{name}={};", serde_json::to_string(value).ok()?),
                None => write!(variables, "{name};"),
            };
            if variables.len() > Self::MAX_KEY_BYTES {
                return None;
            }
        }
        Some(CostKey {
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables,
        })
    }

    pub(crate) fn get(&self, key: &CostKey) -> Option<async_graphql::Value> {
        self.costs.get(key)
    }

    pub(crate) fn insert(&self, key: CostKey, cost: async_graphql::Value) {
        self.costs.insert(key, cost);
    }
}

fn defined_variables(
    operation: &async_graphql::Positioned<async_graphql::parser::types::OperationDefinition>,
) -> impl Iterator<Item = async_graphql::Name> + '_ {
    operation
        .node
        .variable_definitions
        .iter()
        .map(|definition| definition.node.name.node.clone())
}

#[cfg(test)]
mod tests {
    use async_graphql::{Request, Variables};
    use serde_json::json;

    use super::{AcceptedCosts, CostKey};

    const QUERY: &str = "query A($size: Int) { roles(first: $size) { name } } \
                         query B { roles { name } }";

    fn key(operation: &str, variables: serde_json::Value) -> CostKey {
        let mut request = Request::new(QUERY)
            .operation_name(operation)
            .variables(Variables::from_json(variables));
        AcceptedCosts::key(&mut request).expect("a short, parsable query has a key")
    }

    #[test]
    fn the_key_is_the_query_the_operation_and_the_defined_variables() {
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
    fn long_or_unparsable_queries_have_no_key() {
        let long = format!(
            "{{ roles {{ name }} }}{}",
            " ".repeat(AcceptedCosts::MAX_KEY_BYTES)
        );
        assert!(AcceptedCosts::key(&mut Request::new(long)).is_none());
        assert!(AcceptedCosts::key(&mut Request::new("{ roles {")).is_none());
    }
}
