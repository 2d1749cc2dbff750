//! PTY sessions: REST management and [`PtyHandle`], a terminal connection that reconnects by
//! itself (capped exponential backoff with jitter) while the PTY lives, resuming at the byte
//! offset it had reached so no output is lost or repeated.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use daytona_models::{PtyCreateRequest, PtyListResponse, PtyResizeRequest, PtySessionInfo};
use futures::channel::oneshot;

use crate::http::{encode, js_message, Method};
use crate::ws::WsEvent;
use crate::{Call, DaytonaError, Process};

use daytona_models::PTY_EXIT_CONTROL_SUBPROTOCOL as EXIT_CONTROL;
/// First reconnect delay; doubles up to [`MAX_BACKOFF`], with jitter.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Reconnect attempts before giving up.
const MAX_ATTEMPTS: u32 = 12;
/// Input is held back while this much is queued in the socket.
const SEND_HIGH_WATER: u32 = 1 << 20;

/// Connection state of a [`PtyHandle`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PtyState {
    /// Opening the first connection.
    Connecting,
    /// Attached; output flows.
    Connected,
    /// The connection dropped; trying again (attempt number).
    Reconnecting(u32),
    /// The shell exited with this code.
    Exited(i32),
    /// Closed by [`PtyHandle::disconnect`].
    Disconnected,
    /// Gave up: the PTY is gone or unreachable.
    Failed(String),
}

impl PtyState {
    /// A short name: `connecting`, `connected`, `reconnecting`, `exited`, `disconnected`, `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Reconnecting(_) => "reconnecting",
            Self::Exited(_) => "exited",
            Self::Disconnected => "disconnected",
            Self::Failed(_) => "failed",
        }
    }
}

/// Callback receiving terminal output (a browser `Uint8Array`, not copied into wasm).
pub type PtyDataFn = Rc<dyn Fn(&js_sys::Uint8Array)>;
/// Callback receiving state changes.
pub type PtyStateFn = Rc<dyn Fn(&PtyState)>;

struct Shared {
    state: PtyState,
    /// Offset of the next output byte (resume point).
    offset: u64,
    socket: Option<web_sys::WebSocket>,
    user_closed: bool,
    waiters: Vec<oneshot::Sender<()>>,
    exit_reason: Option<String>,
}

/// A connection to a PTY session.
#[derive(Clone)]
pub struct PtyHandle {
    process: Process,
    session_id: String,
    shared: Rc<RefCell<Shared>>,
    on_data: PtyDataFn,
    on_state: Option<PtyStateFn>,
}

impl std::fmt::Debug for PtyHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PtyHandle").field("session_id", &self.session_id).field("state", &self.state()).finish()
    }
}

/// How a connection attempt ended.
enum Ended {
    /// The shell exited.
    Exited,
    /// The user disconnected.
    ByUser,
    /// The connection dropped (worth retrying); whether it had attached.
    Dropped(bool),
}

/// A PTY socket's control message (a text frame), or the JSON of its close reason. Each field
/// is read on its own (after the browser's JSON.parse): one of an unexpected type is left out,
/// not the whole message.
#[derive(Default)]
struct Control {
    status: Option<String>,
    offset: Option<u64>,
    exit_code: Option<i32>,
    exit_reason: Option<String>,
    error: Option<String>,
}

impl Control {
    fn parse(text: &str) -> Self {
        let Ok(v) = crate::json::parse(text) else { return Self::default() };
        let get = |k: &str| js_sys::Reflect::get(&v, &k.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
        let whole = |k: &str| get(k).as_f64().filter(|n| n.fract() == 0.0);
        Self {
            status: get("status").as_string(),
            offset: whole("offset").filter(|n| *n >= 0.0).map(|n| n as u64),
            exit_code: whole("exitCode").map(|n| n as i32),
            exit_reason: get("exitReason").as_string(),
            error: get("error").as_string(),
        }
    }
}

fn parse_exit_reason(reason: &str) -> (Option<i32>, Option<String>) {
    let c = Control::parse(reason);
    (c.exit_code, c.exit_reason)
}

impl PtyHandle {
    /// The PTY session id.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The connection state.
    pub fn state(&self) -> PtyState {
        self.shared.borrow().state.clone()
    }

