//! Changing files: delete, create folder, move, permissions, replace in files.

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use daytona_models::{ReplaceRequest, ReplaceResult};
use serde::Deserialize;

use crate::agent::error::ToolboxError;
use crate::agent::extract::{ToolboxJson, ToolboxQuery};
use crate::agent::Agent;

/// Query of `DELETE /files`.
#[derive(Deserialize)]
pub struct DeleteQuery {
    path: String,
    #[serde(default)]
    recursive: Option<String>,
}

/// Query of `POST /files/folder`.
#[derive(Deserialize)]
pub struct FolderQuery {
    path: String,
    #[serde(default)]
    mode: Option<String>,
}

/// Query of `POST /files/move`.
#[derive(Deserialize)]
pub struct MoveQuery {
    source: String,
    destination: String,
}

/// Query of `POST /files/permissions`.
#[derive(Deserialize)]
pub struct PermissionsQuery {
    path: String,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    mode: Option<String>,
}

fn parse_mode(mode: &str) -> Result<u32, ToolboxError> {
    u32::from_str_radix(mode, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| ToolboxError::BadRequest(format!("invalid mode {mode:?}: expected octal like 755")))
}

/// Deletes a file, or a directory (`recursive=true` for a non-empty one). 204.
pub async fn delete(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<DeleteQuery>,
) -> Result<StatusCode, ToolboxError> {
    let path = agent.resolve(&q.path)?;
    if path == agent.work_dir || path == std::path::Path::new("/") {
        return Err(ToolboxError::AccessDenied(format!("refusing to delete {}", q.path)));
    }
    let meta = tokio::fs::symlink_metadata(&path).await.map_err(|e| ToolboxError::io(e, &q.path))?;
    let result = if !meta.is_dir() {
        tokio::fs::remove_file(&path).await
    } else if matches!(q.recursive.as_deref(), Some("true" | "1")) {
        tokio::fs::remove_dir_all(&path).await
    } else {
        tokio::fs::remove_dir(&path).await
    };
    result.map_err(|e| match e.kind() {
        // A 400 (the route's contract has no 409): the client asked for the wrong thing.
        std::io::ErrorKind::DirectoryNotEmpty => {
            ToolboxError::BadRequest(format!("directory not empty: {} (delete it with recursive=true)", q.path))
        }
        _ => ToolboxError::io(e, &q.path),
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates a folder (and its parents) with `mode` (octal, default 755). 201.
pub async fn create_folder(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<FolderQuery>,
) -> Result<StatusCode, ToolboxError> {
    let path = agent.resolve(&q.path)?;
    let mode = parse_mode(q.mode.as_deref().filter(|m| !m.is_empty()).unwrap_or("755"))?;
    tokio::fs::create_dir_all(&path).await.map_err(|e| ToolboxError::io(e, &q.path))?;
    tokio::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
        .await
        .map_err(|e| ToolboxError::io(e, &q.path))?;
    Ok(StatusCode::CREATED)
}

/// Moves or renames; refuses (409) to overwrite an existing destination.
pub async fn move_file(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<MoveQuery>,
) -> Result<StatusCode, ToolboxError> {
    let source = agent.resolve(&q.source)?;
    let destination = agent.resolve(&q.destination)?;
    tokio::fs::symlink_metadata(&source).await.map_err(|e| ToolboxError::io(e, &q.source))?;
    if tokio::fs::symlink_metadata(&destination).await.is_ok() {
        return Err(ToolboxError::Conflict(format!("destination already exists: {}", q.destination)));
    }
    tokio::fs::rename(&source, &destination).await.map_err(|e| match e.kind() {
        // The source is there (checked above): what is missing is the destination's folder.
        std::io::ErrorKind::NotFound => {
            ToolboxError::NotFound("FILE_NOT_FOUND", format!("no folder to move into: {}", parent_of(&q.destination)))
        }
        _ => ToolboxError::io(e, &q.destination),
    })?;
    Ok(StatusCode::OK)
}

/// The folder part of a path as the client wrote it (`.` for a bare name).
fn parent_of(path: &str) -> &str {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) => "/",
        Some((parent, _)) => parent,
        None => ".",
    }
}

/// Looks a user or group up in the jail's own files, or takes a number.
fn lookup_id(file: &str, name: &str) -> Result<u32, ToolboxError> {
    if let Ok(n) = name.parse() {
        return Ok(n);
    }
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            let mut f = l.split(':');
            (f.next() == Some(name)).then(|| f.nth(1)?.parse().ok()).flatten()
        })
        .ok_or_else(|| ToolboxError::BadRequest(format!("unknown user or group {name:?}")))
}

/// Sets mode (octal) and/or owner and group.
pub async fn set_permissions(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<PermissionsQuery>,
) -> Result<StatusCode, ToolboxError> {
    let path = agent.resolve(&q.path)?;
    tokio::fs::symlink_metadata(&path).await.map_err(|e| ToolboxError::io(e, &q.path))?;
    if let Some(mode) = q.mode.as_deref().filter(|m| !m.is_empty()) {
        let mode = parse_mode(mode)?;
        tokio::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .await
            .map_err(|e| ToolboxError::io(e, &q.path))?;
    }
    let uid = q.owner.as_deref().filter(|o| !o.is_empty()).map(|o| lookup_id("/etc/passwd", o)).transpose()?;
    let gid = q.group.as_deref().filter(|g| !g.is_empty()).map(|g| lookup_id("/etc/group", g)).transpose()?;
    if uid.is_some() || gid.is_some() {
        std::os::unix::fs::chown(&path, uid, gid).map_err(|e| ToolboxError::io(e, &q.path))?;
    }
    Ok(StatusCode::OK)
}

/// Literal replace-all of `pattern` by `newValue` in each file; one result per file.
pub async fn replace(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<ReplaceRequest>,
) -> Result<Json<Vec<ReplaceResult>>, ToolboxError> {
    if req.pattern.is_empty() {
        return Err(ToolboxError::BadRequest("pattern is required".into()));
    }
    let mut out = Vec::with_capacity(req.files.len());
    for file in req.files {
        let result = async {
            let path = agent.resolve(&file)?;
            let text = tokio::fs::read_to_string(&path).await.map_err(|e| ToolboxError::io(e, &file))?;
            if text.contains(&req.pattern) {
                let replaced = text.replace(&req.pattern, &req.new_value);
                super::transfer::write_atomically(&path, replaced.as_bytes())
                    .await
                    .map_err(|e| ToolboxError::io(e, &file))?;
            }
            Ok::<(), ToolboxError>(())
        }
        .await;
        out.push(match result {
            Ok(()) => ReplaceResult { file: Some(file), success: Some(true), error: None },
            Err(e) => ReplaceResult { file: Some(file), success: Some(false), error: Some(e.to_string()) },
        });
    }
    Ok(Json(out))
}
