//! `WS /lsp/socket?languageId=…&pathToProject=…` (ours): raw LSP JSON-RPC for a browser
//! editor. Each socket gets a language server of its own (so its request ids are its own),
//! started as the sandbox user in the project; every text message is one JSON-RPC message
//! (the agent adds and strips the `Content-Length` framing). The server ends with the socket.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use daytona_models::LspServerRequest;
use tokio::io::{AsyncWriteExt, BufReader};

use super::server::{read_message, spawn};
use crate::agent::error::ToolboxError;
use crate::agent::extract::ToolboxQuery;
use crate::agent::{subprotocol, Agent};

/// Handler of `GET /lsp/socket` (WebSocket).
pub async fn serve(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<LspServerRequest>,
    mut ws: WebSocketUpgrade,
) -> Response {
    let started = async {
        let (language, project) = super::key(&agent, &q.language_id, &q.path_to_project)?;
        if !project.is_dir() {
            return Err(ToolboxError::NotFound(
                "FILE_NOT_FOUND",
                format!("no project directory {}", q.path_to_project),
            ));
        }
        spawn(&language, &project).await
    };
    let (child, stdin, stdout) = match started.await {
        Ok(parts) => parts,
        Err(e) => return e.into_response(),
    };
    subprotocol::select(&mut ws);
    ws.on_upgrade(move |socket| bridge(socket, child, stdin, stdout))
}

async fn bridge(
    mut socket: WebSocket,
    mut child: tokio::process::Child,
    mut stdin: tokio::process::ChildStdin,
    stdout: tokio::process::ChildStdout,
) {
    // The server's messages come through a task of their own: reading a frame is not safe to
    // cancel halfway, which a `select!` arm would do.
    let (tx, mut from_server) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
    tokio::spawn(async move {
        let mut reader = BufReader::new(stdout);
        while let Some(body) = read_message(&mut reader).await {
            if tx.send(body).await.is_err() {
                break;
            }
        }
    });
    loop {
        tokio::select! {
            message = socket.recv() => match message {
                Some(Ok(Message::Text(text))) => {
                    let framed = format!("Content-Length: {}\r\n\r\n{}", text.len(), text.as_str());
                    if stdin.write_all(framed.as_bytes()).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                _ => break,
            },
            body = from_server.recv() => match body.map(String::from_utf8) {
                Some(Ok(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                _ => break,
            },
        }
    }
    let _ = socket.send(Message::Close(None)).await;
    if let Some(pid) = child.id() {
        // SAFETY: kill(2) on the server's own process group (it may have started helpers).
        unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
    }
    let _ = child.wait().await;
}
