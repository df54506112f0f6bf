//! Mounting `/mcp` (and the `/records/{id}` pages its tools link to) in poem: the `mcp`
//! module's tower services behind the same rate limit as `/graphql` (one budget per client,
//! keyed by its verified API key, else its IP address).

use poem::endpoint::TowerCompatExt;
use poem::{Endpoint, IntoResponse, Request, Response};

use super::AppState;

/// An endpoint that answers 429 when the client is over its rate, else calls `inner`.
pub(super) struct RateLimited<E> {
    inner: E,
    state: AppState,
}

impl<E: Endpoint> Endpoint for RateLimited<E> {
    type Output = Response;

    async fn call(&self, request: Request) -> poem::Result<Response> {
        let caller = self.state.caller(request.headers());
        if let Some(refused) = self.state.rate_limit.check(&request, &caller) {
            return Ok(refused);
        }
        self.inner
            .call(request)
            .await
            .map(IntoResponse::into_response)
    }
}

/// `/mcp` and `/records/:id` added to `routes`.
pub(super) fn mount(
    routes: poem::Route,
    state: &AppState,
    config: &crate::config::Config,
) -> poem::Route {
    let mcp = crate::mcp::Mcp::new(
        state.api.clone(),
        &crate::mcp::Options::from_config(config, super::MAX_BODY_BYTES),
    );
    routes
        .at(
            "/mcp",
            RateLimited {
                inner: mcp.transport().compat(),
                state: state.clone(),
            },
        )
        .at(
            "/records/:id",
            RateLimited {
                inner: mcp.pages().compat(),
                state: state.clone(),
            },
        )
}
