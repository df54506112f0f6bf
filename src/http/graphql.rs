//! `/graphql` over HTTP, following the GraphQL-over-HTTP specification: JSON bodies on POST,
//! URL parameters on GET, `application/graphql-response+json` or `application/json` as the
//! client accepts, and the status each answer's outcome calls for. Transport only: the
//! request's GraphQL meaning is the pipeline's (`graphql::Api::execute`); here are methods,
//! media types, the body limit, the rate limit, the response cache's bytes and `ETag`s.

use bytes::Bytes;
use poem::error::MethodNotAllowedError;
use poem::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use poem::{Body, Endpoint, Request, Response};

use super::cache::{Key, Origin};
use super::{AppState, MAX_BODY_BYTES};
use crate::error_code::{error_bytes, ErrorCode, MediaType};
use crate::graphql::{Answer, Caller, Outcome, RawRequest};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

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
        let method = request.method().clone();
        if ![Method::POST, Method::GET, Method::HEAD].contains(&method) {
            return Err(MethodNotAllowedError.into());
        }
        // The one authentication of the request: the rate limit and the pipeline share it.
        let caller = self.state.caller(request.headers());
        if let Some(refused) = self.state.rate_limit.check(&request, &caller) {
            discard(body, MAX_BODY_BYTES).await;
            return Ok(refused);
        }
        let mut response = match method {
            Method::POST => post(&request, body, &self.state, caller).await,
            _ => get(&request, &self.state, caller).await,
        };
        if method == Method::HEAD {
            response.set_body(());
        }
        Ok(response)
    }
}

/// `POST /graphql` with a JSON body.
async fn post(request: &Request, body: Body, state: &AppState, caller: Caller) -> Response {
    let Some(media_type) = negotiate(request.headers()) else {
        discard(body, MAX_BODY_BYTES).await;
        return not_acceptable();
    };
    let too_large = || {
        refusal(
            media_type,
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::LimitExceeded,
            &format!("request body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        discard(body, DISCARD_OVERSIZE_BYTES).await;
        return too_large();
    }
    if !is_json_content_type(request.headers()) {
        discard(body, MAX_BODY_BYTES).await;
        return refusal(
            media_type,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadRequest,
            "POST bodies must be JSON: send `Content-Type: application/json`",
        );
    }
    let bytes = match read_body(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => return too_large(),
        Err(error) => {
            return refusal(
                media_type,
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("could not read the request body: {error}"),
            );
        }
    };
    let key = cache_key(state, &caller, Origin::Post, bytes.clone(), media_type);
    if let Some(response) = cached_response(state, key.as_ref(), media_type) {
        return response;
    }
    let answer = match RawRequest::from_json(&bytes) {
        // Boxed: execution's future is large (async-graphql's). Held by value, it would make
        // this handler's future as large, and that future is moved into a box on every
        // request (`GraphqlFirst`), cache hits included: about 500 more instructions per hit
        // (callgrind). `get` boxes it for the same reason.
        Ok(raw) => Box::pin(state.api.execute(raw, caller)).await,
        Err(refused) => refused,
    };
    respond(state, answer, media_type, key).0
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
async fn get(request: &Request, state: &AppState, caller: Caller) -> Response {
    let Some(media_type) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let raw_query = request.uri().query().unwrap_or("");
    let key = cache_key(
        state,
        &caller,
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
    let answer = match RawRequest::from_url_query(raw_query) {
        Ok(raw) => Box::pin(state.api.execute(raw, caller)).await,
        Err(refused) => refused,
    };
    let (mut response, cacheable) = respond(state, answer, media_type, key);
    if let (Some(etag), true) = (&etag, cacheable) {
        set_http_caching(&mut response, etag);
    }
    response
}

/// The HTTP response of a pipeline answer: its status from the outcome, the response cache
/// filled when the answer may be shared, and whether it was.
fn respond(
    state: &AppState,
    answer: Answer,
    media_type: MediaType,
    key: Option<Key>,
) -> (Response, bool) {
    state
        .metrics
        .graphql(answer.operation_label(), answer.outcome_label());
    let status = match answer.outcome {
        Outcome::Executed { .. } => StatusCode::OK,
        Outcome::Refused(code) => status_of(code, media_type),
        Outcome::MutationOverGet => StatusCode::METHOD_NOT_ALLOWED,
    };
    let cacheable = answer.cacheable && key.is_some();
    let cached = key.is_some() && state.responses.is_some();
    if cacheable {
        if let (Some(cache), Some(key)) = (&state.responses, key) {
            cache.insert(key, answer.body.clone());
        }
    }
    let mut response = bytes_response(media_type, status, answer.body);
    if answer.outcome == Outcome::MutationOverGet {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    if cached {
        response
            .headers_mut()
            .insert(X_CACHE, HeaderValue::from_static("miss"));
    }
    (response, cacheable)
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
    caller: &Caller,
    origin: Origin,
    raw: Bytes,
    media_type: MediaType,
) -> Option<Key> {
    if !matches!(caller, Caller::Anonymous) {
        return None;
    }
    match state.api.data_version() {
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

/// Tells whether a response came from the response cache.
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

fn status_of(code: ErrorCode, media_type: MediaType) -> StatusCode {
    StatusCode::from_u16(code.status(media_type)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
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

/// A refusal by the transport itself, with the status HTTP defines for it.
fn refusal(media_type: MediaType, status: StatusCode, code: ErrorCode, message: &str) -> Response {
    bytes_response(media_type, status, error_bytes(code, message, None))
}

fn not_acceptable() -> Response {
    refusal(
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
