//! `daytona-local agent`: the toolbox daemon running inside each sandbox, serving
//! Daytona's toolbox API on a Unix socket that the server's proxy forwards to.

mod closing;
mod code_run;
mod computer_use;
mod env;
mod error;
mod extract;
mod files;
mod git;
mod info;
mod interpreter;
mod lsp;
mod ports;
mod process;
mod pty;
pub mod seccomp;
mod session;
pub mod ssh;
mod subprotocol;
mod tunnel;
pub mod workload;

use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

/// The X display of the computer-use desktop, in every sandbox.
pub use computer_use::DISPLAY as DESKTOP_DISPLAY;

/// What the toolbox handlers share.
pub struct Agent {
    /// The user's home directory.
    pub home: PathBuf,
    /// The default working directory of commands (the home, or the image's `WORKDIR`).
    pub work_dir: PathBuf,
    /// The agent's private temporary directory (code-run files, session FIFOs).
    pub scratch: PathBuf,
    /// The process sessions.
    pub sessions: session::Registry,
    /// The PTY sessions.
    pub ptys: Arc<pty::PtyRegistry>,
    /// The code interpreter's contexts.
    pub interpreter: interpreter::Interpreter,
    /// The desktop of computer use.
    pub desktop: Arc<computer_use::Desktop>,
    /// Screen recordings.
    pub recordings: computer_use::Recordings,
    /// The askpass helper through which git gets a request's credentials.
    pub git_askpass: PathBuf,
    /// The running language servers.
    pub lsp: lsp::Servers,
}

/// What the server hands the agent of a jail through a descriptor (as JSON), never in an argv
/// or in the environment of a process that runs before the agent has dropped its privileges.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct JailInput {
    /// The sandbox's environment (its image's `ENV` under its own `env`).
    pub env: std::collections::BTreeMap<String, String>,
    /// The command its image starts with, run as the entrypoint session (none: nothing).
    #[serde(default)]
    pub entrypoint: Vec<String>,
}

/// Reads the sandbox's [`JailInput`] from the inherited descriptor `fd` and closes it; env
/// names the C library would misread are dropped.
pub fn read_jail_input(fd: i32) -> Result<JailInput, String> {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    // SAFETY: the server passes a memfd on this descriptor, owned by us alone.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|e| format!("reading the sandbox env: {e}"))?;
    let mut input: JailInput = serde_json::from_str(&text).map_err(|e| format!("reading the sandbox env: {e}"))?;
    // Names were checked by the server; a name the C library would misread is skipped anyway.
    input.env.retain(|k, v| daytona_models::is_env_name(k) && !v.contains('\0'));
    Ok(input)
}

