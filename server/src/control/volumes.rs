//! Control-plane routes under `/api/volumes`: volumes that outlive sandboxes and are shared
//! between them. Their files live in the jail layer ([`crate::jail::volume`]); their records
//! in the store. Creation is immediate (a directory), so a new volume is `ready` at once;
//! deletion answers at once and removes the files in the background (`deleting`, then gone).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use daytona_models::{
    check_mount_path, check_volume_name, subpath_components, CreateVolume, SandboxVolume, Volume, VolumeState,
    MAX_VOLUME_MOUNTS,
};
use serde::Deserialize;

use crate::app::error::ApiError;
use crate::app::extract::{AppJson, AppPath, AppQuery};
use crate::app::state::{AppState, ORGANIZATION_ID};
use crate::store::record::ControlEvent;
use crate::store::Table;

type S = State<Arc<AppState>>;

/// The `/volumes` routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/volumes", get(list).post(create))
        .route("/volumes/by-name/{name}", get(get_by_name))
        .route("/volumes/{id}", get(get_one).delete(remove))
}

fn not_found(what: &str) -> ApiError {
    ApiError::NotFound(format!("Volume {what} not found"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    /// Deleted volumes are not kept: accepted for the SDKs, changes nothing.
    #[serde(default)]
    #[allow(dead_code)]
    include_deleted: Option<bool>,
}

async fn list(State(st): S, AppQuery(_): AppQuery<ListQuery>) -> Result<Json<Vec<Volume>>, ApiError> {
    let mut all = st.store.records::<Volume>(Table::Volumes)?;
    all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.name.cmp(&b.name)));
    Ok(Json(all))
}

async fn create(State(st): S, AppJson(req): AppJson<CreateVolume>) -> Result<Json<Volume>, ApiError> {
    check_volume_name(&req.name).map_err(ApiError::BadRequest)?;
    let now = crate::time::now_iso();
    let vol = Volume {
        id: uuid::Uuid::new_v4().to_string(),
        name: req.name,
        organization_id: ORGANIZATION_ID.into(),
        state: VolumeState::Ready,
        created_at: now.clone(),
        updated_at: now,
        last_used_at: None,
        error_reason: None,
    };
    st.runtime.volumes.create(&vol.id)?;
    if let Err(e) = st.insert_named(Table::Volumes, &vol, "Volume") {
        // Nothing half made stays behind.
        let _ = std::fs::remove_dir(st.runtime.volumes.path(&vol.id));
        return Err(e);
    }
    st.tell(ControlEvent::VolumeCreated(vol.clone()));
    Ok(Json(vol))
}

/// The volume with id `id`.
fn volume(st: &AppState, id: &str) -> Result<Volume, ApiError> {
    let all = st.store.records::<Volume>(Table::Volumes)?;
    all.into_iter().find(|v| v.id == id).ok_or_else(|| not_found(id))
}

async fn get_one(State(st): S, AppPath(id): AppPath<String>) -> Result<Json<Volume>, ApiError> {
    volume(&st, &id).map(Json)
}

async fn get_by_name(State(st): S, AppPath(name): AppPath<String>) -> Result<Json<Volume>, ApiError> {
    let all = st.store.records::<Volume>(Table::Volumes)?;
    all.into_iter().find(|v| v.name == name).map(Json).ok_or_else(|| not_found(&format!("with name {name}")))
}

