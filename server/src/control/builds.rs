//! Declarative image builds on the control plane: `buildInfo` (a Dockerfile and the hashes of
//! contexts uploaded to the object storage) on `POST /snapshots` and `POST /sandbox`, built
//! by [`crate::jail::build`] into the image store; the build logs, streamed as plain text
//! while the build runs; and the object storage's push access.
//!
//! A sandbox from `buildInfo` runs on a snapshot named after the build's hash
//! (`build-{hash}`): the same Dockerfile and contexts again reuse that snapshot (a failed one
//! is built again). The sandbox goes `pending_build → building_snapshot → starting →
//! started`, or `build_failed` with the build's reason.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use daytona_models::{
    context_key, BuildInfo, SandboxState, Snapshot, SnapshotBuildInfo, SnapshotState, StorageAccess, Url,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::app::error::ApiError;
use crate::app::extract::{AppPath, AppQuery};
use crate::app::state::{AppState, ORGANIZATION_ID};
use crate::jail::build::{Build, BUILD_TIMEOUT};

type S = State<Arc<AppState>>;

/// How often a waiting sandbox or a following log reader looks again.
const POLL: Duration = Duration::from_millis(250);

/// The build routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/object-storage/push-access", get(push_access))
        .route("/snapshots/{id}/build-logs-url", get(snapshot_logs_url))
        .route("/snapshots/{id}/build-logs", get(snapshot_logs))
        .route("/sandbox/{sb}/build-logs-url", get(sandbox_logs_url))
        .route("/sandbox/{sb}/build-logs", get(sandbox_logs))
}

/// The build's reference: the hash of its Dockerfile and contexts.
fn build_ref(info: &BuildInfo) -> String {
    let mut hash = Sha256::new();
    hash.update(info.dockerfile_content.as_bytes());
    for h in info.context_hashes.as_deref().unwrap_or_default() {
        hash.update(b"\0");
        hash.update(h.as_bytes());
    }
    daytona_models::hex(&hash.finalize())
}

impl AppState {
    /// Checks that `info` can be built here: its form, its base images, its contexts uploaded.
    pub fn check_build(&self, info: &BuildInfo) -> Result<(), ApiError> {
        if let Some(why) = self.runtime.builds.unavailable() {
            return Err(ApiError::BadRequest(format!("Images cannot be built here: {why}")));
        }
        info.check().map_err(ApiError::BadRequest)?;
        crate::jail::build::base_images(&info.dockerfile_content).map_err(ApiError::BadRequest)?;
        self.context_files(info.context_hashes.as_deref().unwrap_or_default()).map(drop).map_err(|hash| {
            ApiError::BadRequest(format!(
                "Build context {hash} was not uploaded to the object storage (GET /object-storage/push-access)"
            ))
        })
    }

    /// The stored files of the contexts `hashes`, or the first hash not stored.
    fn context_files(&self, hashes: &[String]) -> Result<Vec<PathBuf>, String> {
        hashes.iter().map(|h| self.objects.object(&context_key(ORGANIZATION_ID, h)).ok_or_else(|| h.clone())).collect()
    }

    /// A new snapshot record to be built from `info` (stored, and its build started).
    pub fn start_build(
        self: &Arc<Self>,
        name: String,
        info: BuildInfo,
        resources: (i64, i64, i64),
        entrypoint: Option<Vec<String>>,
    ) -> Result<Snapshot, ApiError> {
        self.runtime.disks.check_room(0, "building an image").map_err(ApiError::BadRequest)?;
        let now = crate::time::now_iso();
        // Its build starts at once (the official SDKs follow the log of a snapshot that is past
        // `pending` when they look).
        let snap = Snapshot {
            build_info: Some(SnapshotBuildInfo {
                snapshot_ref: format!("daytona-local/build:{}", build_ref(&info)),
                dockerfile_content: info.dockerfile_content,
                context_hashes: info.context_hashes.unwrap_or_default(),
                created_at: now.clone(),
                updated_at: now,
            }),
            ..super::snapshots::new_snapshot(name, SnapshotState::Building, entrypoint, resources)
        };
        self.insert_snapshot(&snap)?;
        tokio::spawn(Arc::clone(self).build_snapshot(snap.id.clone()));
        Ok(snap)
    }

