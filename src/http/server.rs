//! Binding and serving: the listener, its quiet-connection deadline, and graceful shutdown.
//! `lib.rs` calls [`serve`] and keeps the handle; it knows no poem.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use poem::listener::{Acceptor, Listener, TcpListener};
use tokio::sync::oneshot;

use super::{routes, AppState, QuietConnectionsClose};
use crate::config::Config;
use crate::graphql::Api;

/// How long in-flight requests may take to finish after a shutdown signal.
const GRACEFUL_SHUTDOWN: Duration = Duration::from_secs(10);

/// A server accepting connections.
pub(crate) struct Serving {
    pub(crate) local_addr: SocketAddr,
    /// Send (or drop) to stop accepting and let in-flight requests finish.
    pub(crate) shutdown: oneshot::Sender<()>,
    pub(crate) server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds `config.bind` and serves `api` there with every route and middleware; returns once
/// connections are accepted.
pub(crate) async fn serve(api: Api, config: &Config) -> anyhow::Result<Serving> {
    let routes = routes(AppState::new(api, config), config);
    let acceptor = QuietConnectionsClose::new(
        TcpListener::bind(config.bind)
            .into_acceptor()
            .await
            .with_context(|| format!("binding {}", config.bind))?,
        Duration::from_secs(config.idle_timeout_secs),
    );
    let local_addr = acceptor
        .local_addr()
        .first()
        .and_then(|addr| addr.as_socket_addr().copied())
        .context("reading the bound address")?;
    let (shutdown, shutdown_receiver) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                routes,
                async {
                    let _ = shutdown_receiver.await;
                },
                Some(GRACEFUL_SHUTDOWN),
            )
            .await
    });
    Ok(Serving {
        local_addr,
        shutdown,
        server,
    })
}
