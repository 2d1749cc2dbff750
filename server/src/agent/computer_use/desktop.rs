//! The desktop's processes, under Daytona's names: `xvfb` (the X server: TigerVNC's Xvnc,
//! an X server with its VNC server built in, on port 5901 of the sandbox's loopback),
//! `x11vnc` (the VNC server: the same Xvnc, so status, logs and restart answer for it),
//! `xfce4` (the desktop session: a D-Bus session bus with the AT-SPI accessibility bus, and
//! openbox, which starts a terminal) and `novnc` (websockify
//! serving noVNC on port 6080, which the preview proxy reaches). One Xvnc rather than Xvfb and
//! x11vnc because a viewer can resize its display (RFB's SetDesktopSize: noVNC's remote
//! resize), which x11vnc cannot do, and it knows what changed on screen without polling.
//! They run as the sandbox user in the workload group like any command, cost nothing until
//! started, end with the sandbox, and one that dies while the desktop is on is started again
//! (a few times a minute at most), its output kept.

use std::collections::BTreeMap;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use daytona_models::DesktopProcess;
use parking_lot::Mutex;

use crate::agent::error::ToolboxError;
use crate::wait::Look;

/// The X display of every sandbox's desktop (each sandbox has its own /tmp and network
/// namespace, so its own display socket).
pub const DISPLAY: &str = ":0";
/// Screen size of the virtual display.
pub const SCREEN: (u32, u32) = (1280, 800);
/// The VNC server's port on the sandbox's loopback.
pub const VNC_PORT: u16 = 5901;
/// noVNC's port (web client and WebSocket bridge), reached through the preview proxy.
pub const NOVNC_PORT: u16 = 6080;
/// How much of a process's output is kept and returned.
const LOG_TAIL: u64 = 64 << 10;
/// Restarts allowed per process within a minute before it is left stopped (status `error`).
const RESTARTS_PER_MINUTE: usize = 5;

/// What a desktop process is and needs.
struct Spec {
    name: &'static str,
    priority: i32,
    /// Program and the Debian package that has it.
    program: &'static str,
    package: &'static str,
    args: fn() -> Vec<String>,
}

const SPECS: [Spec; 3] = [
    Spec {
        name: "xvfb",
        priority: 100,
        program: "Xvnc",
        package: "tigervnc-standalone-server",
        args: || {
            let geometry = format!("{}x{}", SCREEN.0, SCREEN.1);
            let port = VNC_PORT.to_string();
            // -noreset: without it the server resets when its last client leaves, and a
            // request connecting at that moment fails its handshake ("failed to read whole
            // buffer", seen once as a 409 on the windows right after start). VNC on the
            // loopback only, without a password: the sandbox's own network namespace is its
            // boundary, and the preview proxy (which checks the caller) reaches it through
            // websockify. -AlwaysShared: the console and other viewers see one desktop.
            [DISPLAY, "-geometry", &geometry, "-depth", "24", "-dpi", "96", "-nolisten", "tcp", "-noreset"]
                .into_iter()
                .chain(["-rfbport", &port, "-localhost", "-SecurityTypes", "None", "-AlwaysShared"])
                .map(str::to_owned)
                .collect()
        },
    },
    Spec {
        name: "xfce4",
        priority: 200,
        program: "openbox",
        package: "openbox",
        // Run inside its own D-Bus session with the accessibility bus where the host has them
        // (see `session`).
        args: || ["--startup", TERMINAL].map(str::to_owned).to_vec(),
    },
    Spec {
        name: "novnc",
        priority: 400,
        program: "websockify",
        package: "websockify",
        args: || {
            ["--web", "/usr/share/novnc", &NOVNC_PORT.to_string(), &format!("localhost:{VNC_PORT}")]
                .map(str::to_owned)
                .to_vec()
        },
    },
];

/// The terminal openbox starts.
const TERMINAL: &str = "xterm -fa Monospace -fs 11 -geometry 100x30+40+40";

