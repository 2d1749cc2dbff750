//! The stateful code interpreter: `/process/interpreter/context` (create, list, delete) and
//! the `/process/interpreter/execute` WebSocket, as Daytona's daemon serves them, plus
//! daytona-local's `GET .../context/{id}`, `.../interrupt` and `.../restart`.
//!
//! Each context is its own long-lived Python process (`kernel.py`) running as the sandbox
//! user in the context's cwd, so variables, imports and functions persist within a context
//! and never leak between contexts. The default context (`default`) is implicit: its process
//! starts on first use; it is not listed and cannot be deleted. Executions on one context
//! queue in FIFO order.

mod execute;
mod kernel;
mod marks;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use daytona_models::{ContextState, CreateContextRequest, InterpreterContext, ListContextsResponse};
use parking_lot::Mutex;

use super::error::ToolboxError;
use super::extract::ToolboxJson;
use super::Agent;
use kernel::Kernel;

/// Id of the implicit context.
pub const DEFAULT_CONTEXT: &str = "default";
/// Most contexts a sandbox may have at once (each is a process; the sandbox's memory and
/// pids limits bound them too).
pub const MAX_CONTEXTS: usize = 64;

/// The toolbox routes of the interpreter.
pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/process/interpreter/context", post(create).get(list))
        .route("/process/interpreter/context/{id}", delete(remove).get(info))
        .route("/process/interpreter/context/{id}/interrupt", post(interrupt))
        .route("/process/interpreter/context/{id}/restart", post(restart))
        .route("/process/interpreter/execute", get(execute::execute))
}

/// The contexts of one agent.
pub struct Interpreter {
    /// Where `kernel.py` and its matplotlib backend are.
    dir: PathBuf,
    default: Arc<Context>,
    contexts: Mutex<HashMap<String, Arc<Context>>>,
}

impl Interpreter {
    /// Writes the kernel's files into `dir`; the default context runs in `work_dir`.
    pub fn new(dir: PathBuf, work_dir: &Path) -> Result<Self, String> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("creating {}: {e}", dir.display()))?;
        for (name, source) in
            [("kernel.py", include_str!("kernel.py")), ("daytona_inline.py", include_str!("daytona_inline.py"))]
        {
            std::fs::write(dir.join(name), source).map_err(|e| format!("writing {name}: {e}"))?;
        }
        let default = Arc::new(Context::new(DEFAULT_CONTEXT.into(), work_dir.to_path_buf()));
        Ok(Self { dir, default, contexts: Mutex::default() })
    }

    /// The context `id` (`default` included), or 404.
    pub fn get(&self, id: &str) -> Result<Arc<Context>, ToolboxError> {
        if id == DEFAULT_CONTEXT {
            return Ok(self.default.clone());
        }
        self.contexts
            .lock()
            .get(id)
            .cloned()
            .ok_or_else(|| ToolboxError::NotFound("NOT_FOUND", format!("context not found: {id}")))
    }

    /// The default context.
    pub fn default_context(&self) -> Arc<Context> {
        self.default.clone()
    }
}

/// One context: its process (started on demand) and what it reports.
pub struct Context {
    id: String,
    cwd: PathBuf,
    created_at: String,
    /// The process; held by the running execution, so later ones queue on it in order.
    kernel: tokio::sync::Mutex<Option<Kernel>>,
    /// The running process's group, for interrupts while an execution holds `kernel`.
    pgid: AtomicI32,
    busy: AtomicBool,
    count: AtomicU64,
    deleted: AtomicBool,
    /// Set by a restart so the running execution reports it as such.
    restarting: AtomicBool,
}

impl Context {
    fn new(id: String, cwd: PathBuf) -> Self {
        Self {
            id,
            cwd,
            created_at: crate::time::now_iso(),
            kernel: tokio::sync::Mutex::new(None),
            pgid: AtomicI32::new(0),
            busy: AtomicBool::new(false),
            count: AtomicU64::new(0),
            deleted: AtomicBool::new(false),
            restarting: AtomicBool::new(false),
        }
    }

    /// What the API says about it.
    pub fn info(&self) -> InterpreterContext {
        InterpreterContext {
            id: self.id.clone(),
            cwd: self.cwd.to_string_lossy().into_owned(),
            language: "python".into(),
            created_at: self.created_at.clone(),
            active: !self.deleted.load(Ordering::Relaxed),
            state: Some(if self.busy.load(Ordering::Relaxed) { ContextState::Busy } else { ContextState::Idle }),
            execution_count: Some(self.count.load(Ordering::Relaxed)),
        }
    }