    /// The snapshot a sandbox from `info` runs on: the one of an earlier identical build
    /// (built again if it failed), else a new one being built.
    pub fn snapshot_for_build(self: &Arc<Self>, info: BuildInfo) -> Result<Snapshot, ApiError> {
        let name = format!("build-{}", &build_ref(&info)[..32]);
        match self.find_snapshot(&name) {
            Ok(snap) if matches!(snap.state, SnapshotState::BuildFailed | SnapshotState::Error) => {
                let snap =
                    self.save_snapshot(Snapshot { state: SnapshotState::Pending, error_reason: None, ..snap })?;
                tokio::spawn(Arc::clone(self).build_snapshot(snap.id.clone()));
                Ok(snap)
            }
            Ok(snap) if snap.state == SnapshotState::Removing => {
                Err(ApiError::Conflict(format!("Snapshot {name} of this image is being removed: try again")))
            }
            Ok(snap) => Ok(snap),
            Err(_) => {
                use super::lifecycle::{DEFAULT_CPU, DEFAULT_DISK_GIB, DEFAULT_MEMORY_GIB};
                self.start_build(name, info, (DEFAULT_CPU, DEFAULT_MEMORY_GIB, DEFAULT_DISK_GIB), None)
            }
        }
    }

    /// Builds snapshot `id`'s image: `building`, then `active` with its size and command, or
    /// `build_failed` with the reason and the log's tail. A snapshot deleted meanwhile stays
    /// deleted.
    pub async fn build_snapshot(self: Arc<Self>, id: String) {
        let Ok(snap) = self.find_snapshot(&id) else { return };
        let Some(info) = snap.build_info.clone() else { return };
        let snap = match self.save_snapshot(Snapshot { state: SnapshotState::Building, ..snap }) {
            Ok(s) => s,
            Err(e) => return tracing::error!("snapshot {id}: {e}"),
        };
        let log = self.runtime.builds.log(&id);
        let built = match (self.context_files(&info.context_hashes), self.registry_logins()) {
            (Err(hash), _) => Err(crate::jail::JailError::Failed(format!("build context {hash} is gone"))),
            (_, Err(e)) => Err(crate::jail::JailError::Failed(format!("reading the registries' logins: {e}"))),
            (Ok(contexts), Ok(logins)) => {
                let _ = std::fs::write(&log, format!("Building snapshot {} ({})\n", snap.name, info.snapshot_ref));
                let build = Build {
                    id: &id,
                    dockerfile: &info.dockerfile_content,
                    contexts,
                    cpus: snap.cpu as i64,
                    memory_gib: snap.mem as i64,
                    log: &log,
                    logins,
                };
                self.runtime.build_image(build).await
            }
        };
        self.image_done(snap, built, SnapshotState::BuildFailed).await;
    }

