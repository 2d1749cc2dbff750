//! Bulk upload (streamed to disk, atomic per file) and bulk download (streamed multipart),
//! in Daytona's multipart formats.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use daytona_models::{FilesDownloadRequest, UploadFilesFailure, UploadFilesResponse, UploadedFile};
use tokio::io::AsyncWriteExt;

use super::listing::PathQuery;
use crate::agent::error::ToolboxError;
use crate::agent::extract::{ToolboxJson, ToolboxQuery};
use crate::agent::Agent;

/// Boundary of bulk-download answers.
const BOUNDARY: &str = "DAYTONA-FILE-BOUNDARY";
/// Read size when streaming files out.
const CHUNK: usize = 256 * 1024;

/// A temporary name next to `path` (same filesystem, so the final rename is atomic).
fn temp_path(path: &Path) -> std::path::PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.daytona-upload-{:016x}", rand::random::<u64>()))
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temp_path(path);
    let result = async {
        tokio::fs::write(&tmp, bytes).await?;
        if let Ok(meta) = tokio::fs::metadata(path).await {
            tokio::fs::set_permissions(&tmp, meta.permissions()).await?;
        }
        tokio::fs::rename(&tmp, path).await
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

/// Streams `body` to `path` (parents created; `shown` is the path as the client gave it) through
/// a temporary file and a rename: the file appears only when complete, so a broken upload
/// never leaves a half-written file.
async fn receive_stream<E: std::fmt::Display>(
    path: &Path,
    shown: &str,
    body: impl futures_util::Stream<Item = Result<Bytes, E>>,
) -> Result<u64, ToolboxError> {
    use futures_util::StreamExt;
    let io = |e: std::io::Error| ToolboxError::io(e, shown);
    let mut body = std::pin::pin!(body);
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(io)?;
    }
    if tokio::fs::metadata(path).await.is_ok_and(|m| m.is_dir()) {
        return Err(ToolboxError::InvalidPath(format!("is a directory: {shown}")));
    }
    // Removed on every way out (errors, and the request being dropped mid-upload) but success.
    let mut tmp = TempFile(Some(temp_path(path)));
    let tmp_path = tmp.0.clone().unwrap_or_default();
    let mut file = tokio::fs::File::create(&tmp_path).await.map_err(io)?;
    let mut bytes = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| ToolboxError::BadRequest(format!("upload of {shown} interrupted: {e}")))?;
        file.write_all(&chunk).await.map_err(io)?;
        bytes += chunk.len() as u64;
    }
    file.flush().await.map_err(io)?;
    drop(file);
    tokio::fs::rename(&tmp_path, path).await.map_err(io)?;
    tmp.0 = None;
    Ok(bytes)
}

