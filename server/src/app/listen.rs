//! The HTTP/1.1 accept loop of `serve`, in place of `axum::serve`, for two limits:
//!
//! * a client must send a request's headers within `--header-read-timeout-secs` (30 s), also
//!   for the next request on a kept-alive connection, or the connection is closed;
//! * at most `--max-connections` (4096) sockets are open at once, WebSockets included (an
//!   upgraded socket keeps its slot until it closes). At the cap the loop stops accepting:
//!   further clients wait in the kernel's listen backlog until a connection closes, rather
//!   than being refused.
//!
//! HTTP/1.1 only (with upgrades): what browsers and the SDKs speak over plain HTTP. (Serving
//! HTTP/2 prior knowledge as well would mean sniffing the first bytes with no timeout.)
//! Every request carries the connection's [`Conn`] and axum's `ConnectInfo<SocketAddr>`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

use super::forwarded::{Cidr, Conn};

/// Parses `host:port` for `--listen`.
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    s.parse().map_err(|e| format!("invalid --listen address {s:?}: {e}"))
}

/// Limits on connections.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// Most sockets open at once.
    pub max_connections: usize,
}

/// Serves `app` on `listener` (over TLS with `tls`) until `shutdown` resolves; then stops
/// accepting, lets open requests finish for at most `grace` and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    trusted_proxies: Arc<[Cidr]>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let listen_addr = listener.local_addr().ok();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    // Every connection task holds a receiver: the sender sees them all gone once they are done.
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small writes (WebSocket frames, a response's last bytes) go out at once: with Nagle's
        // algorithm a frame written after another waited for the client's delayed ACK (40 ms).
        let _ = stream.set_nodelay(true);
        let Some(local) = stream.local_addr().ok().or(listen_addr) else { continue };
        let trusted_proxy = trusted_proxies.iter().any(|net| net.contains(peer.ip()));
        let conn = Conn { peer, local, trusted_proxy, tls: tls.is_some() };
        let socket = Counted { stream, _slot: slot };
        let (app, http, stopping, tls) = (app.clone(), http.clone(), stopping.clone(), tls.clone());
        tokio::spawn(async move {
            let Some(acceptor) = tls else { return drive(http, socket, app, conn, stopping).await };
            // The handshake within the time a request's headers may take.
            match tokio::time::timeout(limits.header_read_timeout, acceptor.accept(socket)).await {
                Ok(Ok(socket)) => drive(http, socket, app, conn, stopping).await,
                Ok(Err(e)) => tracing::debug!("TLS handshake with {peer}: {e}"),
                Err(_) => tracing::debug!("TLS handshake with {peer}: timed out"),
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    drop(stopping);
    // Graceful, but bounded: a response streaming from a sandbox (a preview's event stream,
    // a followed log) would otherwise hold the shutdown forever.
    if tokio::time::timeout(grace, stop.closed()).await.is_err() {
        tracing::warn!("requests still open {grace:?} after the shutdown signal: closing them");
    }
}

/// Serves one connection's requests until it closes, or gracefully once `stopping` changes.
async fn drive<I>(http: Http1, socket: I, app: Router, conn: Conn, mut stopping: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(conn);
        req.extensions_mut().insert(ConnectInfo(conn.peer));
        app.clone().oneshot(req)
    });
    let connection = http.serve_connection(TokioIo::new(socket), service).with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        // The one change there is: to `true`, when the server stops.
        _ = stopping.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!("connection from {}: {e}", conn.peer);
    }
}

type Http1 = hyper::server::conn::http1::Builder;

/// After a failed `accept`: errors of that one connection are skipped; others (out of file
/// descriptors) are waited out briefly, instead of spinning.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset, Interrupted};
    if !matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted) {
        tracing::error!("accepting a connection: {e}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// A connection's socket, holding its slot under `--max-connections` until it is closed, also
/// after an upgrade (the WebSocket keeps this socket).
struct Counted {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
}

impl AsyncRead for Counted {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
