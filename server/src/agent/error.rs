//! The daemon's one error type, rendered as Daytona's daemon `ErrorResponse`
//! (`source: "DAYTONA_DAEMON"` and a `code` the SDKs map to typed errors).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use daytona_models::ErrorResponse;

/// An error answered by the toolbox agent.
#[derive(Debug, thiserror::Error)]
pub enum ToolboxError {
    /// 400 `BAD_REQUEST`.
    #[error("{0}")]
    BadRequest(String),
    /// 400 `INVALID_FILE_PATH`.
    #[error("{0}")]
    InvalidPath(String),
    /// 413 `INVALID_REQUEST_BODY`: a body over the route's size limit.
    #[error("{0}")]
    TooLarge(String),
    /// 404 with the given code (`NOT_FOUND`, `FILE_NOT_FOUND`, …).
    #[error("{1}")]
    NotFound(&'static str, String),
    /// 403 `FILE_ACCESS_DENIED`.
    #[error("{0}")]
    AccessDenied(String),
    /// 409 `CONFLICT`.
    #[error("{0}")]
    Conflict(String),
    /// 408 `PROCESS_EXECUTION_TIMEOUT`.
    #[error("{0}")]
    Timeout(String),
    /// 410 with the given code (`COMMAND_ALREADY_COMPLETED`, `SESSION_ENDED`).
    #[error("{1}")]
    Gone(&'static str, String),
    /// 500 `INTERNAL_SERVER_ERROR`: an I/O failure with no better category.
    #[error("{0}")]
    Io(String),
    /// 502 `BAD_GATEWAY`: nothing answers on a port of the sandbox.
    #[error("{0}")]
    PortClosed(String),
    /// 409 `RECORDING_STILL_ACTIVE`: a recording that must be stopped first.
    #[error("{0}")]
    StillActive(String),
    /// 503 with the given code: a program this host lacks (`RECORDING_FFMPEG_NOT_FOUND`,
    /// `NOT_FOUND` for the desktop's), the message naming its package.
    #[error("{1}")]
    Unavailable(&'static str, String),
    /// 400 `LSP_SERVER_NOT_INITIALIZED`: no language server started for that project.
    #[error("{0}")]
    LspNotStarted(String),
    /// A git failure with its daemon code (`GIT_AUTH_FAILED` 401, `GIT_PUSH_REJECTED` 409, …).
    #[error("{1}")]
    Git(daytona_models::GitErrorCode, String),
}

impl ToolboxError {
    /// Maps a filesystem error on `path` to the daemon's codes.
    pub fn io(e: std::io::Error, path: &str) -> Self {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::NotFound => Self::NotFound("FILE_NOT_FOUND", format!("file not found: {path}")),
            K::PermissionDenied => Self::AccessDenied(format!("permission denied: {path}")),
            K::ReadOnlyFilesystem => Self::AccessDenied(format!("read-only file system: {path}")),
            K::StorageFull | K::QuotaExceeded | K::FileTooLarge => Self::BadRequest(format!("{path}: {e}")),
            K::AlreadyExists => Self::Conflict(format!("already exists: {path}")),
            K::DirectoryNotEmpty => Self::Conflict(format!("directory not empty: {path}")),
            K::IsADirectory | K::NotADirectory | K::InvalidInput | K::InvalidFilename => {
                Self::InvalidPath(format!("{path}: {e}"))
            }
            _ => Self::Io(format!("{path}: {e}")),
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            Self::InvalidPath(_) => (StatusCode::BAD_REQUEST, "INVALID_FILE_PATH"),
            Self::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "INVALID_REQUEST_BODY"),
            Self::NotFound(code, _) => (StatusCode::NOT_FOUND, code),
            Self::AccessDenied(_) => (StatusCode::FORBIDDEN, "FILE_ACCESS_DENIED"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "CONFLICT"),
            Self::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, "PROCESS_EXECUTION_TIMEOUT"),
            Self::Gone(code, _) => (StatusCode::GONE, code),
            Self::Io(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_SERVER_ERROR"),
            Self::PortClosed(_) => (StatusCode::BAD_GATEWAY, "BAD_GATEWAY"),
            Self::StillActive(_) => (StatusCode::CONFLICT, "RECORDING_STILL_ACTIVE"),
            Self::Unavailable(code, _) => (StatusCode::SERVICE_UNAVAILABLE, code),
            Self::LspNotStarted(_) => (StatusCode::BAD_REQUEST, "LSP_SERVER_NOT_INITIALIZED"),
            Self::Git(code, _) => {
                (StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST), code.as_str())
            }
        }
    }

    /// The envelope of this error (without request path and method).
    pub fn envelope(&self) -> (StatusCode, ErrorResponse) {
        let (status, code) = self.status_and_code();
        let envelope = ErrorResponse {
            status_code: status.as_u16(),
            message: self.to_string(),
            error: None,
            code: Some(code.to_owned()),
            source: Some("DAYTONA_DAEMON".into()),
            path: String::new(),
            method: Some(String::new()),
            timestamp: crate::time::now_iso(),
        };
        (status, envelope)
    }
}

impl IntoResponse for ToolboxError {
    fn into_response(self) -> Response {
        let (status, envelope) = self.envelope();
        crate::http::envelope::respond(status, envelope)
    }
}

impl From<JsonRejection> for ToolboxError {
    fn from(r: JsonRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge(r.body_text()),
            _ => Self::BadRequest(r.body_text()),
        }
    }
}

impl From<QueryRejection> for ToolboxError {
    fn from(r: QueryRejection) -> Self {
        Self::BadRequest(r.body_text())
    }
}

/// Route layer for routes whose contract (Daytona's toolbox spec) answers every client error
/// with 400 (`/files/find`, `/files/folder`, `/files/upload-v2`, …): a 403, 404 or 409 becomes
/// a 400 that keeps its code (`FILE_NOT_FOUND`, `FILE_ACCESS_DENIED`, …), which is what the
/// SDKs pick their typed errors by. Server failures (5xx) and 413 stay what they are.
pub async fn client_errors_as_400(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut resp = next.run(req).await;
    if matches!(resp.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::CONFLICT) {
        if let Some(envelope) = resp.extensions_mut().get_mut::<ErrorResponse>() {
            envelope.status_code = StatusCode::BAD_REQUEST.as_u16();
            *resp.status_mut() = StatusCode::BAD_REQUEST;
        }
    }
    resp
}

/// Fallback for unknown toolbox routes.
pub async fn not_found() -> ToolboxError {
    ToolboxError::NotFound("NOT_FOUND", "no such toolbox endpoint".into())
}
