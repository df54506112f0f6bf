//! Closes connections that go quiet: a client that opens a connection and never finishes its
//! request (slowloris), or a keep-alive connection left idle, gets no more than
//! `--idle-timeout-secs` between two reads or writes.
//!
//! poem 3 builds hyper's connection without a timer, so hyper's own header-read timeout is
//! off, and poem's `idle_timeout` shuts a connection down gracefully, which waits for a
//! half-received request forever. Here every accepted socket is wrapped so that a read
//! waiting longer than the limit since the connection's last progress fails with `TimedOut`,
//! and hyper drops the connection. A request being handled is bounded separately by the
//! request timeout, which is shorter.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Wraps every connection `inner` accepts in a [`Quiet`] deadline of `limit`.
pub(crate) struct QuietConnectionsClose<A> {
    inner: A,
    limit: Duration,
}

impl<A> QuietConnectionsClose<A> {
    pub(crate) fn new(inner: A, limit: Duration) -> Self {
        Self { inner, limit }
    }
}

impl<A: Acceptor> Acceptor for QuietConnectionsClose<A> {
    type Io = Quiet<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(
        &mut self,
    ) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, poem::http::uri::Scheme)> {
        let (io, local, remote, scheme) = self.inner.accept().await?;
        Ok((Quiet::new(io, self.limit), local, remote, scheme))
    }
}

/// A connection whose reads fail once it has made no progress for `limit`.
///
/// Progress only records the time; the timer is moved lazily, when it fires early because
/// of progress since it was set. Resetting tokio's timer on every read and write cost more
/// than a cached answer's own handler.
pub(crate) struct Quiet<T> {
    inner: T,
    limit: Duration,
    last_progress: Instant,
    deadline: Pin<Box<Sleep>>,
}

impl<T> Quiet<T> {
    fn new(inner: T, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            last_progress: Instant::now(),
            deadline: Box::pin(tokio::time::sleep(limit)),
        }
    }

    fn progressed(&mut self) {
        self.last_progress = Instant::now();
    }

    /// Whether the connection has been quiet for `limit`; if not, the timer is armed (and
    /// `cx` woken) for when it would be.
    fn quiet_too_long(&mut self, cx: &mut Context<'_>) -> bool {
        while self.deadline.as_mut().poll(cx).is_ready() {
            let due = self.last_progress + self.limit;
            if Instant::now() >= due {
                return true;
            }
            self.deadline.as_mut().reset(due);
        }
        false
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Quiet<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                this.progressed();
                Poll::Ready(result)
            }
            Poll::Pending if this.quiet_too_long(cx) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client sent nothing within the idle timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Quiet<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        if written.is_ready() {
            this.progressed();
        }
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if written.is_ready() {
            this.progressed();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
