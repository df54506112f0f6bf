//! `/records/{id}`: a small HTML page per record, which the `search` and `fetch` tools give
//! as each record's `url`, so that a person can open what a model cites. It is a tower
//! service, as rmcp's transport is, so that `http` mounts both the same way.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use serde_json::json;

use super::graphql::{Gateway, Request as GraphqlRequest};
use super::records::{escape, RecordDocument, FETCH_QUERY};

/// The record pages.
#[derive(Clone)]
pub(crate) struct RecordPages {
    gateway: Gateway,
}

impl RecordPages {
    pub(crate) fn new(gateway: Gateway) -> Self {
        Self { gateway }
    }

    async fn page(&self, method: Method, path: &str) -> Response<Full<Bytes>> {
        if method != Method::GET && method != Method::HEAD {
            let mut response = html(
                StatusCode::METHOD_NOT_ALLOWED,
                error_page("Only GET is allowed here."),
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        let id = path.strip_prefix("/records/").unwrap_or_default();
        if id.is_empty() || id.contains('/') {
            return html(
                StatusCode::NOT_FOUND,
                error_page("No record is named here."),
            );
        }
        let answer = self
            .gateway
            .run(GraphqlRequest::new(FETCH_QUERY, json!({ "id": id })))
            .await;
        let response = match answer {
            Ok(answer) => match RecordDocument::from_node(&answer.data["node"]) {
                Some(document) => html(StatusCode::OK, document.html()),
                None => html(
                    StatusCode::NOT_FOUND,
                    error_page(&format!("No record has the id {id}.")),
                ),
            },
            Err(refusal) => {
                let status = if refusal
                    .problems
                    .iter()
                    .any(|problem| problem.code == "TIMEOUT")
                {
                    StatusCode::SERVICE_UNAVAILABLE
                } else if refusal
                    .problems
                    .iter()
                    .any(|problem| problem.code == "INTERNAL")
                {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::BAD_REQUEST
                };
                html(status, error_page(&refusal.to_string()))
            }
        };
        if method == Method::HEAD {
            let (parts, _) = response.into_parts();
            return Response::from_parts(parts, Full::new(Bytes::new()));
        }
        response
    }
}

impl<B> tower_service::Service<Request<B>> for RecordPages {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _context: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let pages = self.clone();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        Box::pin(async move { Ok(pages.page(method, &path).await) })
    }
}

/// An HTML answer that loads nothing from anywhere (no script, no external style).
fn html(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    response
}

fn error_page(message: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Record not shown</title></head><body><h1>Record not shown</h1><p>{}</p></body></html>\n",
        escape(message)
    )
}
