//! The text log line, written without tracing-subscriber's default formatter:
//!
//! `2026-11-23T16:58:05.512573Z  INFO target: message key=value key="text"`
//!
//! the same layout as tracing-subscriber's `Full` format without colours. The default
//! formatter cost about 10,000 instructions per access-log line (measured with callgrind:
//! a fifth of a cached answer), mostly in its no-op ANSI styling, its date formatting and
//! `fmt` machinery; this one formats the date once a second and writes plain text fields
//! directly.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// Plain text lines; see the module documentation.
pub(super) struct PlainText;

impl<S, N> FormatEvent<S, N> for PlainText
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // The line is built in a `String` and handed to the writer once (see `Fields`).
        let mut line = String::with_capacity(256);
        write_timestamp(&mut line, SystemTime::now())?;
        let metadata = event.metadata();
        line.push_str(level_label(*metadata.level()));
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                line.push_str(span.name());
                let extensions = span.extensions();
                if let Some(fields) = extensions.get::<FormattedFields<N>>() {
                    if !fields.is_empty() {
                        write!(line, "{{{fields}}}")?;
                    }
                }
                line.push(':');
            }
            line.push(' ');
        }
        line.push_str(metadata.target());
        line.push(':');
        let mut fields = Fields {
            line: &mut line,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        line.push('\n');
        writer.write_str(&line)
    }
}

/// `" INFO "` and so on: the level right-aligned in five characters, between spaces.
fn level_label(level: Level) -> &'static str {
    match level {
        Level::ERROR => " ERROR ",
        Level::WARN => "  WARN ",
        Level::INFO => "  INFO ",
        Level::DEBUG => " DEBUG ",
        Level::TRACE => " TRACE ",
    }
}

thread_local! {
    /// The second last formatted on this thread, and its text (`2026-11-23T16:58:05`).
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// RFC 3339 in UTC with microseconds: `2026-11-23T16:58:05.512573Z`.
fn write_timestamp(writer: &mut impl fmt::Write, now: SystemTime) -> fmt::Result {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    SECOND.with_borrow_mut(|(cached, text)| {
        if *cached != seconds {
            text.clear();
            let time = i64::try_from(seconds)
                .ok()
                .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
                .unwrap_or_default();
            write!(text, "{}", time.format("%Y-%m-%dT%H:%M:%S"))?;
            *cached = seconds;
        }
        writer.write_str(text)
    })?;
    let mut micros = itoa::Buffer::new();
    let micros = micros.format(since_epoch.subsec_micros());
    writer.write_char('.')?;
    writer.write_str(&"000000"[micros.len()..])?;
    writer.write_str(micros)?;
    writer.write_char('Z')
}

/// Writes the event's fields into `line`: the message bare, the others as `name=value`,
/// strings quoted.
///
/// Into a `String`, not through the subscriber's `Writer`: each of a line's twenty-odd small
/// writes through the `Writer` is a dynamic call, which cost more than the pushes themselves
/// (about 700 instructions per access-log line, callgrind).
struct Fields<'a> {
    line: &'a mut String,
    result: fmt::Result,
}

impl Fields<'_> {
    fn name(&mut self, field: &Field) {
        self.line.push(' ');
        if field.name() != "message" {
            self.line.push_str(field.name());
            self.line.push('=');
        }
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.name(field);
        if field.name() == "message" {
            self.line.push_str(value);
        } else if value
            .bytes()
            .all(|byte| byte >= b' ' && byte != b'"' && byte != b'\\' && byte != 0x7f)
        {
            self.line.push('"');
            self.line.push_str(value);
            self.line.push('"');
        } else {
            // Writing into a `String` cannot fail.
            let _ = write!(self.line, "{value:?}");
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.name(field);
        self.line.push_str(itoa::Buffer::new().format(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.name(field);
        self.line.push_str(itoa::Buffer::new().format(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.name(field);
        if self.result.is_ok() {
            self.result = write!(self.line, "{value}");
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.name(field);
        if self.result.is_ok() {
            // Only a `Debug` implementation that reports an error can fail here.
            self.result = write!(self.line, "{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn logged(log: impl FnOnce()) -> String {
        let lines = Lines::default();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .event_format(PlainText)
            .with_writer({
                let lines = lines.clone();
                move || lines.clone()
            })
            .finish();
        tracing::subscriber::with_default(subscriber, log);
        let bytes = lines.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    /// The line without its timestamp, which is checked on its own.
    fn after_timestamp(line: &str) -> &str {
        let (timestamp, rest) = line.split_at(27);
        assert!(
            timestamp.len() == 27
                && timestamp.ends_with('Z')
                && timestamp.as_bytes()[10] == b'T'
                && timestamp.as_bytes()[19] == b'.',
            "{line:?}"
        );
        rest
    }

    #[test]
    fn an_access_log_line_has_the_default_layout_without_colours() {
        let line = logged(|| {
            tracing::info!(
                request_id = %"1ad23b0c-2",
                method = "POST",
                path = "/graphql",
                status = 200u16,
                duration_us = 24_231u64,
                "request"
            );
        });
        assert_eq!(
            after_timestamp(&line),
            "  INFO nhs_leadership_graph::telemetry::format::tests: request request_id=1ad23b0c-2 \
             method=\"POST\" path=\"/graphql\" status=200 duration_us=24231\n"
        );
    }

    #[test]
    fn text_that_needs_escaping_is_written_as_a_quoted_rust_string() {
        let line = logged(|| tracing::warn!(path = "/a\"b\nc", "odd"));
        assert!(
            line.ends_with(
                "  WARN nhs_leadership_graph::telemetry::format::tests: odd path=\"/a\\\"b\\nc\"\n"
            ),
            "{line:?}"
        );
    }

    #[test]
    fn spans_are_named_before_the_target() {
        let line = logged(|| {
            let span = tracing::info_span!("reseed", files = 3);
            let _entered = span.enter();
            tracing::error!(error = %"disk full", "failed");
        });
        assert!(
            line.contains(" ERROR reseed{files=3}: nhs_leadership_graph::telemetry::format::tests: failed error=disk full\n"),
            "{line:?}"
        );
    }

    #[test]
    fn timestamps_are_rfc_3339_in_utc_with_microseconds() {
        let mut text = String::new();
        let at = UNIX_EPOCH + std::time::Duration::from_micros(1_795_452_685_512_573);
        write_timestamp(&mut text, at).unwrap();
        write_timestamp(&mut text, at + std::time::Duration::from_secs(1)).unwrap();
        assert_eq!(
            text,
            "2026-11-23T16:51:25.512573Z2026-11-23T16:51:26.512573Z"
        );
    }
}
