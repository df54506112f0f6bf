//! Logging setup: plain text lines by default, JSON lines on request, coloured text when
//! stderr is a terminal; and the metrics registry (`metrics.rs`) the transports count into.
//!
//! Lines go to stderr through [`writer::BatchWriter`]: a request's line is appended to an
//! in-memory queue, and a writer thread writes what has queued with one syscall at most
//! every 50 ms, so logging one line per request costs neither a write nor a thread wake-up
//! per request. Nothing is dropped: when the queue is full, logging waits.

mod format;
pub(crate) mod metrics;
mod writer;

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub use writer::{BatchWriter, LogGuard};

use crate::config::LogFormat;

/// The filter when `RUST_LOG` is not set: `info`, except tantivy's, which logs each segment
/// flush and merge of building the search index at `info` (over a hundred lines on a large
/// seed), through `log`, with its source file on every line.
pub const DEFAULT_FILTER: &str = "info,tantivy=warn";

/// Installs the global subscriber, writing to stderr; `RUST_LOG` overrides
/// [`DEFAULT_FILTER`]. Keep the guard until exit: dropping it writes what is still queued.
pub fn init(format: LogFormat) -> std::io::Result<LogGuard> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let (writer, guard) = BatchWriter::spawn(std::io::stderr())?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        // People at a terminal get tracing-subscriber's own coloured lines.
        LogFormat::Text if std::io::stderr().is_terminal() => builder.with_ansi(true).try_init(),
        // Span fields are formatted apart from the event: without colours too.
        LogFormat::Text => builder
            .with_ansi(false)
            .event_format(format::PlainText)
            .try_init(),
    };
    Ok(guard)
}
