//! Request extractors whose rejections are daemon error envelopes.

use axum::Json;

use super::error::ToolboxError;

/// JSON body extractor with daemon-style rejections; the body must be a JSON object
/// (serde would otherwise accept an array as a struct, field by position). A body without a
/// `Content-Type` is read as JSON too, as Daytona's daemon does (the official Python client
/// sends `POST /env` without one); another content type is refused.
pub struct ToolboxJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ToolboxJson<T> {
    type Rejection = ToolboxError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match req.headers().contains_key(axum::http::header::CONTENT_TYPE) {
            true => Json::<serde_json::Value>::from_request(req, state).await?.0,
            false => {
                let body = axum::body::Bytes::from_request(req, state)
                    .await
                    .map_err(|e| ToolboxError::BadRequest(format!("reading the request body: {e}")))?;
                serde_json::from_slice(&body)
                    .map_err(|e| ToolboxError::BadRequest(format!("invalid JSON body: {e}")))?
            }
        };
        if !value.is_object() {
            return Err(ToolboxError::BadRequest("request body must be a JSON object".into()));
        }
        serde_json::from_value(value)
            .map(Self)
            .map_err(|e| ToolboxError::BadRequest(format!("invalid request body: {e}")))
    }
}

/// Query string; malformed input gives 400 `BAD_REQUEST`.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ToolboxError))]
pub struct ToolboxQuery<T>(pub T);
