//! Ending an agent WebSocket with the closing handshake: the close frame, then whatever the
//! client still sends read and dropped until its own close (at most [`HANDSHAKE_WITHIN`]). A
//! socket dropped with frames unread (keys typed as a PTY's shell exits, an interrupt sent as a
//! run ends) is reset by TCP, and the client then loses the close frame: its code and reason,
//! which carry a PTY's exit code and a run's end.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};

/// How long a closed socket waits for its client's close.
const HANDSHAKE_WITHIN: Duration = Duration::from_secs(2);

/// Sends a close frame of `code` and `reason` and completes the closing handshake.
pub async fn close(socket: &mut WebSocket, code: u16, reason: impl Into<String>) {
    let frame = Message::Close(Some(CloseFrame { code, reason: reason.into().into() }));
    if socket.send(frame).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(HANDSHAKE_WITHIN, async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}
