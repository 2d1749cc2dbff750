//! The control plane's event socket, as the official SDKs use it: Socket.IO 4 over a
//! WebSocket at `{apiUrl}/socket.io/`, the credentials in the CONNECT packet (no headers, so
//! it works from browsers). It pushes sandbox creations and state changes as they happen.

use daytona_models::{
    Sandbox as SandboxDto, SandboxState, SandboxStateUpdated, SANDBOX_CREATED_EVENT, SANDBOX_STATE_UPDATED_EVENT,
};

use crate::client::Client;
use crate::http::encode;
use crate::ws::{Socket, WsEvent};
use crate::DaytonaError;

/// Something that happened on the control plane: to a sandbox (decoded), or to something else.
#[derive(Clone, Debug, PartialEq)]
pub enum SandboxEvent {
    /// A sandbox was created (`sandbox.created`).
    Created(SandboxDto),
    /// A sandbox changed state (`sandbox.state.updated`).
    StateUpdated {
        /// The sandbox as it is now.
        sandbox: SandboxDto,
        /// Its state before.
        old_state: SandboxState,
        /// Its state now.
        new_state: SandboxState,
    },
    /// Another event, by name (a snapshot's or a volume's: `snapshot.created`,
    /// `volume.state.updated`, …), its payload left undecoded: something to read again.
    Other(String),
}

impl SandboxEvent {
    /// The sandbox the event is about, if it is about one.
    pub fn sandbox(&self) -> Option<&SandboxDto> {
        match self {
            Self::Created(sandbox) | Self::StateUpdated { sandbox, .. } => Some(sandbox),
            Self::Other(_) => None,
        }
    }
}

/// An open event socket; dropping it disconnects.
pub struct SandboxEvents {
    socket: Socket,
}

impl SandboxEvents {
    /// Connects with `client`'s credentials and waits for the server to accept them.
    pub(crate) async fn connect(client: &Client) -> Result<Self, DaytonaError> {
        let base = client.api_url.replacen("http", "ws", 1);
        let mut url = format!("{base}/socket.io/?EIO=4&transport=websocket&source=sdk-wasm");
        if let Some(org) = &client.organization_id {
            url.push_str(&format!("&organizationId={}", encode(org)));
        }
        let mut socket = Socket::connect(&url, &js_sys::Array::new()).await?;
        let open = next_text(&mut socket).await?;
        if !open.starts_with('0') {
            return Err(DaytonaError::Decode(format!(
                "event socket: expected Engine.IO OPEN, got {}",
                daytona_models::Quoted(&open)
            )));
        }
        let token = crate::json::to_string(&client.token).map_err(DaytonaError::InvalidArgument)?;
        send(&socket, &format!("40{{\"token\":{token}}}"))?;
        loop {
            let answer = next_text(&mut socket).await?;
            if answer.starts_with("40") {
                return Ok(Self { socket });
            }
            if let Some(error) = answer.strip_prefix("44") {
                #[derive(serde::Deserialize)]
                struct ConnectError {
                    message: String,
                }
                let message = crate::json::from_str::<ConnectError>(error)
                    .map(|e| e.message)
                    .unwrap_or_else(|_| error.to_owned());
                return Err(DaytonaError::Api {
                    status: 401,
                    message: format!("event socket: {message}"),
                    code: None,
                    origin: None,
                });
            }
            if answer == "2" {
                send(&socket, "3")?;
            }
        }
    }

    /// The browser socket: closing it ends a pending [`Self::next`] too (`None`).
    #[cfg_attr(not(feature = "js"), allow(dead_code))]
    pub(crate) fn raw_socket(&self) -> web_sys::WebSocket {
        self.socket.raw()
    }

    /// The next event; `None` once the socket has closed. Heartbeats are answered on the way.
    pub async fn next(&mut self) -> Option<SandboxEvent> {
        loop {
            let text = match self.socket.next().await? {
                WsEvent::Text(text) => text,
                WsEvent::Binary(_) => continue,
                WsEvent::Closed { .. } => return None,
            };
            if text == "2" {
                send(&self.socket, "3").ok()?;
                continue;
            }
            let Some(event) = text.strip_prefix("42") else { continue };
            let Ok(packet) = crate::json::parse(event) else { continue };
            let packet = js_sys::Array::from(&packet);
            let (name, payload) = (packet.get(0).as_string().unwrap_or_default(), packet.get(1));
            let event = match name.as_str() {
                SANDBOX_CREATED_EVENT => crate::json::from_js(payload).ok().map(SandboxEvent::Created),
                SANDBOX_STATE_UPDATED_EVENT => crate::json::from_js::<SandboxStateUpdated>(payload).ok().map(|u| {
                    SandboxEvent::StateUpdated { sandbox: u.sandbox, old_state: u.old_state, new_state: u.new_state }
                }),
                // A packet without a name is nothing to tell.
                _ if name.is_empty() => None,
                _ => Some(SandboxEvent::Other(name)),
            };
            if event.is_some() {
                return event;
            }
        }
    }
}

/// The next text frame, or why there is none.
async fn next_text(socket: &mut Socket) -> Result<String, DaytonaError> {
    loop {
        match socket.next().await {
            Some(WsEvent::Text(text)) => return Ok(text),
            Some(WsEvent::Binary(_)) => continue,
            Some(WsEvent::Closed { code, reason }) => {
                return Err(DaytonaError::Connection(format!("event socket closed: {code} {reason}")))
            }
            None => return Err(DaytonaError::Connection("event socket closed".into())),
        }
    }
}

fn send(socket: &Socket, text: &str) -> Result<(), DaytonaError> {
    socket
        .raw()
        .send_with_str(text)
        .map_err(|e| DaytonaError::Connection(format!("event socket: {}", crate::http::js_message(&e))))
}
