//! The one door from MCP into GraphQL: every tool's query runs through [`Gateway::run`] or
//! [`Gateway::check`], which take it through the same pipeline as `/graphql` (the
//! pre-execution limits of `graphql::limits`, the schema's strict validation with its depth
//! and complexity limits, then execution with masked internal errors), plus the request
//! timeout, for an anonymous caller.
//!
//! It must stay the only file of `mcp` that knows the GraphQL pipeline's types, so that a
//! change to that pipeline is one change here.

use std::time::Duration;

use async_graphql::parser::types::OperationType;
use serde::Serialize;
use serde_json::Value;

use crate::error_code::ErrorCode;
use crate::graphql::auth::Caller;
use crate::graphql::Api;
use crate::graphql::{Answer as PipelineAnswer, Outcome, RawRequest};

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

    /// Executes a read-only `request` through [`Api::execute`], the pipeline `/graphql`
    /// runs: refused as `/graphql` would refuse it (syntax, limits, validation, cost), refused
    /// with [`READ_ONLY`] if it is a mutation, else executed.
    pub(crate) async fn run(&self, request: Request) -> Result<Answer, Refusal> {
        refuse_mutations(&request)?;
        let execution = self.api.execute(request.into_raw(), Caller::Anonymous);
        let answer = match tokio::time::timeout(self.timeout, execution).await {
            Ok(answer) => answer,
            Err(_elapsed) => {
                tracing::warn!(
                    limit_secs = self.timeout.as_secs_f64(),
                    "an MCP query timed out"
                );
                return Err(Refusal::one(
                    ErrorCode::Timeout.as_str(),
                    format!(
                        "the query timed out after {} s; ask for less (smaller pages, fewer nested lists)",
                        self.timeout.as_secs_f64()
                    ),
                ));
            }
        };
        let body = body_of(&answer)?;
        let problems = problems(&body);
        match answer.outcome {
            Outcome::Executed { .. } => Ok(Answer {
                data: body.get("data").cloned().unwrap_or(Value::Null),
                errors: problems,
                cost: body
                    .pointer("/extensions/cost")
                    .cloned()
                    .unwrap_or(Value::Null),
            }),
            Outcome::Refused(_) | Outcome::MutationOverGet => Err(Refusal { problems }),
        }
    }

    /// Checks `request` against the schema and every limit without executing it
    /// ([`Api::check`]): its cost, or the errors `/graphql` would refuse it with.
    pub(crate) async fn check(&self, request: Request) -> Result<Value, Refusal> {
        refuse_mutations(&request)?;
        match self.api.check(request.into_raw()).await {
            Ok(cost) => Ok(cost),
            Err(refused) => Err(Refusal {
                problems: problems(&body_of(&refused)?),
            }),
        }
    }
}

impl Request {
    fn into_raw(self) -> RawRequest {
        let mut raw = RawRequest::new(self.query);
        raw.variables = self.variables;
        raw.operation_name = self.operation_name.map(Value::String);
        raw
    }
}

/// What MCP adds to the pipeline: queries only. A query that does not parse goes on, for the
/// pipeline to refuse with its parse error.
fn refuse_mutations(request: &Request) -> Result<(), Refusal> {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return Ok(());
    };
    if crate::graphql::operation_type(&document, request.operation_name.as_deref())
        == Some(OperationType::Mutation)
    {
        return Err(Refusal::one(
            READ_ONLY,
            "MCP tools only read: mutations (partner writes) are refused here; send them to /graphql with a partner API key",
        ));
    }
    Ok(())
}

/// The JSON body of the pipeline's answer.
fn body_of(answer: &PipelineAnswer) -> Result<Value, Refusal> {
    serde_json::from_slice(&answer.body).map_err(|error| {
        tracing::error!(%error, "the GraphQL pipeline answered a body that is not JSON");
        Refusal::one(
            ErrorCode::Internal.as_str(),
            crate::error_code::INTERNAL_MESSAGE,
        )
    })
}

/// The errors of an answer's body, each with the code the pipeline gave it.
fn problems(body: &Value) -> Vec<Problem> {
    let Some(errors) = body.get("errors").and_then(Value::as_array) else {
        return Vec::new();
    };
    errors
        .iter()
        .map(|error| Problem {
            message: error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            code: error
                .pointer("/extensions/code")
                .and_then(Value::as_str)
                .unwrap_or(ErrorCode::Internal.as_str())
                .to_owned(),
            path: error
                .get("path")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
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