    /// Waits for the build of sandbox `id`'s snapshot, showing its progress in the sandbox's
    /// state, then starts the sandbox (or records `build_failed`).
    pub async fn boot_after_build(self: Arc<Self>, id: String) {
        loop {
            let Ok(rec) = self.find(&id) else { return };
            if !matches!(rec.state(), SandboxState::PendingBuild | SandboxState::BuildingSnapshot) {
                return;
            }
            let snapshot = rec.dto.snapshot.clone().unwrap_or_default();
            let failed = |why: String| {
                self.update_logged(&id, |r| {
                    r.set_state(SandboxState::BuildFailed);
                    r.dto.error_reason = Some(why);
                })
            };
            match self.find_snapshot(&snapshot) {
                Err(_) => return failed(format!("snapshot {snapshot} was deleted while it was being built")),
                Ok(snap) => match snap.state {
                    SnapshotState::Building if rec.state() == SandboxState::PendingBuild => {
                        self.update_logged(&id, |r| r.set_state(SandboxState::BuildingSnapshot));
                    }
                    SnapshotState::Active => {
                        let lock = self.op_lock(&id);
                        let _guard = lock.lock().await;
                        let due = self.find(&id).is_ok_and(|r| {
                            matches!(r.state(), SandboxState::PendingBuild | SandboxState::BuildingSnapshot)
                        });
                        if due {
                            self.update_logged(&id, |r| r.set_state(SandboxState::Starting));
                            if let Err(e) = self.mark_snapshot_used(snap) {
                                tracing::warn!("sandbox {id}: marking its snapshot used: {e}");
                            }
                            if let Err(e) = self.boot(&id).await {
                                tracing::error!("sandbox {id}: {e}");
                            }
                        }
                        return;
                    }
                    SnapshotState::BuildFailed | SnapshotState::Error | SnapshotState::Inactive => {
                        let why = snap.error_reason.unwrap_or_else(|| format!("snapshot {snapshot} is not usable"));
                        return failed(why);
                    }
                    _ => {}
                },
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// After a restart: what interrupted builds left is removed, their snapshots are built
    /// again, and sandboxes waiting for a build wait again.
    pub async fn resume_builds(self: Arc<Self>) {
        self.runtime.builds.clean_all().await;
        let snapshots = self.store.records::<Snapshot>(crate::store::Table::Snapshots).unwrap_or_default();
        for snap in snapshots {
            let interrupted = matches!(snap.state, SnapshotState::Pending | SnapshotState::Building);
            if interrupted && snap.build_info.is_some() {
                tokio::spawn(Arc::clone(&self).build_snapshot(snap.id));
            }
        }
        for rec in self.all() {
            if matches!(rec.state(), SandboxState::PendingBuild | SandboxState::BuildingSnapshot) {
                tokio::spawn(Arc::clone(&self).boot_after_build(rec.dto.id));
            }
        }
    }
}

async fn push_access(State(st): S, req: Request) -> Result<Json<StorageAccess>, ApiError> {
    if let Some(why) = st.runtime.builds.unavailable() {
        return Err(ApiError::BadRequest(format!("Images cannot be built here, so nothing is uploaded: {why}")));
    }
    let (parts, _) = req.into_parts();
    let origin = crate::app::extract::origin(&parts);
    // The Python SDK uploads with obstore, which refuses plain HTTP: it gets the HTTPS port.
    let python = parts.headers.get("x-daytona-source").is_some_and(|v| v == "sdk-python");
    let storage_url = match origin.strip_prefix("http://") {
        Some(host) if python => {
            let port = st.tls_port.load(std::sync::atomic::Ordering::Relaxed);
            format!("https://{}:{port}", host_without_port(host))
        }
        _ => origin,
    };
    let creds = st.objects.grant();
    Ok(Json(StorageAccess {
        access_key: creds.access_key,
        secret: creds.secret,
        session_token: creds.session_token,
        storage_url,
        organization_id: ORGANIZATION_ID.into(),
        bucket: crate::objects::BUCKET.into(),
        region: crate::objects::REGION.into(),
    }))
}

/// `host` of `host[:port]` (an IPv6 address keeps its brackets).
pub(super) fn host_without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port))
            if port.bytes().all(|b| b.is_ascii_digit()) && (!name.contains(':') || name.ends_with(']')) =>
        {
            name
        }
        _ => host,
    }
}

/// The snapshot whose build log `GET /snapshots/{id}/build-logs` streams.
fn built_snapshot(st: &AppState, id: &str) -> Result<Snapshot, ApiError> {
    let snap = st.find_snapshot(id)?;
    match snap.build_info {
        Some(_) => Ok(snap),
        None => Err(ApiError::BadRequest(format!("Snapshot {} was pulled, not built: it has no build log", snap.name))),
    }
}

/// Sandbox `sb`'s id and the snapshot it was built on.
fn sandbox_snapshot(st: &AppState, sb: &str) -> Result<(String, Snapshot), ApiError> {
    let rec = st.find(sb)?;
    let snap = rec.dto.snapshot.as_deref().and_then(|s| st.find_snapshot(s).ok());
    match snap {
        Some(s) if s.build_info.is_some() => Ok((rec.dto.id, s)),
        _ => Err(ApiError::BadRequest(format!(
            "Sandbox {} was not built from an image: it has no build log",
            rec.dto.id
        ))),
    }
}

async fn snapshot_logs_url(State(st): S, AppPath(id): AppPath<String>, req: Request) -> Result<Json<Url>, ApiError> {
    let snap = built_snapshot(&st, &id)?;
    let origin = crate::app::extract::origin(&req.into_parts().0);
    Ok(Json(Url { url: format!("{origin}/api/snapshots/{}/build-logs", snap.id) }))
}

