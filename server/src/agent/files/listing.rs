//! `GET /files` (list), `/files/info`, `/files/find` (content) and `/files/search` (names).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use daytona_models::{FileInfo, Match, SearchFilesResponse};
use serde::Deserialize;

use super::info::file_info;
use crate::agent::error::ToolboxError;
use crate::agent::extract::ToolboxQuery;
use crate::agent::Agent;

/// Bytes looked at to tell binary files (a NUL byte) from text.
const BINARY_SNIFF: usize = 8 * 1024;

/// Query of `GET /files`.
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    depth: Option<usize>,
}

/// Query with a required `path`.
#[derive(Deserialize)]
pub struct PathQuery {
    /// The path.
    pub path: String,
}

/// Query of `find` and `search`.
#[derive(Deserialize)]
pub struct PatternQuery {
    path: String,
    pattern: String,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ToolboxError> + Send + 'static,
) -> Result<T, ToolboxError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ToolboxError::Io(format!("worker failed: {e}")))?
}

/// Lists a directory (`depth` levels, default 1), directories first, then by name.
pub async fn list(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<ListQuery>,
) -> Result<Json<Vec<FileInfo>>, ToolboxError> {
    let shown = q.path.clone().filter(|p| !p.is_empty()).unwrap_or_else(|| ".".into());
    let dir = agent.resolve(&shown)?;
    let depth = q.depth.unwrap_or(1).max(1);
    blocking(move || {
        let meta = std::fs::metadata(&dir).map_err(|e| ToolboxError::io(e, &shown))?;
        if !meta.is_dir() {
            return Err(ToolboxError::InvalidPath(format!("not a directory: {shown}")));
        }
        let mut out = Vec::new();
        let walker = walkdir::WalkDir::new(&dir).min_depth(1).max_depth(depth).sort_by(|a, b| {
            let dir_first = b.file_type().is_dir().cmp(&a.file_type().is_dir());
            dir_first.then_with(|| a.file_name().cmp(b.file_name()))
        });
        for entry in walker {
            let entry = entry.map_err(|e| ToolboxError::Io(e.to_string()))?;
            if let Ok(meta) = entry.metadata() {
                out.push(file_info(entry.path(), &meta));
            }
        }
        Ok(Json(out))
    })
    .await
}

/// Details of one file or directory.
pub async fn info(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<PathQuery>,
) -> Result<Json<FileInfo>, ToolboxError> {
    let path = agent.resolve(&q.path)?;
    let meta = tokio::fs::metadata(&path).await.map_err(|e| ToolboxError::io(e, &q.path))?;
    Ok(Json(file_info(&path, &meta)))
}

fn files_under(root: &Path) -> impl Iterator<Item = PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
}

fn is_binary(path: &Path) -> bool {
    let mut buf = [0u8; BINARY_SNIFF];
    match std::fs::File::open(path).and_then(|mut f| f.read(&mut buf)) {
        Ok(n) => buf[..n].contains(&0),
        Err(_) => true,
    }
}

/// Lines containing `pattern` (plain substring) in text files under `path`.
pub async fn find(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<PatternQuery>,
) -> Result<Json<Vec<Match>>, ToolboxError> {
    let root = agent.resolve(&q.path)?;
    if q.pattern.is_empty() {
        return Err(ToolboxError::BadRequest("pattern is required".into()));
    }
    blocking(move || {
        std::fs::metadata(&root).map_err(|e| ToolboxError::io(e, &q.path))?;
        let mut out = Vec::new();
        for file in files_under(&root).filter(|f| !is_binary(f)) {
            let Ok(f) = std::fs::File::open(&file) else { continue };
            for (i, line) in BufReader::new(f).split(b'\n').enumerate() {
                let Ok(line) = line else { break };
                let line = String::from_utf8_lossy(&line);
                if line.contains(&q.pattern) {
                    out.push(Match {
                        file: file.display().to_string(),
                        line: i as i64 + 1,
                        content: line.trim_end_matches('\r').to_owned(),
                    });
                }
            }
        }
        Ok(Json(out))
    })
    .await
}

/// Paths under `path` whose base name matches the glob `pattern`.
pub async fn search(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<PatternQuery>,
) -> Result<Json<SearchFilesResponse>, ToolboxError> {
    let root = agent.resolve(&q.path)?;
    let glob = glob::Pattern::new(&q.pattern)
        .map_err(|e| ToolboxError::BadRequest(format!("invalid pattern {:?}: {e}", q.pattern)))?;
    blocking(move || {
        std::fs::metadata(&root).map_err(|e| ToolboxError::io(e, &q.path))?;
        let files = walkdir::WalkDir::new(&root)
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| glob.matches(&e.file_name().to_string_lossy()))
            .map(|e| e.path().display().to_string())
            .collect();
        Ok(Json(SearchFilesResponse { files }))
    })
    .await
}
