//! HTTP/1.1 over a sandbox's Unix socket: how the server reaches the toolbox agent.

use std::path::Path;

use axum::body::Body;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;

/// Sends one request to the agent listening on `socket` (upgrades are supported).
pub async fn send(socket: &Path, req: Request<Body>) -> Result<Response<Incoming>, String> {
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|e| format!("toolbox agent unreachable: {e}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("toolbox agent handshake: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = conn.with_upgrades().await {
            tracing::debug!("toolbox agent connection: {e}");
        }
    });
    sender
        .send_request(req)
        .await
        .map_err(|e| format!("toolbox agent request: {e}"))
}

/// Whether the agent answers `GET /version` with 200.
pub async fn is_ready(socket: &Path) -> bool {
    let req = Request::get("/version")
        .header("host", "toolbox")
        .body(Body::empty())
        .expect("static request");
    matches!(send(socket, req).await, Ok(resp) if resp.status().is_success())
}
