//! `/graphql` over HTTP, following the GraphQL-over-HTTP specification: JSON bodies on POST,
//! URL parameters on GET (queries only), `application/graphql-response+json` or
//! `application/json` as the client accepts, and the status codes the specification gives.

use std::sync::Arc;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use bytes::Bytes;
use poem::error::MethodNotAllowedError;
use poem::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use poem::{Body, Endpoint, Request, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::cache::{Key, Origin};
use super::{AppState, MAX_BODY_BYTES};
pub(super) use crate::error_code::MediaType;
use crate::error_code::{error_bytes, ErrorCode};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The parameters of a GraphQL request, however they arrived.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Parameters {
    query: Option<Value>,
    operation_name: Option<Value>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

/// The `/graphql` endpoint: `POST` and `GET` (`HEAD` answers as `GET`, without the body;
/// other methods are 405), holding the state itself.
///
/// Written out rather than poem's `get(..).post(..)` with `Data`: that route's method table,
/// its boxed futures and the state's slot in the request's extensions cost about 2,000
/// instructions per cached answer (callgrind), close to a tenth of the whole.
pub(super) struct GraphqlEndpoint {
    state: AppState,
}

impl GraphqlEndpoint {
    pub(super) fn new(state: AppState) -> Self {
        Self { state }
    }
}

impl Endpoint for GraphqlEndpoint {
    type Output = Response;

    async fn call(&self, mut request: Request) -> poem::Result<Response> {
        let body = request.take_body();
        match *request.method() {
            Method::POST => Ok(post(&request, body, &self.state).await),
            Method::GET => Ok(get(&request, &self.state).await),
            Method::HEAD => {
                let mut response = get(&request, &self.state).await;
                response.set_body(());
                Ok(response)
            }
            _ => Err(MethodNotAllowedError.into()),
        }
    }
}

/// `POST /graphql` with a JSON body.
async fn post(request: &Request, body: Body, state: &AppState) -> Response {
    let Some(media_type) = negotiate(request.headers()) else {
        discard(body, MAX_BODY_BYTES).await;
        return not_acceptable();
    };
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        discard(body, DISCARD_OVERSIZE_BYTES).await;
        return request_error(
            media_type,
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::LimitExceeded,
            &format!("request body is larger than {MAX_BODY_BYTES} bytes"),
        );
    }
    if !is_json_content_type(request.headers()) {
        discard(body, MAX_BODY_BYTES).await;
        return request_error(
            media_type,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadRequest,
            "POST bodies must be JSON: send `Content-Type: application/json`",
        );
    }
    let bytes = match read_body(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => {
            return request_error(
                media_type,
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::LimitExceeded,
                &format!("request body is larger than {MAX_BODY_BYTES} bytes"),
            );
        }
        Err(error) => {
            return request_error(
                media_type,
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("could not read the request body: {error}"),
            );
        }
    };
    let key = cache_key(
        state,
        request.headers(),
        Origin::Post,
        bytes.clone(),
        media_type,
    );
    if let Some(response) = cached_response(state, key.as_ref(), media_type) {
        return response;
    }
    let cached = key.is_some() && state.responses.is_some();
    let parameters = match serde_json::from_slice::<Parameters>(&bytes) {
        Ok(parameters) => parameters,
        Err(error) => {
            return request_error(
                media_type,
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("request body is not a JSON object of GraphQL parameters: {error}"),
            );
        }
    };
    // Boxed: execution's future is large (async-graphql's). Held by value, it would make
    // this handler's future as large, and that future is moved into a box on every request
    // (`GraphqlFirst`), cache hits included: about 500 more instructions per hit (callgrind).
    // `get` boxes it for the same reason.
    let executed = Box::pin(execute(
        state,
        request.headers(),
        media_type,
        parameters,
        false,
        key,
    ))
    .await;
    mark_miss(executed.response, cached)
}

/// Reads the whole body, refusing more than `limit` bytes, however many `Content-Length`
/// claimed. Unlike poem's `into_bytes_limit`, which zeroes a 4 KiB buffer and copies every
/// chunk through it, a body that arrives in one piece is kept as it came.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, poem::error::ReadBodyError> {
    use http_body_util::BodyExt;
    let body: http_body_util::combinators::BoxBody<Bytes, std::io::Error> = body.into();
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            Err(poem::error::ReadBodyError::PayloadTooLarge)
        }
        Err(error) => Err(poem::error::ReadBodyError::Io(std::io::Error::other(error))),
    }
}

