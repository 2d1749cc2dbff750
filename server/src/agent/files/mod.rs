//! Toolbox file endpoints (`/files/…`). The agent runs inside the jail as the sandbox user,
//! so every path it can reach is inside the sandbox; relative paths start at the work dir.

mod info;
mod listing;
mod ops;
mod transfer;

use std::path::{Component, Path, PathBuf};

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use super::error::ToolboxError;
use super::Agent;

/// The `/files` routes.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    Router::new()
        .route("/files", get(listing::list).delete(ops::delete))
        .route("/files/info", get(listing::info))
        .route("/files/find", get(listing::find))
        .route("/files/search", get(listing::search))
        .route("/files/folder", post(ops::create_folder))
        .route("/files/move", post(ops::move_file))
        .route("/files/permissions", post(ops::set_permissions))
        .route("/files/replace", post(ops::replace))
        .route("/files/bulk-download", post(transfer::bulk_download))
        .route("/files/bulk-upload", post(transfer::bulk_upload))
        .route("/files/download", get(transfer::download))
        .route("/files/upload-v2", post(transfer::upload_v2))
        .layer(DefaultBodyLimit::disable())
}

impl Agent {
    /// Resolves a request path: relative to the work dir, absolute as given.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, ToolboxError> {
        if path.is_empty() {
            return Err(ToolboxError::InvalidPath("path is required".into()));
        }
        if path.contains('\0') {
            return Err(ToolboxError::InvalidPath("path contains a NUL byte".into()));
        }
        Ok(normalize(&self.work_dir.join(path)))
    }
}

/// Removes `.` and resolves `..` lexically (`/home/daytona/./a/../b` → `/home/daytona/b`).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}
