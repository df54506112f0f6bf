//! The MCP server proper: rmcp's `ServerHandler` over the tools. rmcp speaks the protocol
//! (initialisation, version negotiation, sessions, JSON-RPC); this answers `tools/list` and
//! `tools/call`.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::tools::Tools;

/// What the server tells a model about itself when it connects.
const INSTRUCTIONS: &str = "Knowledge about leadership in the English NHS: organisations (NHS England, regions, integrated care boards, trusts, universities, professional bodies), leadership roles and the posts of each at each organisation, development programmes, courses, qualifications, pay bands, career stories and figures, every record with its sources. To answer a question, call `search` with the question, then `fetch` the best results' ids and cite the sources their text numbers. For structured questions use the operation tools (a trust's leadership team, an ICB's trusts, a role's programmes and qualifications, CMI-accredited courses, a career path), or write GraphQL: `introspect`, `validate`, then `execute`. Everything is read-only.";

/// One handler, shared by every session (cloning it clones a pointer).
#[derive(Clone)]
pub(crate) struct Server {
    tools: Arc<Tools>,
}

impl Server {
    pub(crate) fn new(tools: Arc<Tools>) -> Self {
        Self { tools }
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let mut implementation =
            Implementation::new("nhs-leadership-graph", env!("CARGO_PKG_VERSION"));
        implementation.title = Some("NHS leadership knowledge graph".to_owned());
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(implementation)
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.list().to_vec()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let base_url = base_url(&context);
        let arguments = request.arguments.unwrap_or_default();
        match self.tools.call(&request.name, arguments, &base_url).await {
            Some(result) => Ok(result.into()),
            // Not a tool's failure but a request for a tool that does not exist: the
            // protocol's answer is a JSON-RPC error.
            None => Err(ErrorData::invalid_params(
                format!(
                    "unknown tool {:?}: tools/list names the tools",
                    request.name
                ),
                None,
            )),
        }
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.get(name).cloned()
    }
}

/// Scheme and authority the client reached the server at, for the records' `url`: the
/// `Host` header, and `X-Forwarded-Proto` when a proxy terminates TLS.
fn base_url(context: &RequestContext<RoleServer>) -> String {
    let Some(parts) = context.extensions.get::<http::request::Parts>() else {
        return String::new();
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let host = header("host")
        .or_else(|| parts.uri.authority().map(ToString::to_string))
        .unwrap_or_else(|| "localhost".to_owned());
    let scheme = header("x-forwarded-proto")
        .filter(|scheme| scheme == "https" || scheme == "http")
        .unwrap_or_else(|| "http".to_owned());
    format!("{scheme}://{host}")
}
