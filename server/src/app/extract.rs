//! Request extractors that answer bad input with Daytona's error envelope.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;

use super::error::ApiError;

/// JSON body; malformed JSON, a body that is not a JSON object, or wrong types give a
/// 400 envelope. (Serde would otherwise accept an array as a struct, field by position.)
pub struct AppJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        if !value.is_object() {
            return Err(ApiError::BadRequest("Request body must be a JSON object".into()));
        }
        from_json(value).map(Self)
    }
}

/// A request body, already read as a JSON object, as `T` (the same 400 as [`AppJson`]'s).
pub fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::BadRequest(format!("Failed to deserialize the JSON body into the target type: {e}")))
}

/// Path parameters; a malformed one gives a 400 envelope.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct AppPath<T>(pub T);

/// Query parameters; a malformed query gives a 400 envelope.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct AppQuery<T>(pub T);

/// The toolbox proxy base URL as the caller reaches this server (`http://{host}/toolbox`).
pub struct ToolboxUrl(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ToolboxUrl {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(format!("{}/toolbox", origin(parts))))
    }
}

/// `scheme://host` of this server as the client sees it (see [`super::forwarded::origin`]).
pub fn origin(parts: &Parts) -> String {
    super::forwarded::origin(&parts.headers, parts.extensions.get::<super::forwarded::Conn>())
}

/// Parses a boolean query parameter `key` (`true`/`false`, `1`/`0`).
pub fn parse_bool(key: &str, v: &str) -> Result<bool, ApiError> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::BadRequest(format!("invalid {key} {v:?}: expected true or false"))),
    }
}

/// Parses a numeric path segment.
pub fn parse_int(what: &str, s: &str) -> Result<i64, ApiError> {
    s.parse().map_err(|_| ApiError::BadRequest(format!("{what} must be an integer, got {s:?}")))
}
