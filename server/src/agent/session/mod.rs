//! Sessions (`/process/session…`): stateful shells whose commands run one after the other,
//! synchronously or in the background, with logs kept per command (see `shell` for how a
//! command runs, `logs` for the log format and the SDK version rule, `follow` for streaming).
//!
//! The read-only `entrypoint` session stands for the sandbox's entrypoint: on an image with one
//! (its snapshot's `entrypoint`), the command that runs it at start, with its logs; else no
//! commands and empty logs.

mod command;
mod follow;
mod logs;
mod shell;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use daytona_models::{CreateSessionRequest, SessionExecuteRequest, SessionExecuteResponse, SessionSendInputRequest};

use self::command::Command;
use self::logs::LogFormat;
use self::shell::Shell;
use super::error::ToolboxError;
use super::extract::{ToolboxJson, ToolboxQuery};
use super::Agent;

/// Id of the read-only session of the sandbox's entrypoint.
const ENTRYPOINT: &str = "entrypoint";
/// Longest session id accepted.
const MAX_ID_LEN: usize = 256;

/// The session routes.
pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/process/session", post(create).get(list))
        .route("/process/session/entrypoint/logs", get(entrypoint_logs))
        .route("/process/session/{session_id}", get(get_session).delete(delete))
        .route("/process/session/{session_id}/exec", post(exec))
        .route("/process/session/{session_id}/command/{command_id}", get(get_command))
        .route("/process/session/{session_id}/command/{command_id}/logs", get(logs))
        .route("/process/session/{session_id}/command/{command_id}/input", post(input))
}

/// The sessions of a sandbox.
pub struct Registry {
    sessions: Mutex<BTreeMap<String, Arc<Session>>>,
    /// Parent of the per-session log directories.
    log_root: PathBuf,
    /// Parent of the per-session FIFO directories.
    fifo_root: PathBuf,
    next_dir: AtomicU64,
}

impl Registry {
    /// An empty registry (plus the entrypoint session) keeping logs under `log_root` (whose
    /// leftovers from an earlier run are removed) and FIFOs under `fifo_root`.
    pub fn new(log_root: PathBuf, fifo_root: PathBuf) -> Self {
        let _ = std::fs::remove_dir_all(&log_root);
        let entrypoint =
            Arc::new(Session { id: ENTRYPOINT.into(), shell: None, read_only: true, commands: Mutex::default() });
        Self {
            sessions: Mutex::new(BTreeMap::from([(ENTRYPOINT.to_owned(), entrypoint)])),
            log_root,
            fifo_root,
            next_dir: AtomicU64::new(0),
        }
    }

    /// Runs the sandbox's entrypoint (`argv`, from its image) in `work_dir` as the read-only
    /// entrypoint session's one command.
    pub async fn start_entrypoint(&self, work_dir: &std::path::Path, argv: &[String]) -> Result<(), String> {
        let dir = self.log_root.join(ENTRYPOINT);
        let shell = Shell::spawn(work_dir, dir.join("logs"), self.fifo_root.join(ENTRYPOINT))
            .await
            .map_err(|e| format!("starting the entrypoint's shell: {e}"))?;
        let line = argv.iter().map(|a| crate::agent::process::quote(a)).collect::<Vec<_>>().join(" ");
        let command = Arc::new(shell.new_command(line, false).map_err(|e| e.to_string())?);
        shell.submit(&command).await.map_err(|e| e.to_string())?;
        let session =
            Session { id: ENTRYPOINT.into(), shell: Some(shell), read_only: true, commands: Mutex::new(vec![command]) };
        self.sessions.lock().insert(ENTRYPOINT.to_owned(), Arc::new(session));
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Arc<Session>, ToolboxError> {
        self.sessions
            .lock()
            .get(id)
            .cloned()
            .ok_or_else(|| ToolboxError::NotFound("NOT_FOUND", format!("session not found: {id}")))
    }
}

/// A session: its shell (for the read-only entrypoint session, the one that runs the
/// entrypoint, if any, never the API's) and commands.
struct Session {
    id: String,
    shell: Option<Shell>,
    /// The entrypoint session: listed by nobody, its shell not the API's.
    read_only: bool,
    commands: Mutex<Vec<Arc<Command>>>,
}

impl Session {
    fn dto(&self) -> daytona_models::Session {
        let commands = self.commands.lock().iter().map(|c| c.dto()).collect();
        daytona_models::Session { session_id: self.id.clone(), commands }
    }

