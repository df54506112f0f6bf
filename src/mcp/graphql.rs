//! The one door from MCP into GraphQL: every tool's query runs through [`Gateway::run`] or
//! [`Gateway::check`], which take it through the same pipeline as `/graphql` (the
//! pre-execution limits of `graphql::limits`, the schema's strict validation with its depth
//! and complexity limits, then execution with masked internal errors), plus the request
//! timeout, for an anonymous caller.
//!
//! It must stay the only file of `mcp` that knows the GraphQL pipeline's types, so that a
//! change to that pipeline is one change here.

use std::time::Duration;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use serde::Serialize;
use serde_json::Value;

use crate::graphql::auth::Caller;
use crate::graphql::Api;

/// Runs GraphQL requests for MCP tools.
#[derive(Clone)]
pub(crate) struct Gateway {
    api: Api,
    timeout: Duration,
}

/// A GraphQL request as a tool builds it.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) query: String,
    pub(crate) variables: Option<Value>,
    pub(crate) operation_name: Option<String>,
}

impl Request {
    /// A request for `query` with `variables`.
    pub(crate) fn new(query: impl Into<String>, variables: Value) -> Self {
        Self {
            query: query.into(),
            variables: Some(variables),
            operation_name: None,
        }
    }
}

/// An executed request: its `data` (null where it failed) and its errors.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Answer {
    pub(crate) data: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) errors: Vec<Problem>,
    /// What the query cost against the limits (`extensions.cost` on `/graphql`).
    #[serde(skip_serializing_if = "Value::is_null")]
    pub(crate) cost: Value,
}

/// One GraphQL error, with the stable code clients branch on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) message: String,
    pub(crate) code: String,
    /// Where in the answer the error happened; empty for an error about the whole request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) path: Vec<Value>,
}

impl Problem {
    fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: code.to_owned(),
            path: Vec::new(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} ({})", self.message, self.code)?;
        if !self.path.is_empty() {
            let path: Vec<String> = self
                .path
                .iter()
                .map(|segment| match segment {
                    Value::String(name) => name.clone(),
                    other => other.to_string(),
                })
                .collect();
            write!(formatter, " at {}", path.join("."))?;
        }
        Ok(())
    }
}

/// Why a request was refused before execution: the errors `/graphql` would answer.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub(crate) problems: Vec<Problem>,
}

impl Refusal {
    fn one(code: &str, message: impl Into<String>) -> Self {
        Self {
            problems: vec![Problem::new(code, message)],
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(Problem::to_string).collect();
        formatter.write_str(&lines.join("\n"))
    }
}

/// The code of a refused mutation.
pub(crate) const READ_ONLY: &str = "READ_ONLY";

impl Gateway {
    /// A gateway to `api` whose requests are abandoned after `timeout`.
    pub(crate) fn new(api: Api, timeout: Duration) -> Self {
        Self { api, timeout }
    }

    /// Executes a read-only `request`: refused as `/graphql` would refuse it (syntax,
    /// limits, validation), refused with [`READ_ONLY`] if it is a mutation, else executed.
    pub(crate) async fn run(&self, request: Request) -> Result<Answer, Refusal> {
        let prepared = prepare(request)?;
        let execution = self.api.execute(prepared.data(Caller::Anonymous));
        let response = match tokio::time::timeout(self.timeout, execution).await {
            Ok(response) => response,
            Err(_elapsed) => {
                tracing::warn!(
                    limit_secs = self.timeout.as_secs_f64(),
                    "an MCP query timed out"
                );
                return Err(Refusal::one(
                    "TIMEOUT",
                    format!(
                        "the query timed out after {} s; ask for less (smaller pages, fewer nested lists)",
                        self.timeout.as_secs_f64()
                    ),
                ));
            }
        };
        let problems = problems(&response.errors);
        let is_request_error = response.data == async_graphql::Value::Null
            && !problems.is_empty()
            && problems.iter().all(|problem| problem.path.is_empty());
        if is_request_error {
            return Err(Refusal { problems });
        }
        let cost = response
            .extensions
            .get("cost")
            .and_then(|cost| cost.clone().into_json().ok())
            .unwrap_or(Value::Null);
        let data = response.data.into_json().map_err(|error| {
            tracing::error!(%error, "could not convert a GraphQL answer to JSON");
            Refusal::one("INTERNAL", "internal error")
        })?;
        Ok(Answer {
            data,
            errors: problems,
            cost,
        })
    }

