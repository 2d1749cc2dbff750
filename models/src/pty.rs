//! Toolbox PTY sessions: create, info, resize, and the control messages of their WebSocket.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Body of toolbox `POST /process/pty`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
#[serde(rename_all = "camelCase")]
pub struct PtyCreateRequest {
    /// Session id (unique in the sandbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub id: Option<String>,
    /// Working directory (default: the work dir).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub cwd: Option<String>,
    /// Extra environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub envs: Option<BTreeMap<String, String>>,
    /// Columns (1–1000, default 80).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub cols: Option<u16>,
    /// Rows (1–1000, default 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub rows: Option<u16>,
    /// Start the shell only when the first client connects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub lazy_start: Option<bool>,
}

/// Answer of `POST /process/pty`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PtyCreateResponse {
    /// The session id.
    pub session_id: String,
}

/// A PTY session (`PtySessionInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
#[serde(rename_all = "camelCase")]
pub struct PtySessionInfo {
    /// Session id.
    pub id: String,
    /// Working directory.
    pub cwd: String,
    /// Extra environment variables.
    pub envs: BTreeMap<String, String>,
    /// Columns.
    pub cols: u16,
    /// Rows.
    pub rows: u16,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Whether the shell is running.
    pub active: bool,
    /// Whether the shell starts on first connect.
    pub lazy_start: bool,
}

/// Answer of `GET /process/pty`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PtyListResponse {
    /// Every PTY session.
    pub sessions: Vec<PtySessionInfo>,
}

/// Body of `POST /process/pty/{id}/resize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PtyResizeRequest {
    /// Columns (1–1000).
    pub cols: u16,
    /// Rows (1–1000).
    pub rows: u16,
}

/// WebSocket subprotocol prefix carrying the envs of `create-connect` (a browser cannot send
/// them any other way on the upgrade): the base64url encoding, without padding, of their
/// JSON object.
pub const PTY_ENVS_SUBPROTOCOL: &str = "X-Daytona-Pty-Envs~";

/// The `create-connect` subprotocol carrying envs given as the text of their JSON object.
pub fn pty_envs_subprotocol(json: &str) -> String {
    format!("{PTY_ENVS_SUBPROTOCOL}{}", crate::base64url(json.as_bytes()))
}

/// The JSON text of the envs an offered subprotocol carries: `None` for another protocol,
/// an error for a token that is not base64url (padding tolerated).
pub fn pty_envs_json(protocol: &str) -> Option<Result<Vec<u8>, base64::DecodeError>> {
    use base64::Engine;
    let token = protocol.strip_prefix(PTY_ENVS_SUBPROTOCOL)?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pty_envs_round_trip_through_the_subprotocol() {
        let json = r#"{"A":"é ~/+?"}"#;
        let protocol = pty_envs_subprotocol(json);
        let token = protocol.strip_prefix(PTY_ENVS_SUBPROTOCOL).unwrap();
        // A subprotocol is an HTTP token: no padding, no '+' or '/'.
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{token}");
        assert_eq!(pty_envs_json(&protocol).unwrap().unwrap(), json.as_bytes());
        assert_eq!(pty_envs_json(&format!("{protocol}==")).unwrap().unwrap(), json.as_bytes());
        assert!(pty_envs_json("X-Daytona-Pty-Exit-Control").is_none());
        assert!(pty_envs_json("X-Daytona-Pty-Envs~not base64!").unwrap().is_err());
    }
}
