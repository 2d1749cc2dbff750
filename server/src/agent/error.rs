//! The daemon's one error type, rendered as Daytona's daemon `ErrorResponse`
//! (`source: "DAYTONA_DAEMON"` and a `code` the SDKs map to typed errors).

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use daytona_models::ErrorResponse;

/// An error answered by the toolbox agent.
#[derive(Debug, thiserror::Error)]
pub enum ToolboxError {
    /// 400 `BAD_REQUEST`.
    #[error("{0}")]
    BadRequest(String),
    /// 404 with the given code (`NOT_FOUND`, `FILE_NOT_FOUND`, …).
    #[error("{1}")]
    NotFound(&'static str, String),
    /// 408 `PROCESS_EXECUTION_TIMEOUT`.
    #[error("{0}")]
    Timeout(String),
}

impl ToolboxError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            Self::NotFound(code, _) => (StatusCode::NOT_FOUND, code),
            Self::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, "PROCESS_EXECUTION_TIMEOUT"),
        }
    }
}

impl IntoResponse for ToolboxError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let envelope = ErrorResponse {
            status_code: status.as_u16(),
            message: self.to_string(),
            error: None,
            code: Some(code.to_owned()),
            source: Some("DAYTONA_DAEMON".into()),
            path: String::new(),
            method: Some(String::new()),
            timestamp: crate::time::iso(crate::time::now_ms()),
        };
        crate::envelope::respond(status, envelope)
    }
}

impl From<JsonRejection> for ToolboxError {
    fn from(r: JsonRejection) -> Self {
        Self::BadRequest(r.body_text())
    }
}

/// Fallback for unknown toolbox routes.
pub async fn not_found() -> ToolboxError {
    ToolboxError::NotFound("NOT_FOUND", "no such toolbox endpoint".into())
}