    /// Starts a process into `slot` if it holds none (or a dead one).
    async fn ensure_started(&self, dir: &Path, slot: &mut Option<Kernel>) -> Result<(), String> {
        if let Some(k) = slot.as_mut() {
            if !k.has_ended() {
                return Ok(());
            }
        }
        *slot = None;
        self.pgid.store(0, Ordering::Relaxed);
        let started = Kernel::start(dir, &self.cwd).await?;
        self.pgid.store(started.pgid(), Ordering::Relaxed);
        self.count.store(0, Ordering::Relaxed);
        *slot = Some(started);
        Ok(())
    }

    /// Interrupts the running code (KeyboardInterrupt); false when idle.
    pub fn interrupt(&self) -> bool {
        let busy = self.busy.load(Ordering::Relaxed);
        if busy {
            kernel::signal_group(self.pgid.load(Ordering::Relaxed), libc::SIGINT);
        }
        busy
    }

    /// Kills the process (and whatever it started); the next execution gets a fresh one.
    fn kill(&self) {
        kernel::signal_group(self.pgid.swap(0, Ordering::Relaxed), libc::SIGKILL);
    }
}

/// `POST /process/interpreter/context`: a new context with its process started.
async fn create(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<CreateContextRequest>,
) -> Result<Json<InterpreterContext>, ToolboxError> {
    let language = req.language.as_deref().unwrap_or("python");
    if !language.eq_ignore_ascii_case("python") {
        return Err(ToolboxError::BadRequest(format!("unsupported language {language:?} (only python)")));
    }
    let cwd = super::process::resolve_cwd(&agent, req.cwd.as_deref());
    if !cwd.is_dir() {
        return Err(ToolboxError::BadRequest(format!("cwd {} is not a directory", cwd.display())));
    }
    if agent.interpreter.contexts.lock().len() >= MAX_CONTEXTS {
        return Err(ToolboxError::BadRequest(format!(
            "a sandbox has at most {MAX_CONTEXTS} interpreter contexts: delete one first"
        )));
    }
    let context = Arc::new(Context::new(uuid::Uuid::new_v4().to_string(), cwd));
    {
        let mut slot = context.kernel.lock().await;
        context.ensure_started(&agent.interpreter.dir, &mut slot).await.map_err(ToolboxError::Io)?;
    }
    agent.interpreter.contexts.lock().insert(context.id.clone(), context.clone());
    Ok(Json(context.info()))
}

/// `GET /process/interpreter/context`: the user-created contexts.
async fn list(State(agent): State<Arc<Agent>>) -> Json<ListContextsResponse> {
    let mut contexts: Vec<_> = agent.interpreter.contexts.lock().values().map(|c| c.info()).collect();
    contexts.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
    Json(ListContextsResponse { contexts })
}

/// `GET /process/interpreter/context/{id}` (daytona-local): one context with its state.
async fn info(
    State(agent): State<Arc<Agent>>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<InterpreterContext>, ToolboxError> {
    Ok(Json(agent.interpreter.get(&id)?.info()))
}

/// `DELETE /process/interpreter/context/{id}`: ends its process and forgets it.
async fn remove(
    State(agent): State<Arc<Agent>>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<HashMap<String, String>>, ToolboxError> {
    if id == DEFAULT_CONTEXT {
        return Err(ToolboxError::BadRequest("the default context cannot be deleted".into()));
    }
    let context = agent
        .interpreter
        .contexts
        .lock()
        .remove(&id)
        .ok_or_else(|| ToolboxError::NotFound("NOT_FOUND", format!("context not found: {id}")))?;
    context.deleted.store(true, Ordering::Relaxed);
    context.kill();
    // An idle context's process goes now; a running execution drops it when it sees the end.
    if let Ok(mut slot) = context.kernel.try_lock() {
        *slot = None;
    }
    Ok(Json(HashMap::from([("message".to_owned(), format!("context {id} deleted"))])))
}

/// `POST /process/interpreter/context/{id}/interrupt` (daytona-local): interrupts the
/// running code with KeyboardInterrupt; the context keeps its state.
async fn interrupt(
    State(agent): State<Arc<Agent>>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<InterpreterContext>, ToolboxError> {
    let context = agent.interpreter.get(&id)?;
    context.interrupt();
    Ok(Json(context.info()))
}

/// `POST /process/interpreter/context/{id}/restart` (daytona-local): a fresh process with an
/// empty namespace (a running execution ends with a `ContextRestarted` error).
async fn restart(
    State(agent): State<Arc<Agent>>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<InterpreterContext>, ToolboxError> {
    let context = agent.interpreter.get(&id)?;
    context.restarting.store(true, Ordering::Relaxed);
    context.kill();
    let mut slot = context.kernel.lock().await;
    context.restarting.store(false, Ordering::Relaxed);
    *slot = None;
    context.ensure_started(&agent.interpreter.dir, &mut slot).await.map_err(ToolboxError::Io)?;
    drop(slot);
    Ok(Json(context.info()))
}
