//! Completing error envelopes with request details, shared by the API and the agent.
//!
//! Error types put their `ErrorResponse` into the response extensions; this middleware,
//! which sees the request, fills in `path` (and `method` where the envelope has one).

use axum::response::{IntoResponse, Response};
use daytona_models::ErrorResponse;

/// Builds an error response whose envelope the middleware completes.
pub fn respond(status: axum::http::StatusCode, envelope: ErrorResponse) -> Response {
    let mut resp = (status, axum::Json(envelope.clone())).into_response();
    resp.extensions_mut().insert(envelope);
    resp
}

/// Middleware: writes the request path (and method) into error envelopes.
pub async fn fill_request(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().to_string();
    let mut resp = next.run(req).await;
    match resp.extensions_mut().remove::<ErrorResponse>() {
        Some(mut envelope) => {
            envelope.path = path;
            if envelope.method.is_some() {
                envelope.method = Some(method);
            }
            (resp.status(), axum::Json(envelope)).into_response()
        }
        None => resp,
    }
}
