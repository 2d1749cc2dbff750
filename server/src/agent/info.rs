//! `GET /version`, `/user-home-dir` (alias `/project-dir`) and `/work-dir`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use daytona_models::{DirResponse, VersionResponse};

use super::Agent;

/// The daemon version.
pub async fn version() -> Json<VersionResponse> {
    Json(VersionResponse { version: env!("CARGO_PKG_VERSION").into() })
}

/// The user's home directory.
pub async fn user_home_dir(State(a): State<Arc<Agent>>) -> Json<DirResponse> {
    Json(DirResponse { dir: a.home.display().to_string() })
}

/// The default working directory.
pub async fn work_dir(State(a): State<Arc<Agent>>) -> Json<DirResponse> {
    Json(DirResponse { dir: a.work_dir.display().to_string() })
}
