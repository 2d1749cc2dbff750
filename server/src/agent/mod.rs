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
mod ready_shell;
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
    /// The shell of the next command, started ahead.
    ready_shell: ready_shell::ReadyShell,
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
    /// Who its image runs as (none: `daytona`, uid and gid [`crate::jail::SANDBOX_UID`]).
    #[serde(default)]
    pub user: Option<JailUser>,
}

/// The user of a sandbox on an image (its `USER`, root included), the agent's and everything's
/// it starts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JailUser {
    /// Uid (in the sandbox's user namespace).
    pub uid: u32,
    /// Primary gid.
    pub gid: u32,
    /// Supplementary gids.
    #[serde(default)]
    pub groups: Vec<u32>,
    /// Home directory (absolute), made if the image lacks it.
    pub home: PathBuf,
}

impl JailUser {
    /// `daytona`, the user of the default snapshot, at `home`.
    pub fn daytona(home: PathBuf) -> Self {
        let id = crate::jail::SANDBOX_UID;
        Self { uid: id, gid: id, groups: Vec::new(), home }
    }

    /// Makes the user's home if it is missing (the image has none there): its parents root's
    /// (0755), the home the user's, 0700 for root as on Debian, else 0755; and the agent's
    /// state in it (`.daytona`: session logs, recordings) the user's, even where the home is
    /// not (`/` of a uid the image does not name, a service account's root-owned home). Only
    /// as root of the sandbox's namespace, inside the jail, before dropping privileges: a path
    /// the image or the sandbox's earlier writes made a symlink resolves in the jail's own root.
    pub fn make_home(&self) -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(());
        }
        let fail = |e: std::io::Error| format!("making the home {}: {e}", self.home.display());
        if self.home.symlink_metadata().is_err() {
            if let Some(parent) = self.home.parent() {
                std::fs::DirBuilder::new().recursive(true).mode(0o755).create(parent).map_err(fail)?;
            }
            std::fs::create_dir(&self.home).map_err(fail)?;
            std::os::unix::fs::lchown(&self.home, Some(self.uid), Some(self.gid)).map_err(fail)?;
            let mode = if self.uid == 0 { 0o700 } else { 0o755 };
            std::fs::set_permissions(&self.home, std::fs::Permissions::from_mode(mode)).map_err(fail)?;
        }
        let state = self.home.join(".daytona");
        if state.symlink_metadata().is_err() {
            std::fs::DirBuilder::new().mode(0o700).create(&state).map_err(fail)?;
            std::os::unix::fs::lchown(&state, Some(self.uid), Some(self.gid)).map_err(fail)?;
        }
        Ok(())
    }
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

/// Drops root (when started as root of the sandbox's user namespace) to the sandbox user
/// (`user`; its root too, then with [`ROOT_CAPS`] only), forbids regaining privileges through
/// setuid binaries, installs the seccomp filter, marks
/// the listening socket close-on-exec, and closes every inherited descriptor above
/// `listen_fd` but those in `keep` (the network helper's lifeline, the workload cgroup's
/// files), which it keeps open, close-on-exec: no command run in the sandbox can take the
/// server's connections or those descriptors, or end the sandbox's network helper early or
/// keep it alive.
pub fn drop_privileges(user: &JailUser, listen_fd: i32, keep: &[i32]) -> Result<(), String> {
    let JailUser { uid, gid, ref groups, .. } = *user;
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
        // Root of the sandbox (an image's root user) keeps a container root's everyday
        // capabilities (see [`ROOT_CAPS`]); any other user none.
        let keep_caps = if uid == 0 { ROOT_CAPS } else { 0 };
        if libc::geteuid() == 0 {
            // While the capabilities to do so are there: the bounding set cut to what is kept
            // (no execve can ever grant more), and the securebits locked: a user other than
            // root gets nothing back from an execve as root or a uid change; ambient raises are
            // off for everyone.
            // Up to the kernel's last capability, past which PR_CAPBSET_DROP answers EINVAL.
            for cap in (0..64).filter(|c| keep_caps & (1 << c) == 0) {
                if libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 {
                    let e = std::io::Error::last_os_error();
                    if e.raw_os_error() == Some(libc::EINVAL) && cap > 0 {
                        break;
                    }
                    return Err(format!("clearing the bounding set: {e}"));
                }
            }
            let bits = if uid == 0 { SECURE_BITS_ROOT } else { SECURE_BITS };
            if libc::prctl(libc::PR_SET_SECUREBITS, bits, 0, 0, 0) != 0 {
                return Err(format!("securebits: {}", std::io::Error::last_os_error()));
            }
            if libc::setgroups(groups.len(), groups.as_ptr()) != 0
                || libc::setresgid(gid, gid, gid) != 0
                || libc::setresuid(uid, uid, uid) != 0
            {
                return Err(format!("dropping to uid {uid}, gid {gid}: {}", std::io::Error::last_os_error()));
            }
        }
        // Nothing left of any other capability (the securebits keep them through the uid
        // change; a jail started unprivileged maps the server's own uid and may carry an
        // ambient set), none inheritable.
        libc::prctl(libc::PR_CAP_AMBIENT, libc::PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        // _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set.
        let mut header = CapHeader { version: 0x2008_0522, pid: 0 };
        let low = keep_caps as u32;
        let data = [CapData { effective: low, permitted: low, inheritable: 0 }, CapData::default()];
        if libc::syscall(libc::SYS_capset, &mut header as *mut CapHeader, data.as_ptr()) != 0 {
            return Err(format!("dropping capabilities: {}", std::io::Error::last_os_error()));
        }
    }
    seccomp::install()
}

/// `SECBIT_NOROOT`, `SECBIT_NO_SETUID_FIXUP` and `SECBIT_NO_CAP_AMBIENT_RAISE`, each with its
/// lock, and `SECBIT_KEEP_CAPS_LOCKED` (off, locked): `<linux/securebits.h>`.
const SECURE_BITS: libc::c_ulong = 0b1110_1111;

/// For root as the sandbox user: `SECBIT_NO_CAP_AMBIENT_RAISE` and `SECBIT_KEEP_CAPS_LOCKED`
/// (off), locked. Root's execve grants its bounding set again (as in any container); a change
/// to another uid clears every capability.
const SECURE_BITS_ROOT: libc::c_ulong = 0b1110_0000;

/// The capabilities root keeps when it is the sandbox user (an image without `USER`): those of
/// a container's root that act on the sandbox's own files and processes: `CHOWN`,
/// `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `SETGID`, `SETUID`, `NET_BIND_SERVICE`,
/// `SYS_CHROOT`. All of them are the sandbox's user namespace's: they reach only what its ids
/// map (not the host's files bound into the jail, not another id in a volume), under the same
/// seccomp filter. Not kept, though a container's root has them: `NET_RAW` (raw sockets: a
/// kernel surface with a history), `MKNOD`, `SETFCAP`, `SETPCAP` and `AUDIT_WRITE`.
pub const ROOT_CAPS: u64 = 1 << 0 | 1 << 1 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 10 | 1 << 18;

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
        ready_shell: ready_shell::ReadyShell::default(),
    });
    process::start_next(&agent);
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