async fn sandbox_logs_url(State(st): S, AppPath(sb): AppPath<String>, req: Request) -> Result<Json<Url>, ApiError> {
    let (id, _) = sandbox_snapshot(&st, &sb)?;
    let origin = crate::app::extract::origin(&req.into_parts().0);
    Ok(Json(Url { url: format!("{origin}/api/sandbox/{id}/build-logs") }))
}

#[derive(Deserialize)]
struct LogQuery {
    follow: Option<bool>,
}

async fn snapshot_logs(
    State(st): S,
    AppPath(id): AppPath<String>,
    AppQuery(q): AppQuery<LogQuery>,
) -> Result<Response, ApiError> {
    let snap = built_snapshot(&st, &id)?;
    Ok(log_response(st, snap.id, q.follow.unwrap_or(false)))
}

async fn sandbox_logs(
    State(st): S,
    AppPath(sb): AppPath<String>,
    AppQuery(q): AppQuery<LogQuery>,
) -> Result<Response, ApiError> {
    let (_, snap) = sandbox_snapshot(&st, &sb)?;
    Ok(log_response(st, snap.id, q.follow.unwrap_or(false)))
}

/// Snapshot `id`'s build log as plain text; with `follow`, what the build writes next as it
/// comes, until the build has ended (and at most [`BUILD_TIMEOUT`] and a minute).
fn log_response(st: Arc<AppState>, id: String, follow: bool) -> Response {
    struct Reader {
        st: Arc<AppState>,
        id: String,
        path: PathBuf,
        offset: u64,
        ended: bool,
        until: tokio::time::Instant,
    }
    let path = st.runtime.builds.log(&id);
    let until = tokio::time::Instant::now() + BUILD_TIMEOUT + Duration::from_secs(60);
    let reader = Reader { st, id, path, offset: 0, ended: !follow, until };
    let stream = futures_util::stream::unfold(reader, |mut r| async move {
        loop {
            let chunk = read_from(&r.path, r.offset).await;
            if !chunk.is_empty() {
                r.offset += chunk.len() as u64;
                return Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(chunk)), r));
            }
            if r.ended || tokio::time::Instant::now() > r.until {
                return None;
            }
            // Once the build has ended, one more read takes what it wrote last.
            r.ended =
                r.st.find_snapshot(&r.id)
                    .map_or(true, |s| !matches!(s.state, SnapshotState::Pending | SnapshotState::Building));
            if !r.ended {
                tokio::time::sleep(POLL).await;
            }
        }
    });
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// Up to 64 KiB of the file at `path` from `offset` (nothing if it is missing).
async fn read_from(path: &std::path::Path, offset: u64) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let Ok(mut file) = tokio::fs::File::open(path).await else { return Vec::new() };
    if file.seek(std::io::SeekFrom::Start(offset)).await.is_err() {
        return Vec::new();
    }
    let mut buf = vec![0u8; 64 * 1024];
    match file.read(&mut buf).await {
        Ok(n) => {
            buf.truncate(n);
            buf
        }
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_lose_their_port_only() {
        assert_eq!(host_without_port("127.0.0.1:3000"), "127.0.0.1");
        assert_eq!(host_without_port("localhost"), "localhost");
        assert_eq!(host_without_port("[::1]:3000"), "[::1]");
        assert_eq!(host_without_port("[::1]"), "[::1]");
    }

    #[test]
    fn a_build_is_named_by_its_dockerfile_and_contexts() {
        let info = |df: &str, ctx: &[&str]| BuildInfo {
            dockerfile_content: df.into(),
            context_hashes: Some(ctx.iter().map(|s| s.to_string()).collect()),
        };
        assert_eq!(build_ref(&info("FROM a:1\n", &["ab"])), build_ref(&info("FROM a:1\n", &["ab"])));
        assert_ne!(build_ref(&info("FROM a:1\n", &["ab"])), build_ref(&info("FROM a:1\n", &["ac"])));
        assert_ne!(build_ref(&info("FROM a:1\n", &[])), build_ref(&info("FROM a:2\n", &[])));
    }
}