    /// Checks `request` against the schema and every limit without executing it: its cost,
    /// or the errors `/graphql` would refuse it with.
    pub(crate) async fn check(&self, request: Request) -> Result<Value, Refusal> {
        let mut prepared = prepare(request)?;
        match self.api.validate(&mut prepared).await {
            Ok(cost) => Ok(cost
                .and_then(|cost| cost.into_json().ok())
                .unwrap_or(Value::Null)),
            Err(refused) => Err(Refusal {
                problems: problems(&refused.errors),
            }),
        }
    }
}

/// What `/graphql` does before execution (`http::graphql::prepare`): parse once, check the
/// limits async-graphql cannot, and hand the parsed document to the request; and what MCP
/// adds: queries only.
fn prepare(request: Request) -> Result<async_graphql::Request, Refusal> {
    let Request {
        query,
        variables,
        operation_name,
    } = request;
    let document = async_graphql::parser::parse_query(&query)
        .map_err(|error| Refusal::one("GRAPHQL_PARSE_FAILED", error.to_string()))?;
    crate::graphql::limits::check(&document)
        .map_err(|error| Refusal::one("LIMIT_EXCEEDED", error.to_string()))?;
    if operation_type(&document, operation_name.as_deref()) == Some(OperationType::Mutation) {
        return Err(Refusal::one(
            READ_ONLY,
            "MCP tools only read: mutations (partner writes) are refused here; send them to /graphql with a partner API key",
        ));
    }
    let mut prepared = async_graphql::Request::new(query);
    if let Some(name) = operation_name {
        prepared = prepared.operation_name(name);
    }
    match variables {
        None | Some(Value::Null) => {}
        Some(Value::Object(variables)) => {
            prepared = prepared.variables(async_graphql::Variables::from_json(Value::Object(
                variables,
            )));
        }
        Some(_) => return Err(Refusal::one("BAD_REQUEST", "`variables` must be an object")),
    }
    prepared.set_parsed_query(document);
    Ok(prepared)
}

/// The type of the operation `operation_name` (or the only one) selects in `document`.
fn operation_type(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    document
        .operations
        .iter()
        .find(|(name, _)| match operation_name {
            Some(wanted) => name.map(|name| name.as_str()) == Some(wanted),
            None => true,
        })
        .map(|(_, operation)| operation.node.ty)
}

/// The errors of a response with their codes: the resolvers' own, or the one `/graphql`
/// gives async-graphql's validation, limit and coercion errors (`http::graphql::add_error_codes`).
fn problems(errors: &[async_graphql::ServerError]) -> Vec<Problem> {
    errors
        .iter()
        .map(|error| {
            let own_code = error
                .extensions
                .as_ref()
                .and_then(|extensions| extensions.get("code"))
                .and_then(|code| match code {
                    async_graphql::Value::String(code) => Some(code.clone()),
                    _ => None,
                });
            let code = own_code.unwrap_or_else(|| {
                if error.message.starts_with("Query is too complex")
                    || error.message.starts_with("Query is nested too deep")
                    || error.message.starts_with("The recursion depth")
                {
                    "LIMIT_EXCEEDED".to_owned()
                } else if error.path.is_empty() {
                    "GRAPHQL_VALIDATION_FAILED".to_owned()
                } else {
                    "BAD_USER_INPUT".to_owned()
                }
            });
            Problem {
                message: error.message.clone(),
                code,
                path: error
                    .path
                    .iter()
                    .map(|segment| match segment {
                        async_graphql::PathSegment::Field(name) => Value::String(name.clone()),
                        async_graphql::PathSegment::Index(index) => Value::from(*index),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Each enum type of the served schema with its values, for the operation tools' input
/// schemas (read from the SDL, which is the schema's own description of itself).
pub(crate) fn enum_values() -> std::collections::HashMap<String, Vec<String>> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let Ok(document) = async_graphql::parser::parse_schema(crate::graphql::sdl()) else {
        tracing::error!(
            "the served schema's SDL does not parse: operation tools get no enum values"
        );
        return std::collections::HashMap::new();
    };
    document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            TypeSystemDefinition::Type(ty) => match &ty.node.kind {
                TypeKind::Enum(enumeration) => Some((
                    ty.node.name.node.to_string(),
                    enumeration
                        .values
                        .iter()
                        .map(|value| value.node.value.node.to_string())
                        .collect(),
                )),
                _ => None,
            },
            _ => None,
        })
        .collect()
}
