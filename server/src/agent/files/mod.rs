//! Toolbox file endpoints (`/files/…`). The agent runs inside the jail as the sandbox user,
//! so every path it can reach is inside the sandbox; relative paths start at the work dir.

mod info;
mod listing;
mod ops;
mod transfer;

pub use transfer::stream_file;

use std::path::{Component, Path, PathBuf};

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use super::error::{client_errors_as_400, ToolboxError};
use super::Agent;

/// The `/files` routes.
pub fn routes() -> Router<std::sync::Arc<Agent>> {
    // Routes whose contract answers every client error with 400 (see `client_errors_as_400`).
    let only_400 = Router::new()
        .route("/files/find", get(listing::find))
        .route("/files/search", get(listing::search))
        .route("/files/folder", post(ops::create_folder))
        .route("/files/replace", post(ops::replace))
        .route("/files/upload-v2", post(transfer::upload_v2))
        .route_layer(axum::middleware::from_fn(client_errors_as_400));
    Router::new()
        .route("/files", get(listing::list).delete(ops::delete))
        .route("/files/info", get(listing::info))
        .route("/files/move", post(ops::move_file))
        .route("/files/permissions", post(ops::set_permissions))
        .route("/files/bulk-download", post(transfer::bulk_download))
        .route("/files/bulk-upload", post(transfer::bulk_upload))
        .route("/files/download", get(transfer::download))
        .merge(only_400)
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
