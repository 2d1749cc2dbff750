//! Control-plane routes under `/api/snapshots`: snapshots pulled from OCI registries into the
//! image store ([`crate::jail::images`]), `pending → pulling → active` (or `error` with the
//! reason), listed with paging, name filter and sort; activated, deactivated, deleted. The
//! default snapshot, the host's userland every plain sandbox runs on, is listed too, under
//! [`DEFAULT_SNAPSHOT`], and can be neither deleted nor deactivated.
//!
//! A sandbox names its snapshot; one on a pulled image runs on that image's files (see
//! [`crate::jail::runtime`]).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use daytona_models::{check_image_name, CreateSnapshot, PaginatedSnapshots, Snapshot, SnapshotState};
use serde::Deserialize;

use super::lifecycle::{check_range, DEFAULT_CPU, DEFAULT_DISK_GIB, DEFAULT_MEMORY_GIB, DEFAULT_SNAPSHOT, MAX_CPU};
use super::lifecycle::{MAX_DISK_GIB, MAX_MEMORY_GIB};
use crate::app::error::ApiError;
use crate::app::extract::{AppJson, AppPath, AppQuery};
use crate::app::state::{AppState, ORGANIZATION_ID};
use crate::store::record::ControlEvent;
use crate::store::Table;

type S = State<Arc<AppState>>;

/// The `/snapshots` routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/snapshots", get(list).post(create))
        .route("/snapshots/{id}", get(get_one).delete(remove))
        .route("/snapshots/{id}/activate", post(activate))
        .route("/snapshots/{id}/deactivate", post(deactivate))
}

/// Longest snapshot name, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// Checks a snapshot's name.
pub(super) fn check_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name.starts_with(['-', '.', '/', ':'])
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c));
    match ok {
        true => Ok(()),
        false => Err(ApiError::BadRequest(format!(
            "Invalid snapshot name {name:?}: use 1-{MAX_NAME_BYTES} letters, digits, '-', '_', '.', ':' or '/'"
        ))),
    }
}

/// A new snapshot of this organization, made now: `resources` are its sandboxes' CPU, memory
/// and disk.
pub(super) fn new_snapshot(
    name: String,
    state: SnapshotState,
    entrypoint: Option<Vec<String>>,
    resources: (i64, i64, i64),
) -> Snapshot {
    let now = crate::time::now_iso();
    let (cpu, mem, disk) = resources;
    Snapshot {
        id: uuid::Uuid::new_v4().to_string(),
        organization_id: ORGANIZATION_ID.into(),
        general: false,
        name,
        image_name: None,
        state,
        size: None,
        entrypoint,
        cpu: cpu as f64,
        gpu: 0.0,
        mem: mem as f64,
        disk: disk as f64,
        error_reason: None,
        created_at: now.clone(),
        updated_at: now,
        last_used_at: None,
        source_sandbox_id: None,
        build_info: None,
    }
}

fn not_found(id_or_name: &str) -> ApiError {
    ApiError::NotFound(format!("Snapshot {id_or_name} not found"))
}

impl AppState {
    /// The default snapshot: the host's userland.
    pub fn default_snapshot(&self) -> Snapshot {
        Snapshot {
            id: DEFAULT_SNAPSHOT.into(),
            organization_id: ORGANIZATION_ID.into(),
            general: true,
            name: DEFAULT_SNAPSHOT.into(),
            image_name: None,
            state: SnapshotState::Active,
            size: None,
            entrypoint: None,
            cpu: DEFAULT_CPU as f64,
            gpu: 0.0,
            mem: DEFAULT_MEMORY_GIB as f64,
            disk: DEFAULT_DISK_GIB as f64,
            error_reason: None,
            created_at: self.started_at.clone(),
            updated_at: self.started_at.clone(),
            last_used_at: None,
            source_sandbox_id: None,
            build_info: None,
        }
    }

    /// Every snapshot, the default first.
    pub fn snapshots(&self) -> Result<Vec<Snapshot>, ApiError> {
        let mut all = vec![self.default_snapshot()];
        all.extend(self.store.records::<Snapshot>(Table::Snapshots)?);
        Ok(all)
    }