    /// The exit code, once the shell has exited.
    pub fn exit_code(&self) -> Option<i32> {
        match self.state() {
            PtyState::Exited(c) => Some(c),
            _ => None,
        }
    }

    /// Why the shell ended (`SIGKILL`, `Ctrl+C`, …) or why the connection failed.
    pub fn error(&self) -> Option<String> {
        match self.state() {
            PtyState::Failed(e) => Some(e),
            _ => self.shared.borrow().exit_reason.clone(),
        }
    }

    fn set_state(&self, state: PtyState) {
        let waiters = {
            let mut s = self.shared.borrow_mut();
            s.state = state.clone();
            std::mem::take(&mut s.waiters)
        };
        for w in waiters {
            let _ = w.send(());
        }
        if let Some(cb) = &self.on_state {
            cb(&state);
        }
    }

    async fn changed(&self) {
        let (tx, rx) = oneshot::channel();
        self.shared.borrow_mut().waiters.push(tx);
        let _ = rx.await;
    }

    /// Resolves once connected; fails if the PTY exited or could not be reached first.
    pub async fn wait_for_connection(&self) -> Result<(), DaytonaError> {
        loop {
            match self.state() {
                PtyState::Connected | PtyState::Exited(_) => return Ok(()),
                PtyState::Failed(e) => return Err(DaytonaError::Connection(e)),
                PtyState::Disconnected => return Err(DaytonaError::Connection("disconnected".into())),
                PtyState::Connecting | PtyState::Reconnecting(_) => self.changed().await,
            }
        }
    }

    /// Resolves with the shell's exit code.
    pub async fn wait(&self) -> Result<i32, DaytonaError> {
        loop {
            match self.state() {
                PtyState::Exited(c) => return Ok(c),
                PtyState::Failed(e) => return Err(DaytonaError::Connection(e)),
                PtyState::Disconnected => return Err(DaytonaError::Connection("disconnected before exit".into())),
                _ => self.changed().await,
            }
        }
    }

    /// Sends keystrokes (waits while the socket's send buffer is full).
    pub async fn send_input(&self, data: &[u8]) -> Result<(), DaytonaError> {
        loop {
            let socket = self.shared.borrow().socket.clone();
            match socket {
                Some(ws) if ws.buffered_amount() < SEND_HIGH_WATER => {
                    return ws.send_with_u8_array(data).map_err(|e| DaytonaError::Connection(js_message(&e)));
                }
                Some(_) => gloo_timers::future::TimeoutFuture::new(10).await,
                None => match self.state() {
                    PtyState::Connecting | PtyState::Reconnecting(_) => self.changed().await,
                    other => {
                        return Err(DaytonaError::Connection(format!("PTY is not connected ({})", other.as_str())))
                    }
                },
            }
        }
    }

    /// Resizes the terminal.
    pub async fn resize(&self, cols: u16, rows: u16) -> Result<PtySessionInfo, DaytonaError> {
        self.process.resize_pty_session(&self.session_id, cols, rows).await
    }

    /// Kills the PTY's shell.
    pub async fn kill(&self) -> Result<(), DaytonaError> {
        self.process.kill_pty_session(&self.session_id).await
    }

    /// Closes the connection (the PTY keeps running; connect again later).
    pub fn disconnect(&self) {
        let socket = {
            let mut s = self.shared.borrow_mut();
            s.user_closed = true;
            s.socket.take()
        };
        if let Some(ws) = socket {
            let _ = ws.close_with_code(1000);
        }
        if !matches!(self.state(), PtyState::Exited(_)) {
            self.set_state(PtyState::Disconnected);
        }
    }

    /// Drops the current connection as a network failure would (test seam for reconnects).
    #[doc(hidden)]
    pub fn drop_connection(&self) {
        if let Some(ws) = self.shared.borrow().socket.clone() {
            let _ = ws.close_with_code(4000);
        }
    }

