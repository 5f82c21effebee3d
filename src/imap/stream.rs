//! [`Stream`]: one transport type (plain TCP or TLS) for every TLS mode, so
//! one `async_imap::Session<Stream>` type serves them all, with a stall
//! timer so a server that stops answering cannot hang the daemon.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;
use tokio_rustls::client::TlsStream;

/// The byte stream under an IMAP session.
pub(super) struct Stream {
    transport: Transport,
    /// How long a read or write may make no progress before it fails with
    /// `TimedOut`; `None` while idling (the IDLE deadline rules then).
    stall_limit: Option<Duration>,
    /// Armed when an operation is pending, cleared on progress.
    stall: Option<Pin<Box<Sleep>>>,
}

enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Stream {
    /// A plain TCP stream (before STARTTLS, or `tls = "none"`).
    pub(super) fn plain(tcp: TcpStream, stall_limit: Duration) -> Self {
        Self::new(Transport::Plain(tcp), stall_limit)
    }

    /// A TLS stream.
    pub(super) fn tls(tls: TlsStream<TcpStream>, stall_limit: Duration) -> Self {
        Self::new(Transport::Tls(Box::new(tls)), stall_limit)
    }

    fn new(transport: Transport, stall_limit: Duration) -> Self {
        Self {
            transport,
            stall_limit: Some(stall_limit),
            stall: None,
        }
    }

    /// The TCP stream back, for STARTTLS; `None` when already TLS.
    pub(super) fn into_plain(self) -> Option<TcpStream> {
        match self.transport {
            Transport::Plain(tcp) => Some(tcp),
            Transport::Tls(_) => None,
        }
    }

    /// Changes (or, with `None`, switches off) the stall timer.
    pub(super) fn set_stall_limit(&mut self, limit: Option<Duration>) {
        self.stall_limit = limit;
        self.stall = None;
    }

    /// Polls the stall timer of a pending operation: `Ready` with a
    /// `TimedOut` error once it has made no progress for the limit.
    fn poll_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let Some(limit) = self.stall_limit else {
            return Poll::Pending;
        };
        let timer = self
            .stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.stall = None;
                Poll::Ready(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("the server did not answer for {} s", limit.as_secs()),
                ))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    /// Clears the timer on progress, or polls it while pending.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(result) => {
                self.stall = None;
                Poll::Ready(result)
            }
            Poll::Pending => self.poll_stall(cx).map(Err),
        }
    }
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.transport {
            Transport::Plain(_) => "plain",
            Transport::Tls(_) => "tls",
        };
        f.debug_struct("Stream")
            .field("transport", &kind)
            .field("stall_limit", &self.stall_limit)
            .finish()
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = match &mut this.transport {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        };
        this.watch(cx, poll)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = match &mut this.transport {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        };
        this.watch(cx, poll)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = match &mut this.transport {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        };
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = match &mut this.transport {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        };
        this.watch(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn a_silent_server_makes_a_read_fail_with_timed_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accept = tokio::spawn(async move { listener.accept().await });
        let tcp = TcpStream::connect(addr).await.unwrap();
        let _server = accept.await.unwrap().unwrap();
        let mut stream = Stream::plain(tcp, Duration::from_millis(50));
        let mut buf = [0u8; 8];
        let error = stream.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }
}