    /// The snapshot with this id, or else this name.
    pub fn find_snapshot(&self, id_or_name: &str) -> Result<Snapshot, ApiError> {
        let all = self.snapshots()?;
        let by_id = all.iter().position(|s| s.id == id_or_name);
        let at =
            by_id.or_else(|| all.iter().position(|s| s.name == id_or_name)).ok_or_else(|| not_found(id_or_name))?;
        Ok(all.into_iter().nth(at).expect("found above"))
    }

    /// Stores a changed snapshot with its `updatedAt` now (a change of state goes to the
    /// event socket).
    pub(super) fn save_snapshot(&self, mut snap: Snapshot) -> Result<Snapshot, ApiError> {
        snap.updated_at = crate::time::now_iso();
        let old = self.snapshots()?.into_iter().find(|s| s.id == snap.id).map(|s| s.state);
        self.store.replace(Table::Snapshots, &snap)?;
        if let Some(old) = old.filter(|old| *old != snap.state) {
            self.tell(ControlEvent::SnapshotStateUpdated { snapshot: snap.clone(), old });
        }
        Ok(snap)
    }

    /// Stores a new snapshot (a name taken is a 409) and tells the event socket.
    pub(super) fn insert_snapshot(&self, snap: &Snapshot) -> Result<(), ApiError> {
        self.insert_named(Table::Snapshots, snap, "Snapshot")?;
        self.tell(ControlEvent::SnapshotCreated(snap.clone()));
        Ok(())
    }

    /// Records that a sandbox was made on `snap` now (`lastUsedAt`).
    pub fn mark_snapshot_used(&self, snap: Snapshot) -> Result<(), ApiError> {
        if !snap.general {
            self.save_snapshot(Snapshot { last_used_at: Some(crate::time::now_iso()), ..snap })?;
        }
        Ok(())
    }

    /// Pulls snapshot `id`'s image: `pulling`, then `active` with its size and command, or
    /// `error` with the reason. A snapshot deleted meanwhile stays deleted.
    pub async fn pull_snapshot(self: Arc<Self>, id: String) {
        let Ok(snap) = self.find_snapshot(&id) else { return };
        let Some(image) = snap.image_name.clone() else { return };
        let snap = match self.save_snapshot(Snapshot { state: SnapshotState::Pulling, ..snap }) {
            Ok(s) => s,
            Err(e) => return tracing::error!("snapshot {id}: {e}"),
        };
        let pulled = match self.registry_logins() {
            Ok(logins) => self.runtime.images.pull(&id, &image, &logins).await,
            Err(e) => Err(crate::jail::JailError::Failed(format!("reading the registries' logins: {e}"))),
        };
        self.image_done(snap, pulled, SnapshotState::Error).await;
    }

    /// Records how getting snapshot `snap`'s image (a pull or a build) ended: `active` with its
    /// size and command, or `failed` with the reason. A snapshot deleted meanwhile stays
    /// deleted, its image files removed.
    pub(super) async fn image_done(
        &self,
        snap: Snapshot,
        got: Result<crate::jail::images::ImageInfo, crate::jail::JailError>,
        failed: SnapshotState,
    ) {
        let id = snap.id.clone();
        if self.find_snapshot(&id).is_err() {
            let _ = self.runtime.images.remove(&id).await;
            return;
        }
        let done = match got {
            Ok(info) => Snapshot {
                state: SnapshotState::Active,
                size: Some((info.size_bytes as f64 / 1e9 * 1000.0).round() / 1000.0),
                entrypoint: snap.entrypoint.clone().or(Some(info.command)),
                error_reason: None,
                ..snap
            },
            Err(e) => {
                tracing::warn!("snapshot {id}: {e}");
                Snapshot { state: failed, error_reason: Some(e.to_string()), ..snap }
            }
        };
        if let Err(e) = self.save_snapshot(done) {
            tracing::error!("snapshot {id}: {e}");
        }
    }