/// The program and arguments that run `spec`: `xfce4`'s openbox inside a D-Bus session of its
/// own (dbus-run-session, Debian's dbus-daemon) with the AT-SPI accessibility bus (at-spi2-core)
/// started first, where they are installed; openbox alone otherwise (the desktop works, its
/// accessibility tree answers 503). A fixed command line.
fn session(spec: &Spec) -> (&'static str, Vec<String>) {
    let args = (spec.args)();
    if spec.name != "xfce4" || !installed("dbus-run-session") {
        return (spec.program, args);
    }
    let script = format!(
        "if [ -x /usr/libexec/at-spi-bus-launcher ]; then /usr/libexec/at-spi-bus-launcher --launch-immediately & fi; \
         exec openbox --startup '{TERMINAL}'"
    );
    ("dbus-run-session", ["--", "sh", "-c", &script].map(str::to_owned).to_vec())
}

/// Daytona's names for a part of one of [`SPECS`]' processes, with the priority Daytona gives
/// it: x11vnc, the VNC server, is Xvnc's own (so its restart is the X server's).
const PARTS: [(&str, &str, i32); 1] = [("x11vnc", "xvfb", 300)];

/// Also needed, without a process of their own: the terminal openbox starts and noVNC's files.
const ALSO_NEEDED: [(&str, &str); 2] = [("xterm", "xterm"), ("/usr/share/novnc/vnc.html", "novnc")];

struct Running {
    pid: i32,
    /// Bumped at every start, so a supervisor of an older start leaves the newer one alone.
    generation: u64,
}

#[derive(Default)]
struct State {
    /// Whether the desktop is meant to run.
    on: bool,
    running: BTreeMap<&'static str, Running>,
    restarts: BTreeMap<&'static str, Vec<Instant>>,
    /// Processes that died too often and were left stopped.
    failed: BTreeMap<&'static str, String>,
    generation: u64,
}

/// The desktop of one sandbox.
pub struct Desktop {
    logs: PathBuf,
    state: Mutex<State>,
    /// Held by start, stop and restart: one at a time (a stop while a start waits for the X
    /// server would leave that start failing).
    lifecycle: tokio::sync::Mutex<()>,
}

/// The process `name` (one of [`SPECS`] or of [`PARTS`]) is or is part of.
fn spec(name: &str) -> Result<&'static Spec, ToolboxError> {
    let name = PARTS.iter().find(|(part, ..)| *part == name).map_or(name, |(_, of, _)| of);
    SPECS.iter().find(|s| s.name == name).ok_or_else(|| {
        let names: Vec<_> = SPECS.iter().map(|s| s.name).chain(PARTS.map(|(part, ..)| part)).collect();
        ToolboxError::NotFound("NOT_FOUND", format!("no desktop process {name} (one of {})", names.join(", ")))
    })
}

