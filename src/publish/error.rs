//! Why a publication was refused or failed ([`PublishError`]), which `graphql` maps to
//! client error codes, and the helpers that build one.

use crate::domain::FieldProblem;

/// Why a publication was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The key may not change this organisation's courses.
    #[error("this key may only change courses of organisation {0}")]
    Forbidden(String),
    #[error("no course has code {0:?}")]
    NotFound(String),
    /// Every problem with the input, at once.
    #[error("invalid input: {}", summary(.0))]
    Invalid(Vec<FieldProblem>),
    /// The store of record cannot be reached (PostgreSQL down): nothing was written.
    #[error("the database cannot be reached, so nothing was written; retry shortly")]
    Unavailable(String),
    /// The store or the runtime failed; the details are for the log.
    #[error("{0}")]
    Internal(String),
}

fn summary(problems: &[FieldProblem]) -> String {
    let parts: Vec<String> = problems
        .iter()
        .map(|problem| format!("{}: {}", problem.field, problem.message))
        .collect();
    parts.join("; ")
}

pub(super) fn internal(error: impl std::fmt::Display) -> PublishError {
    PublishError::Internal(error.to_string())
}

/// A store error: [`PublishError::Unavailable`] when the database cannot be reached (the
/// client may retry), else internal.
pub(super) fn store_error(error: crate::store::Error) -> PublishError {
    match error {
        crate::store::Error::Unavailable { reason } => PublishError::Unavailable(reason),
        error => internal(error),
    }
}

pub(super) fn invalid(field: &str, message: impl Into<String>) -> PublishError {
    PublishError::Invalid(vec![FieldProblem::new(field, message)])
}
