//! Logging setup: human-readable text by default, JSON lines on request.
//!
//! Lines go to stderr through `tracing-appender`'s background writer: a request's log line
//! is handed to a channel, and the writer thread drains whatever has queued into a buffer
//! and writes it with one syscall, so logging one line per request does not cost one write
//! per request. Nothing is dropped: when the queue is full, logging waits.

use std::io::IsTerminal;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// The writer's buffer: many request lines per write under load.
const BUFFER_BYTES: usize = 64 * 1024;

/// Installs the global subscriber, writing to stderr; `RUST_LOG` overrides the default `info`
/// level. Keep the guard until exit: dropping it flushes what is still queued.
pub fn init(format: LogFormat) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::stderr().is_terminal();
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(std::io::BufWriter::with_capacity(
            BUFFER_BYTES,
            std::io::stderr(),
        ));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    guard
}
