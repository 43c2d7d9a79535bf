//! The accept loop, with the limits that keep slow or numerous clients from exhausting the
//! server: at most `max_connections` at once (further ones wait in the kernel's queue until one
//! closes), a deadline for a request's headers and for the TLS handshake (so a client that
//! connects and dribbles, or says nothing, gives its place back), a deadline for a client that
//! stops reading its answer, and a graceful shutdown that lets open requests finish.
//!
//! HTTP/1.1 only: the desktop speaks nothing else, and one protocol is one set of deadlines to
//! get right (hyper has no header deadline for HTTP/2).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Sleep;
use tokio_rustls::TlsAcceptor;

/// How long to wait before accepting again after the operating system refused (say, out of
/// file descriptors): retrying at once would spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    /// For a request's headers, the TLS handshake, and an idle kept-alive connection (waiting
    /// for the next request is waiting for its headers).
    pub header_timeout: Duration,
    /// For a write the client does not take: an answer it stopped reading.
    pub write_stall: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then gives open connections `grace`
/// to finish their requests and closes what is left.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let places = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let place = tokio::select! {
            () = &mut shutdown => break,
            place = places.clone().acquire_owned() => place.map_err(io::Error::other)?,
        };
        let tcp = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => WriteDeadline::new(tcp, limits.write_stall),
                Err(e) => {
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(ACCEPT_RETRY).await;
                    continue;
                }
            },
        };
        let (http, app, tls, stopping) = (http.clone(), app.clone(), tls.clone(), stopping.clone());
        connections.spawn(async move {
            match tls {
                None => serve_connection(tcp, &http, app, stopping).await,
                Some(tls) => match tokio::time::timeout(limits.header_timeout, tls.accept(tcp)).await {
                    Ok(Ok(stream)) => serve_connection(stream, &http, app, stopping).await,
                    Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!("TLS handshake timed out"),
                },
            }
            drop(place);
        });
    }
    // Clients arriving from here on are refused rather than left waiting in the queue.
    drop(listener);
    let _ = stop.send(true);
    let finished = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(grace, finished).await.is_err() {
        tracing::warn!(open = connections.len(), "open requests did not finish within the grace period");
        connections.shutdown().await;
    }
    Ok(())
}

/// Serves one connection until the client closes it, a deadline passes, or a shutdown asks it
/// to finish the request in progress and close.
async fn serve_connection<I>(io: I, http: &http1::Builder, app: Router, mut stopping: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let connection = http.serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
    tokio::pin!(connection);
    let stop = async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stop => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// A connection whose writes may not stall longer than `limit`. Without it a client that stops
/// reading (half way through a snapshot, say) would keep its place for as long as it liked.
struct WriteDeadline<I> {
    io: I,
    limit: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<I> WriteDeadline<I> {
    fn new(io: I, limit: Duration) -> Self {
        Self { io, limit, stalled: None }
    }

    /// Passes `poll` on, and fails it once the write has been pending for `limit`.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let limit = self.limit;
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => {
                Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for WriteDeadline<I> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<I> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_shutdown(cx);
        this.watch(cx, poll)
    }
}
