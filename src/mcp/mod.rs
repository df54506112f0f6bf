//! MCP, the Model Context Protocol, for chatbots and LLM agents: `/mcp` (the Streamable HTTP
//! transport, served by the official Rust SDK, rmcp) with tools over the knowledge graph,
//! and `/records/{id}`, the page each tool result's `url` opens.
//!
//! It sits beside `http`, which mounts both tower services with the same middleware as
//! `/graphql`. Invariant: every query goes through `graphql.rs`, the one adapter to the
//! GraphQL pipeline, so no MCP request can do what `/graphql` may not; nothing here reads the
//! store or the search index, and nothing here knows poem.

mod catalogue;
mod graphql;
mod introspection;
mod operations;
mod pages;
mod records;
mod server;
mod tools;

use std::sync::Arc;
use std::time::Duration;

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use crate::config::Config;

pub(crate) use pages::RecordPages;

/// The `/mcp` transport: a tower service.
pub(crate) type Transport = StreamableHttpService<server::Server, LocalSessionManager>;

/// How the MCP endpoint is guarded: by the same limits as `/graphql`.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The largest request body accepted, in bytes (413 beyond it).
    pub(crate) max_body_bytes: usize,
    /// How long one tool's queries may run.
    pub(crate) timeout: Duration,
    /// Browser origins allowed to call `/mcp`; `None` allows any.
    pub(crate) allowed_origins: Option<Vec<String>>,
    /// Whether only loopback `Host` names are accepted (against DNS rebinding): so when the
    /// server listens on loopback only.
    pub(crate) loopback_hosts_only: bool,
}

impl Options {
    /// The options `config` asks for: origins from `--cors-origins` (empty or `*` allows
    /// any), the request timeout, and loopback hosts only when bound to loopback.
    pub(crate) fn from_config(config: &Config, max_body_bytes: usize) -> Self {
        let origins: Vec<&str> = config
            .cors_origins
            .iter()
            .map(|origin| origin.trim().trim_end_matches('/'))
            .filter(|origin| !origin.is_empty())
            .collect();
        let allowed_origins = if origins.is_empty() || origins.contains(&"*") {
            None
        } else {
            Some(origins.into_iter().map(with_default_port).collect())
        };
        Self {
            max_body_bytes,
            timeout: Duration::from_secs(config.request_timeout_secs),
            allowed_origins,
            loopback_hosts_only: config.bind.ip().is_loopback(),
        }
    }
}

/// The MCP endpoint's two services.
pub(crate) struct Mcp {
    transport: Transport,
    pages: RecordPages,
}

impl Mcp {
    /// Builds the tools (the built-in ones and one per operation file) over `api`.
    pub(crate) fn new(api: crate::graphql::Api, options: &Options) -> Self {
        let gateway = graphql::Gateway::new(api, options.timeout);
        let operations = operations::load(&graphql::enum_values()).unwrap_or_else(|problem| {
            // The files are embedded and a unit test loads them all, so this is a build
            // that skipped its tests: serve the other tools rather than none.
            tracing::error!(%problem, "an operation file is invalid: no operation tools");
            Vec::new()
        });
        let tools = Arc::new(tools::Tools::new(gateway.clone(), operations));
        let handler = server::Server::new(tools);
        let transport = Transport::new(
            move || Ok(handler.clone()),
            Arc::new(LocalSessionManager::default()),
            transport_config(options),
        );
        Self {
            transport,
            pages: RecordPages::new(gateway),
        }
    }

    /// The `/mcp` service.
    pub(crate) fn transport(&self) -> Transport {
        self.transport.clone()
    }

    /// The `/records/{id}` service.
    pub(crate) fn pages(&self) -> RecordPages {
        self.pages.clone()
    }
}

fn transport_config(options: &Options) -> StreamableHttpServerConfig {
    let config = StreamableHttpServerConfig::default()
        .with_max_request_body_bytes(options.max_body_bytes)
        // Stateless (2026-07-28) requests answer plain JSON, inside the request timeout.
        .with_json_response(true);
    let config = if options.loopback_hosts_only {
        config.with_allowed_hosts(["localhost", "127.0.0.1", "::1"])
    } else {
        // Reachable by its public name, which the server cannot know; browsers are held
        // back by the Origin check instead.
        config.disable_allowed_hosts()
    };
    match &options.allowed_origins {
        None => config.disable_allowed_origins(),
        Some(origins) => config
            .with_allowed_origins(origins.clone())
            .enforce_origin_validation(),
    }
}

/// `https://a.example` → `https://a.example:443`: an origin names its scheme's default port
/// when it gives none (RFC 6454), and rmcp matches an entry without a port against any port.
fn with_default_port(origin: &str) -> String {
    let Ok(uri) = origin.parse::<http::Uri>() else {
        return origin.to_owned();
    };
    let default_port = match uri.scheme_str() {
        Some("https") => 443,
        Some("http") => 80,
        _ => return origin.to_owned(),
    };
    match uri.authority() {
        Some(authority) if authority.port_u16().is_none() => format!("{origin}:{default_port}"),
        _ => origin.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_without_a_port_get_their_scheme_default() {
        assert_eq!(
            with_default_port("https://a.example"),
            "https://a.example:443"
        );
        assert_eq!(with_default_port("http://a.example"), "http://a.example:80");
        assert_eq!(
            with_default_port("http://a.example:8080"),
            "http://a.example:8080"
        );
        assert_eq!(with_default_port("null"), "null");
    }
}
