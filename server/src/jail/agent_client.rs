//! HTTP/1.1 over a sandbox's Unix socket: how the server reaches the toolbox agent.

use std::path::Path;

use axum::body::Body;
use hyper::body::Incoming;
use hyper::upgrade::Upgraded;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;

/// Sends one request to the agent listening on `socket` (upgrades are supported).
pub async fn send(socket: &Path, req: Request<Body>) -> Result<Response<Incoming>, String> {
    let stream = UnixStream::connect(socket).await.map_err(|e| format!("toolbox agent unreachable: {e}"))?;
    send_over(TokioIo::new(stream), req, "toolbox agent").await
}

/// Sends one HTTP/1.1 request over the connection `io` to `peer` (named in errors);
/// upgrades are supported.
pub async fn send_over<IO>(io: IO, req: Request<Body>, peer: &str) -> Result<Response<Incoming>, String>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(io).await.map_err(|e| format!("{peer} handshake: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = conn.with_upgrades().await {
            tracing::debug!("connection: {e}");
        }
    });
    sender.send_request(req).await.map_err(|e| format!("{peer} request: {e}"))
}

/// A byte stream to `localhost:{port}` inside the sandbox whose agent listens on `socket`
/// (the agent's `/tunnel/{port}`); why not, when nothing listens there.
pub async fn tunnel(socket: &Path, port: u16) -> Result<Upgraded, String> {
    upgrade(socket, &format!("/tunnel/{port}"), "tcp").await
}

/// The connection of `GET path` with `Upgrade: protocol` to the agent listening on `socket`,
/// once switched; the agent's message when it refuses.
pub async fn upgrade(socket: &Path, path: &str, protocol: &'static str) -> Result<Upgraded, String> {
    let req = Request::get(path)
        .header("host", "toolbox")
        .header("connection", "upgrade")
        .header("upgrade", protocol)
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let mut resp = send(socket, req).await?;
    if resp.status() != hyper::StatusCode::SWITCHING_PROTOCOLS {
        let body = axum::body::to_bytes(Body::new(resp.into_body()), 64 * 1024).await.unwrap_or_default();
        let message = serde_json::from_slice::<daytona_models::ErrorResponse>(&body)
            .map(|envelope| envelope.message)
            .unwrap_or_else(|_| String::from_utf8_lossy(&body).into_owned());
        return Err(message);
    }
    hyper::upgrade::on(&mut resp).await.map_err(|e| e.to_string())
}

/// Whether the agent answers `GET /version` with 200.
pub async fn is_ready(socket: &Path) -> bool {
    let req = Request::get("/version").header("host", "toolbox").body(Body::empty()).expect("static request");
    matches!(send(socket, req).await, Ok(resp) if resp.status().is_success())
}
