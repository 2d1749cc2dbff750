//! Running sandboxes: one bubblewrap jail per started sandbox, with the toolbox agent
//! (this binary, `agent` mode) as its main process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use daytona_models::Sandbox;
use tokio::process::{Child, Command};

use super::agent_client;
use super::firewall::AllowList;
use super::limits::{Cgroup, CgroupHost};
use super::network::{Uplink, RESOLV_CONF};

/// Where the sandbox's home appears inside the jail.
pub const HOME_IN_JAIL: &str = "/home/daytona";
/// File descriptor on which the agent finds its listening socket (bound by the server).
const AGENT_LISTEN_FD: i32 = 3;
/// File descriptor on which the agent finds the write end of its network helper's lifeline.
const AGENT_LIFELINE_FD: i32 = 4;
const AGENT_IN_JAIL: &str = "/opt/daytona/daytona-local";

/// A running jail: the bwrap process (our child, or adopted after a server restart) and the
/// init of its pid namespace. The init is what holds the sandbox together: bwrap may exit
/// once the agent has, while the init and whatever the sandbox still runs live on.
struct Jail {
    pid: i32,
    /// Start time of `pid`, which tells it apart from a later process given the same pid.
    started: Option<u64>,
    /// The pid namespace's init and its start time, once seen (a child of `pid`).
    init: Option<(i32, u64)>,
    /// Present when this server process started the jail (to reap it).
    child: Option<Child>,
    cgroup: Option<Cgroup>,
}

impl Jail {
    fn new(pid: i32, child: Option<Child>, cgroup: Option<Cgroup>) -> Self {
        let mut jail = Self { pid, started: start_time(pid), init: None, child, cgroup };
        jail.init();
        jail
    }

    /// The namespace's init, while it lives (looked up while bwrap still runs).
    fn init(&mut self) -> Option<i32> {
        if self.init.is_none() && self.bwrap_alive() {
            self.init = children(self.pid)
                .into_iter()
                .find(|&p| is_namespace_init(p))
                .and_then(|p| Some((p, start_time(p)?)));
        }
        self.init.filter(|&(p, started)| is_namespace_init(p) && start_time(p) == Some(started)).map(|(p, _)| p)
    }

    /// Whether bwrap still runs (it exits with the agent).
    fn bwrap_alive(&mut self) -> bool {
        match &mut self.child {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => pid_alive(self.pid) && start_time(self.pid) == self.started,
        }
    }

    /// Whether the jail runs: bwrap, and with it the agent (the init is looked up on the way,
    /// while that is still possible).
    fn running(&mut self) -> bool {
        self.init();
        self.bwrap_alive()
    }

    /// Whether nothing of the jail is left, not even processes the sandbox left behind.
    fn gone(&mut self) -> bool {
        !self.running() && self.init().is_none()
    }

    /// Sends `sig` to the jail's agent (pid 2 of its pid namespace).
    fn signal_agent(&mut self, sig: i32) {
        if let Some(init) = self.init() {
            for agent in children(init) {
                // SAFETY: kill(2) on a process of the jail (verified at start or adoption).
                unsafe { libc::kill(agent, sig) };
            }
        }
    }

    /// Kills the jail: when the pid namespace's init dies the kernel kills every process in
    /// it (including those that started their own sessions, such as PTY shells).
    fn kill(&mut self) {
        if let Some(init) = self.init() {
            // SAFETY: kill(2) on the jail's init (checked by start time to be that process).
            unsafe { libc::kill(init, libc::SIGKILL) };
        }
        if self.bwrap_alive() {
            match &mut self.child {
                Some(c) => {
                    let _ = c.start_kill();
                }
                // SAFETY: kill(2) on the jail's own bwrap process (checked by start time).
                None => unsafe {
                    libc::kill(self.pid, libc::SIGKILL);
                },
            }
        }
    }

    /// Waits up to `limit` for the jail to end; whether it did.
    async fn ended_within(&mut self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if self.gone() {
                return true;
            }
            if tokio::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Whether `pid` is alive and pid 1 of a pid namespace of its own (so a recycled pid of some
/// other process is never taken for a jail's init).
fn is_namespace_init(pid: i32) -> bool {
    pid_alive(pid)
        && std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("NSpid:"))
                .is_some_and(|ids| ids.split_whitespace().count() > 1 && ids.split_whitespace().last() == Some("1"))
        })
}

/// The direct children of `pid`.
fn children(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect()
}

