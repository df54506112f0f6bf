//! `/records/{id}`: a small HTML page per record (what `fetch` gives a model, for a person:
//! summary, facts, relationships linking to their own pages, numbered sources), which the
//! `search` and `fetch` tools give as each record's `url`. It loads nothing from elsewhere.
//! It is a tower service, as rmcp's transport is, so that `http` mounts both the same way.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use serde_json::json;

use super::graphql::{Gateway, Request as GraphqlRequest};
use super::records::{RecordDocument, FETCH_QUERY};
use crate::error_code::ErrorCode;

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
                Some(document) => html(StatusCode::OK, render(&document)),
                None => html(
                    StatusCode::NOT_FOUND,
                    error_page(&format!("No record has the id {id}.")),
                ),
            },
            Err(refusal) => {
                let status = if refusal
                    .problems
                    .iter()
                    .any(|problem| problem.code == ErrorCode::Timeout.as_str())
                {
                    StatusCode::SERVICE_UNAVAILABLE
                } else if refusal
                    .problems
                    .iter()
                    .any(|problem| problem.code == ErrorCode::Internal.as_str())
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

/// The record as a small self-contained HTML page; related records link to their pages.
fn render(document: &RecordDocument) -> String {
    let mut html = String::new();
    html.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    html.push_str(&format!("<title>{}</title>", escape(&document.title)));
    html.push_str("<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}dt{font-weight:600}sup{color:#555}</style>");
    html.push_str("</head><body>\n");
    html.push_str(&format!(
        "<p>{} · code <code>{}</code></p>\n<h1>{}</h1>\n<p>{}{}</p>\n",
        escape(&document.kind),
        escape(&document.code),
        escape(&document.title),
        escape(&document.summary),
        html_cites(
            &document
                .facts
                .first()
                .map(|fact| fact.cites.clone())
                .unwrap_or_default()
        ),
    ));
    html.push_str("<h2>Facts</h2>\n<dl>\n");
    for fact in document.facts.iter().filter(|fact| fact.label != "Summary") {
        html.push_str(&format!(
            "<dt>{}</dt><dd>{}{}</dd>\n",
            escape(&fact.label),
            escape(&fact.value),
            html_cites(&fact.cites)
        ));
    }
    html.push_str("</dl>\n");
    if !document.relations.is_empty() {
        html.push_str("<h2>Relationships</h2>\n<dl>\n");
        for relation in &document.relations {
            let links: Vec<String> = relation
                .records
                .iter()
                .map(|record| {
                    let note = record
                        .note
                        .as_ref()
                        .map(|note| format!(" ({})", escape(note)))
                        .unwrap_or_default();
                    format!(
                        "<a href=\"/records/{}\">{}</a>{note}",
                        escape(&record.id),
                        escape(&record.name)
                    )
                })
                .collect();
            let more = relation
                .total
                .map(|total| format!(" (first {} of {total})", relation.records.len()))
                .unwrap_or_default();
            html.push_str(&format!(
                "<dt>{}</dt><dd>{}{more}</dd>\n",
                escape(&relation.label),
                links.join(", ")
            ));
        }
        html.push_str("</dl>\n");
    }
    if !document.citations.is_empty() {
        html.push_str("<h2>Sources</h2>\n<ol>\n");
        for citation in &document.citations {
            let title = match &citation.url {
                Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                    format!(
                        "<a href=\"{}\">{}</a>",
                        escape(url),
                        escape(&citation.title)
                    )
                }
                _ => escape(&citation.title),
            };
            let details: Vec<String> = [&citation.publisher, &citation.published]
                .into_iter()
                .flatten()
                .map(|detail| escape(detail))
                .collect();
            html.push_str(&format!(
                "<li id=\"source-{}\">{title}{}</li>\n",
                escape(&citation.id),
                if details.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", details.join(", "))
                }
            ));
        }
        html.push_str("</ol>\n");
    }
    html.push_str("</body></html>\n");
    html
}

fn html_cites(cites: &[usize]) -> String {
    cites
        .iter()
        .map(|number| format!("<sup>[{number}]</sup>"))
        .collect()
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_in_record_text() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
