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
