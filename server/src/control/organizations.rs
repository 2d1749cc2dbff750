//! The one organization of daytona-local (`local`, which every API key belongs to):
//! `GET /organizations`, `GET /organizations/{organizationId}` and
//! `GET /organizations/{organizationId}/usage`, which the console reads for what one sandbox may
//! ask for and what the sandboxes use (CPU and memory of running sandboxes and those starting
//! or stopping, disk of all but archived ones). daytona-local sets no quota of its own: the CPU, memory
//! and disk quotas it reports are what the host has (sandboxes may ask for more together, the
//! host is then overcommitted), and it counts snapshots and volumes without a limit (a quota of
//! 0 means none).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use daytona_models::{Organization, OrganizationUsageOverview, RegionUsageOverview, SnapshotState};

use super::lifecycle::{MAX_CPU, MAX_DISK_GIB, MAX_MEMORY_GIB};
use crate::app::error::ApiError;
use crate::app::extract::AppPath;
use crate::app::state::{AppState, ORGANIZATION_ID};
use crate::store::Table;

type S = State<Arc<AppState>>;

/// The region of sandboxes that name no `target`.
const DEFAULT_REGION: &str = "local";

/// The organization routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/organizations", get(list))
        .route("/organizations/{organization}", get(one))
        .route("/organizations/{organization}/usage", get(usage))
}

/// The organization, as Daytona describes one.
fn organization(st: &AppState) -> Organization {
    Organization {
        id: ORGANIZATION_ID.into(),
        name: "daytona-local".into(),
        created_by: ORGANIZATION_ID.into(),
        personal: true,
        created_at: st.started_at.clone(),
        updated_at: st.started_at.clone(),
        suspended: false,
        suspended_at: None,
        suspension_reason: None,
        suspended_until: None,
        suspension_cleanup_grace_period_hours: 0.0,
        max_cpu_per_sandbox: MAX_CPU as f64,
        max_memory_per_sandbox: MAX_MEMORY_GIB as f64,
        max_disk_per_sandbox: MAX_DISK_GIB as f64,
        secret_quota: 0.0,
        max_secrets_per_sandbox: 0.0,
        snapshot_deactivation_timeout_minutes: 0.0,
        sandbox_limited_network_egress: false,
        preview_warning_enabled: false,
        sso_enabled: false,
        default_region_id: Some(DEFAULT_REGION.into()),
        authenticated_rate_limit: None,
        sandbox_create_rate_limit: None,
        sandbox_lifecycle_rate_limit: None,
        experimental_config: serde_json::json!({}),
        otel_config: None,
        authenticated_rate_limit_ttl_seconds: None,
        sandbox_create_rate_limit_ttl_seconds: None,
        sandbox_lifecycle_rate_limit_ttl_seconds: None,
    }
}

/// Whether a snapshot in `state` counts against the snapshot quota.
fn counts(state: SnapshotState) -> bool {
    !matches!(
        state,
        SnapshotState::Error | SnapshotState::BuildFailed | SnapshotState::Inactive | SnapshotState::Removing
    )
}

/// 404 unless `id` is the organization.
fn check(id: &str) -> Result<(), ApiError> {
    match id == ORGANIZATION_ID {
        true => Ok(()),
        false => Err(ApiError::NotFound(format!("organization {} not found", daytona_models::Quoted(id)))),
    }
}

async fn list(State(st): S) -> Json<Vec<Organization>> {
    Json(vec![organization(&st)])
}

async fn one(State(st): S, AppPath(id): AppPath<String>) -> Result<Json<Organization>, ApiError> {
    check(&id)?;
    Ok(Json(organization(&st)))
}

async fn usage(State(st): S, AppPath(id): AppPath<String>) -> Result<Json<OrganizationUsageOverview>, ApiError> {
    check(&id)?;
    let host = st.runtime.capacity();
    let region = |region_id: &str| RegionUsageOverview {
        region_id: region_id.to_owned(),
        sandbox_class: "container".into(),
        total_cpu_quota: host.cpus as f64,
        current_cpu_usage: 0.0,
        total_memory_quota: host.memory_gib as f64,
        current_memory_usage: 0.0,
        total_disk_quota: host.disk_gib as f64,
        current_disk_usage: 0.0,
        total_gpu_quota: 0.0,
        current_gpu_usage: 0.0,
        allowed_gpu_types: Vec::new(),
        max_cpu_per_sandbox: Some(MAX_CPU as f64),
        max_memory_per_sandbox: Some(MAX_MEMORY_GIB as f64),
        max_disk_per_sandbox: Some(MAX_DISK_GIB as f64),
        max_disk_per_non_ephemeral_sandbox: Some(MAX_DISK_GIB as f64),
        max_cpu_per_gpu: None,
        max_memory_per_gpu: None,
        max_disk_per_gpu: None,
    };
    // Every region a sandbox is in, and the default one even when empty.
    let mut regions = BTreeMap::from([(DEFAULT_REGION.to_owned(), region(DEFAULT_REGION))]);
    for rec in st.all() {
        let state = rec.state();
        let target = rec.dto.target.clone();
        let r = regions.entry(target.clone()).or_insert_with(|| region(&target));
        if state.consumes_compute() {
            r.current_cpu_usage += rec.dto.cpu as f64;
            r.current_memory_usage += rec.dto.memory as f64;
        }
        if state.keeps_disk() {
            r.current_disk_usage += rec.dto.disk as f64;
        }
    }
    // The organization's own snapshots that count (not the host's default, not failed,
    // inactive or being removed), as Daytona counts them.
    let snapshots = st.snapshots()?.into_iter().filter(|s| !s.general && counts(s.state)).count();
    let volumes = st.store.records::<daytona_models::Volume>(Table::Volumes)?.len();
    Ok(Json(OrganizationUsageOverview {
        region_usage: regions.into_values().collect(),
        total_snapshot_quota: 0.0,
        current_snapshot_usage: snapshots as f64,
        total_volume_quota: 0.0,
        current_volume_usage: volumes as f64,
    }))
}
