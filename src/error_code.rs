//! The error codes clients branch on (`extensions.code`), in one typed table, as the Apollo
//! router keeps them: each [`ErrorCode`] has its code string, the HTTP status of a request it
//! refuses as a whole (per response media type), and whether its message is masked. One
//! function, [`error_body`], builds the JSON body of a refused request.
//!
//! It sits below every layer that reports errors (`http`, `graphql`, the services) and knows
//! none of them: no poem, no async-graphql, no sled. Statuses are plain numbers, so that the
//! table needs no HTTP crate.

use serde_json::{json, Map, Value};

/// A stable, machine-readable error code. The string is public API: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A record asked for by id or code does not exist (a field error: `null` plus this).
    NotFound,
    /// An argument's value is invalid; the message (and `extensions.fields`) say which.
    BadUserInput,
    /// The request itself is malformed: its parameters, its body, its method or media type.
    BadRequest,
    /// The query text is not GraphQL.
    GraphqlParseFailed,
    /// The query does not fit the schema (an unknown field, a wrong argument type, ...).
    GraphqlValidationFailed,
    /// The request is over a limit: body size, depth, cost, fragment expansion, root fields.
    LimitExceeded,
    /// A persisted-query hash the server does not know (yet); Apollo clients resend the text.
    PersistedQueryNotFound,
    /// No valid API key where one is needed.
    Unauthenticated,
    /// The key is valid but may not do this.
    Forbidden,
    /// Too many requests from this client.
    RateLimited,
    /// The request took longer than the request timeout.
    Timeout,
    /// The store of record (PostgreSQL) cannot be reached; retry shortly. Reads already in
    /// memory may still be answered; writes are not taken.
    Unavailable,
    /// Something failed inside the server; the details are in its log, never in the answer.
    Internal,
}

/// The media type of a GraphQL answer, which decides the status of a refused request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// `application/graphql-response+json`: a request error answers 4xx.
    GraphqlResponse,
    /// `application/json` (legacy): a well-formed request that GraphQL refuses answers 200.
    Json,
}

impl ErrorCode {
    /// The text in `extensions.code`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::BadRequest => "BAD_REQUEST",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::RateLimited => "RATE_LIMITED",
            Self::Timeout => "TIMEOUT",
            Self::Unavailable => "UNAVAILABLE",
            Self::Internal => "INTERNAL",
        }
    }

    /// The status of an answer that refuses a whole request with this code. A field error
    /// (one with a path) is part of a 200 answer that carries `data`, whatever its code.
    ///
    /// GraphQL-over-HTTP: errors GraphQL itself finds before execution (parse, validation,
    /// limits, unknown persisted query) are 400 with `application/graphql-response+json`
    /// and 200 with legacy `application/json`. The transport's own refusals (405, 406, 413,
    /// 415) keep the status HTTP defines for them; `http` sets those.
    pub const fn status(self, media_type: MediaType) -> u16 {
        let graphql_response = matches!(media_type, MediaType::GraphqlResponse);
        match self {
            Self::GraphqlParseFailed
            | Self::GraphqlValidationFailed
            | Self::LimitExceeded
            | Self::PersistedQueryNotFound
            | Self::BadUserInput
            | Self::NotFound => {
                if graphql_response {
                    400
                } else {
                    200
                }
            }
            Self::BadRequest => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::RateLimited => 429,
            Self::Timeout | Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }

    /// Whether the message is masked: the client sees [`INTERNAL_MESSAGE`] and the details
    /// go to the log. Every other code's message says what was wrong and what to change.
    pub const fn is_masked(self) -> bool {
        matches!(self, Self::Internal)
    }

    /// The message a client sees for `message`: itself, or the fixed text when masked.
    pub fn public_message(self, message: &str) -> &str {
        if self.is_masked() {
            INTERNAL_MESSAGE
        } else {
            message
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// What a client is told of a masked (internal) error.
pub const INTERNAL_MESSAGE: &str = "internal error";

/// The JSON body of a refused request: `{"errors":[{"message":…,"extensions":{"code":…}}]}`,
/// with `extensions` carrying `extra` besides the code (for example `cost`).
pub fn error_body(code: ErrorCode, message: &str, extra: Option<Map<String, Value>>) -> Value {
    let mut extensions = extra.unwrap_or_default();
    extensions.insert("code".to_owned(), Value::from(code.as_str()));
    json!({ "errors": [{ "message": code.public_message(message), "extensions": extensions }] })
}

/// [`error_body`] as bytes.
pub fn error_bytes(code: ErrorCode, message: &str, extra: Option<Map<String, Value>>) -> Vec<u8> {
    serde_json::to_vec(&error_body(code, message, extra))
        .expect("a JSON value of strings serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_errors_answer_400_only_for_the_graphql_response_media_type() {
        assert_eq!(
            ErrorCode::GraphqlParseFailed.status(MediaType::GraphqlResponse),
            400
        );
        assert_eq!(ErrorCode::GraphqlParseFailed.status(MediaType::Json), 200);
        assert_eq!(ErrorCode::BadRequest.status(MediaType::Json), 400);
        assert_eq!(ErrorCode::RateLimited.status(MediaType::Json), 429);
    }

    #[test]
    fn an_internal_error_never_shows_its_message() {
        let body = error_body(ErrorCode::Internal, "sled: corrupted page 7", None);
        assert_eq!(
            body,
            json!({ "errors": [{ "message": "internal error", "extensions": { "code": "INTERNAL" } }] })
        );
    }

    #[test]
    fn extra_extensions_sit_beside_the_code() {
        let mut extra = Map::new();
        extra.insert("cost".to_owned(), json!({ "requested": 3 }));
        let body = error_body(ErrorCode::LimitExceeded, "too costly", Some(extra));
        assert_eq!(
            body["errors"][0]["extensions"],
            json!({ "cost": { "requested": 3 }, "code": "LIMIT_EXCEEDED" })
        );
    }
}