    fn shell(&self) -> Result<&Shell, ToolboxError> {
        let read_only = || ToolboxError::BadRequest(format!("session {} is read-only", self.id));
        match self.read_only {
            true => Err(read_only()),
            false => self.shell.as_ref().ok_or_else(read_only),
        }
    }

    fn command(&self, id: &str) -> Result<Arc<Command>, ToolboxError> {
        self.commands
            .lock()
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| ToolboxError::NotFound("PROCESS_NOT_FOUND", format!("command not found: {id}")))
    }
}

/// Checks a new session id: 1–256 characters, no `/` and no control characters.
fn check_session_id(id: &str) -> Result<(), ToolboxError> {
    if id.is_empty() || id.len() > MAX_ID_LEN || id.contains('/') || id.chars().any(char::is_control) {
        return Err(ToolboxError::BadRequest(format!(
            "invalid session id {id:?}: 1-{MAX_ID_LEN} characters, no '/' or control characters"
        )));
    }
    Ok(())
}

/// `POST /process/session`: 201, 409 if the id is taken.
async fn create(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<CreateSessionRequest>,
) -> Result<StatusCode, ToolboxError> {
    check_session_id(&req.session_id)?;
    let registry = &agent.sessions;
    let exists = || ToolboxError::Conflict(format!("session already exists: {}", req.session_id));
    if registry.sessions.lock().contains_key(&req.session_id) {
        return Err(exists());
    }
    let n = registry.next_dir.fetch_add(1, Ordering::Relaxed).to_string();
    let shell = Shell::spawn(&agent.work_dir, registry.log_root.join(&n), registry.fifo_root.join(&n))
        .await
        .map_err(|e| ToolboxError::Io(format!("starting the session's shell: {e}")))?;
    let mut sessions = registry.sessions.lock();
    if sessions.contains_key(&req.session_id) {
        // Made by a concurrent request meanwhile: this one's shell ends here.
        shell.kill();
        return Err(exists());
    }
    let session =
        Session { id: req.session_id.clone(), shell: Some(shell), read_only: false, commands: Mutex::default() };
    sessions.insert(req.session_id, Arc::new(session));
    Ok(StatusCode::CREATED)
}

/// `GET /process/session`: the sessions created through the API.
async fn list(State(agent): State<Arc<Agent>>) -> Json<Vec<daytona_models::Session>> {
    let sessions: Vec<_> = agent.sessions.sessions.lock().values().cloned().collect();
    Json(sessions.iter().filter(|s| !s.read_only).map(|s| s.dto()).collect())
}

/// `GET /process/session/{sessionId}`.
async fn get_session(
    State(agent): State<Arc<Agent>>,
    Path(session_id): Path<String>,
) -> Result<Json<daytona_models::Session>, ToolboxError> {
    Ok(Json(agent.sessions.get(&session_id)?.dto()))
}

