//! Error codes clients branch on (`extensions.code`), and the one place store errors are
//! turned into client errors: masked as `INTERNAL`, with the details in the log.

use async_graphql::{Context, Error, ErrorExtensions, Result};

/// Stable machine-readable codes in `extensions.code`.
pub(crate) mod code {
    pub(crate) const NOT_FOUND: &str = "NOT_FOUND";
    pub(crate) const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub(crate) const INTERNAL: &str = "INTERNAL";
}

/// A record the client asked for by id or code does not exist.
pub(crate) fn not_found(message: impl Into<String>) -> Error {
    Error::new(message.into()).extend_with(|_, extensions| extensions.set("code", code::NOT_FOUND))
}

/// An argument is invalid; the message says which and why.
pub(crate) fn bad_user_input(message: impl Into<String>) -> Error {
    Error::new(message.into())
        .extend_with(|_, extensions| extensions.set("code", code::BAD_USER_INPUT))
}

/// Masks an internal failure: the client sees only `internal error` and a code, the log
/// gets the details. Use this for every store error; never `?` one straight into a
/// GraphQL error, which would copy its text into the response.
pub(crate) fn internal(error: impl std::fmt::Display) -> Error {
    tracing::error!(%error, "internal error while resolving a query");
    Error::new("internal error").extend_with(|_, extensions| extensions.set("code", code::INTERNAL))
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