/// Whether `pid` still exists (and is not a zombie).
fn pid_alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(") ").map(|(_, rest)| !rest.starts_with('Z')))
        .unwrap_or(false)
}

/// `pid`'s start time (field 22 of /proc/PID/stat), which tells a reused pid apart.
fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")?.1.split_whitespace().nth(19)?.parse().ok()
}

/// Starts, stops and tracks the jails.
pub struct Runtime {
    sandboxes_dir: PathBuf,
    run_dir: PathBuf,
    /// The agent binary bound into jails (a private copy of this binary).
    exe: PathBuf,
    cgroups: CgroupHost,
    jails: Mutex<HashMap<String, Jail>>,
}

impl Runtime {
    /// A runtime keeping sandbox files under `data_dir/sandboxes`.
    pub fn new(data_dir: &Path) -> std::io::Result<Self> {
        let sandboxes_dir = data_dir.join("sandboxes");
        std::fs::create_dir_all(&sandboxes_dir)?;
        // Unix socket paths are limited to 108 bytes: keep sockets under a short directory
        // when the data dir's path is long.
        let mut run_dir = data_dir.join("run");
        if run_dir.as_os_str().len() > 50 {
            let hash = data_dir.as_os_str().len() as u64
                ^ data_dir.to_string_lossy().bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
            run_dir = std::env::temp_dir().join(format!("daytona-local-{:x}", hash));
        }
        std::fs::create_dir_all(&run_dir)?;
        let exe = install_agent(&run_dir)?;
        Ok(Self {
            sandboxes_dir,
            run_dir,
            exe,
            cgroups: CgroupHost::detect(),
            jails: Mutex::new(HashMap::new()),
        })
    }

    /// The host directory holding sandbox `id`'s home.
    pub fn home_dir(&self, id: &str) -> PathBuf {
        self.sandboxes_dir.join(id).join("home")
    }

    /// The log of sandbox `id`'s jail and agent (stderr).
    pub fn agent_log(&self, id: &str) -> PathBuf {
        self.sandboxes_dir.join(id).join("agent.log")
    }

    /// The last lines of the agent log, for error messages.
    fn agent_log_tail(&self, id: &str) -> String {
        let text = std::fs::read_to_string(self.agent_log(id)).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(5).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }

    /// The toolbox agent's socket of sandbox `id`.
    pub fn socket(&self, id: &str) -> PathBuf {
        self.run_dir.join(id).join("toolbox.sock")
    }

    /// Whether resource limits can be enforced here, and if not, why.
    pub fn limits_unavailable(&self) -> Option<String> {
        match &self.cgroups {
            CgroupHost::Unavailable(why) => Some(why.clone()),
            _ => None,
        }
    }

    /// Whether sandbox `id`'s jail is alive.
    pub fn is_running(&self, id: &str) -> bool {
        let mut jails = self.jails.lock().unwrap_or_else(|e| e.into_inner());
        jails.get_mut(id).is_some_and(Jail::running)
    }

    /// Where the jail's pid is kept: outside anything mounted into the jail.
    fn pid_file(&self, id: &str) -> PathBuf {
        self.sandboxes_dir.join(id).join("jail.pid")
    }

