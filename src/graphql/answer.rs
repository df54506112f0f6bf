//! What the pipeline answers: an [`Answer`] (the body, a typed [`Outcome`] from which a
//! transport derives its status, and whether it may be shared), built from a refusal
//! before execution or from an executed response (`finish`), with a stable
//! `extensions.code` on every error (`add_code`: async-graphql's errors are classified by
//! where they arise, never by their text).

use async_graphql::parser::types::OperationType;
use async_graphql::{ErrorExtensionValues, ServerError};
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::documents::Cost;
use crate::error_code::{error_bytes, ErrorCode};

/// What the pipeline answered.
#[derive(Debug)]
pub struct Answer {
    pub outcome: Outcome,
    /// The JSON body, serialised straight from the response (fields in the query's order).
    pub body: Bytes,
    /// The type of the operation run (or that would have run); `None` when unknown.
    pub operation: Option<OperationType>,
    /// A whole success of a query for an anonymous caller: the same request answers the same
    /// until the data version or the day changes.
    pub cacheable: bool,
}

/// How a request ended; a transport derives its status from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Executed: `data` is present; `field_errors` when some fields failed (still a 200).
    Executed { field_errors: bool },
    /// Refused as a whole before execution, with this code (see [`ErrorCode::status`]).
    Refused(ErrorCode),
    /// A mutation sent over GET: HTTP answers 405 with `Allow: POST`.
    MutationOverGet,
}

impl Answer {
    pub(super) fn refused(code: ErrorCode, message: &str) -> Self {
        Self::refused_with(code, message, None)
    }

    pub(super) fn refused_with(
        code: ErrorCode,
        message: &str,
        extra: Option<Map<String, Value>>,
    ) -> Self {
        Self {
            outcome: Outcome::Refused(code),
            body: Bytes::from(error_bytes(code, message, extra)),
            operation: None,
            cacheable: false,
        }
    }

    /// A refusal carrying async-graphql's errors (with their locations), each given `code`
    /// unless it has one.
    pub(super) fn refused_errors(code: ErrorCode, mut errors: Vec<ServerError>) -> Self {
        add_codes(&mut errors, code);
        match serde_json::to_vec(&json!({ "errors": errors })) {
            Ok(body) => Self {
                outcome: Outcome::Refused(code),
                body: Bytes::from(body),
                operation: None,
                cacheable: false,
            },
            Err(error) => Self::internal(&error),
        }
    }

    pub(super) fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "could not serialise a GraphQL response");
        Self::refused(ErrorCode::Internal, "")
    }

    /// The operation type as a metrics label.
    pub fn operation_label(&self) -> &'static str {
        match self.operation {
            Some(OperationType::Query) => "query",
            Some(OperationType::Mutation) => "mutation",
            Some(OperationType::Subscription) => "subscription",
            None => "unknown",
        }
    }

    /// The outcome as a metrics label.
    pub fn outcome_label(&self) -> &'static str {
        match self.outcome {
            Outcome::Executed {
                field_errors: false,
            } => "ok",
            Outcome::Executed { field_errors: true } => "field_error",
            Outcome::Refused(_) | Outcome::MutationOverGet => "request_error",
        }
    }
}

/// Turns an executed response into an answer: codes on every error, `extensions.cost`.
pub(super) fn finish(
    mut response: async_graphql::Response,
    cost: Cost,
    operation: Option<OperationType>,
    anonymous: bool,
) -> Answer {
    // After the twin accepted the request, an error without a path is a request error of
    // execution's own preparation; one with a path that no resolver coded is async-graphql's
    // coercion of an argument.
    for error in &mut response.errors {
        let code = if error.path.is_empty() {
            ErrorCode::GraphqlValidationFailed
        } else {
            ErrorCode::BadUserInput
        };
        add_code(error, code);
    }
    // A request error stops before execution: no data, and no error has a path. A field
    // error has a path and answers 200, with `data` (null where a non-null field failed).
    let is_request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    if is_request_error {
        let mut answer =
            Answer::refused_errors(ErrorCode::GraphqlValidationFailed, response.errors);
        answer.operation = operation;
        return answer;
    }
    response
        .extensions
        .insert("cost".to_owned(), cost.to_value());
    // The database could not be reached for part of the answer: the whole answer is a 503
    // (`UNAVAILABLE`), so that clients and load balancers retry rather than keep a partial one.
    let unavailable = response.errors.iter().any(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            == Some(&async_graphql::Value::from(ErrorCode::Unavailable.as_str()))
    });
    match serde_json::to_vec(&response) {
        Ok(body) => Answer {
            outcome: if unavailable {
                Outcome::Refused(ErrorCode::Unavailable)
            } else {
                Outcome::Executed {
                    field_errors: !response.errors.is_empty(),
                }
            },
            body: Bytes::from(body),
            operation,
            cacheable: anonymous
                && response.errors.is_empty()
                && operation == Some(OperationType::Query),
        },
        Err(error) => Answer::internal(&error),
    }
}

fn add_codes(errors: &mut [ServerError], code: ErrorCode) {
    for error in errors {
        add_code(error, code);
    }
}

/// Sets `extensions.code` unless a resolver already set one.
fn add_code(error: &mut ServerError, code: ErrorCode) {
    let extensions = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code.as_str());
    }
}
