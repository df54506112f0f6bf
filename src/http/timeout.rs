//! A deadline on every request: poem has no timeout middleware, so this one races the
//! endpoint against `tokio::time::timeout` and answers 503 `TIMEOUT` when the deadline wins
//! (the endpoint's future is dropped, which cancels it at its next await point).

use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::error_code::ErrorCode;

/// Abandons requests that take longer than `limit`.
pub(crate) struct Timeout {
    limit: Duration,
}

impl Timeout {
    pub(crate) fn new(limit: Duration) -> Self {
        Self { limit }
    }
}

impl<E: Endpoint> Middleware<E> for Timeout {
    type Output = TimeoutEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        TimeoutEndpoint {
            inner,
            limit: self.limit,
        }
    }
}

pub(crate) struct TimeoutEndpoint<E> {
    inner: E,
    limit: Duration,
}

impl<E: Endpoint> Endpoint for TimeoutEndpoint<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> Result<Response> {
        let deadline = tokio::time::Instant::now() + self.limit;
        let mut answer = std::pin::pin!(self.inner.call(request));
        // Most answers (cache hits) are ready at the first poll, and need no timer: creating
        // tokio's `Sleep` (a runtime handle and a timer entry) cost more than the rest of
        // this layer. The deadline still counts from the start.
        let first = std::future::poll_fn(|cx| Poll::Ready(answer.as_mut().poll(cx))).await;
        if let Poll::Ready(result) = first {
            return result.map(IntoResponse::into_response);
        }
        match tokio::time::timeout_at(deadline, answer).await {
            Ok(result) => result.map(IntoResponse::into_response),
            Err(_elapsed) => {
                tracing::warn!(limit_secs = self.limit.as_secs_f64(), "request timed out");
                Ok(super::error_response(
                    ErrorCode::Timeout,
                    &format!("request timed out after {} s", self.limit.as_secs_f64()),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::StatusCode;
    use poem::test::TestClient;
    use poem::EndpointExt;

    fn slow(delay: Duration) -> impl Endpoint {
        poem::endpoint::make(move |_request| async move {
            tokio::time::sleep(delay).await;
            "done"
        })
    }

    #[tokio::test]
    async fn a_request_slower_than_the_limit_answers_503_timeout() {
        let client = TestClient::new(
            slow(Duration::from_secs(5)).with(Timeout::new(Duration::from_millis(50))),
        );

        let response = client.get("/").send().await;

        response.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        response
            .assert_json(serde_json::json!({
                "errors": [{
                    "message": "request timed out after 0.05 s",
                    "extensions": { "code": "TIMEOUT" }
                }]
            }))
            .await;
    }

    #[tokio::test]
    async fn a_request_within_the_limit_answers_normally() {
        let client = TestClient::new(
            slow(Duration::from_millis(10)).with(Timeout::new(Duration::from_secs(5))),
        );

        let response = client.get("/").send().await;

        response.assert_status_is_ok();
        response.assert_text("done").await;
    }
}
