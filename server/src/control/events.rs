//! The event socket the official SDKs connect to at start-up: Socket.IO 4 over Engine.IO 4,
//! WebSocket transport only, at `/api/socket.io/`. After the CONNECT packet's `{"token"}`
//! matches the API key, every `sandbox.created` and `sandbox.state.updated` is pushed as it
//! happens, so the SDKs' waits end at once instead of on their next poll; so are
//! `snapshot.created`, `snapshot.state.updated`, `snapshot.removed`, `volume.created` and
//! `volume.state.updated` (payloads as Daytona's: the DTO, or `{snapshot|volume, oldState,
//! newState}`), which the official SDKs ignore and dashboards follow. Clients never emit.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use daytona_models::{
    SandboxStateUpdated, SnapshotStateUpdated, VolumeStateUpdated, SANDBOX_CREATED_EVENT, SANDBOX_STATE_UPDATED_EVENT,
    SNAPSHOT_CREATED_EVENT, SNAPSHOT_REMOVED_EVENT, SNAPSHOT_STATE_UPDATED_EVENT, VOLUME_CREATED_EVENT,
    VOLUME_STATE_UPDATED_EVENT,
};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use crate::app::auth::{authorize, Credentials, Target};
use crate::app::extract::ToolboxUrl;
use crate::app::state::AppState;
use crate::store::record::ControlEvent;

/// The Socket.IO EVENT packet (`42[name, payload]`) of `event`, with sandboxes as the client
/// sees them through `toolbox_url`.
fn packet(event: &ControlEvent, toolbox_url: &str) -> String {
    let (name, payload) = match event {
        ControlEvent::Created(rec) => (SANDBOX_CREATED_EVENT, json!(rec.to_wire(toolbox_url))),
        ControlEvent::StateUpdated { sandbox, old } => (
            SANDBOX_STATE_UPDATED_EVENT,
            json!(SandboxStateUpdated {
                sandbox: sandbox.to_wire(toolbox_url),
                old_state: *old,
                new_state: sandbox.state(),
            }),
        ),
        ControlEvent::SnapshotCreated(snapshot) => (SNAPSHOT_CREATED_EVENT, json!(snapshot)),
        ControlEvent::SnapshotStateUpdated { snapshot, old } => (
            SNAPSHOT_STATE_UPDATED_EVENT,
            json!(SnapshotStateUpdated { snapshot: snapshot.clone(), old_state: *old, new_state: snapshot.state }),
        ),
        ControlEvent::SnapshotRemoved(snapshot) => (SNAPSHOT_REMOVED_EVENT, json!(snapshot)),
        ControlEvent::VolumeCreated(volume) => (VOLUME_CREATED_EVENT, json!(volume)),
        ControlEvent::VolumeStateUpdated { volume, old } => (
            VOLUME_STATE_UPDATED_EVENT,
            json!(VolumeStateUpdated { volume: volume.clone(), old_state: *old, new_state: volume.state }),
        ),
    };
    format!("42{}", json!([name, payload]))
}

/// Engine.IO heartbeat: the server pings this often and gives up after `PING_TIMEOUT` more.
const PING_INTERVAL: Duration = Duration::from_secs(25);
const PING_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a client may take to send its CONNECT packet.
const CONNECT_WITHIN: Duration = Duration::from_secs(10);

/// `GET /api/socket.io/?EIO=4&transport=websocket`.
pub async fn socket_io(State(st): State<Arc<AppState>>, url: ToolboxUrl, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| async move {
        if let Err(e) = serve(st, socket, url.0).await {
            tracing::debug!("event socket: {e}");
        }
    })
}

async fn serve(st: Arc<AppState>, mut socket: WebSocket, toolbox_url: String) -> Result<(), axum::Error> {
    let open = json!({
        "sid": uuid::Uuid::new_v4().simple().to_string(),
        "upgrades": [],
        "pingInterval": PING_INTERVAL.as_millis() as u64,
        "pingTimeout": PING_TIMEOUT.as_millis() as u64,
        "maxPayload": 1_000_000,
    });
    socket.send(Message::Text(format!("0{open}").into())).await?;

    // Socket.IO CONNECT to the main namespace: `40` + optional auth JSON.
    let connect = tokio::time::timeout(CONNECT_WITHIN, async {
        loop {
            match socket.recv().await {
                Some(Ok(Message::Text(text))) if text.starts_with("40") => return Some(text.to_string()),
                Some(Ok(Message::Text(text))) if text.as_str() == "3" => continue,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                _ => return None,
            }
        }
    })
    .await
    .ok()
    .flatten();
    let Some(connect) = connect else { return Ok(()) };
    let token =
        serde_json::from_str::<Value>(&connect[2..]).ok().and_then(|auth| auth["token"].as_str().map(str::to_owned));
    let creds = Credentials { api_key: token, ..Credentials::default() };
    if authorize(&st.api_key, &creds, Target::Api, crate::time::now_ms() / 1000).is_err() {
        socket.send(Message::Text(r#"44{"message":"Unauthorized"}"#.into())).await?;
        return socket.send(Message::Close(None)).await;
    }
    // Subscribed before the acknowledgement: nothing after it is missed.
    let mut events = st.events.subscribe();
    let ack = json!({"sid": uuid::Uuid::new_v4().simple().to_string()});
    socket.send(Message::Text(format!("40{ack}").into())).await?;

    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_INTERVAL, PING_INTERVAL);
    let mut last_pong = tokio::time::Instant::now();
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => socket.send(Message::Text(packet(&event, &toolbox_url).into())).await?,
                // A client too slow for 256 events polls as a fallback anyway.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return Ok(()),
            },
            _ = ping.tick() => {
                if last_pong.elapsed() > PING_INTERVAL + PING_TIMEOUT {
                    return socket.send(Message::Close(None)).await;
                }
                socket.send(Message::Text("2".into())).await?;
            }
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(text))) => match text.as_str() {
                    "3" => last_pong = tokio::time::Instant::now(),
                    // Engine.IO close, or Socket.IO DISCONNECT.
                    "1" | "41" => return Ok(()),
                    _ => {}
                },
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Ok(()),
                Some(Ok(_)) => {}
            },
        }
    }
}