/// Whether `program` is an executable on `PATH` (or an existing absolute path).
fn installed(program: &str) -> bool {
    if program.starts_with('/') {
        return Path::new(program).exists();
    }
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

impl Desktop {
    /// A desktop (not started) keeping its processes' output in `logs`.
    pub fn new(logs: PathBuf) -> Arc<Self> {
        Arc::new(Self { logs, state: Mutex::new(State::default()), lifecycle: tokio::sync::Mutex::new(()) })
    }

    /// The missing programs, with their Debian packages, as an error.
    fn check_installed() -> Result<(), ToolboxError> {
        let missing: Vec<String> = SPECS
            .iter()
            .map(|s| (s.program, s.package))
            .chain(ALSO_NEEDED)
            .filter(|(program, _)| !installed(program))
            .map(|(program, package)| format!("{program} (Debian package {package})"))
            .collect();
        match missing.is_empty() {
            true => Ok(()),
            false => Err(ToolboxError::Unavailable(
                "NOT_FOUND",
                format!("computer use needs {} on this host: install them (scripts/setup.sh does)", missing.join(", ")),
            )),
        }
    }

    /// Starts every process not running, in order, the X server first and ready before the
    /// others.
    pub async fn start(self: &Arc<Self>) -> Result<BTreeMap<String, DesktopProcess>, ToolboxError> {
        Self::check_installed()?;
        let _one = self.lifecycle.lock().await;
        {
            let mut state = self.state.lock();
            state.on = true;
            state.failed.clear();
            state.restarts.clear();
        }
        for spec in &SPECS {
            if !self.state.lock().running.contains_key(spec.name) {
                self.spawn(spec).await?;
            }
        }
        Ok(self.status())
    }

    /// Stops every process, last started first.
    pub async fn stop(&self) -> BTreeMap<String, DesktopProcess> {
        let _one = self.lifecycle.lock().await;
        let pids: Vec<i32> = {
            let mut state = self.state.lock();
            state.on = false;
            let mut running: Vec<_> = std::mem::take(&mut state.running).into_iter().collect();
            running.sort_by_key(|(name, _)| std::cmp::Reverse(spec(name).map_or(0, |s| s.priority)));
            running.into_iter().map(|(_, r)| r.pid).collect()
        };
        for pid in pids {
            end_group(pid).await;
        }
        self.status()
    }

    /// Starts `spec`'s process and a task that restarts it if it dies while the desktop is on;
    /// the X server is ready to take clients when this returns.
    async fn spawn(self: &Arc<Self>, spec: &'static Spec) -> Result<(), ToolboxError> {
        let started = self.launch(spec).await?;
        tokio::spawn(Arc::clone(self).supervise(spec, started));
        match spec.name {
            "xvfb" => super::x11::wait_ready(Duration::from_secs(5)).await?,
            // A viewer (the console's Desktop tab, right after start) reaches noVNC at once.
            "novnc" => wait_listening(NOVNC_PORT, Duration::from_secs(10)).await?,
            _ => {}
        }
        Ok(())
    }

    /// Starts `spec`'s process, registered as running; returns it with its start's generation.
    async fn launch(&self, spec: &'static Spec) -> Result<(tokio::process::Child, u64), ToolboxError> {
        std::fs::create_dir_all(&self.logs).map_err(|e| ToolboxError::Io(format!("desktop logs: {e}")))?;
        if spec.name == "xvfb" {
            x_socket_dir();
        }
        let log = |ext: &str| {
            std::fs::File::create(self.logs.join(format!("{}.{ext}", spec.name)))
                .map_err(|e| ToolboxError::Io(format!("{} log: {e}", spec.name)))
        };
        // The session's runtime files (the accessibility bus's socket) in the desktop's private
        // directory, not in the user's home.
        let runtime = self.logs.join("run");
        std::fs::DirBuilder::new()
            .mode(0o700)
            .recursive(true)
            .create(&runtime)
            .map_err(|e| ToolboxError::Io(format!("desktop runtime dir: {e}")))?;
        let (program, args) = session(spec);
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args).env("DISPLAY", DISPLAY).env("XDG_RUNTIME_DIR", &runtime).stdin(Stdio::null());
        cmd.stdout(log("log")?).stderr(log("err")?).process_group(0).kill_on_drop(false);
        let child = crate::agent::workload::spawn(cmd)
            .await
            .map_err(|e| ToolboxError::Io(format!("starting {} ({}): {e}", spec.name, spec.program)))?;
        let pid = child.id().map_or(0, |p| p as i32);
        let mut state = self.state.lock();
        state.generation += 1;
        let generation = state.generation;
        state.running.insert(spec.name, Running { pid, generation });
        Ok((child, generation))
    }

    /// Waits for the process of `spec` to end and starts it again while the desktop is on,
    /// unless it was stopped or restarted on purpose or has died too often.
    async fn supervise(self: Arc<Self>, spec: &'static Spec, started: (tokio::process::Child, u64)) {
        let (mut child, mut generation) = started;
        loop {
            let status = child.wait().await;
            if !self.may_restart(spec, generation, &status) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            if spec.name != "xvfb" {
                // A client of the X server that died with it waits for the next one (a
                // restart of `xvfb` or `x11vnc`), not to fail again against none.
                let _ = super::x11::wait_ready(Duration::from_secs(5)).await;
            }
            if !self.state.lock().on {
                return;
            }
            match self.launch(spec).await {
                Ok(next) => (child, generation) = next,
                Err(e) => {
                    self.state.lock().failed.insert(spec.name, e.to_string());
                    return;
                }
            }
        }
    }

    /// Called when the process of start `generation` ended: whether to start it again.
    fn may_restart(
        &self,
        spec: &'static Spec,
        generation: u64,
        status: &std::io::Result<std::process::ExitStatus>,
    ) -> bool {
        let mut state = self.state.lock();
        if state.running.get(spec.name).is_none_or(|r| r.generation != generation) {
            return false; // stopped or restarted on purpose
        }
        state.running.remove(spec.name);
        if !state.on {
            return false;
        }
        let recent = state.restarts.entry(spec.name).or_default();
        recent.retain(|t| t.elapsed() < Duration::from_secs(60));
        if recent.len() >= RESTARTS_PER_MINUTE {
            let why = format!("{} exited ({status:?}) {RESTARTS_PER_MINUTE} times within a minute", spec.name);
            tracing::warn!("{why}");
            state.failed.insert(spec.name, why);
            return false;
        }
        recent.push(Instant::now());
        true
    }

    /// Each process by name, and each of [`PARTS`] as the process it is part of.
    pub fn status(&self) -> BTreeMap<String, DesktopProcess> {
        let state = self.state.lock();
        let names = SPECS.iter().map(|s| (s.name, s.name, s.priority)).chain(PARTS);
        names
            .map(|(name, of, priority)| {
                let pid = state.running.get(of).map(|r| r.pid);
                let process = DesktopProcess { running: pid.is_some(), priority, auto_restart: true, pid };
                (name.to_owned(), process)
            })
            .collect()
    }

    /// `active` (all run), `inactive` (none), `partial`, or `error` (one died too often).
    pub fn overall(&self) -> &'static str {
        let state = self.state.lock();
        match (state.failed.is_empty(), state.running.len()) {
            (false, _) => "error",
            (true, 0) => "inactive",
            (true, n) if n == SPECS.len() => "active",
            _ => "partial",
        }
    }

    /// Whether process `name` runs.
    pub fn is_running(&self, name: &str) -> Result<bool, ToolboxError> {
        let spec = spec(name)?;
        Ok(self.state.lock().running.contains_key(spec.name))
    }

    /// Ends process `name` (of a part: the process it is part of) and starts it again (the
    /// desktop is on afterwards).
    pub async fn restart(self: &Arc<Self>, name: &str) -> Result<(), ToolboxError> {
        let spec = spec(name)?;
        Self::check_installed()?;
        let _one = self.lifecycle.lock().await;
        let old = {
            let mut state = self.state.lock();
            state.on = true;
            state.failed.remove(spec.name);
            state.running.remove(spec.name)
        };
        if let Some(old) = old {
            end_group(old.pid).await;
        }
        self.spawn(spec).await
    }

    /// The last [`LOG_TAIL`] bytes of process `name`'s standard output (`log`) or error (`err`).
    pub fn output(&self, name: &str, ext: &str) -> Result<String, ToolboxError> {
        use std::io::{Read, Seek, SeekFrom};
        let spec = spec(name)?;
        let Ok(mut file) = std::fs::File::open(self.logs.join(format!("{}.{ext}", spec.name))) else {
            return Ok(String::new());
        };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL)));
        let mut bytes = Vec::new();
        let _ = file.take(LOG_TAIL).read_to_end(&mut bytes);
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Makes /tmp/.X11-unix (sticky, world-writable, as on any system), which Xvnc, not root,
/// cannot: without it the display listens on its abstract socket only, which clients in
/// another network namespace cannot reach.
fn x_socket_dir() {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let dir = Path::new("/tmp/.X11-unix");
    if std::fs::DirBuilder::new().mode(0o1777).create(dir).is_ok() {
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o1777));
    }
}

/// Ends the process group `pid` leads: SIGTERM, then SIGKILL after 2 s.
async fn end_group(pid: i32) {
    if pid <= 0 {
        return;
    }
    // SAFETY: kill(2) of a process group this agent started.
    unsafe { libc::kill(-pid, libc::SIGTERM) };
    for _ in 0..40 {
        // SAFETY: as above; signal 0 only checks that something of the group is left.
        if unsafe { libc::kill(-pid, 0) } != 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // SAFETY: as above.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
}

/// Waits until something in the sandbox accepts connections on `port` (websockify, which the
/// preview proxy reaches: before it listens, the proxy answers 502).
async fn wait_listening(port: u16, within: Duration) -> Result<(), ToolboxError> {
    crate::wait::until(within, Duration::from_millis(20), || async move {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(_) => Look::Ready(()),
            Err(e) => Look::NotYet(ToolboxError::Io(format!(
                "noVNC (websockify) did not listen on {port} within {within:?}: {e}"
            ))),
        }
    })
    .await
}