    /// Pulls again what a stopped server left `pending` or `pulling`; a snapshot it was
    /// making from a sandbox is marked failed (the sandbox is there to make it again).
    pub fn resume_pulls(self: &Arc<Self>) {
        let Ok(all) = self.store.records::<Snapshot>(Table::Snapshots) else { return };
        for snap in all.into_iter().filter(|s| matches!(s.state, SnapshotState::Pending | SnapshotState::Pulling)) {
            if snap.source_sandbox_id.is_some() {
                let reason = "the server stopped while this snapshot was being made".to_owned();
                let failed = Snapshot { state: SnapshotState::Error, error_reason: Some(reason), ..snap };
                if let Err(e) = self.save_snapshot(failed) {
                    tracing::error!("snapshot: {e}");
                }
                continue;
            }
            tokio::spawn(Arc::clone(self).pull_snapshot(snap.id));
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    page: Option<u64>,
    limit: Option<u64>,
    name: Option<String>,
    sort: Option<String>,
    order: Option<String>,
}

async fn list(State(st): S, AppQuery(q): AppQuery<ListQuery>) -> Result<Json<PaginatedSnapshots>, ApiError> {
    let page = q.page.unwrap_or(1);
    let limit = q.limit.unwrap_or(100);
    if page < 1 || !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest("page must be at least 1 and limit between 1 and 200".into()));
    }
    let mut all = st.snapshots()?;
    if let Some(name) = q.name.as_deref().map(str::to_lowercase).filter(|n| !n.is_empty()) {
        all.retain(|s| s.name.to_lowercase().contains(&name));
    }
    let key = |s: &Snapshot| -> String {
        match q.sort.as_deref() {
            Some("name") => s.name.clone(),
            Some("state") => serde_json::to_string(&s.state).unwrap_or_default(),
            Some("lastUsedAt") => s.last_used_at.clone().unwrap_or_default(),
            _ => s.created_at.clone(),
        }
    };
    if let Some(sort) = q.sort.as_deref().filter(|s| !["name", "state", "lastUsedAt", "createdAt"].contains(s)) {
        return Err(ApiError::BadRequest(format!("invalid sort {sort:?}: name, state, lastUsedAt or createdAt")));
    }
    let descending = match q.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => return Err(ApiError::BadRequest(format!("invalid order {other:?}: asc or desc"))),
    };
    all.sort_by(|a, b| {
        let by = key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name));
        if descending {
            by.reverse()
        } else {
            by
        }
    });
    let total = all.len() as u64;
    let total_pages = total.div_ceil(limit);
    let start = ((page - 1).saturating_mul(limit)).min(total) as usize;
    let items = all.into_iter().skip(start).take(limit as usize).collect();
    Ok(Json(PaginatedSnapshots { items, total, page, total_pages }))
}

async fn create(State(st): S, AppJson(req): AppJson<CreateSnapshot>) -> Result<Json<Snapshot>, ApiError> {
    check_name(&req.name)?;
    if req.gpu.unwrap_or(0) > 0 {
        return Err(ApiError::BadRequest("GPUs are not available on daytona-local".into()));
    }
    let cpu = check_range("cpu", req.cpu.unwrap_or(DEFAULT_CPU), 1, MAX_CPU)?;
    let mem = check_range("memory", req.memory.unwrap_or(DEFAULT_MEMORY_GIB), 1, MAX_MEMORY_GIB)?;
    let disk = check_range("disk", req.disk.unwrap_or(DEFAULT_DISK_GIB), 1, MAX_DISK_GIB)?;
    if st.find_snapshot(&req.name).is_ok() {
        return Err(ApiError::Conflict(format!("Snapshot with name {} already exists", req.name)));
    }
    // What a pull or build writes is known only as it comes: the reserve must be free first.
    st.runtime.disks.check_room(0, "a new snapshot").map_err(ApiError::BadRequest)?;
    let entrypoint = req.entrypoint.filter(|e| !e.is_empty());
    let image = match (req.image_name, req.build_info) {
        (Some(_), Some(_)) => {
            return Err(ApiError::BadRequest(
                "Name an image to pull (imageName) or one to build (buildInfo), not both".into(),
            ))
        }
        (None, Some(info)) => {
            st.check_build(&info)?;
            return Ok(Json(st.start_build(req.name, info, (cpu, mem, disk), entrypoint)?));
        }
        (None, None) => return Err(ApiError::BadRequest("imageName or buildInfo is required".into())),
        (Some(image), None) => image,
    };
    check_image_name(&image).map_err(ApiError::BadRequest)?;
    if let Some(why) = st.runtime.images.unavailable() {
        return Err(ApiError::BadRequest(format!("Snapshots cannot be pulled here: {why}")));
    }
    let snap = Snapshot {
        image_name: Some(image),
        ..new_snapshot(req.name, SnapshotState::Pending, entrypoint, (cpu, mem, disk))
    };
    st.insert_snapshot(&snap)?;
    tokio::spawn(Arc::clone(&st).pull_snapshot(snap.id.clone()));
    Ok(Json(snap))
}