/// How much of an oversized body is read and dropped before the 413 is sent.
const DISCARD_OVERSIZE_BYTES: usize = 4 * 1024 * 1024;

/// Reads and drops up to `limit` bytes of a body the server will not use, before answering.
/// A server that answers while the client is still sending, then closes with unread bytes,
/// makes the kernel reset the connection: the client sees a broken pipe instead of the
/// answer. Reading what is bounded lets it finish and read the error; beyond `limit`, the
/// connection is dropped anyway (the request timeout bounds the time this takes).
async fn discard(body: Body, limit: usize) {
    let mut reader = tokio::io::AsyncReadExt::take(body.into_async_read(), limit as u64);
    let _ = tokio::io::copy(&mut reader, &mut tokio::io::sink()).await;
}

/// `GET /graphql?query=...&variables=...`: queries only, never mutations.
async fn get(request: &Request, state: &AppState) -> Response {
    let Some(media_type) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let raw_query = request.uri().query().unwrap_or("");
    let key = cache_key(
        state,
        request.headers(),
        Origin::Get,
        Bytes::copy_from_slice(raw_query.as_bytes()),
        media_type,
    );
    let etag = key.as_ref().map(Key::etag);
    if let Some(etag) = &etag {
        if if_none_match(request.headers(), etag) {
            let mut response = Response::builder()
                .status(StatusCode::NOT_MODIFIED)
                .finish();
            set_http_caching(&mut response, etag);
            return response;
        }
    }
    if let Some(mut response) = cached_response(state, key.as_ref(), media_type) {
        if let Some(etag) = &etag {
            set_http_caching(&mut response, etag);
        }
        return response;
    }
    let cached = key.is_some() && state.responses.is_some();
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_str(raw_query) {
        Ok(pairs) => pairs,
        Err(error) => {
            return request_error(
                media_type,
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("malformed query string: {error}"),
            )
        }
    };
    let mut parameters = Parameters {
        query: None,
        operation_name: None,
        variables: None,
        extensions: None,
    };
    for (name, value) in pairs {
        match name.as_str() {
            "query" => parameters.query = Some(Value::String(value)),
            "operationName" => parameters.operation_name = Some(Value::String(value)),
            "variables" | "extensions" => {
                let Ok(parsed) = serde_json::from_str::<Value>(&value) else {
                    return request_error(
                        media_type,
                        StatusCode::BAD_REQUEST,
                        ErrorCode::BadRequest,
                        &format!("`{name}` must be a JSON object"),
                    );
                };
                if name == "variables" {
                    parameters.variables = Some(parsed);
                } else {
                    parameters.extensions = Some(parsed);
                }
            }
            _ => {}
        }
    }
    let Executed {
        mut response,
        cacheable,
    } = Box::pin(execute(
        state,
        request.headers(),
        media_type,
        parameters,
        true,
        key,
    ))
    .await;
    if let (Some(etag), true) = (&etag, cacheable) {
        set_http_caching(&mut response, etag);
    }
    mark_miss(response, cached)
}

/// `ETag` and `Cache-Control` for a cacheable GET answer: shared caches may store it but must
/// revalidate (`no-cache`), and revalidation is a cheap 304 until the data version or the day
/// changes.
fn set_http_caching(response: &mut Response, etag: &str) {
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
}

/// Whether `If-None-Match` names `etag` (or `*`); weak tags compare equal to strong ones,
/// as RFC 9110 asks for `If-None-Match`.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// The response cache key of this request, or `None` when the cache is disabled or the
/// request carries credentials (an authenticated answer may depend on its caller, so only
/// anonymous answers are shared). The data version is read once, here: it is part of the
/// key, so a write or a reseed makes every older entry unreachable.
fn cache_key(
    state: &AppState,
    headers: &HeaderMap,
    origin: Origin,
    raw: Bytes,
    media_type: MediaType,
) -> Option<Key> {
    if headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    match state.store.data_version() {
        Ok(data_version) => Some(Key::new(
            origin,
            raw,
            media_type,
            data_version,
            super::cache::today(),
        )),
        Err(error) => {
            tracing::warn!(%error, "could not read the data version: not caching");
            None
        }
    }
}

