//! API key handling: loading or generating it, and checking it on every request.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::distributions::Alphanumeric;
use rand::Rng;

use super::error::ApiError;
use super::state::AppState;

/// The key from `--api-key`/`DAYTONA_LOCAL_API_KEY`, else the one stored in the data dir,
/// else a new one (stored, and printed by the caller). Returns the key and whether it is new.
pub fn load_or_create_key(explicit: Option<String>, data_dir: &Path) -> std::io::Result<(String, bool)> {
    if let Some(k) = explicit.filter(|k| !k.is_empty()) {
        return Ok((k, false));
    }
    let file = data_dir.join("api-key");
    if let Ok(k) = std::fs::read_to_string(&file) {
        let k = k.trim().to_owned();
        if !k.is_empty() {
            return Ok((k, false));
        }
    }
    let key: String = rand::thread_rng().sample_iter(&Alphanumeric).take(40).map(char::from).collect();
    let key = format!("dtn_{key}");
    // Created private (0600) from the start: never readable by others, not even briefly.
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&file)?.write_all(key.as_bytes())?;
    Ok((key, true))
}

/// Constant-time string equality (no early exit on the first differing byte).
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The bearer token of `Authorization`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Middleware: the API key must be presented as `Authorization: Bearer <key>`.
pub async fn require_api_key(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    match bearer(req.headers()) {
        Some(k) if same_secret(k, &st.api_key) => next.run(req).await,
        Some(_) => ApiError::Unauthorized("Invalid API key".into()).into_response(),
        None => ApiError::Unauthorized("Missing API key: send Authorization: Bearer <key>".into()).into_response(),
    }
}
