//! Request bodies read to their end before the answer goes out, shared by the API and the agent.
//!
//! A handler may answer before it has read the request's body: an early 400 on a bad query, a
//! GET that carries a body, a 413 past a size limit. hyper then closes the connection with the
//! unread bytes still in the socket, the kernel answers them with a reset, and the reset can
//! overtake the answer: the client sees a broken pipe, or — when the client is the toolbox
//! proxy — turns it into a 502 for a request the agent had answered with a clear 400. This
//! middleware hands the handler a body it watches; whatever the handler left unread is read
//! and discarded (up to [`DRAIN_MAX_BYTES`] within [`DRAIN_MAX_TIME`]) before the answer is
//! returned, so the connection stays usable and the answer arrives.
//!
//! A client that sent `Expect: 100-continue` and whose body was never asked for has sent
//! nothing yet: it gets the answer without its body being requested.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use hyper::body::{Body as HttpBody, Frame, SizeHint};

/// Most bytes read and discarded after an early answer; past it the connection is closed.
pub const DRAIN_MAX_BYTES: u64 = 64 << 20;
/// Longest wait for the unread rest of a body.
pub const DRAIN_MAX_TIME: Duration = Duration::from_secs(10);

/// Middleware: answers only once the request's body has been read to its end (see the module).
pub async fn unread_bodies(req: Request, next: Next) -> Response {
    let expects_continue =
        req.headers().get(header::EXPECT).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let left = Arc::new(Left::default());
    let (parts, body) = req.into_parts();
    let watched = Watched { body: Some(body), left: Arc::clone(&left) };
    let resp = next.run(Request::from_parts(parts, Body::new(watched))).await;
    let rest = left.body.lock().take();
    match rest {
        Some(body) if left.polled.load(Ordering::Relaxed) || !expects_continue => discard(body).await,
        _ => {}
    }
    resp
}

/// What a handler left of its request's body.
#[derive(Default)]
struct Left {
    /// The body, when the handler dropped it before its end.
    body: Mutex<Option<Body>>,
    /// Whether the handler ever asked for a frame.
    polled: AtomicBool,
}

/// The request body as the handler sees it: handed back to [`Left`] when dropped unfinished.
struct Watched {
    body: Option<Body>,
    left: Arc<Left>,
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        self.left.polled.store(true, Ordering::Relaxed);
        let Some(body) = self.body.as_mut() else { return Poll::Ready(None) };
        let polled = Pin::new(body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            self.body = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        self.body.as_ref().map(|b| b.size_hint()).unwrap_or_else(|| SizeHint::with_exact(0))
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if let Some(body) = self.body.take().filter(|b| !b.is_end_stream()) {
            *self.left.body.lock() = Some(body);
        }
    }
}

/// Reads `body` to its end, bounded by [`DRAIN_MAX_BYTES`] and [`DRAIN_MAX_TIME`].
async fn discard(body: Body) {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let _ = tokio::time::timeout(DRAIN_MAX_TIME, async {
        let mut read = 0u64;
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.len() as u64;
            if read > DRAIN_MAX_BYTES {
                break;
            }
        }
    })
    .await;
}