/// The cached answer to this request, if there is one.
fn cached_response(state: &AppState, key: Option<&Key>, media_type: MediaType) -> Option<Response> {
    let body = state.responses.as_ref()?.get(key?)?;
    // Only whole successes of queries are cached.
    state.metrics.graphql("query", "ok");
    let mut response = bytes_response(media_type, StatusCode::OK, body);
    response
        .headers_mut()
        .insert(X_CACHE, HeaderValue::from_static("hit"));
    Some(response)
}

/// Marks a response computed while the cache was on (`cached`) as a miss.
fn mark_miss(mut response: Response, cached: bool) -> Response {
    if cached {
        response
            .headers_mut()
            .insert(X_CACHE, HeaderValue::from_static("miss"));
    }
    response
}

/// Tells whether a response came from the response cache.
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// An executed request's answer, and whether it may be cached: a whole success of a query
/// for an anonymous caller.
struct Executed {
    response: Response,
    cacheable: bool,
}

impl Executed {
    fn uncacheable(response: Response) -> Self {
        Self {
            response,
            cacheable: false,
        }
    }
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    media_type: MediaType,
    parameters: Parameters,
    via_get: bool,
    key: Option<Key>,
) -> Executed {
    let mut parameters = parameters;
    if let Err(error) = resolve_persisted_query(state, &mut parameters) {
        return Executed::uncacheable(error.into_response(media_type));
    }
    let mut request = match graphql_request(parameters) {
        Ok(request) => request,
        Err(message) => {
            return Executed::uncacheable(request_error(
                media_type,
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &message,
            ))
        }
    };
    let Prepared {
        operation,
        syntax_ok,
    } = match prepare(state, &mut request) {
        Ok(prepared) => prepared,
        Err(error) => {
            return Executed::uncacheable(request_error(
                media_type,
                request_error_status(media_type),
                ErrorCode::LimitExceeded,
                &error.to_string(),
            ))
        }
    };
    if via_get && operation == Some(OperationType::Mutation) {
        let mut response = request_error(
            media_type,
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadRequest,
            "mutations must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return Executed::uncacheable(response);
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or("invalid"));
    let caller = crate::graphql::auth::authenticate(&state.store, authorization);
    let mut response = state.api.execute(request.data(caller)).await;
    add_error_codes(&mut response.errors, syntax_ok);
    // A request error (syntax, validation, limits) stops before execution: no data, and no
    // error has a path. A field error during execution has a path and answers 200, with
    // `data` (null where a non-null field failed) as the specification requires.
    let is_request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    state.metrics.graphql(
        match operation {
            Some(OperationType::Query) => "query",
            Some(OperationType::Mutation) => "mutation",
            Some(OperationType::Subscription) => "subscription",
            None => "unknown",
        },
        if is_request_error {
            "request_error"
        } else if response.errors.is_empty() {
            "ok"
        } else {
            "field_error"
        },
    );
    let status = if is_request_error {
        request_error_status(media_type)
    } else {
        StatusCode::OK
    };
    // Serialised straight from the response, so fields keep the order the query asked for.
    let body = if is_request_error {
        serde_json::to_vec(&json!({ "errors": response.errors }))
    } else {
        serde_json::to_vec(&response)
    };
    match body {
        Ok(body) => {
            let body = Bytes::from(body);
            // Only whole successes of queries: never errors, partial answers or mutations.
            let cacheable = status == StatusCode::OK
                && response.errors.is_empty()
                && operation == Some(OperationType::Query)
                && key.is_some();
            if cacheable {
                if let (Some(cache), Some(key)) = (&state.responses, key) {
                    cache.insert(key, body.clone());
                }
            }
            Executed {
                response: bytes_response(media_type, status, body),
                cacheable,
            }
        }
        Err(error) => {
            tracing::error!(%error, "could not serialise a GraphQL response");
            Executed::uncacheable(request_error(
                media_type,
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "internal error",
            ))
        }
    }
}

/// Automatic persisted queries (Apollo's protocol): `extensions.persistedQuery` is
/// `{"version": 1, "sha256Hash": "<64 hex digits>"}`. With `query`, the text is registered
/// under its hash (after checking the hash is its SHA-256); without, the registered text is
/// used, or the request answers `PERSISTED_QUERY_NOT_FOUND` (message `PersistedQueryNotFound`,
/// which Apollo clients recognise) and the client sends it again with its text.
fn resolve_persisted_query(
    state: &AppState,
    parameters: &mut Parameters,
) -> Result<(), PersistedQueryError> {
    let Some(Value::Object(extensions)) = &parameters.extensions else {
        return Ok(());
    };
    let Some(persisted) = extensions.get("persistedQuery") else {
        return Ok(());
    };
    if persisted.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(PersistedQueryError::Malformed(
            "`extensions.persistedQuery.version` must be 1",
        ));
    }
    let hash = persisted
        .get("sha256Hash")
        .and_then(Value::as_str)
        .and_then(|text| {
            let mut hash = [0u8; 32];
            hex::decode_to_slice(text, &mut hash).ok().map(|()| hash)
        })
        .ok_or(PersistedQueryError::Malformed(
            "`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits",
        ))?;
    match &parameters.query {
        Some(Value::String(query)) => {
            if state.persisted.register(hash, query) {
                Ok(())
            } else {
                Err(PersistedQueryError::Malformed(
                    "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`",
                ))
            }
        }
        None | Some(Value::Null) => match state.persisted.get(&hash) {
            Some(query) => {
                parameters.query = Some(Value::String(query.to_string()));
                Ok(())
            }
            None => Err(PersistedQueryError::NotFound),
        },
        // A non-string query is refused with the usual message.
        Some(_) => Ok(()),
    }
}

