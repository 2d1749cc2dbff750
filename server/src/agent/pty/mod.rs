//! PTY sessions (`/process/pty…`): REST management plus the `connect` and `create-connect`
//! WebSockets, with scrollback replay for clients that (re)attach.

mod session;
mod socket;
pub(super) mod terminal;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::Mutex;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use daytona_models::{PtyCreateRequest, PtyCreateResponse, PtyListResponse, PtyResizeRequest, PtySessionInfo};

use super::error::ToolboxError;
use super::extract::ToolboxJson;
use super::Agent;
pub use session::PtySession;

/// Every PTY session of the sandbox, by id.
#[derive(Default)]
pub struct PtyRegistry {
    sessions: Mutex<HashMap<String, Arc<PtySession>>>,
}

/// The `/process/pty` routes.
pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/process/pty", post(create).get(list))
        .route("/process/pty/create-connect", get(socket::create_connect))
        .route("/process/pty/{id}", get(info).delete(remove))
        .route("/process/pty/{id}/resize", post(resize))
        .route("/process/pty/{id}/connect", get(socket::connect))
}

impl PtyRegistry {
    /// The session `id`, or 404.
    pub fn get(&self, id: &str) -> Result<Arc<PtySession>, ToolboxError> {
        self.sessions
            .lock()
            .get(id)
            .cloned()
            .ok_or_else(|| ToolboxError::NotFound("PROCESS_NOT_FOUND", format!("PTY session {id} not found")))
    }

    /// Registers a new session (409 if the id is taken) and starts it unless `lazy_start`.
    pub fn create(self: &Arc<Self>, agent: &Agent, req: PtyCreateRequest) -> Result<Arc<PtySession>, ToolboxError> {
        let id = req.id.filter(|i| !i.is_empty()).unwrap_or_else(uuid_like);
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) || id.len() > 128 {
            return Err(ToolboxError::BadRequest(format!("invalid PTY session id {id:?}")));
        }
        let envs = req.envs.unwrap_or_default();
        super::process::check_env_names(&envs)?;
        let (cols, rows) = (req.cols.unwrap_or(80), req.rows.unwrap_or(24));
        session::check_size(cols, rows).map_err(ToolboxError::BadRequest)?;
        let cwd = match req.cwd.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => agent.resolve(c)?,
            None => agent.work_dir.clone(),
        };
        if !cwd.is_dir() {
            return Err(ToolboxError::InvalidPath(format!("cwd is not a directory: {}", cwd.display())));
        }
        let info = PtySessionInfo {
            id: id.clone(),
            cwd: cwd.display().to_string(),
            envs,
            cols,
            rows,
            created_at: crate::time::now_iso(),
            active: false,
            lazy_start: req.lazy_start.unwrap_or(false),
        };
        let session = PtySession::new(info, cwd);
        {
            let mut sessions = self.sessions.lock();
            if sessions.contains_key(&id) {
                return Err(ToolboxError::Conflict(format!("PTY session {id} already exists")));
            }
            sessions.insert(id.clone(), Arc::clone(&session));
        }
        if !session.info().lazy_start {
            self.start(&session)?;
        }
        Ok(session)
    }

    /// Starts a session's shell; the session is forgotten once the shell exits.
    pub fn start(self: &Arc<Self>, session: &Arc<PtySession>) -> Result<(), ToolboxError> {
        let registry = Arc::clone(self);
        let id = session.info().id;
        session
            .start(move || {
                registry.sessions.lock().remove(&id);
            })
            .map_err(|e| {
                self.sessions.lock().remove(&session.info().id);
                ToolboxError::Io(e)
            })
    }
}

/// A random id for sessions created without one.
fn uuid_like() -> String {
    format!("pty-{:016x}", rand::random::<u64>())
}

async fn create(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<PtyCreateRequest>,
) -> Result<(StatusCode, Json<PtyCreateResponse>), ToolboxError> {
    let session = agent.ptys.create(&agent, req)?;
    Ok((StatusCode::CREATED, Json(PtyCreateResponse { session_id: session.info().id })))
}

async fn list(State(agent): State<Arc<Agent>>) -> Json<PtyListResponse> {
    let mut sessions: Vec<PtySessionInfo> = agent.ptys.sessions.lock().values().map(|s| s.info()).collect();
    sessions.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
    Json(PtyListResponse { sessions })
}

async fn info(
    State(agent): State<Arc<Agent>>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<PtySessionInfo>, ToolboxError> {
    Ok(Json(agent.ptys.get(&id)?.info()))
}

async fn remove(
    State(agent): State<Arc<Agent>>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<BTreeMap<&'static str, &'static str>>, ToolboxError> {
    let session = agent.ptys.get(&id)?;
    session.kill();
    agent.ptys.sessions.lock().remove(&id);
    Ok(Json(BTreeMap::from([("message", "PTY session deleted")])))
}

async fn resize(
    State(agent): State<Arc<Agent>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    ToolboxJson(req): ToolboxJson<PtyResizeRequest>,
) -> Result<Json<PtySessionInfo>, ToolboxError> {
    session::check_size(req.cols, req.rows).map_err(ToolboxError::BadRequest)?;
    let session = agent.ptys.get(&id)?;
    if session.exit().is_some() {
        return Err(ToolboxError::Gone("SESSION_ENDED", format!("PTY session {id} has exited")));
    }
    Ok(Json(session.resize(req.cols, req.rows).map_err(ToolboxError::Io)?))
}