    /// Takes over the jail of `sb` left running by a previous server process (jails outlive a
    /// crash of the server, so PTYs, sessions and processes survive it). Whether it did.
    pub async fn adopt(&self, sb: &Sandbox) -> bool {
        let Ok(text) = std::fs::read_to_string(self.pid_file(&sb.id)) else { return false };
        let mut parts = text.split_whitespace().map(str::parse::<u64>);
        let (Some(Ok(pid)), Some(Ok(started))) = (parts.next(), parts.next()) else { return false };
        let pid = pid as i32;
        if start_time(pid) != Some(started) || !pid_alive(pid) {
            return false;
        }
        let cgroup = self.cgroups.limit(&sb.id, sb.cpu, sb.memory).ok();
        if !agent_client::is_ready(&self.socket(&sb.id)).await {
            // Ours (the pid file is out of the jail's reach) but not answering: end it, so
            // that a fresh start does not run a second jail on the same home.
            let mut jail = Jail::new(pid, None, cgroup);
            jail.kill();
            jail.ended_within(Duration::from_secs(5)).await;
            self.release(jail);
            return false;
        }
        self.jails
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sb.id.clone(), Jail::new(pid, None, cgroup));
        true
    }

    /// Starts the jail of `sb` and waits until its agent answers.
    pub async fn start(&self, sb: &Sandbox) -> Result<(), String> {
        if self.is_running(&sb.id) {
            return Ok(());
        }
        // A jail whose agent died may have left processes behind on the same home: end them.
        let stale = self.jails.lock().unwrap_or_else(|e| e.into_inner()).remove(&sb.id);
        if let Some(mut stale) = stale {
            stale.kill();
            stale.ended_within(Duration::from_secs(5)).await;
            self.release(stale);
        }
        let home = self.home_dir(&sb.id);
        let run = self.run_dir.join(&sb.id);
        let etc = self.sandboxes_dir.join(&sb.id).join("etc");
        for d in [&home, &run, &etc] {
            std::fs::create_dir_all(d).map_err(|e| format!("creating {}: {e}", d.display()))?;
        }
        write_identity(&etc, &sb.name).map_err(|e| format!("writing /etc files: {e}"))?;
        // The server binds the agent's socket in a directory the jail cannot see and hands the
        // listening descriptor over: the sandbox can never swap the path for something else.
        let socket = self.socket(&sb.id);
        let _ = std::fs::remove_file(&socket);
        let listener = std::os::unix::net::UnixListener::bind(&socket)
            .map_err(|e| format!("binding {}: {e}", socket.display()))?;

        // Its own network namespace either way: bwrap makes one with only `lo` for a blocked
        // sandbox; otherwise unshare(1) makes it (bwrap 0.8 cannot join a namespace) and
        // slirp4netns connects it once the jail runs.
        let uplink = match sb.network_block_all {
            true => None,
            false => Some(Uplink::new().map_err(|e| format!("network: {e}"))?),
        };
        let mut cmd = match &uplink {
            None => Command::new("bwrap"),
            Some(_) => {
                let mut unshare = Command::new("unshare");
                unshare.arg("--net");
                if !running_as_root() {
                    unshare.args(["--user", "--map-root-user"]);
                }
                unshare.arg("bwrap");
                unshare
            }
        };
        // bwrap stays in the jail as its pid 1, and the sandbox user may read its
        // /proc/1/environ: give it none of the server's environment (which may hold the API
        // key as DAYTONA_LOCAL_API_KEY), only PATH to find itself.
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.args(system_binds());
        // /tmp and /dev/shm (POSIX semaphores, e.g. Python multiprocessing) must be writable
        // by the unprivileged sandbox user: sticky and world-writable, as on a normal system.
        cmd.args(["--proc", "/proc", "--dev", "/dev"]);
        cmd.args(["--perms", "1777", "--tmpfs", "/dev/shm", "--perms", "1777", "--tmpfs", "/tmp"]);
        for f in ["passwd", "group", "hostname"] {
            cmd.arg("--ro-bind").arg(etc.join(f)).arg(format!("/etc/{f}"));
        }
        if uplink.is_some() {
            cmd.arg("--ro-bind").arg(etc.join("resolv.conf")).arg("/etc/resolv.conf");
        }
        // Directories bwrap creates for mount points are 0700 root: make ours traversable.
        for parent in ["/home", "/opt"] {
            cmd.args(["--perms", "0755", "--dir", parent]);
        }
        cmd.arg("--bind").arg(&home).arg(HOME_IN_JAIL);
        cmd.arg("--ro-bind").arg(&self.exe).arg(AGENT_IN_JAIL);
        cmd.args(["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"]);
        if sb.network_block_all {
            cmd.arg("--unshare-net");
        }
        if running_as_root() {
            // No user namespace: the agent drops to host uid/gid 1000 itself, so host files
            // keep their real owners (a user namespace would map the sandbox user onto root
            // and let it read root-only files such as /etc/shadow through the read-only binds).
            chown_to_sandbox_user(&home).map_err(|e| format!("chown {}: {e}", home.display()))?;
        } else {
            // Unprivileged: a user namespace maps our own uid to the sandbox user.
            cmd.args(["--unshare-user", "--uid", &SANDBOX_UID.to_string(), "--gid", &SANDBOX_UID.to_string()]);
        }
        // No --die-with-parent: a jail outlives a crash of the server, which adopts it on restart.
        cmd.args(["--hostname", &hostname(&sb.name), "--chdir", HOME_IN_JAIL]);
        cmd.arg("--clearenv");
        let base_env = [
            ("HOME", HOME_IN_JAIL),
            ("USER", "daytona"),
            ("LOGNAME", "daytona"),
            ("SHELL", "/bin/bash"),
            ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            ("LANG", "C.UTF-8"),
            ("TERM", "xterm-256color"),
        ];
        for (k, v) in base_env {
            cmd.args(["--setenv", k, v]);
        }
        cmd.args(["--setenv", "DAYTONA_SANDBOX_ID", &sb.id]);
        for (k, v) in &sb.env {
            cmd.args(["--setenv", k, v]);
        }
        cmd.args([
            AGENT_IN_JAIL,
            "agent",
            "--listen-fd",
            &AGENT_LISTEN_FD.to_string(),
            "--home",
            HOME_IN_JAIL,
        ]);
        if uplink.is_some() {
            cmd.args(["--lifeline-fd", &AGENT_LIFELINE_FD.to_string()]);
        }
        // The agent's stderr goes to a per-sandbox log outside the jail: sandbox processes
        // (same uid as the agent) can write to it, so it must not be the server's own log.
        let log_path = self.agent_log(&sb.id);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("opening {}: {e}", log_path.display()))?;
        let uplink_log = log.try_clone().map_err(|e| format!("opening {}: {e}", log_path.display()))?;
        // Its own process group: a Ctrl-C meant for the server does not reach the jail.
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::from(log)).process_group(0);
        let listen_fd = std::os::fd::AsRawFd::as_raw_fd(&listener);
        // SAFETY: dup2 is async-signal-safe; the new descriptor is not close-on-exec, so bwrap
        // and then the agent inherit it.
        unsafe {
            cmd.pre_exec(move || {
                let ok = if listen_fd == AGENT_LISTEN_FD {
                    // dup2 onto itself would keep close-on-exec: clear it instead.
                    libc::fcntl(listen_fd, libc::F_SETFD, 0) != -1
                } else {
                    libc::dup2(listen_fd, AGENT_LISTEN_FD) != -1
                };
                if ok { Ok(()) } else { Err(std::io::Error::last_os_error()) }
            });
        }
        if let Some(uplink) = &uplink {
            uplink.hand_to(&mut cmd, AGENT_LIFELINE_FD);
        }
        let cgroup = match self.cgroups.limit(&sb.id, sb.cpu, sb.memory) {
            Ok(g) => {
                g.join_on_spawn(&mut cmd);
                Some(g)
            }
            Err(e) => {
                tracing::debug!("sandbox {} runs without resource limits: {e}", sb.id);
                None
            }
        };
        let spawned = cmd.spawn();
        drop(listener);
        let child = match spawned {
            Ok(c) => c,
            Err(e) => {
                if let Some(g) = cgroup {
                    g.remove();
                }
                return Err(match e.kind() {
                    std::io::ErrorKind::NotFound => "bubblewrap (bwrap) is not installed; run scripts/setup.sh".into(),
                    _ => format!("starting bwrap: {e}"),
                });
            }
        };
        let pid = child.id().map(|p| p as i32).unwrap_or_default();
        if let Some(started) = start_time(pid) {
            use std::os::unix::fs::OpenOptionsExt;
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(self.pid_file(&sb.id))
                .and_then(|mut f| std::io::Write::write_all(&mut f, format!("{pid} {started}\n").as_bytes()));
            if let Err(e) = written {
                tracing::warn!("sandbox {}: pid file: {e}", sb.id);
            }
        }
        let mut jail = Jail::new(pid, Some(child), cgroup);
        // The network comes up while the agent boots.
        let network = async {
            match uplink {
                Some(uplink) => {
                    let allow_list = AllowList::parse(sb.network_allow_list.as_deref())?;
                    uplink.attach(pid, allow_list, uplink_log).await
                }
                None => Ok(()),
            }
        };
        let agent = async {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
            loop {
                if !jail.running() {
                    return Err(format!("sandbox exited during start-up: {}", self.agent_log_tail(&sb.id)));
                }
                if agent_client::is_ready(&socket).await {
                    return Ok(());
                }
                if tokio::time::Instant::now() > deadline {
                    return Err("toolbox agent did not come up within 15 s".to_owned());
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        // The first failure ends the wait (the other side is dropped).
        let failure = match tokio::try_join!(network, agent) {
            Ok(((), ())) => {
                self.jails.lock().unwrap_or_else(|e| e.into_inner()).insert(sb.id.clone(), jail);
                return Ok(());
            }
            Err(e) => e,
        };
        // Leave nothing behind: no jail, no cgroup, no pid file.
        jail.kill();
        jail.ended_within(Duration::from_secs(5)).await;
        let _ = std::fs::remove_file(self.pid_file(&sb.id));
        self.release(jail);
        Err(failure)
    }

    /// Stops the jail of `id`: SIGTERM to its agent, then SIGKILL to the whole jail after a
    /// grace period (at once if `force`).
    pub async fn stop(&self, id: &str, force: bool) {
        let jail = self.jails.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
        let Some(mut jail) = jail else { return };
        let _ = std::fs::remove_file(self.pid_file(id));
        if !force {
            // The agent ends its sessions and PTYs; bwrap exits with it.
            jail.signal_agent(libc::SIGTERM);
            let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
            while jail.bwrap_alive() && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        // Whatever the sandbox still runs ends with its namespace's init.
        jail.kill();
        jail.ended_within(Duration::from_secs(5)).await;
        self.release(jail);
    }

    /// Stops every jail (clean server shutdown); their records stay `started`, so they start
    /// again with the server.
    pub async fn stop_all(&self) {
        let ids: Vec<String> = self.jails.lock().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect();
        for id in ids {
            self.stop(&id, true).await;
        }
    }

    fn release(&self, jail: Jail) {
        if let Some(g) = jail.cgroup {
            g.remove();
        }
    }

    /// Applies new limits to a running sandbox, or checks they can be applied.
    pub fn resize(&self, id: &str, cpus: i64, memory_gib: i64) -> Result<(), String> {
        if let Some(why) = self.limits_unavailable() {
            return Err(why);
        }
        let jails = self.jails.lock().unwrap_or_else(|e| e.into_inner());
        match jails.get(id).and_then(|j| j.cgroup.as_ref()) {
            Some(g) => g.set(cpus, memory_gib),
            None => Ok(()),
        }
    }

    /// Deletes every file of sandbox `id` (the jail must be stopped).
    pub fn remove_files(&self, id: &str) {
        for dir in [self.sandboxes_dir.join(id), self.run_dir.join(id)] {
            if let Err(e) = std::fs::remove_dir_all(&dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!("removing {}: {e}", dir.display());
                }
            }
        }
    }
}

/// Copies this very binary (via `/proc/self/exe`, which stays valid even if the file on disk
/// is replaced by a rebuild or an upgrade) next to the sockets; jails run that copy as agent.
fn install_agent(run_dir: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let target = run_dir.join("daytona-agent");
    let tmp = run_dir.join(format!(".daytona-agent.{}", std::process::id()));
    std::fs::copy("/proc/self/exe", &tmp)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
    std::fs::rename(&tmp, &target)?;
    Ok(target)
}

/// Uid and gid of the sandbox user `daytona`.
pub const SANDBOX_UID: u32 = 1000;

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Gives `dir` to the sandbox user (not recursive: files inside are created by that user).
fn chown_to_sandbox_user(dir: &Path) -> std::io::Result<()> {
    std::os::unix::fs::chown(dir, Some(SANDBOX_UID), Some(SANDBOX_UID))
}

/// Read-only binds of the host's system directories (merged-/usr aware).
fn system_binds() -> Vec<String> {
    let mut args: Vec<String> = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
        .map(String::from)
        .to_vec();
    for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
        let p = Path::new(top);
        match std::fs::read_link(p) {
            Ok(target) => args.extend(["--symlink".into(), target.to_string_lossy().into_owned(), top.into()]),
            Err(_) if p.is_dir() => args.extend(["--ro-bind".into(), top.into(), top.into()]),
            Err(_) => {}
        }
    }
    args
}

/// The jail's own passwd, group, hostname and resolv.conf: user `daytona` is uid/gid 1000.
fn write_identity(etc: &Path, name: &str) -> std::io::Result<()> {
    std::fs::write(
        etc.join("passwd"),
        "root:x:0:0:root:/root:/bin/bash\n\
         daytona:x:1000:1000:Daytona:/home/daytona:/bin/bash\n\
         nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
    )?;
    std::fs::write(etc.join("group"), "root:x:0:\ndaytona:x:1000:\nnogroup:x:65534:\n")?;
    std::fs::write(etc.join("resolv.conf"), RESOLV_CONF)?;
    std::fs::write(etc.join("hostname"), format!("{}\n", hostname(name)))
}

/// A valid hostname derived from the sandbox name.
fn hostname(name: &str) -> String {
    let h: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .take(63)
        .collect();
    if h.is_empty() { "sandbox".into() } else { h }
}