/// A temporary upload file, deleted when dropped unless cleared once renamed into place.
struct TempFile(Option<std::path::PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A multipart reader over `req`. (What it leaves unread of the body, past the closing
/// boundary or after an early error, is read by [`crate::http::drain`] before the answer goes out.)
async fn multipart_of(agent: &Arc<Agent>, req: Request) -> Result<Multipart, ToolboxError> {
    Multipart::from_request(req, agent).await.map_err(|e| ToolboxError::BadRequest(e.body_text()))
}

/// `POST /files/bulk-upload`: `files[i].path` then `files[i].file` parts. Each file is
/// written or fails on its own; any failure makes the answer a 400 [`UploadFilesFailure`].
pub async fn bulk_upload(State(agent): State<Arc<Agent>>, req: Request) -> Response {
    let mut multipart = match multipart_of(&agent, req).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let mut paths: HashMap<String, String> = HashMap::new();
    let mut out = UploadFilesResponse::default();
    let mut first_failure = None;
    let mut fail = |out: &mut UploadFilesResponse, e: ToolboxError| {
        out.errors.push(e.to_string());
        first_failure.get_or_insert(e);
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                fail(&mut out, ToolboxError::BadRequest(format!("malformed multipart body: {e}")));
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(key) = name.strip_suffix(".path") {
            match field.text().await {
                Ok(p) => {
                    paths.insert(key.to_owned(), p);
                }
                Err(e) => fail(&mut out, ToolboxError::BadRequest(format!("{name}: {e}"))),
            }
        } else if let Some(key) = name.strip_suffix(".file") {
            let Some(dest) = paths.remove(key) else {
                fail(&mut out, ToolboxError::BadRequest(format!("{name}: missing .path metadata")));
                continue;
            };
            let written = match agent.resolve(&dest) {
                Ok(path) => receive_stream(&path, &dest, field).await,
                Err(e) => Err(e),
            };
            match written {
                Ok(bytes) => out.files.push(UploadedFile { path: dest, bytes }),
                Err(e) => fail(&mut out, e),
            }
        } else {
            fail(&mut out, ToolboxError::BadRequest(format!("unexpected multipart field {name:?}")));
        }
    }
    match first_failure {
        None => Json(out).into_response(),
        Some(first) => {
            // A 400 whatever the failure (the route's contract), with the first one's code.
            let (_, mut error) = first.envelope();
            error.status_code = StatusCode::BAD_REQUEST.as_u16();
            error.message = out.errors.join(", ");
            error.path = "/files/bulk-upload".into();
            error.method = Some("POST".into());
            (StatusCode::BAD_REQUEST, Json(UploadFilesFailure { error, outcome: out })).into_response()
        }
    }
}

/// Quotes a filename for `Content-Disposition`, plus the RFC 5987 `filename*` form.
fn disposition(kind: &str, path: &str) -> String {
    // Control characters cannot be in a header at all: the plain form shows them as `_`, the
    // `filename*` form keeps every byte.
    let quoted: String = path
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect::<String>()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let encoded: String = form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>().replace('+', "%20");
    format!("form-data; name=\"{kind}\"; filename=\"{quoted}\"; filename*=utf-8''{encoded}")
}

/// `POST /files/bulk-download`: one `file` or `error` part per requested path, streamed.
pub async fn bulk_download(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<FilesDownloadRequest>,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    tokio::spawn(async move {
        for requested in req.paths {
            let opened = async {
                let path = agent.resolve(&requested)?;
                let file = tokio::fs::File::open(&path).await.map_err(|e| ToolboxError::io(e, &requested))?;
                let meta = file.metadata().await.map_err(|e| ToolboxError::io(e, &requested))?;
                if meta.is_dir() {
                    return Err(ToolboxError::InvalidPath(format!("is a directory: {requested}")));
                }
                Ok((file, meta.len(), path))
            }
            .await;
            match opened {
                Ok((file, len, path)) => {
                    let mime = mime_guess::from_path(&path).first_or_octet_stream();
                    let head = format!(
                        "--{BOUNDARY}\r\nContent-Disposition: {}\r\nContent-Type: {mime}\r\nContent-Length: {len}\r\n\r\n",
                        disposition("file", &requested)
                    );
                    if tx.send(Bytes::from(head)).await.is_err() {
                        return;
                    }
                    let mut chunks = tokio_util::io::ReaderStream::with_capacity(file, CHUNK);
                    while let Some(chunk) = futures_util::StreamExt::next(&mut chunks).await {
                        match chunk {
                            Ok(bytes) => {
                                if tx.send(bytes).await.is_err() {
                                    return;
                                }
                            }
                            // The part is already under way: end the stream so the client sees a truncation.
                            Err(_) => return,
                        }
                    }
                    if tx.send(Bytes::from_static(b"\r\n")).await.is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let (_, mut envelope) = e.envelope();
                    envelope.path = "/files/bulk-download".into();
                    envelope.method = Some("POST".into());
                    let json = serde_json::to_string(&envelope).unwrap_or_default();
                    let part = format!(
                        "--{BOUNDARY}\r\nContent-Disposition: {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{json}\r\n",
                        disposition("error", &requested),
                        json.len()
                    );
                    if tx.send(Bytes::from(part)).await.is_err() {
                        return;
                    }
                }
            }
        }
        let _ = tx.send(Bytes::from(format!("--{BOUNDARY}--\r\n"))).await;
    });
    let stream =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|b| (Ok::<_, std::io::Error>(b), rx)) },
        );
    ([(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))], Body::from_stream(stream))
        .into_response()
}

/// `GET /files/download?path=`: the file's bytes, streamed, with its length and type.
pub async fn download(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<PathQuery>,
) -> Result<Response, ToolboxError> {
    let path = agent.resolve(&q.path)?;
    stream_file(&path, &q.path).await
}

/// The file at `path` (named `shown` in errors) as an attachment: its bytes streamed, with
/// its length and type.
pub async fn stream_file(path: &Path, shown: &str) -> Result<Response, ToolboxError> {
    let file = tokio::fs::File::open(path).await.map_err(|e| ToolboxError::io(e, shown))?;
    let meta = file.metadata().await.map_err(|e| ToolboxError::io(e, shown))?;
    if meta.is_dir() {
        return Err(ToolboxError::InvalidPath(format!("is a directory: {shown}")));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_LENGTH, meta.len().to_string()),
            (
                header::CONTENT_DISPOSITION,
                disposition("attachment", &name).replacen("form-data; name=\"attachment\"", "attachment", 1),
            ),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, CHUNK)),
    )
        .into_response())
}

/// `POST /files/upload-v2?path=`: one file, as multipart field `file` or as the raw body.
pub async fn upload_v2(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<PathQuery>,
    req: Request,
) -> Result<Json<serde_json::Value>, ToolboxError> {
    let path = agent.resolve(&q.path)?;
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let written = if is_multipart {
        let mut multipart = multipart_of(&agent, req).await?;
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) if field.name() == Some("file") => break receive_stream(&path, &q.path, field).await,
                Ok(Some(_)) => continue,
                Ok(None) => break Err(ToolboxError::BadRequest("multipart body has no `file` field".into())),
                Err(e) => break Err(ToolboxError::BadRequest(format!("malformed multipart body: {e}"))),
            }
        }
    } else {
        receive_stream(&path, &q.path, req.into_body().into_data_stream()).await
    };
    written?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Json(serde_json::json!({ "name": name, "path": path.display().to_string(), "type": "file" })))
}