async fn remove(State(st): S, AppPath(id): AppPath<String>) -> Result<StatusCode, ApiError> {
    let vol = {
        let _one_change_at_a_time = st.volume_lock.lock();
        let mut vol = volume(&st, &id)?;
        if vol.state == VolumeState::Deleting {
            return Ok(StatusCode::OK);
        }
        let users: Vec<String> = st
            .all()
            .into_iter()
            .filter(|r| r.dto.volumes.iter().flatten().any(|m| m.volume_id == vol.id))
            .map(|r| r.dto.name)
            .collect();
        if !users.is_empty() {
            return Err(ApiError::Conflict(format!(
                "Volume {} is in use by one or more sandboxes: {} (delete them first)",
                vol.name,
                users.join(", ")
            )));
        }
        let old = std::mem::replace(&mut vol.state, VolumeState::Deleting);
        vol.updated_at = crate::time::now_iso();
        st.store.replace(Table::Volumes, &vol)?;
        st.tell(ControlEvent::VolumeStateUpdated { volume: vol.clone(), old });
        vol
    };
    tokio::spawn(async move {
        match st.runtime.volumes.remove(&vol.id).await {
            Ok(()) => match st.store.delete(Table::Volumes, &vol.id) {
                Ok(()) => {
                    let gone = Volume { state: VolumeState::Deleted, updated_at: crate::time::now_iso(), ..vol };
                    st.tell(ControlEvent::VolumeStateUpdated { volume: gone, old: VolumeState::Deleting });
                }
                Err(e) => tracing::error!("volume {}: forgetting it: {e}", vol.id),
            },
            Err(e) => {
                tracing::error!("volume {}: {e}", vol.id);
                let failed = Volume { state: VolumeState::Error, error_reason: Some(e.to_string()), ..vol };
                match st.store.replace(Table::Volumes, &failed) {
                    Ok(()) => st.tell(ControlEvent::VolumeStateUpdated { volume: failed, old: VolumeState::Deleting }),
                    Err(e) => tracing::error!("volume {}: recording the failure: {e}", failed.id),
                }
            }
        }
    });
    Ok(StatusCode::OK)
}

impl AppState {
    /// The volume mounts of a new sandbox, checked: each volume (by id or name) exists and is
    /// ready, each mount path is allowed and used once, each subpath stays in its volume.
    /// Volumes are named by id in what is returned, and marked used now. Call with
    /// [`AppState::volume_lock`] held until the sandbox is recorded, so that no volume it
    /// names is deleted meanwhile.
    pub fn check_volume_mounts(&self, mounts: Vec<SandboxVolume>) -> Result<Vec<SandboxVolume>, ApiError> {
        if mounts.len() > MAX_VOLUME_MOUNTS {
            return Err(ApiError::BadRequest(format!("A sandbox can mount at most {} volumes", MAX_VOLUME_MOUNTS)));
        }
        if mounts.is_empty() {
            return Ok(mounts);
        }
        let all = self.store.records::<Volume>(Table::Volumes)?;
        let mut checked: Vec<SandboxVolume> = Vec::with_capacity(mounts.len());
        for m in mounts {
            let vol = all
                .iter()
                .find(|v| v.id == m.volume_id)
                .or_else(|| all.iter().find(|v| v.name == m.volume_id))
                .ok_or_else(|| ApiError::NotFound(format!("Volume {} not found", m.volume_id)))?;
            if vol.state != VolumeState::Ready {
                let state = serde_json::to_string(&vol.state).unwrap_or_default();
                return Err(ApiError::BadRequest(format!("Volume {} is not ready (state {state})", vol.name)));
            }
            let mount_path = check_mount_path(&m.mount_path).map_err(ApiError::BadRequest)?;
            if checked.iter().any(|c| c.mount_path == mount_path) {
                return Err(ApiError::BadRequest(format!("Two volumes are mounted at {mount_path}")));
            }
            let subpath = match m.subpath.as_deref().map(subpath_components).transpose() {
                Ok(parts) => parts.filter(|p| !p.is_empty()).map(|p| p.join("/")),
                Err(why) => return Err(ApiError::BadRequest(why)),
            };
            checked.push(SandboxVolume { volume_id: vol.id.clone(), mount_path, subpath });
        }
        let now = crate::time::now_iso();
        for vol in all.into_iter().filter(|v| checked.iter().any(|c| c.volume_id == v.id)) {
            self.store.replace(Table::Volumes, &Volume { last_used_at: Some(now.clone()), ..vol })?;
        }
        Ok(checked)
    }
}