/// `DELETE /process/session/{sessionId}`: kills the shell and everything it started; 204.
async fn delete(State(agent): State<Arc<Agent>>, Path(session_id): Path<String>) -> Result<StatusCode, ToolboxError> {
    let session = agent.sessions.get(&session_id)?;
    let shell = session.shell()?;
    agent.sessions.sessions.lock().remove(&session_id);
    shell.kill();
    shell.remove_files();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /process/session/{sessionId}/exec`: 200 with the output once the command exits,
/// or 202 with its id at once (`runAsync`, or the deprecated `async`).
async fn exec(
    State(agent): State<Arc<Agent>>,
    Path(session_id): Path<String>,
    headers: HeaderMap,
    ToolboxJson(req): ToolboxJson<SessionExecuteRequest>,
) -> Result<Response, ToolboxError> {
    let session = agent.sessions.get(&session_id)?;
    let shell = session.shell()?;
    if req.command.trim().is_empty() {
        return Err(ToolboxError::BadRequest("command must not be empty".into()));
    }
    let command = Arc::new(shell.new_command(req.command, req.suppress_input_echo.unwrap_or(false))?);
    session.commands.lock().push(command.clone());
    if let Err(e) = shell.submit(&command).await {
        session.commands.lock().retain(|c| c.id != command.id);
        return Err(e);
    }
    if req.run_async.or(req.is_async).unwrap_or(false) {
        let started = SessionExecuteResponse { cmd_id: command.id.clone(), ..Default::default() };
        return Ok((StatusCode::ACCEPTED, Json(started)).into_response());
    }
    let exit_code = command.log.exit_code().await;
    let raw = command.log.read().await;
    Ok(Json(LogFormat::of(&headers).exec_response(command.id.clone(), &raw, exit_code)).into_response())
}

/// `GET /process/session/{sessionId}/command/{commandId}`.
async fn get_command(
    State(agent): State<Arc<Agent>>,
    Path((session_id, command_id)): Path<(String, String)>,
) -> Result<Json<daytona_models::Command>, ToolboxError> {
    Ok(Json(agent.sessions.get(&session_id)?.command(&command_id)?.dto()))
}

/// Query of the logs endpoints.
#[derive(serde::Deserialize)]
struct LogsQuery {
    /// Stream until the command exits (WebSocket).
    #[serde(default)]
    follow: bool,
}

/// `GET /process/session/{sessionId}/command/{commandId}/logs[?follow=true]`.
async fn logs(
    State(agent): State<Arc<Agent>>,
    Path((session_id, command_id)): Path<(String, String)>,
    ToolboxQuery(query): ToolboxQuery<LogsQuery>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ToolboxError> {
    let command = agent.sessions.get(&session_id)?.command(&command_id)?;
    Ok(respond_logs(Some(command), query.follow, &headers, ws).await)
}

/// `GET /process/session/entrypoint/logs[?follow=true]`: the entrypoint's log (empty without
/// one).
async fn entrypoint_logs(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(query): ToolboxQuery<LogsQuery>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let command = agent.sessions.get(ENTRYPOINT).ok().and_then(|s| s.commands.lock().first().cloned());
    respond_logs(command, query.follow, &headers, ws).await
}

/// A log as the request asks for it: streamed on a WebSocket upgrade, else whole in the
/// format of the caller's SDK version.
async fn respond_logs(
    command: Option<Arc<Command>>,
    follow: bool,
    headers: &HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let format = LogFormat::of(headers);
    if let Ok(ws) = ws {
        return follow::serve(ws, format, command, follow);
    }
    let raw = match &command {
        Some(command) => command.log.read().await,
        None => Vec::new(),
    };
    format.logs_response(&raw)
}

/// `POST /process/session/{sessionId}/command/{commandId}/input`: 204; 410 once the command
/// (or the session's shell) has finished.
async fn input(
    State(agent): State<Arc<Agent>>,
    Path((session_id, command_id)): Path<(String, String)>,
    ToolboxJson(req): ToolboxJson<SessionSendInputRequest>,
) -> Result<StatusCode, ToolboxError> {
    let session = agent.sessions.get(&session_id)?;
    let shell = session.shell()?;
    let command = session.command(&command_id)?;
    if shell.has_ended() && command.log.progress().exit_code.is_some() {
        return Err(ToolboxError::Gone("SESSION_ENDED", "the session's shell has exited".into()));
    }
    command.send_input(&req.data).await?;
    Ok(StatusCode::NO_CONTENT)
}
