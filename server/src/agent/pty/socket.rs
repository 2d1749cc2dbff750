//! The PTY WebSockets: `{id}/connect` and `create-connect`, framed as Daytona's daemon does
//! (`connected` control text, binary output, `exited` control, close 1000/1011).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use daytona_models::PtyCreateRequest;
use serde::Deserialize;

use super::session::{Exit, PtyEvent, PtySession};
use crate::agent::error::ToolboxError;
use crate::agent::Agent;
use crate::agent::{closing, subprotocol};

/// Envs from an `X-Daytona-Pty-Envs~` token.
fn envs_from(offered: &[String]) -> Result<Option<BTreeMap<String, String>>, ToolboxError> {
    let Some(json) = offered.iter().find_map(|p| daytona_models::pty_envs_json(p)) else {
        return Ok(None);
    };
    let invalid = |e: &dyn std::fmt::Display| ToolboxError::BadRequest(format!("invalid envs subprotocol: {e}"));
    let json = json.map_err(|e| invalid(&e))?;
    serde_json::from_slice(&json).map(Some).map_err(|e| invalid(&e))
}

fn upgrade(mut ws: WebSocketUpgrade, session: Arc<PtySession>, offset: Option<u64>) -> Response {
    subprotocol::select(&mut ws);
    ws.on_upgrade(move |socket| serve(socket, session, offset))
}

/// Query of `{id}/connect`: `offset` resumes output after the bytes a client already has.
#[derive(Deserialize)]
pub struct ConnectQuery {
    #[serde(default)]
    offset: Option<u64>,
}

/// `GET /process/pty/{id}/connect` (WebSocket).
pub async fn connect(
    State(agent): State<Arc<Agent>>,
    Path(id): Path<String>,
    Query(q): Query<ConnectQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ToolboxError> {
    let session = agent.ptys.get(&id)?;
    agent.ptys.start(&session)?;
    Ok(upgrade(ws, session, q.offset))
}

/// Query of `create-connect`.
#[derive(Deserialize)]
pub struct CreateConnectQuery {
    id: Option<String>,
    cols: Option<u16>,
    rows: Option<u16>,
    cwd: Option<String>,
}

/// `GET /process/pty/create-connect?id&cols&rows[&cwd]` (WebSocket): creates and attaches.
pub async fn create_connect(
    State(agent): State<Arc<Agent>>,
    Query(q): Query<CreateConnectQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ToolboxError> {
    let envs = envs_from(&subprotocol::offered(&ws))?;
    let req = PtyCreateRequest { id: q.id, cwd: q.cwd, envs, cols: q.cols, rows: q.rows, lazy_start: Some(false) };
    let session = agent.ptys.create(&agent, req)?;
    Ok(upgrade(ws, session, None))
}

fn control(status: &str, exit: Option<&Exit>) -> Message {
    control_with(serde_json::json!({ "type": "control", "status": status }), exit)
}

fn control_with(mut msg: serde_json::Value, exit: Option<&Exit>) -> Message {
    if let Some(e) = exit {
        msg["exitCode"] = e.code.into();
        if let Some(r) = &e.reason {
            msg["exitReason"] = r.as_str().into();
        }
    }
    Message::Text(msg.to_string().into())
}

async fn serve(mut socket: WebSocket, session: Arc<PtySession>, offset: Option<u64>) {
    let mut attachment = session.attach(offset);
    // Beyond Daytona: `offset` lets a client that reconnects resume without gaps or repeats.
    let connected = serde_json::json!({ "type": "control", "status": "connected", "offset": attachment.from });
    if socket.send(control_with(connected, None)).await.is_err() {
        return;
    }
    if !attachment.replay.is_empty()
        && socket.send(Message::Binary(std::mem::take(&mut attachment.replay).into())).await.is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            event = attachment.events.recv() => match event {
                Some(PtyEvent::Output(bytes)) => {
                    if socket.send(Message::Binary(bytes)).await.is_err() {
                        return;
                    }
                }
                Some(PtyEvent::Exited(exit)) => {
                    let _ = socket.send(control("exited", Some(&exit))).await;
                    let (code, reason) = match exit.code {
                        0 => (1000, String::new()),
                        code => (
                            1011,
                            serde_json::json!({
                                "exitCode": code,
                                "exitReason": exit.reason.clone().unwrap_or_else(|| "non-zero exit".into())
                            })
                            .to_string(),
                        ),
                    };
                    closing::close(&mut socket, code, reason).await;
                    return;
                }
                None => {
                    closing::close(&mut socket, 1008, "slow consumer").await;
                    return;
                }
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Binary(bytes))) => {
                    if session.write(bytes.to_vec()).await.is_err() {
                        closing::close(&mut socket, 1011, "PTY session unavailable").await;
                        return;
                    }
                }
                Some(Ok(Message::Text(text))) => {
                    if session.write(text.as_bytes().to_vec()).await.is_err() {
                        closing::close(&mut socket, 1011, "PTY session unavailable").await;
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
