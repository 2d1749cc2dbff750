//! Small toolbox answers (directories, version, preview URLs) and the names of the wire's
//! headers, query parameters and WebSocket subprotocols.

use serde::{Deserialize, Serialize};

/// `{"dir": …}` answers of `GET /user-home-dir` and `GET /work-dir`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirResponse {
    /// Absolute path inside the sandbox.
    pub dir: String,
}

/// Answer of toolbox `GET /version`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionResponse {
    /// Daemon version.
    pub version: String,
}

/// `{"url": …}` answers (`GET /sandbox/{id}/toolbox-proxy-url`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Url {
    /// The URL.
    pub url: String,
}

/// Query parameter carrying the sandbox token where a browser cannot send headers
/// (WebSockets, preview pages).
pub const SANDBOX_TOKEN_QUERY: &str = "DAYTONA_SANDBOX_AUTH_KEY";
/// Header carrying the sandbox (preview) token.
pub const PREVIEW_TOKEN_HEADER: &str = "x-daytona-preview-token";
/// Header carrying the version of the SDK a client speaks (the daemon picks the session-log
/// format by it).
pub const SDK_VERSION_HEADER: &str = "X-Daytona-SDK-Version";
/// WebSocket subprotocol prefix carrying the SDK version where a browser cannot send headers
/// (`X-Daytona-SDK-Version~0.218.0`).
pub const SDK_VERSION_SUBPROTOCOL: &str = "X-Daytona-SDK-Version~";
/// WebSocket subprotocol asking PTY sockets for the `exited` control message and the exit
/// status in the close frame.
pub const PTY_EXIT_CONTROL_SUBPROTOCOL: &str = "X-Daytona-Pty-Exit-Control";

/// Answer of `GET /sandbox/{id}/ports/{port}/preview-url`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PortPreviewUrl {
    /// Sandbox id.
    pub sandbox_id: String,
    /// Preview URL of the port.
    pub url: String,
    /// The sandbox's auth token (`X-Daytona-Preview-Token`, `DAYTONA_SANDBOX_AUTH_KEY`).
    pub token: String,
}

/// Answer of `GET /sandbox/{id}/ports/{port}/signed-preview-url`: a preview URL whose host
/// carries its own credential (`{port}-{token}`), valid for that port until it expires or is
/// expired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SignedPortPreviewUrl {
    /// Sandbox id.
    pub sandbox_id: String,
    /// The port.
    pub port: u16,
    /// The URL's token (16 lowercase letters and digits).
    pub token: String,
    /// The signed URL.
    pub url: String,
}

impl PortPreviewUrl {
    /// The address to open the preview at in a browser, which cannot send the token as a
    /// header: the URL with the token as the [`SANDBOX_TOKEN_QUERY`] parameter (the server turns
    /// it into a cookie of the preview's origin and drops it from the address). Tokens are
    /// URL-safe as issued.
    pub fn browser_url(&self) -> String {
        match self.url.contains('?') {
            true => format!("{}&{SANDBOX_TOKEN_QUERY}={}", self.url, self.token),
            false => format!("{}/?{SANDBOX_TOKEN_QUERY}={}", self.url.trim_end_matches('/'), self.token),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_opens_in_a_browser_with_its_token_as_the_query() {
        let link = |url: &str| PortPreviewUrl { sandbox_id: "s".into(), url: url.into(), token: "t0k".into() };
        let expected = "http://3000-s.localhost:3000/?DAYTONA_SANDBOX_AUTH_KEY=t0k";
        assert_eq!(link("http://3000-s.localhost:3000").browser_url(), expected);
        assert_eq!(link("http://3000-s.localhost:3000/").browser_url(), expected);
        assert_eq!(link("https://h/p?x=1").browser_url(), "https://h/p?x=1&DAYTONA_SANDBOX_AUTH_KEY=t0k");
    }
}

/// Answer of toolbox `GET /port`: the TCP ports something listens on in the sandbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct PortList {
    /// Listening ports, ascending.
    pub ports: Vec<u16>,
}

/// Answer of toolbox `GET /port/{port}/in-use`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct IsPortInUse {
    /// Whether something listens on the port.
    pub is_in_use: bool,
}

/// Body of toolbox `POST /env`: changes the environment of what the toolbox starts from now
/// on (commands, sessions, terminals); running processes keep theirs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct UpdateEnvRequest {
    /// Variables to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub set: Option<std::collections::BTreeMap<String, String>>,
    /// Variables to remove (before `set` applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub unset: Option<Vec<String>>,
    /// Removes every variable whose value starts with this and whose name `set` does not
    /// name (before `set` applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub unset_value_prefix: Option<String>,
}

/// Answer of toolbox `GET /system/metrics`: the sandbox's latest CPU, memory and disk use.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SystemMetrics {
    /// CPU cores the sandbox may use.
    pub cpu_count: u32,
    /// CPU used over the last sample window, percent of `cpu_count` cores.
    pub cpu_used_pct: f64,
    /// Memory the sandbox may use, bytes.
    pub mem_total: u64,
    /// Memory in use, page cache excluded, bytes.
    pub mem_used: u64,
    /// Page cache, bytes.
    pub mem_cache: u64,
    /// Size of the sandbox's disk, bytes.
    pub disk_total: u64,
    /// Used, bytes.
    pub disk_used: u64,
    /// Free, bytes.
    pub disk_free: u64,
    /// When measured (ISO 8601).
    pub timestamp: String,
    /// When measured, seconds since the epoch.
    pub timestamp_unix: i64,
}
