//! The log writer: lines are appended to an in-memory queue under a mutex, and one thread
//! writes the whole queue to the sink at most every [`FLUSH_INTERVAL`] (sooner once
//! [`WAKE_BYTES`] have queued), with one `write` per batch.
//!
//! Why not `tracing-appender`'s non-blocking writer: its worker thread wakes for every line.
//! Under load on one core (the benchmark pins the server), that was one `write` and one
//! `sched_yield` per request, measured with `strace -c`, and a context switch each.
//!
//! Nothing is dropped: when [`MAX_QUEUED_BYTES`] are waiting (the sink is stuck), a thread
//! that logs waits for room, as `tracing-appender` does with `lossy(false)`. What is still
//! queued is written when the [`LogGuard`] drops; a process killed outright loses at most
//! the last interval's lines.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// The longest a line waits in the queue on an otherwise quiet server.
pub(crate) const FLUSH_INTERVAL: Duration = Duration::from_millis(50);
/// Queued bytes that wake the writer before the interval ends.
pub(crate) const WAKE_BYTES: usize = 64 * 1024;
/// Queued bytes beyond which logging threads wait for the writer.
pub(crate) const MAX_QUEUED_BYTES: usize = 4 * 1024 * 1024;

struct Queue {
    lines: Vec<u8>,
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the writer thread: a first line in an empty queue, [`WAKE_BYTES`], or closing.
    wake: Condvar,
    /// Wakes logging threads waiting for room.
    room: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A thread that panicked while holding the lock left whole lines or none.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Hands lines to the writer thread; the `MakeWriter` of the subscriber.
#[derive(Clone)]
pub struct BatchWriter {
    shared: Arc<Shared>,
}

/// Keep until exit: dropping it writes what is queued and stops the writer thread.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl BatchWriter {
    /// Starts the writer thread over `sink`.
    pub fn spawn(sink: impl Write + Send + 'static) -> io::Result<(Self, LogGuard)> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                lines: Vec::with_capacity(WAKE_BYTES),
                closed: false,
            }),
            wake: Condvar::new(),
            room: Condvar::new(),
        });
        let thread = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn({
                let shared = shared.clone();
                move || write_batches(&shared, sink)
            })?;
        Ok((
            Self {
                shared: shared.clone(),
            },
            LogGuard {
                shared,
                thread: Some(thread),
            },
        ))
    }
}

fn write_batches(shared: &Shared, mut sink: impl Write) {
    let mut batch = Vec::with_capacity(WAKE_BYTES);
    loop {
        let mut queue = shared.lock();
        while queue.lines.is_empty() && !queue.closed {
            queue = shared
                .wake
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
        // A line arrived: let others join it for up to one interval.
        queue = shared
            .wake
            .wait_timeout_while(queue, FLUSH_INTERVAL, |queue| {
                queue.lines.len() < WAKE_BYTES && !queue.closed
            })
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        std::mem::swap(&mut queue.lines, &mut batch);
        let closed = queue.closed;
        drop(queue);
        shared.room.notify_all();
        // Nowhere to report a failing log sink; the lines are lost, the server goes on.
        let _ = sink.write_all(&batch).and_then(|()| sink.flush());
        batch.clear();
        batch.shrink_to(WAKE_BYTES * 2);
        if closed && shared.lock().lines.is_empty() {
            return;
        }
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
        self.shared.room.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One formatted event, appended to the queue in one piece.
pub struct QueuedLine<'a> {
    shared: &'a Shared,
}

impl Write for QueuedLine<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut queue = self.shared.lock();
        while queue.lines.len() >= MAX_QUEUED_BYTES && !queue.closed {
            queue = self
                .shared
                .room
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if queue.closed {
            // Logged after the guard dropped (late shutdown): straight to stderr.
            drop(queue);
            return io::stderr().write(bytes);
        }
        let before = queue.lines.len();
        queue.lines.extend_from_slice(bytes);
        let after = queue.lines.len();
        drop(queue);
        if before == 0 || (before < WAKE_BYTES && after >= WAKE_BYTES) {
            self.shared.wake.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchWriter {
    type Writer = QueuedLine<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        QueuedLine {
            shared: &self.shared,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink that records each `write_all` batch.
    #[derive(Clone, Default)]
    struct Recorder {
        batches: Arc<Mutex<Vec<Vec<u8>>>>,
        delay: Option<Duration>,
    }

    impl Write for Recorder {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if let Some(delay) = self.delay {
                std::thread::sleep(delay);
            }
            self.batches.lock().unwrap().push(bytes.to_vec());
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Recorder {
        fn text(&self) -> String {
            String::from_utf8(self.batches.lock().unwrap().concat()).unwrap()
        }
    }

    fn log(writer: &BatchWriter, line: &str) {
        writer.make_writer().write_all(line.as_bytes()).unwrap();
    }

    #[test]
    fn every_line_logged_before_the_guard_drops_reaches_the_sink_in_order() {
        let sink = Recorder::default();
        let (writer, guard) = BatchWriter::spawn(sink.clone()).unwrap();
        let lines: Vec<String> = (0..2_000).map(|n| format!("line {n}\n")).collect();
        for line in &lines {
            log(&writer, line);
        }
        drop(guard);
        assert_eq!(sink.text(), lines.concat());
    }

    #[test]
    fn lines_logged_together_are_written_in_few_batches() {
        let sink = Recorder::default();
        let (writer, guard) = BatchWriter::spawn(sink.clone()).unwrap();
        for n in 0..1_000 {
            log(&writer, &format!("request {n}\n"));
        }
        drop(guard);
        let writes = sink.batches.lock().unwrap().len();
        assert!(writes < 10, "1000 lines took {writes} writes");
    }

    #[test]
    fn a_quiet_server_writes_a_line_within_the_flush_interval() {
        let sink = Recorder::default();
        let (writer, _guard) = BatchWriter::spawn(sink.clone()).unwrap();
        log(&writer, "alone\n");
        let deadline = std::time::Instant::now() + FLUSH_INTERVAL * 20;
        while sink.text().is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(FLUSH_INTERVAL / 5);
        }
        assert_eq!(sink.text(), "alone\n");
    }

    #[test]
    fn a_slow_sink_makes_loggers_wait_rather_than_lose_lines() {
        let sink = Recorder {
            delay: Some(Duration::from_millis(20)),
            ..Recorder::default()
        };
        let (writer, guard) = BatchWriter::spawn(sink.clone()).unwrap();
        let line = format!("{}\n", "x".repeat(1023));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let writer = writer.clone();
                let line = line.clone();
                std::thread::spawn(move || {
                    // 4 threads x 4 MiB: more than the queue holds.
                    for _ in 0..4 * 1024 {
                        log(&writer, &line);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        drop(guard);
        assert_eq!(sink.text().len(), 4 * 4 * 1024 * 1024);
    }
}