async fn get_one(State(st): S, AppPath(id): AppPath<String>) -> Result<Json<Snapshot>, ApiError> {
    st.find_snapshot(&id).map(Json)
}

async fn remove(State(st): S, AppPath(id): AppPath<String>) -> Result<StatusCode, ApiError> {
    let snap = st.find_snapshot(&id)?;
    if snap.general {
        return Err(ApiError::BadRequest(format!("The default snapshot {} cannot be deleted", snap.name)));
    }
    let users: Vec<String> = st
        .all()
        .into_iter()
        .filter(|r| r.dto.snapshot.as_deref().is_some_and(|s| s == snap.id || s == snap.name))
        .map(|r| r.dto.name)
        .collect();
    if !users.is_empty() {
        return Err(ApiError::Conflict(format!("Snapshot {} is used by sandboxes: {}", snap.name, users.join(", "))));
    }
    // Snapshots made from sandboxes that ran on it hold only their files: they run on it.
    let made_on: Vec<String> = st
        .snapshots()?
        .into_iter()
        .filter(|s| s.source_sandbox_id.is_some() && st.noted_base(&s.id).as_deref() == Some(snap.id.as_str()))
        .map(|s| s.name)
        .collect();
    if !made_on.is_empty() {
        return Err(ApiError::Conflict(format!(
            "Snapshot {} is what snapshots made from sandboxes run on: {}",
            snap.name,
            made_on.join(", ")
        )));
    }
    let snap = st.save_snapshot(Snapshot { state: SnapshotState::Removing, ..snap })?;
    tokio::spawn(async move {
        if let Err(e) = st.runtime.images.remove(&snap.id).await {
            tracing::error!("snapshot {}: {e}", snap.id);
            let failed = Snapshot { state: SnapshotState::Error, error_reason: Some(e.to_string()), ..snap };
            let _ = st.save_snapshot(failed);
            return;
        }
        let _ = tokio::fs::remove_file(st.runtime.builds.log(&snap.id)).await;
        match st.store.delete(Table::Snapshots, &snap.id) {
            Ok(()) => st.tell(ControlEvent::SnapshotRemoved(snap)),
            Err(e) => tracing::error!("snapshot {}: forgetting it: {e}", snap.id),
        }
    });
    Ok(StatusCode::OK)
}

async fn activate(State(st): S, AppPath(id): AppPath<String>) -> Result<Json<Snapshot>, ApiError> {
    let snap = st.find_snapshot(&id)?;
    match snap.state {
        SnapshotState::Active => Ok(Json(snap)),
        SnapshotState::Inactive => Ok(Json(st.save_snapshot(Snapshot { state: SnapshotState::Active, ..snap })?)),
        other => Err(ApiError::BadRequest(format!(
            "Snapshot {} cannot be activated in state {}",
            snap.name,
            serde_json::to_string(&other).unwrap_or_default()
        ))),
    }
}

async fn deactivate(State(st): S, AppPath(id): AppPath<String>) -> Result<StatusCode, ApiError> {
    let snap = st.find_snapshot(&id)?;
    if snap.general {
        return Err(ApiError::BadRequest(format!("The default snapshot {} cannot be deactivated", snap.name)));
    }
    match snap.state {
        SnapshotState::Inactive => Ok(StatusCode::NO_CONTENT),
        SnapshotState::Active => {
            st.save_snapshot(Snapshot { state: SnapshotState::Inactive, ..snap })?;
            Ok(StatusCode::NO_CONTENT)
        }
        other => Err(ApiError::BadRequest(format!(
            "Snapshot {} cannot be deactivated in state {}",
            snap.name,
            serde_json::to_string(&other).unwrap_or_default()
        ))),
    }
}
