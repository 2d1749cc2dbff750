//! Which WebSocket subprotocol the agent echoes. Clients that offer protocols abort the
//! handshake when none is selected, so one is always picked when any was offered.

use axum::extract::ws::WebSocketUpgrade;

pub use daytona_models::{
    PTY_EXIT_CONTROL_SUBPROTOCOL as PTY_EXIT_CONTROL, SDK_VERSION_SUBPROTOCOL as SDK_VERSION_PREFIX,
};

/// Selects the SDK version token if offered, else the PTY exit-control token, else the
/// first one offered.
pub fn select(ws: &mut WebSocketUpgrade) {
    let offered: Vec<_> = ws.requested_protocols().cloned().collect();
    let is = |p: &&axum::http::HeaderValue, f: &dyn Fn(&str) -> bool| p.to_str().is_ok_and(f);
    let chosen = offered
        .iter()
        .find(|p| is(p, &|s| s.starts_with(SDK_VERSION_PREFIX)))
        .or_else(|| offered.iter().find(|p| is(p, &|s| s == PTY_EXIT_CONTROL)))
        .or(offered.first())
        .cloned();
    if let Some(p) = chosen {
        ws.set_selected_protocol(p);
    }
}

/// The offered tokens, as strings.
pub fn offered(ws: &WebSocketUpgrade) -> Vec<String> {
    ws.requested_protocols().filter_map(|p| p.to_str().ok()).map(str::to_owned).collect()
}