    /// Runs one connection until it ends.
    async fn run_once(&self, create: Option<&PtyCreateRequest>) -> Result<Ended, DaytonaError> {
        let id = encode(&self.session_id);
        let (path, query, protocols) = match create {
            Some(req) => {
                let mut q = vec![
                    ("id".to_owned(), self.session_id.clone()),
                    ("cols".to_owned(), req.cols.unwrap_or(80).to_string()),
                    ("rows".to_owned(), req.rows.unwrap_or(24).to_string()),
                ];
                if let Some(cwd) = &req.cwd {
                    q.push(("cwd".into(), cwd.clone()));
                }
                let mut protocols = vec![EXIT_CONTROL.to_owned()];
                if let Some(envs) = req.envs.as_ref().filter(|e| !e.is_empty()) {
                    let json = crate::json::to_string(envs).unwrap_or_default();
                    protocols.push(daytona_models::pty_envs_subprotocol(&json));
                }
                ("/process/pty/create-connect".to_owned(), q, protocols)
            }
            None => {
                let offset = self.shared.borrow().offset;
                (
                    format!("/process/pty/{id}/connect"),
                    vec![("offset".to_owned(), offset.to_string())],
                    vec![EXIT_CONTROL.to_owned()],
                )
            }
        };
        let mut socket = self.process.toolbox.socket(&path, &query, &protocols).await?;
        self.shared.borrow_mut().socket = Some(socket.raw());
        let mut attached = false;
        let ended = loop {
            match socket.next().await {
                Some(WsEvent::Text(text)) => {
                    let msg = Control::parse(&text);
                    match msg.status.as_deref() {
                        Some("connected") => {
                            if let Some(o) = msg.offset {
                                self.shared.borrow_mut().offset = o;
                            }
                            attached = true;
                            self.set_state(PtyState::Connected);
                        }
                        Some("exited") => {
                            self.shared.borrow_mut().exit_reason = msg.exit_reason;
                            self.set_state(PtyState::Exited(msg.exit_code.unwrap_or(0)));
                            break Ended::Exited;
                        }
                        Some("error") => {
                            return Err(DaytonaError::Connection(msg.error.unwrap_or_else(|| "PTY error".into())));
                        }
                        _ => {}
                    }
                }
                Some(WsEvent::Binary(bytes)) => {
                    self.shared.borrow_mut().offset += bytes.length() as u64;
                    (self.on_data)(&bytes);
                }
                Some(WsEvent::Closed { code, reason }) => {
                    if matches!(self.state(), PtyState::Exited(_)) {
                        break Ended::Exited;
                    }
                    if self.shared.borrow().user_closed {
                        break Ended::ByUser;
                    }
                    match code {
                        1000 => {
                            self.set_state(PtyState::Exited(0));
                            break Ended::Exited;
                        }
                        1011 if reason.contains("exitCode") => {
                            let (code, why) = parse_exit_reason(&reason);
                            self.shared.borrow_mut().exit_reason = why;
                            self.set_state(PtyState::Exited(code.unwrap_or(1)));
                            break Ended::Exited;
                        }
                        _ => break Ended::Dropped(attached),
                    }
                }
                None => break Ended::Dropped(attached),
            }
        };
        self.shared.borrow_mut().socket = None;
        Ok(ended)
    }

