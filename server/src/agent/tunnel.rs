//! `GET /tunnel/{port}` with `Upgrade: tcp`: a raw byte stream to the sandbox's own
//! `localhost:{port}`. The sandbox has its own network namespace, so this is how the server's
//! port previews reach a server running in it.

use axum::extract::{Path, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::error::ToolboxError;

/// Connects to `localhost:{port}` (IPv4, then IPv6) and, once connected, switches the
/// request's connection to a byte relay; 502 when nothing listens there.
pub async fn tunnel(Path(port): Path<String>, mut req: Request) -> Result<Response, ToolboxError> {
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| ToolboxError::BadRequest(format!("port must be between 1 and 65535, got {port:?}")))?;
    let upgrade = req.headers().get(header::UPGRADE).is_some_and(|u| u.as_bytes().eq_ignore_ascii_case(b"tcp"));
    if !upgrade {
        return Err(ToolboxError::BadRequest("the tunnel needs `Connection: upgrade` and `Upgrade: tcp`".into()));
    }
    let tcp = match TcpStream::connect(("127.0.0.1", port)).await {
        Ok(s) => s,
        Err(v4) => TcpStream::connect(("::1", port))
            .await
            .map_err(|_| ToolboxError::PortClosed(format!("nothing listens on port {port} in the sandbox ({v4})")))?,
    };
    let _ = tcp.set_nodelay(true);
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let (mut client, mut tcp) = (TokioIo::new(upgraded), tcp);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut tcp).await;
            }
            Err(e) => tracing::debug!("tunnel upgrade: {e}"),
        }
    });
    let mut resp = StatusCode::SWITCHING_PROTOCOLS.into_response();
    resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    resp.headers_mut().insert(header::UPGRADE, HeaderValue::from_static("tcp"));
    Ok(resp)
}
