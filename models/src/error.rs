//! Daytona's error envelope (`ErrorResponse`), as the API and the toolbox daemon send it.

use serde::{Deserialize, Serialize};

/// Daytona's error envelope, as both the API and the toolbox daemon send it.
/// The API adds `error` (the HTTP reason); the daemon adds `code`, `method` and `source`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    /// HTTP status code.
    pub status_code: u16,
    /// Human-readable message.
    pub message: String,
    /// HTTP reason phrase (API envelope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Machine-readable code, e.g. `FILE_NOT_FOUND`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `DAYTONA_API` or `DAYTONA_DAEMON`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Request path.
    #[serde(default)]
    pub path: String,
    /// Request method (daemon envelope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Time of the error (ISO-8601).
    #[serde(default)]
    pub timestamp: String,
}