    /// Keeps the handle connected until the shell exits, the user disconnects, or retries run out.
    async fn drive(self, create: Option<PtyCreateRequest>) {
        let mut create = create;
        let mut attempt = 0u32;
        loop {
            let result = self.run_once(create.as_ref()).await;
            match result {
                Ok(Ended::Exited) | Ok(Ended::ByUser) => return,
                Ok(Ended::Dropped(attached)) => {
                    if attached {
                        attempt = 0;
                        create = None;
                    } else if create.is_some() && self.process.get_pty_session_info(&self.session_id).await.is_ok() {
                        // The session was created before the drop: attach to it from now on.
                        create = None;
                    }
                }
                Err(e) => {
                    // A first create-connect that fails is final (e.g. duplicate id).
                    if create.is_some() {
                        self.set_state(PtyState::Failed(e.to_string()));
                        return;
                    }
                    if let Err(DaytonaError::Api { status: 404, .. }) =
                        self.process.get_pty_session_info(&self.session_id).await
                    {
                        self.set_state(PtyState::Failed(format!("PTY session {} no longer exists", self.session_id)));
                        return;
                    }
                }
            }
            if self.shared.borrow().user_closed {
                return;
            }
            attempt += 1;
            if attempt > MAX_ATTEMPTS {
                self.set_state(PtyState::Failed(format!("gave up reconnecting after {MAX_ATTEMPTS} attempts")));
                return;
            }
            self.set_state(PtyState::Reconnecting(attempt));
            let base = (FIRST_BACKOFF * 2u32.saturating_pow(attempt - 1)).min(MAX_BACKOFF);
            let jittered = base.as_millis() as f64 * (0.5 + js_sys::Math::random() * 0.5);
            gloo_timers::future::TimeoutFuture::new(jittered as u32).await;
        }
    }
}

/// Options of [`Process::create_pty`].
#[derive(Clone, Debug, Default)]
pub struct PtyCreateOptions {
    /// Session id (generated when empty).
    pub id: Option<String>,
    /// Working directory.
    pub cwd: Option<String>,
    /// Extra environment variables.
    pub envs: Option<BTreeMap<String, String>>,
    /// Columns (default 80).
    pub cols: Option<u16>,
    /// Rows (default 24).
    pub rows: Option<u16>,
}

impl Process {
    fn handle(&self, session_id: String, on_data: PtyDataFn, on_state: Option<PtyStateFn>) -> PtyHandle {
        PtyHandle {
            process: self.clone(),
            session_id,
            shared: Rc::new(RefCell::new(Shared {
                state: PtyState::Connecting,
                offset: 0,
                socket: None,
                user_closed: false,
                waiters: Vec::new(),
                exit_reason: None,
            })),
            on_data,
            on_state,
        }
    }

    /// Creates a PTY session and connects to it in one round trip; resolves once connected.
    pub async fn create_pty(
        &self,
        opts: PtyCreateOptions,
        on_data: PtyDataFn,
        on_state: Option<PtyStateFn>,
    ) -> Result<PtyHandle, DaytonaError> {
        let id = opts
            .id
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| format!("pty-{:08x}", (js_sys::Math::random() * 4e9) as u32));
        let req = PtyCreateRequest {
            id: Some(id.clone()),
            cwd: opts.cwd,
            envs: opts.envs,
            cols: opts.cols,
            rows: opts.rows,
            lazy_start: None,
        };
        let handle = self.handle(id, on_data, on_state);
        wasm_bindgen_futures::spawn_local(handle.clone().drive(Some(req)));
        handle.wait_for_connection().await?;
        Ok(handle)
    }

    /// Connects to an existing PTY session; the scrollback is replayed first.
    pub async fn connect_pty(
        &self,
        session_id: &str,
        on_data: PtyDataFn,
        on_state: Option<PtyStateFn>,
    ) -> Result<PtyHandle, DaytonaError> {
        self.get_pty_session_info(session_id).await?;
        let handle = self.handle(session_id.to_owned(), on_data, on_state);
        wasm_bindgen_futures::spawn_local(handle.clone().drive(None));
        handle.wait_for_connection().await?;
        Ok(handle)
    }

    /// Every PTY session of the sandbox.
    pub async fn list_pty_sessions(&self) -> Result<Vec<PtySessionInfo>, DaytonaError> {
        Ok(self.pty_sessions().await?.sessions)
    }

    /// `GET /process/pty` as the toolbox answers it (`{ sessions }`).
    pub(crate) fn pty_sessions(&self) -> Call<PtyListResponse> {
        self.request(Method::Get, "/process/pty")
    }

    /// One PTY session.
    pub fn get_pty_session_info(&self, session_id: &str) -> Call<PtySessionInfo> {
        self.request(Method::Get, &format!("/process/pty/{}", encode(session_id)))
    }

    /// Kills a PTY session.
    pub fn kill_pty_session(&self, session_id: &str) -> Call<()> {
        self.request_done(Method::Delete, &format!("/process/pty/{}", encode(session_id)))
    }

    /// Resizes a PTY session.
    pub fn resize_pty_session(&self, session_id: &str, cols: u16, rows: u16) -> Call<PtySessionInfo> {
        let body = PtyResizeRequest { cols, rows };
        self.request(Method::Post, &format!("/process/pty/{}/resize", encode(session_id))).body(&body)
    }
}
