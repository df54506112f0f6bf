//! Resolver errors with their codes (from the one table, [`crate::error_code`]), and the one
//! place store errors are turned into client errors: masked as `INTERNAL`, with the details
//! in the log.

use async_graphql::{Context, Error, ErrorExtensions, Result};

use crate::error_code::{ErrorCode, INTERNAL_MESSAGE};

/// An error with `extensions.code` set to `code`.
pub(crate) fn coded(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::new(code.public_message(&message.into()).to_owned())
        .extend_with(move |_, extensions| extensions.set("code", code.as_str()))
}

/// A record the client asked for by id or code does not exist.
pub(crate) fn not_found(message: impl Into<String>) -> Error {
    coded(ErrorCode::NotFound, message)
}

/// An argument is invalid; the message says which and why.
pub(crate) fn bad_user_input(message: impl Into<String>) -> Error {
    coded(ErrorCode::BadUserInput, message)
}

/// Masks an internal failure: the client sees only `internal error` and a code, the log
/// gets the details. Use this for every store error; never `?` one straight into a
/// GraphQL error, which would copy its text into the response.
pub(crate) fn internal(error: impl std::fmt::Display) -> Error {
    tracing::error!(%error, "internal error while resolving a query");
    coded(ErrorCode::Internal, INTERNAL_MESSAGE)
}

/// A store error as a client error: `UNAVAILABLE` while the database cannot be reached
/// (retry shortly), else masked as [`internal`].
pub(crate) fn store(error: crate::store::Error) -> Error {
    match error {
        crate::store::Error::Unavailable { reason } => {
            tracing::warn!(%reason, "a read found the database unreachable");
            coded(
                ErrorCode::Unavailable,
                "the database cannot be reached; retry shortly",
            )
        }
        error => internal(error),
    }
}

/// For a nullable field: turns an error into `null` plus the error (with its path) in the
/// response's `errors`, as the GraphQL specification has it. (async-graphql on its own
/// drops an errored field from its parent object instead of setting it to null.)
pub(crate) fn null_on_error<T>(ctx: &Context<'_>, result: Result<Option<T>>) -> Option<T> {
    match result {
        Ok(value) => value,
        Err(error) => {
            ctx.add_error(ctx.set_error_path(error.into_server_error(ctx.item.pos)));
            None
        }
    }
}