/// Drops root (when started as root of the sandbox's user namespace) to the sandbox user,
/// forbids regaining privileges through setuid binaries, installs the seccomp filter, marks
/// the listening socket close-on-exec, and closes every inherited descriptor above
/// `listen_fd` but those in `keep` (the network helper's lifeline, the workload cgroup's
/// files), which it keeps open, close-on-exec: no command run in the sandbox can take the
/// server's connections or those descriptors, or end the sandbox's network helper early or
/// keep it alive.
pub fn drop_privileges(uid: u32, listen_fd: i32, keep: &[i32]) -> Result<(), String> {
    let mut keep: Vec<i32> = keep.iter().copied().filter(|&fd| fd > listen_fd).collect();
    keep.sort_unstable();
    keep.dedup();
    // SAFETY: plain syscalls on our own process, called before any other thread exists and
    // before this process opened any descriptor of its own above `listen_fd`.
    unsafe {
        // The listening socket stays the agent's: no command may accept the server's connections.
        libc::fcntl(listen_fd, libc::F_SETFD, libc::FD_CLOEXEC);
        // Closes the gaps between the kept descriptors, and everything above the last.
        let mut from = listen_fd + 1;
        for &fd in &keep {
            if fd > from {
                libc::syscall(libc::SYS_close_range, from as libc::c_uint, (fd - 1) as libc::c_uint, 0 as libc::c_uint);
            }
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            from = fd + 1;
        }
        libc::syscall(libc::SYS_close_range, from as libc::c_uint, libc::c_uint::MAX, 0 as libc::c_uint);
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(format!("no_new_privs: {}", std::io::Error::last_os_error()));
        }
        if libc::geteuid() == 0
            && (libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(uid) != 0 || libc::setuid(uid) != 0)
        {
            return Err(format!("dropping to uid {uid}: {}", std::io::Error::last_os_error()));
        }
        // setuid from root clears every capability; make sure nothing is left (a jail started
        // unprivileged maps the server's own uid and may carry an ambient set).
        libc::prctl(libc::PR_CAP_AMBIENT, libc::PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        // _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set, all zero.
        let mut header = CapHeader { version: 0x2008_0522, pid: 0 };
        let data = [CapData::default(); 2];
        if libc::syscall(libc::SYS_capset, &mut header as *mut CapHeader, data.as_ptr()) != 0 {
            return Err(format!("dropping capabilities: {}", std::io::Error::last_os_error()));
        }
    }
    seccomp::install()
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Serves the toolbox API on the inherited listening socket `listen_fd` until killed.
/// `entrypoint`: the sandbox's image's command, started first as the entrypoint session.
pub async fn run(listen_fd: i32, home: PathBuf, entrypoint: Vec<String>) -> Result<(), String> {
    use std::os::fd::FromRawFd;
    // SAFETY: the server passes a listening Unix socket on this descriptor, owned by us alone.
    let listener = unsafe { std::os::unix::net::UnixListener::from_raw_fd(listen_fd) };
    listener.set_nonblocking(true).map_err(|e| format!("listening socket: {e}"))?;
    let listener = tokio::net::UnixListener::from_std(listener).map_err(|e| format!("listening socket: {e}"))?;
    let scratch = std::env::temp_dir().join(format!(".daytona-agent-{}", std::process::id()));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&scratch)
        .map_err(|e| format!("creating {}: {e}", scratch.display()))?;
    let sessions = session::Registry::new(home.join(".daytona").join("sessions"), scratch.join("sessions"));
    let interpreter = interpreter::Interpreter::new(scratch.join("interpreter"), &home)?;
    let desktop = computer_use::Desktop::new(scratch.join("desktop"));
    let recordings = computer_use::Recordings::new(home.join(".daytona").join("recordings"));
    let git_askpass = git::install_askpass(&scratch.join("git"))?;
    let agent = Arc::new(Agent {
        // Where the jail started it: the home, or an image's WORKDIR.
        work_dir: std::env::current_dir().unwrap_or_else(|_| home.clone()),
        home,
        scratch,
        sessions,
        ptys: Arc::default(),
        interpreter,
        desktop,
        recordings,
        git_askpass,
        lsp: lsp::Servers::default(),
    });
    if !entrypoint.is_empty() {
        // A failure is the entrypoint's: logged for the jail's log, the toolbox serves anyway.
        if let Err(e) = agent.sessions.start_entrypoint(&agent.work_dir, &entrypoint).await {
            eprintln!("daytona-local agent: {e}");
        }
    }
    let app = Router::new()
        .route("/version", get(info::version))
        .route("/user-home-dir", get(info::user_home_dir))
        .route("/project-dir", get(info::user_home_dir))
        .route("/work-dir", get(info::work_dir))
        .route("/process/execute", post(process::execute))
        .route("/process/code-run", post(code_run::code_run))
        .route("/tunnel/{port}", get(tunnel::tunnel))
        .route("/ssh/channel", get(ssh::channel))
        .route("/port", get(ports::list))
        .route("/port/{port}/in-use", get(ports::in_use))
        .route("/env", post(env::update))
        .merge(session::routes())
        .merge(pty::routes())
        .merge(interpreter::routes())
        .merge(computer_use::routes())
        .merge(files::routes())
        .merge(git::routes())
        .merge(lsp::routes())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(crate::http::envelope::fill_request))
        .layer(axum::middleware::from_fn(crate::http::drain::unread_bodies))
        .with_state(agent);
    axum::serve(listener, app).await.map_err(|e| format!("agent server: {e}"))
}
