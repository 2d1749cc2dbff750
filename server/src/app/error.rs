//! The control plane's one error type, rendered as Daytona's API error envelope.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use daytona_models::ErrorResponse;

/// An error answered by the control plane or the toolbox proxy.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or not allowed in the current state.
    #[error("{0}")]
    BadRequest(String),
    /// 401: missing or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 404: no such sandbox (or other resource).
    #[error("{0}")]
    NotFound(String),
    /// 409: conflicts with existing state (e.g. a name already in use).
    #[error("{0}")]
    Conflict(String),
    /// 413: a body over the route's size limit.
    #[error("{0}")]
    TooLarge(String),
    /// 502: the sandbox's toolbox agent did not answer.
    #[error("{0}")]
    BadGateway(String),
    /// 500: an unexpected failure on our side (details are logged, not sent).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// 404 for a sandbox id or name.
    pub fn sandbox_not_found(id_or_name: &str) -> Self {
        Self::NotFound(format!("Sandbox with ID or name {id_or_name} not found"))
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The envelope for this error at `path`.
    pub fn envelope(&self, path: &str) -> ErrorResponse {
        let status = self.status();
        let message = match self {
            Self::Internal(detail) => {
                tracing::error!(path, "internal error: {detail}");
                "An unexpected error occurred.".to_owned()
            }
            other => other.to_string(),
        };
        ErrorResponse {
            status_code: status.as_u16(),
            message,
            error: status.canonical_reason().map(str::to_owned),
            code: None,
            source: Some("DAYTONA_API".to_owned()),
            path: path.to_owned(),
            method: None,
            timestamp: crate::time::now_iso(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        crate::http::envelope::respond(self.status(), self.envelope(""))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge(r.body_text()),
            _ => Self::BadRequest(r.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::BadRequest(r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::BadRequest(r.body_text())
    }
}

/// The one conversion of the jail layer's errors: what this host cannot do (or cannot do yet)
/// is the client's 400 with the reason; a failed step is a 500 (logged, not sent).
impl From<crate::jail::JailError> for ApiError {
    fn from(e: crate::jail::JailError) -> Self {
        use crate::jail::JailError as J;
        match e {
            J::Unsupported(why) | J::Busy(why) => Self::BadRequest(why),
            J::Failed(why) => Self::Internal(why),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            // The only unique columns are the id and the name: a concurrent create won the name.
            Some(rusqlite::ErrorCode::ConstraintViolation) => {
                Self::Conflict("Sandbox with this name already exists".into())
            }
            _ => Self::Internal(format!("database: {e}")),
        }
    }
}
