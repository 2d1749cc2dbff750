//! Control-plane routes under `/api/docker-registry`: the organization's container registries
//! and the credentials pulls log in to them with (a snapshot's image, a build's base images).
//! Passwords are stored with the record and never answered. A registry named with plain
//! `http://` is accepted only where pulls may use plain HTTP (a loopback address, or one the
//! server names with `--insecure-registry`); daytona-local has no registry of its own, so the
//! push access of Daytona's internal one is refused.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use daytona_models::{
    check_registry_fields, registry_address, CreateDockerRegistry, DockerRegistry, RegistryType, UpdateDockerRegistry,
};

use crate::app::error::ApiError;
use crate::app::extract::{AppJson, AppPath};
use crate::app::state::AppState;
use crate::jail::images::RegistryLogin;
use crate::store::record::RegistryRecord;
use crate::store::Table;

type S = State<Arc<AppState>>;

/// The `/docker-registry` routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/docker-registry", get(list).post(create))
        .route("/docker-registry/registry-push-access", get(push_access))
        .route("/docker-registry/{id}", get(get_one).patch(update).delete(remove))
}

fn records(st: &AppState) -> Result<Vec<RegistryRecord>, ApiError> {
    Ok(st.store.records::<RegistryRecord>(Table::Registries)?)
}

fn record(st: &AppState, id: &str) -> Result<RegistryRecord, ApiError> {
    records(st)?
        .into_iter()
        .find(|r| r.dto.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("Registry {id} not found")))
}

/// Checks a registry's fields and URL; its URL may be plain `http://` only where pulls may
/// use plain HTTP.
fn check(st: &AppState, name: &str, url: &str, username: &str, project: Option<&str>) -> Result<(), ApiError> {
    check_registry_fields(name, username, project).map_err(ApiError::BadRequest)?;
    let (address, plain) = registry_address(url).map_err(ApiError::BadRequest)?;
    if plain && !st.runtime.images.plain_http_allowed(&address) {
        return Err(ApiError::BadRequest(format!(
            "Registry {address} is named with plain http://: pulls use HTTPS except from a loopback \
             address or a registry the server names with --insecure-registry"
        )));
    }
    Ok(())
}

async fn list(State(st): S) -> Result<Json<Vec<DockerRegistry>>, ApiError> {
    let mut all: Vec<DockerRegistry> = records(&st)?.into_iter().map(|r| r.dto).collect();
    all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
    Ok(Json(all))
}

async fn create(
    State(st): S,
    AppJson(req): AppJson<CreateDockerRegistry>,
) -> Result<(StatusCode, Json<DockerRegistry>), ApiError> {
    check(&st, &req.name, &req.url, &req.username, req.project.as_deref())?;
    if req.password.is_empty() {
        return Err(ApiError::BadRequest("A registry needs its password or access token".into()));
    }
    let now = crate::time::now_iso();
    let dto = DockerRegistry {
        id: uuid::Uuid::new_v4().to_string(),
        name: req.name.trim().to_owned(),
        url: req.url.trim().to_owned(),
        username: req.username,
        project: req.project.unwrap_or_default(),
        registry_type: RegistryType::Organization,
        created_at: now.clone(),
        updated_at: now,
    };
    st.store.insert(Table::Registries, &RegistryRecord { dto: dto.clone(), password: req.password })?;
    Ok((StatusCode::CREATED, Json(dto)))
}

async fn get_one(State(st): S, AppPath(id): AppPath<String>) -> Result<Json<DockerRegistry>, ApiError> {
    record(&st, &id).map(|r| Json(r.dto))
}

async fn update(
    State(st): S,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<UpdateDockerRegistry>,
) -> Result<Json<DockerRegistry>, ApiError> {
    let old = record(&st, &id)?;
    check(&st, &req.name, &req.url, &req.username, req.project.as_deref())?;
    // What is left out (password, project) is kept.
    let dto = DockerRegistry {
        name: req.name.trim().to_owned(),
        url: req.url.trim().to_owned(),
        username: req.username,
        project: req.project.unwrap_or(old.dto.project.clone()),
        updated_at: crate::time::now_iso(),
        ..old.dto
    };
    let password = req.password.filter(|p| !p.is_empty()).unwrap_or(old.password);
    st.store.replace(Table::Registries, &RegistryRecord { dto: dto.clone(), password })?;
    Ok(Json(dto))
}

async fn remove(State(st): S, AppPath(id): AppPath<String>) -> Result<StatusCode, ApiError> {
    record(&st, &id)?;
    st.store.delete(Table::Registries, &id)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Daytona's temporary push access to its internal registry: daytona-local has none.
async fn push_access() -> ApiError {
    ApiError::BadRequest(
        "daytona-local has no registry of its own to push snapshots to: push the image to a registry \
         and create the snapshot from its name"
            .into(),
    )
}

impl AppState {
    /// The credentials of every registry of the organization, for a pull, the one changed
    /// last at the end (of two for the same images, [`crate::jail::images::login_for`] takes it).
    pub fn registry_logins(&self) -> Result<Vec<RegistryLogin>, ApiError> {
        let mut all = records(self)?;
        all.sort_by(|a, b| a.dto.updated_at.cmp(&b.dto.updated_at));
        Ok(all
            .into_iter()
            .filter_map(|r| {
                let (address, _) = registry_address(&r.dto.url).ok()?;
                Some(RegistryLogin { address, project: r.dto.project, username: r.dto.username, password: r.password })
            })
            .collect())
    }
}