/// Why a persisted query could not be used.
enum PersistedQueryError {
    /// The hash is not known (yet): the client should send the query text with it.
    NotFound,
    /// The `persistedQuery` extension is malformed or its hash is not the query's.
    Malformed(&'static str),
}

impl PersistedQueryError {
    fn into_response(self, media_type: MediaType) -> Response {
        match self {
            Self::NotFound => request_error(
                media_type,
                request_error_status(media_type),
                ErrorCode::PersistedQueryNotFound,
                "PersistedQueryNotFound",
            ),
            Self::Malformed(message) => request_error(
                media_type,
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                message,
            ),
        }
    }
}

/// Checks the parameters' shapes as the specification requires, then builds the request.
fn graphql_request(parameters: Parameters) -> Result<async_graphql::Request, String> {
    let query = match parameters.query {
        Some(Value::String(query)) => query,
        Some(_) => return Err("`query` must be a string".to_owned()),
        None => return Err("`query` is required".to_owned()),
    };
    let mut request = async_graphql::Request::new(query);
    match parameters.operation_name {
        Some(Value::String(name)) => request = request.operation_name(name),
        None | Some(Value::Null) => {}
        Some(_) => return Err("`operationName` must be a string".to_owned()),
    }
    match parameters.variables {
        Some(Value::Object(variables)) => {
            request = request.variables(async_graphql::Variables::from_json(Value::Object(
                variables,
            )));
        }
        None | Some(Value::Null) => {}
        Some(_) => return Err("`variables` must be an object".to_owned()),
    }
    match parameters.extensions {
        Some(Value::Object(_)) | None | Some(Value::Null) => {}
        Some(_) => return Err("`extensions` must be an object".to_owned()),
    }
    Ok(request)
}

/// What [`prepare`] learnt of a request's query.
struct Prepared {
    /// The type of the operation it would run; `None` when the query does not parse or
    /// names no operation it holds.
    operation: Option<OperationType>,
    /// Whether the query parsed; when not, execution reports the syntax error.
    syntax_ok: bool,
}

/// Parses the query once (through the document cache when it is on), checks the limits
/// async-graphql cannot (fragment fan-out, root fields) before anything expands it, and hands
/// the document to the request so execution does not parse it again.
fn prepare(
    state: &AppState,
    request: &mut async_graphql::Request,
) -> Result<Prepared, crate::graphql::limits::LimitError> {
    let parsed = match &state.documents {
        Some(documents) => documents.parse(&request.query).ok(),
        None => async_graphql::parser::parse_query(&request.query)
            .ok()
            .map(Arc::new),
    };
    let Some(document) = parsed else {
        return Ok(Prepared {
            operation: None,
            syntax_ok: false,
        });
    };
    crate::graphql::limits::check(&document)?;
    let operation = operation_type(&document, request.operation_name.as_deref());
    request.set_parsed_query(Arc::unwrap_or_clone(document));
    Ok(Prepared {
        operation,
        syntax_ok: true,
    })
}

/// Gives every error a stable `extensions.code`, so clients never branch on message text.
/// Our resolvers set their own; async-graphql's parse, validation and limit errors and its
/// argument coercion errors get one here.
fn add_error_codes(errors: &mut [async_graphql::ServerError], syntax_ok: bool) {
    for error in errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|extensions| extensions.get("code").is_some());
        if has_code {
            continue;
        }
        let code = if !syntax_ok {
            ErrorCode::GraphqlParseFailed
        } else if error.message.starts_with("Query is too complex")
            || error.message.starts_with("Query is nested too deep")
            || error.message.starts_with("The recursion depth")
        {
            ErrorCode::LimitExceeded
        } else if error.path.is_empty() {
            ErrorCode::GraphqlValidationFailed
        } else {
            ErrorCode::BadUserInput
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
}

/// The status of an error that stops a request before execution: 400 where the client
/// accepts `application/graphql-response+json`, 200 for legacy `application/json`.
fn request_error_status(media_type: MediaType) -> StatusCode {
    match media_type {
        MediaType::GraphqlResponse => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    }
}

/// The type of the operation `operation_name` (or the first one) selects in `document`.
fn operation_type(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    let operations: Vec<_> = document.operations.iter().collect();
    let selected = match operation_name {
        Some(name) => operations
            .into_iter()
            .find(|(operation_name, _)| operation_name.map(|n| n.as_str()) == Some(name)),
        None => operations.into_iter().next(),
    };
    selected.map(|(_, operation)| operation.node.ty)
}

/// Picks the response media type from `Accept`; `None` when the client accepts neither.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    // Most clients send one of the two types alone: answer them without parsing.
    let mut accepts = headers.get_all(header::ACCEPT).iter();
    if let (Some(only), None) = (accepts.next(), accepts.next()) {
        let only = only.as_bytes();
        if only.eq_ignore_ascii_case(JSON.as_bytes()) {
            return Some(MediaType::Json);
        }
        if only.eq_ignore_ascii_case(GRAPHQL_RESPONSE_JSON.as_bytes()) {
            return Some(MediaType::GraphqlResponse);
        }
    }
    let mut any_accept = false;
    let (mut graphql_response, mut json) = (false, false);
    for value in headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
    {
        any_accept = true;
        for range in value.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim();
            let quality = parts
                .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality <= 0.0 {
                continue;
            }
            if media.eq_ignore_ascii_case(GRAPHQL_RESPONSE_JSON) {
                graphql_response = true;
            } else if [JSON, "*/*", "application/*"]
                .iter()
                .any(|accepted| media.eq_ignore_ascii_case(accepted))
            {
                json = true;
            }
        }
    }
    if !any_accept {
        Some(MediaType::Json)
    } else if graphql_response {
        Some(MediaType::GraphqlResponse)
    } else if json {
        Some(MediaType::Json)
    } else {
        None
    }
}

fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(JSON))
}

fn request_error(
    media_type: MediaType,
    status: StatusCode,
    code: ErrorCode,
    message: &str,
) -> Response {
    bytes_response(media_type, status, error_bytes(code, message, None))
}

fn not_acceptable() -> Response {
    request_error(
        MediaType::Json,
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::BadRequest,
        "accept application/graphql-response+json or application/json",
    )
}

fn bytes_response(media_type: MediaType, status: StatusCode, body: impl Into<Body>) -> Response {
    let content_type = HeaderValue::from_static(match media_type {
        MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        MediaType::Json => "application/json; charset=utf-8",
    });
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
}
