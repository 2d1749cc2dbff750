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
