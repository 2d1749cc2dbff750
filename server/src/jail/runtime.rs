//! Running sandboxes: one bubblewrap jail per started sandbox, with the toolbox agent
//! (this binary, `agent` mode) as its main process.

use std::collections::HashMap;
use std::future::Future;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use daytona_models::Sandbox;
use tokio::process::{Child, Command};

use super::agent_client;
use super::disk::Disks;
use super::error::JailError;
use super::firewall::Firewall;
use super::identity::{self, Identities};
use super::images::{ImageRun, Images};
use super::limits::{Cgroup, CgroupHost};
use super::network::{Uplink, RESOLV_CONF};
use super::volume::{self, Volumes};
use crate::agent::workload::Join as WorkloadJoin;
use crate::wait::{self, Look};

/// Where the sandbox's home appears inside the jail.
pub const HOME_IN_JAIL: &str = "/home/daytona";
/// File descriptor on which the agent finds its listening socket (bound by the server).
const AGENT_LISTEN_FD: i32 = 3;
/// File descriptor on which the agent finds the write end of its network helper's lifeline.
const AGENT_LIFELINE_FD: i32 = 4;
/// File descriptor on which the agent finds the sandbox's `env` (a memfd holding JSON).
const AGENT_ENV_FD: i32 = 5;
/// First of the descriptors on which the agent finds the workload group's `tasks` or
/// `cgroup.procs` files (opened here, as host root: the kernel checks the opener's
/// credentials, so the agent can move its own thread or children with them; see `limits`).
const AGENT_WORKLOAD_FD: i32 = 6;
const AGENT_IN_JAIL: &str = "/opt/daytona/daytona-local";
/// Beside files kept by [`Runtime::save_files`]: the first host id of their sandbox's range.
const KEPT_IDS: &str = "ids";

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
            self.init =
                children(self.pid).into_iter().find(|&p| is_namespace_init(p)).and_then(|p| Some((p, start_time(p)?)));
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
        !self.running() && self.init().is_none() && self.cgroup.as_ref().is_none_or(|g| g.procs().is_empty())
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
    /// it (including those that started their own sessions, such as PTY shells); the cgroup,
    /// frozen first, ends whatever is left.
    async fn kill(&mut self) {
        if let Some(g) = self.cgroup.clone() {
            let _ = tokio::task::spawn_blocking(move || g.kill_all()).await;
        }
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
        let gone = || std::future::ready(if self.gone() { Look::Ready(()) } else { Look::NotYet(()) });
        wait::until(limit, Duration::from_millis(10), gone).await.is_ok()
    }

    /// Kills the jail and waits for it to end, trying again a few times; whether it ended.
    async fn end(&mut self) -> bool {
        for _ in 0..3 {
            self.kill().await;
            if self.ended_within(Duration::from_secs(5)).await {
                return true;
            }
        }
        false
    }

    /// What is left of the jail, for an error message.
    fn remains(&mut self) -> String {
        let procs = self.cgroup.as_ref().map_or(0, |g| g.procs().len());
        format!(
            "the sandbox did not end: {procs} process(es) left{}",
            if self.init().is_some() { ", its init still runs" } else { "" }
        )
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

/// How a runtime's jails are made (from `serve`'s options).
#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    /// First host id of the sandboxes' id ranges (root only).
    pub id_base: u32,
    /// Most processes and threads one sandbox may run at once.
    pub pids_limit: u32,
    /// Size of the disks kept ready for new sandboxes (the default `disk`, GiB).
    pub disk_pool_gib: i64,
    /// How many ready disks to keep.
    pub disk_pool_size: usize,
    /// Bytes of the host's filesystem new sandboxes, forks and snapshots leave free.
    pub disk_reserve: u64,
    /// Registries (`host[:port]`) pulls may reach over plain HTTP besides loopback ones.
    pub insecure_registries: Vec<String>,
}

/// The first `program` file on `PATH` or in the sbin directories.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// What a host can give its sandboxes together ([`Runtime::capacity`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostCapacity {
    /// CPU cores.
    pub cpus: u64,
    /// Memory, GiB.
    pub memory_gib: u64,
    /// Size of the filesystem of the sandboxes' files, GiB.
    pub disk_gib: u64,
}

/// Starts, stops and tracks the jails.
pub struct Runtime {
    sandboxes_dir: PathBuf,
    run_dir: PathBuf,
    /// The agent binary bound into jails (a private copy of this binary).
    exe: PathBuf,
    /// bubblewrap, found on `PATH` once at start (a jail's first process could not search
    /// directories only the server may enter, such as root's home).
    pub(super) bwrap: PathBuf,
    pub(super) cgroups: CgroupHost,
    identities: Identities,
    /// Image builds.
    pub builds: super::build::Builds,
    /// The sandboxes' disks.
    pub disks: Arc<Disks>,
    /// The volumes sandboxes mount.
    pub volumes: Volumes,
    /// The snapshots' images.
    pub images: Images,
    /// The host's loader and library directory, through which agents run on images.
    host_loader: Option<(PathBuf, String)>,
    pub(super) firewall: Firewall,
    pub(super) pids_limit: u32,
    jails: Mutex<HashMap<String, Jail>>,
    /// The kept-alive connections to the agents (the toolbox proxy's requests).
    pub agents: agent_client::Agents,
    /// Set once the server shuts down: jails go away on purpose from then on.
    shutting_down: std::sync::atomic::AtomicBool,
}

impl Runtime {
    /// A runtime keeping sandbox files under `data_dir/sandboxes`.
    pub fn new(data_dir: &Path, options: &RuntimeOptions) -> std::io::Result<Self> {
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
        let bwrap = which("bwrap").ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "bubblewrap (bwrap) is not installed: scripts/setup.sh installs it (Debian package bubblewrap)",
            )
        })?;
        let identities = Identities::new(&sandboxes_dir, options.id_base);
        if running_as_root() {
            identities.reclaim();
        }
        let volumes = Volumes::new(data_dir)?;
        let images = Images::new(data_dir, options.insecure_registries.clone())?;
        let builds = super::build::Builds::new(data_dir, options.id_base)?;
        let agents = agent_client::Agents::new(&run_dir);
        Ok(Self {
            builds,
            identities,
            volumes,
            images,
            host_loader: super::images::host_loader(),
            disks: Arc::new(Disks::new(
                &sandboxes_dir,
                options.disk_pool_gib,
                options.disk_pool_size,
                options.disk_reserve,
            )),
            firewall: Firewall::for_this_host(),
            sandboxes_dir,
            run_dir,
            exe,
            bwrap,
            cgroups: CgroupHost::detect(),
            pids_limit: options.pids_limit,
            jails: Mutex::new(HashMap::new()),
            agents,
            shutting_down: std::sync::atomic::AtomicBool::new(false),
        })
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
        agent_client::socket_path(&self.run_dir, id)
    }

    /// Whether resource limits can be enforced here, and if not, why.
    pub fn limits_unavailable(&self) -> Option<String> {
        match &self.cgroups {
            CgroupHost::Unavailable(why) => Some(why.clone()),
            _ => None,
        }
    }

    /// Whether sandboxes get id ranges of their own here, and if not, why.
    pub fn identities_unavailable(&self) -> Option<String> {
        (!running_as_root())
            .then(|| "run as a normal user, every sandbox is that user's uid on the host (no id ranges)".to_owned())
    }

    /// Whether the server is shutting down (and stopping every jail on purpose).
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether sandbox `id`'s jail is alive.
    pub fn is_running(&self, id: &str) -> bool {
        let mut jails = self.jails.lock();
        jails.get_mut(id).is_some_and(Jail::running)
    }

    /// Applies `sb`'s network settings to its running jail (nothing when it does not run):
    /// its firewall is loaded again, letting nothing out with `networkBlockAll`, else what
    /// its allow list allows. A jail started with `networkBlockAll` has no uplink to open while
    /// it runs: refused, it takes a restart.
    pub async fn apply_network(&self, sb: &Sandbox) -> Result<(), JailError> {
        let pid = {
            let mut jails = self.jails.lock();
            let Some(j) = jails.get_mut(&sb.id) else { return Ok(()) };
            if !j.running() {
                return Ok(());
            }
            j.init().unwrap_or(j.pid)
        };
        let devices = std::fs::read_to_string(format!("/proc/{pid}/net/dev")).unwrap_or_default();
        let uplinked = devices.lines().any(|l| l.trim_start().starts_with("tap0:"));
        if !uplinked {
            if sb.network_block_all {
                return Ok(());
            }
            return Err(JailError::Unsupported(format!(
                "sandbox {} was started without network (networkBlockAll): stop it, then start it again to open its network",
                sb.id
            )));
        }
        let firewall = match sb.network_block_all {
            true => self.firewall.blocking_all(),
            false => self.firewall.with_allow_list(sb.network_allow_list.as_deref())?,
        };
        firewall.apply(pid, running_as_root()).await.map_err(JailError::Failed)
    }

    /// Freezes (pause) or thaws (resume) everything sandbox `id` runs, its agent included;
    /// refused where its jail has no cgroup to freeze.
    pub async fn set_frozen(&self, id: &str, frozen: bool) -> Result<(), JailError> {
        let group = self.jails.lock().get(id).map(|j| j.cgroup.clone());
        let Some(group) = group else {
            return Err(JailError::Failed(format!("sandbox {id} is not running")));
        };
        let Some(group) = group else {
            return Err(JailError::Unsupported(
                "pausing needs cgroups for sandboxes on this host (daytona-local runs them without): stop the sandbox instead"
                    .into(),
            ));
        };
        tokio::task::spawn_blocking(move || group.set_frozen(frozen))
            .await
            .map_err(|e| JailError::Failed(e.to_string()))?
            .map_err(|why| match frozen {
                true => JailError::Unsupported(format!("the sandbox cannot be paused: {why}")),
                false => JailError::Failed(format!("the sandbox cannot be resumed: {why}")),
            })
    }

    /// Gives sandbox `to` a copy of sandbox `from`'s files (a fork) with ids of its own range.
    /// `from` is frozen while its disk is copied when `still` (a started one: what it writes
    /// meanwhile waits), then runs on.
    pub async fn copy_files(&self, from: &str, to: &str, still: bool) -> Result<(), JailError> {
        let copied = self.held_still(from, still, self.disks.copy(from, to)).await;
        let root = copied?;
        if self.identities_unavailable().is_none() {
            let source = self.range_of(from)?;
            self.shift_files(root, source, to).await?;
        }
        Ok(())
    }

    /// Keeps a copy of sandbox `from`'s files in `dir` (a snapshot made from a sandbox): as
    /// [`Runtime::copy_files`] copies them, with the first host id of the sandbox's range
    /// noted beside them (see [`Runtime::restore_files`]).
    pub async fn save_files(&self, from: &str, dir: &Path, still: bool) -> Result<(), JailError> {
        self.held_still(from, still, self.disks.save(from, dir)).await?;
        if self.identities_unavailable().is_none() {
            let first = self.range_of(from)?.first;
            std::fs::write(dir.join(KEPT_IDS), first.to_string()).map_err(|e| format!("noting the ids: {e}"))?;
        }
        Ok(())
    }

    /// Gives a new sandbox `to` the files [`Runtime::save_files`] kept in `dir`, in its own
    /// host id range.
    pub async fn restore_files(&self, dir: &Path, to: &str) -> Result<(), JailError> {
        let root = self.disks.restore(dir, to).await?;
        if self.identities_unavailable().is_none() {
            let noted = std::fs::read_to_string(dir.join(KEPT_IDS)).unwrap_or_default();
            let first =
                noted.trim().parse().map_err(|_| format!("the ids noted with {} are unreadable", dir.display()))?;
            self.shift_files(root, identity::IdRange { first }, to).await?;
        }
        Ok(())
    }

    /// Runs `work` with sandbox `id` frozen if `still` (and it can be), thawed after.
    async fn held_still<T>(&self, id: &str, still: bool, work: impl Future<Output = T>) -> T {
        let frozen = still && self.set_frozen(id, true).await.is_ok();
        let done = work.await;
        if frozen {
            if let Err(e) = self.set_frozen(id, false).await {
                tracing::error!("sandbox {id}: thawing after its files were copied: {e}");
            }
        }
        done
    }

    fn range_of(&self, id: &str) -> Result<identity::IdRange, JailError> {
        self.identities.range(id).map_err(|e| format!("the ids of sandbox {id}: {e}").into())
    }

    /// Moves the files under `root` from host ids of range `from` to sandbox `to`'s own.
    async fn shift_files(&self, root: PathBuf, from: identity::IdRange, to: &str) -> Result<(), JailError> {
        let range = self.range_of(to)?;
        tokio::task::spawn_blocking(move || identity::shift_tree(&root, from, range))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("giving sandbox {to} its own ids: {e}").into())
    }

    /// What sandbox `id`'s cgroup has used, if it runs in one.
    pub fn usage(&self, id: &str) -> Option<super::limits::Usage> {
        self.jails.lock().get(id).and_then(|j| j.cgroup.as_ref()).map(Cgroup::usage)
    }

    /// Size, used and free bytes of the filesystem of sandbox `id`'s home (its own disk where
    /// disks are available, else the host's filesystem it shares).
    pub fn disk_usage(&self, id: &str) -> Option<(u64, u64, u64)> {
        let dir = self.sandboxes_dir.join(id);
        let home = [dir.join("disk").join("home"), dir.join("home")].into_iter().find(|p| p.exists())?;
        let st = super::disk::statvfs(&home)?;
        let block = st.f_frsize;
        let total = st.f_blocks * block;
        let free = st.f_bavail * block;
        Some((total, total.saturating_sub(st.f_bfree * block), free))
    }

    /// What this host can give its sandboxes together: its CPU cores, its memory and the size
    /// of the filesystem their files live on (GiB, rounded down).
    pub fn capacity(&self) -> HostCapacity {
        const GIB: u64 = 1 << 30;
        let memory_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
            m.lines().find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        });
        HostCapacity {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
            memory_gib: memory_kib.unwrap_or(0) * 1024 / GIB,
            disk_gib: super::disk::filesystem_bytes(&self.sandboxes_dir).unwrap_or(0) / GIB,
        }
    }

    /// Where the jail's pid is kept: outside anything mounted into the jail.
    fn pid_file(&self, id: &str) -> PathBuf {
        self.sandboxes_dir.join(id).join("jail.pid")
    }

    /// Sandbox `sb`'s cgroup with its limits, if this host has cgroups for us.
    fn cgroup(&self, sb: &Sandbox) -> Option<Cgroup> {
        match self.cgroups.limit(&sb.id, sb.cpu, sb.memory, self.pids_limit) {
            Ok(g) => Some(g),
            Err(e) => {
                tracing::debug!("sandbox {} runs without resource limits: {e}", sb.id);
                None
            }
        }
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
        let cgroup = self.cgroup(sb);
        // A paused sandbox's jail is frozen: thawed to be asked (its owner freezes it again).
        if let Some(g) = cgroup.clone() {
            let _ = tokio::task::spawn_blocking(move || g.set_frozen(false)).await;
        }
        if !agent_client::is_ready(&self.socket(&sb.id)).await {
            // Ours (the pid file is out of the jail's reach) but not answering: end it, so
            // that a fresh start does not run a second jail on the same home.
            let mut jail = Jail::new(pid, None, cgroup);
            jail.end().await;
            self.release(jail);
            return false;
        }
        self.jails.lock().insert(sb.id.clone(), Jail::new(pid, None, cgroup));
        true
    }

    /// Starts the jail of `sb` and waits until its agent answers: ends what a dead jail left,
    /// spawns the new one, brings its network up while its agent boots, and leaves nothing
    /// behind if any of it fails. It runs on the image of `image`'s snapshot if given, else on
    /// the host's userland.
    pub async fn start(&self, sb: &Sandbox, image: Option<&ImageRun>) -> Result<(), JailError> {
        if self.is_running(&sb.id) {
            return Ok(());
        }
        self.end_stale(&sb.id).await?;
        let (mut jail, uplink) = self.spawn(sb, image).await?;
        let failure = match self.until_ready(sb, &mut jail, uplink).await {
            Ok(()) => {
                self.jails.lock().insert(sb.id.clone(), jail);
                return Ok(());
            }
            Err(e) => e,
        };
        // Leave nothing behind: no jail, no cgroup, no pid file.
        if jail.end().await {
            let _ = std::fs::remove_file(self.pid_file(&sb.id));
            self.release(jail);
            return Err(failure);
        }
        let why = jail.remains();
        self.jails.lock().insert(sb.id.clone(), jail);
        Err(format!("{failure}; {why}").into())
    }

    /// Ends what a jail of `id` whose agent died may have left running on the same home.
    async fn end_stale(&self, id: &str) -> Result<(), JailError> {
        let Some(mut stale) = self.jails.lock().remove(id) else { return Ok(()) };
        if !stale.end().await {
            let why = stale.remains();
            self.jails.lock().insert(id.to_owned(), stale);
            return Err(why.into());
        }
        self.release(stale);
        Ok(())
    }

    /// Prepares and spawns the jail of `sb` in its cgroup and user namespace, with its pid
    /// file written; returns it with its network uplink (none when `networkBlockAll`).
    async fn spawn(&self, sb: &Sandbox, image: Option<&ImageRun>) -> Result<(Jail, Option<Uplink>), JailError> {
        let jail = Jailed::prepare(self, sb, image).await?;
        let cgroup = self.cgroup(sb);
        let workload = cgroup.as_ref().and_then(Cgroup::workload_join);
        let (mut cmd, uplink, handed_over, userns) = jail.command(self, sb, workload.as_ref())?;
        if let Some(g) = &cgroup {
            g.join_on_spawn(&mut cmd);
        }
        // Last, after the cgroup join (written as host root): become root of the sandbox's
        // user namespace, so that bwrap's namespaces, and the network one, belong to it.
        if let Some(ns) = &userns {
            let (ns, net) = (ns.as_raw_fd(), uplink.is_some());
            // SAFETY: identity::enter makes async-signal-safe calls only.
            unsafe { cmd.pre_exec(move || identity::enter(ns, net)) };
        }
        let spawned = cmd.spawn();
        drop((handed_over, userns));
        let child = match spawned {
            Ok(c) => c,
            Err(e) => {
                if let Some(g) = cgroup {
                    g.remove();
                }
                return Err(format!("starting bwrap: {e}").into());
            }
        };
        let pid = child.id().map(|p| p as i32).unwrap_or_default();
        self.write_pid_file(&sb.id, pid);
        Ok((Jail::new(pid, Some(child), cgroup), uplink))
    }

    /// Waits until the agent of `jail` answers on its socket, connecting the network (and
    /// loading its firewall) meanwhile; the first failure ends the wait.
    async fn until_ready(&self, sb: &Sandbox, jail: &mut Jail, uplink: Option<Uplink>) -> Result<(), JailError> {
        let pid = jail.pid;
        let network = async {
            match uplink {
                Some(uplink) => {
                    let firewall = self.firewall.with_allow_list(sb.network_allow_list.as_deref())?;
                    uplink.attach(pid, firewall, jail_log(self, &sb.id)?).await
                }
                None => Ok(()),
            }
        };
        let socket = self.socket(&sb.id);
        let (socket, id) = (&socket, &sb.id);
        let agent = wait::until(Duration::from_secs(15), Duration::from_millis(5), || {
            let running = jail.running();
            async move {
                if !running {
                    Look::Failed(JailError::Failed(format!(
                        "sandbox exited during start-up: {}",
                        self.agent_log_tail(id)
                    )))
                } else if agent_client::is_ready(socket).await {
                    Look::Ready(())
                } else {
                    Look::NotYet(JailError::from("toolbox agent did not come up within 15 s"))
                }
            }
        });
        tokio::try_join!(network, agent).map(drop)
    }

    fn write_pid_file(&self, id: &str, pid: i32) {
        let Some(started) = start_time(pid) else { return };
        use std::os::unix::fs::OpenOptionsExt;
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(self.pid_file(id))
            .and_then(|mut f| std::io::Write::write_all(&mut f, format!("{pid} {started}\n").as_bytes()));
        if let Err(e) = written {
            tracing::warn!("sandbox {id}: pid file: {e}");
        }
    }

    /// Stops the jail of `id`: SIGTERM to its agent, then SIGKILL to the whole jail after a
    /// grace period (at once if `force`). An error when something of it is still alive after
    /// several attempts (the jail is kept, so a later stop tries again).
    pub async fn stop(&self, id: &str, force: bool) -> Result<(), JailError> {
        let jail = self.jails.lock().remove(id);
        let Some(mut jail) = jail else { return Ok(()) };
        if !force {
            // The agent ends its sessions and PTYs; bwrap exits with it.
            jail.signal_agent(libc::SIGTERM);
            let ended = || std::future::ready(if jail.bwrap_alive() { Look::NotYet(()) } else { Look::Ready(()) });
            let _ = wait::until(Duration::from_secs(3), Duration::from_millis(10), ended).await;
        }
        // Whatever the sandbox still runs ends with its namespace's init and its cgroup.
        if !jail.end().await {
            let why = jail.remains();
            self.jails.lock().insert(id.to_owned(), jail);
            return Err(why.into());
        }
        let _ = std::fs::remove_file(self.pid_file(id));
        self.release(jail);
        Ok(())
    }

    /// Stops every jail and unmounts every disk (clean server shutdown); the records stay
    /// `started`, so they start again with the server.
    pub async fn stop_all(&self) {
        self.shutting_down.store(true, std::sync::atomic::Ordering::SeqCst);
        let ids: Vec<String> = self.jails.lock().keys().cloned().collect();
        for id in ids {
            if let Err(e) = self.stop(&id, true).await {
                tracing::error!("sandbox {id}: {e}");
            }
        }
        self.disks.unmount_all().await;
    }

    fn release(&self, jail: Jail) {
        if let Some(g) = jail.cgroup {
            if !g.remove() {
                tracing::warn!("a sandbox cgroup could not be removed (processes left in it)");
            }
        }
    }

    /// Applies new limits to a running sandbox, or checks they can be applied.
    pub fn resize(&self, id: &str, cpus: i64, memory_gib: i64) -> Result<(), JailError> {
        if let Some(why) = self.limits_unavailable() {
            return Err(JailError::Unsupported(format!("Cannot apply CPU/memory limits: {why}")));
        }
        let jails = self.jails.lock();
        match jails.get(id).and_then(|j| j.cgroup.as_ref()) {
            Some(g) => Ok(g.set(cpus, memory_gib)?),
            None => Ok(()),
        }
    }

    /// Deletes every file of sandbox `id` (the jail must be stopped).
    pub async fn remove_files(&self, id: &str) {
        self.disks.unmount(id).await;
        self.identities.release(id);
        for dir in [self.sandboxes_dir.join(id), self.run_dir.join(id)] {
            if let Err(e) = std::fs::remove_dir_all(&dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!("removing {}: {e}", dir.display());
                }
            }
        }
    }
}

/// The append-only log of a sandbox's jail, agent and network helper (outside the jail).
fn jail_log(rt: &Runtime, id: &str) -> Result<std::fs::File, JailError> {
    let path = rt.agent_log(id);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("opening {}: {e}", path.display()).into())
}

/// What a jail is made of, prepared before its bwrap command line: its home (on its own
/// disk), its `/etc` files, and its user namespace (over its id range; none unprivileged).
struct Jailed {
    home: PathBuf,
    etc: PathBuf,
    userns: Option<OwnedFd>,
    /// Its volumes, parents first.
    volumes: Vec<volume::Mount>,
    /// Its snapshot's image, if it runs on one (else on the host's userland).
    image: Option<ImageRootfs>,
}

/// A jail's root on an image: the image's files idmapped through the sandbox's user namespace
/// (a detached mount tree), under a writable layer on the sandbox's disk (`upper/`, `work/`
/// beside what is otherwise its home), and how to run in it.
struct ImageRootfs {
    lower: OwnedFd,
    env: Vec<(String, String)>,
    work_dir: Option<String>,
    /// Who it runs as, and that user's home.
    user: super::images::ImageUser,
    /// Run first, as the entrypoint session.
    entrypoint: Vec<String>,
}

impl Jailed {
    async fn prepare(rt: &Runtime, sb: &Sandbox, image: Option<&ImageRun>) -> Result<Self, JailError> {
        if image.is_some() && (!running_as_root() || rt.host_loader.is_none()) {
            return Err(JailError::Unsupported(
                "sandboxes on images need daytona-local to run as root on a glibc host".into(),
            ));
        }
        let ids = match running_as_root() {
            true => Some(rt.identities.range(&sb.id).map_err(|e| format!("allocating the sandbox's ids: {e}"))?),
            false => None,
        };
        // The sandbox user's host id: its range's 1000, or (unprivileged) our own uid.
        // SAFETY: geteuid has no preconditions.
        let owner = ids.map_or_else(|| unsafe { libc::geteuid() }, |r| r.host(SANDBOX_UID));
        let home = rt.disks.prepare(&sb.id, sb.disk, owner).await?;
        // Tops the pool of ready disks up again (nothing to do where disks are unavailable).
        tokio::spawn(Arc::clone(&rt.disks).refill());
        let run = rt.run_dir.join(&sb.id);
        let etc = rt.sandboxes_dir.join(&sb.id).join("etc");
        for d in [&run, &etc] {
            std::fs::create_dir_all(d).map_err(|e| format!("creating {}: {e}", d.display()))?;
        }
        // The agent's socket: the server's alone.
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .map_err(|e| format!("chmod: {e}"))?;
        write_identity(&etc, &sb.name).map_err(|e| format!("writing /etc files: {e}"))?;
        let userns = match ids {
            Some(range) => Some(
                tokio::task::spawn_blocking(move || identity::user_namespace(range))
                    .await
                    .map_err(|e| format!("user namespace: {e}"))?
                    .map_err(|e| format!("user namespace: {e}"))?,
            ),
            None => None,
        };
        let image = match (image, &userns, ids) {
            (Some(run), Some(ns), Some(range)) => Some(image_rootfs(rt, run, &home, ns, range)?),
            _ => None,
        };
        // The volumes' files are the sandbox user's, whoever that is (see `volume_namespace`).
        let wanted = wanted_volumes(sb)?;
        let (uid, gid) =
            image.as_ref().map_or((SANDBOX_UID, SANDBOX_UID), |i| (i.user.runs_as.uid, i.user.runs_as.gid));
        let idmap = match ids {
            Some(range) if !wanted.is_empty() => Some(
                tokio::task::spawn_blocking(move || identity::volume_namespace(range, uid, gid))
                    .await
                    .map_err(|e| format!("volumes' id map: {e}"))?
                    .map_err(|e| format!("volumes' id map: {e}"))?,
            ),
            _ => None,
        };
        // Numbered above the descriptors a jail's are moved to, as [`high_fd`] says.
        let volumes = rt
            .volumes
            .prepare(&wanted, idmap.as_ref())?
            .into_iter()
            .map(|m| Ok(volume::Mount { source: high_fd(m.source)?, ..m }))
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| format!("volume descriptor: {e}"))?;
        Ok(Self { home, etc, userns, volumes, image })
    }

    /// The bwrap command of the jail, its network uplink (none with `networkBlockAll`), the
    /// descriptors it hands the agent (to close once spawned) and the user namespace to enter.
    /// `workload`: how the agent joins the sandbox's workload group and through which files,
    /// if it has one.
    #[allow(clippy::type_complexity)]
    fn command(
        self,
        rt: &Runtime,
        sb: &Sandbox,
        workload: Option<&(WorkloadJoin, Vec<PathBuf>)>,
    ) -> Result<(Command, Option<Uplink>, Vec<OwnedFd>, Option<OwnedFd>), JailError> {
        // The server binds the agent's socket in a directory the jail cannot see and hands the
        // listening descriptor over: the sandbox can never swap the path for something else.
        let socket = rt.socket(&sb.id);
        let _ = std::fs::remove_file(&socket);
        let listener = std::os::unix::net::UnixListener::bind(&socket)
            .map_err(|e| format!("binding {}: {e}", socket.display()))?;
        let userns = self.userns;
        let cpath = |p: &Path| std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string());
        let sources = match userns.is_some() {
            true => vec![cpath(&self.home)?, cpath(&self.etc)?, cpath(&rt.exe)?],
            false => Vec::new(),
        };
        // Its own network namespace either way: bwrap makes one with only `lo` for a blocked
        // sandbox; otherwise the jail's first process makes it (as root of the sandbox's user
        // namespace, or through unshare(1) when unprivileged, as bwrap 0.8 cannot join one)
        // and slirp4netns connects it once the jail runs.
        let uplink = match sb.network_block_all {
            true => None,
            false => Some(Uplink::new().map_err(|e| format!("network: {e}"))?),
        };
        let mut cmd = match (&uplink, &userns) {
            (Some(_), None) => {
                let mut unshare = Command::new("unshare");
                unshare.args(["--net", "--user", "--map-root-user"]).arg(&rt.bwrap);
                unshare
            }
            _ => Command::new(&rt.bwrap),
        };
        // bwrap stays in the jail as its pid 1, and the sandbox user may read its
        // /proc/1/environ: give it none of the server's environment (which may hold the API
        // key as DAYTONA_LOCAL_API_KEY), only PATH to find itself.
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        // The root: the host's system directories, read-only, or the sandbox's image under its
        // writable layer (an overlay `stage` mounts), with the host's loader and libraries at a
        // private path for the agent alone.
        match (&self.image, &rt.host_loader) {
            (Some(_), Some((libs, _))) => {
                cmd.args(["--bind", STAGE_ROOT, "/"]);
                cmd.arg("--ro-bind").arg(libs).arg(HOST_LIBS_IN_JAIL);
            }
            _ => {
                cmd.args(system_binds());
            }
        }
        // /tmp and /dev/shm (POSIX semaphores, e.g. Python multiprocessing) must be writable
        // by the unprivileged sandbox user: sticky and world-writable, as on a normal system;
        // both memory, so bounded by half and a quarter of the sandbox's memory (a full /tmp
        // gets ENOSPC, not the memory limit's OOM kill).
        let tmp_bytes = (sb.memory.max(1) as u64) << 29;
        let shm_bytes = (sb.memory.max(1) as u64) << 28;
        cmd.args(["--proc", "/proc", "--dev", "/dev"]);
        cmd.args(["--perms", "1777", "--size", &shm_bytes.to_string(), "--tmpfs", "/dev/shm"]);
        cmd.args(["--perms", "1777", "--size", &tmp_bytes.to_string(), "--tmpfs", "/tmp"]);
        // With a user namespace, bwrap runs as the sandbox's own (unprivileged) root, which
        // cannot pass through the 0700 data dir: the jail's files are bind-mounted for it on a
        // private /tmp of a mount namespace made first (see `stage`).
        let staged = userns.is_some();
        let (etc, home, exe) = match staged {
            true => (PathBuf::from(STAGE_ETC), PathBuf::from(STAGE_HOME), PathBuf::from(STAGE_AGENT)),
            false => (self.etc.clone(), self.home.clone(), rt.exe.clone()),
        };
        // An image has its own users (those its USER and files name); the host's userland has
        // ours (root, daytona, nobody).
        let users: &[&str] = if self.image.is_some() { &[] } else { &["passwd", "group"] };
        for f in users.iter().chain(&["hostname"]) {
            cmd.arg("--ro-bind").arg(etc.join(f)).arg(format!("/etc/{f}"));
        }
        if uplink.is_some() {
            cmd.arg("--ro-bind").arg(etc.join("resolv.conf")).arg("/etc/resolv.conf");
        }
        // Directories bwrap creates for mount points are 0700 root: make ours traversable.
        let parents: &[&str] = if self.image.is_some() { &["/opt"] } else { &["/home", "/opt"] };
        for parent in parents {
            cmd.args(["--perms", "0755", "--dir", parent]);
        }
        // On an image the home is in the writable layer, on the same disk.
        if self.image.is_none() {
            cmd.arg("--bind").arg(&home).arg(HOME_IN_JAIL);
        }
        cmd.arg("--ro-bind").arg(&exe).arg(AGENT_IN_JAIL);
        // Volumes, over the home if mounted in it: staged (idmapped) trees, or unprivileged,
        // the descriptor of the directory itself (bwrap closes it once bound).
        let mut volume_stages = Vec::new();
        for (n, m) in self.volumes.iter().enumerate() {
            match staged {
                true => {
                    let at = format!("{STAGE_VOLUMES}/{n}");
                    cmd.arg("--bind").arg(&at).arg(&m.target);
                    let at = std::ffi::CString::new(at).map_err(|e| e.to_string())?;
                    volume_stages.push((m.source.as_raw_fd(), at));
                }
                false => {
                    let fd = m.source.as_raw_fd();
                    cmd.args(["--bind-fd", &fd.to_string(), &m.target]);
                    hand_fd(&mut cmd, fd, fd);
                }
            }
        }
        // The jail's root is bwrap's own tmpfs, which belongs to the sandbox user when no id
        // range maps it elsewhere (a server run by a normal user): read-only, as system
        // directories are, once every mount point on it exists. (An image's root is writable.)
        if self.image.is_none() {
            cmd.args(["--remount-ro", "/"]);
        }
        cmd.args(["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"]);
        if sb.network_block_all {
            cmd.arg("--unshare-net");
        }
        if !staged {
            // Unprivileged: bwrap's user namespace maps our own uid to the sandbox user.
            cmd.args(["--unshare-user", "--uid", &SANDBOX_UID.to_string(), "--gid", &SANDBOX_UID.to_string()]);
        }
        // As root of the sandbox's own user namespace, bwrap runs without one of its own: the
        // agent drops to the sandbox user itself, after it has read the sandbox's env.
        // No --die-with-parent: a jail outlives a crash of the server, which adopts it on restart.
        // An image's WORKDIR, made if the image lacks it; without one, `/`, where the agent
        // goes to its user's home once it has made it.
        let work_dir = match &self.image {
            Some(image) => image.work_dir.clone().unwrap_or_else(|| "/".into()),
            None => HOME_IN_JAIL.into(),
        };
        if work_dir != HOME_IN_JAIL && work_dir != "/" {
            cmd.args(["--dir", &work_dir]);
        }
        cmd.args(["--hostname", &hostname(&sb.name), "--chdir", &work_dir]);
        cmd.arg("--clearenv");
        // An image user's name and home come with the image's ENV, below.
        let user_env = [("HOME", HOME_IN_JAIL), ("USER", "daytona"), ("LOGNAME", "daytona")];
        let user_env = if self.image.is_some() { &[][..] } else { &user_env[..] };
        let base_env = [
            ("SHELL", "/bin/bash"),
            ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            ("LANG", "C.UTF-8"),
            ("TERM", "xterm-256color"),
        ];
        for (k, v) in user_env.iter().chain(&base_env) {
            cmd.args(["--setenv", k, v]);
        }
        cmd.args(["--setenv", "DAYTONA_SANDBOX_ID", &sb.id]);
        // The sandbox's own env never goes into an argv or the environment of bwrap (root of
        // the namespace, whose loader would honour LD_PRELOAD): the agent reads it from a
        // descriptor once it is the unprivileged sandbox user.
        // An image's user, its name and home, and its ENV come the same way, under the
        // sandbox's own.
        let mut env = std::collections::BTreeMap::new();
        if let Some(image) = &self.image {
            let name = image.user.name.clone();
            env.extend([
                ("HOME".into(), image.user.runs_as.home.to_string_lossy().into_owned()),
                ("USER".into(), name.clone()),
                ("LOGNAME".into(), name),
            ]);
            env.extend(image.env.iter().cloned());
        }
        env.extend(sb.env.iter().map(|(k, v)| (k.clone(), v.clone())));
        let entrypoint = self.image.as_ref().map(|i| i.entrypoint.clone()).unwrap_or_default();
        let user = self.image.as_ref().map(|i| i.user.runs_as.clone());
        let env = env_memfd(&crate::agent::JailInput { env, entrypoint, user })
            .map_err(|e| format!("passing the env: {e}"))?;
        if let (Some(_), Some((_, loader))) = (&self.image, &rt.host_loader) {
            // The image's own loader and libraries, if any, are not the ones it was built for.
            cmd.arg(format!("{HOST_LIBS_IN_JAIL}/{loader}")).args(["--library-path", HOST_LIBS_IN_JAIL]);
        }
        cmd.args([AGENT_IN_JAIL, "agent", "--listen-fd", &AGENT_LISTEN_FD.to_string(), "--home", HOME_IN_JAIL]);
        cmd.args(["--env-fd", &AGENT_ENV_FD.to_string()]);
        if uplink.is_some() {
            cmd.args(["--lifeline-fd", &AGENT_LIFELINE_FD.to_string()]);
        }
        let mut handed_over = Vec::new();
        let (join, files) = workload.map_or((None, &[][..]), |(join, files)| (Some(*join), files.as_slice()));
        if let Some(join) = join.and_then(|j| clap::ValueEnum::to_possible_value(&j)) {
            cmd.args(["--workload-join", join.get_name()]);
        }
        for (n, file) in (AGENT_WORKLOAD_FD..).zip(files) {
            let procs = std::fs::OpenOptions::new().write(true).open(file);
            handed_over
                .push(procs.and_then(|f| high_fd(f.into())).map_err(|e| format!("opening {}: {e}", file.display()))?);
            cmd.args(["--workload-fd", &n.to_string()]);
        }
        // The agent's stderr goes to a per-sandbox log outside the jail: sandbox processes
        // (same uid as the agent) can write to it, so it must not be the server's own log.
        let log = jail_log(rt, &sb.id)?;
        // Its own process group: a Ctrl-C meant for the server does not reach the jail.
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::from(log)).process_group(0);
        let listen_fd = listener.as_raw_fd();
        let env_fd = env.as_raw_fd();
        // SAFETY: dup2/fcntl are async-signal-safe; the new descriptors are not close-on-exec,
        // so bwrap and then the agent inherit them. The memfd is numbered above every target
        // (see `high_fd`), so moving the listener cannot overwrite it.
        unsafe {
            cmd.pre_exec(move || {
                let keep = |from: i32, to: i32| {
                    if from == to {
                        // dup2 onto itself would keep close-on-exec: clear it instead.
                        libc::fcntl(from, libc::F_SETFD, 0) != -1
                    } else {
                        libc::dup2(from, to) != -1
                    }
                };
                if keep(listen_fd, AGENT_LISTEN_FD) && keep(env_fd, AGENT_ENV_FD) {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        // After the listener's move (it may sit on one of these numbers before).
        for (file, n) in handed_over.iter().zip(AGENT_WORKLOAD_FD..) {
            hand_fd(&mut cmd, file.as_raw_fd(), n);
        }
        if let Some(uplink) = &uplink {
            uplink.hand_to(&mut cmd, AGENT_LIFELINE_FD);
        }
        let image_lower = self.image.as_ref().map(|i| i.lower.as_raw_fd());
        if let Ok(sources) = <[std::ffi::CString; 3]>::try_from(sources) {
            // SAFETY: `stage` makes async-signal-safe calls only.
            unsafe { cmd.pre_exec(move || stage(&sources, &volume_stages, image_lower)) };
        }
        handed_over.extend([OwnedFd::from(listener), env]);
        handed_over.extend(self.volumes.into_iter().map(|m| m.source));
        handed_over.extend(self.image.map(|i| i.lower));
        Ok((cmd, uplink, handed_over, userns))
    }
}

/// Where a jail's files appear for bwrap when it runs as the sandbox's own root.
const STAGE_HOME: &str = "/tmp/home";
const STAGE_ETC: &str = "/tmp/etc";
const STAGE_AGENT: &str = "/tmp/agent";
/// Where volume `n`'s idmapped tree appears for bwrap: `{STAGE_VOLUMES}/{n}`.
const STAGE_VOLUMES: &str = "/tmp/volumes";
/// Where the overlay of an image and its writable layer is mounted for bwrap, as the root.
const STAGE_ROOT: &str = "/tmp/root";
/// Where the host's loader and libraries are bound in a jail on an image (for the agent).
const HOST_LIBS_IN_JAIL: &str = "/opt/daytona/lib";

/// For a `pre_exec` hook, as host root: a private mount namespace whose /tmp is a small
/// tmpfs with the jail's home, /etc files and agent binary (`[home, etc, exe]`, host paths)
/// bind-mounted at [`STAGE_HOME`], [`STAGE_ETC`] and [`STAGE_AGENT`]. bwrap, as the sandbox's
/// root, reaches them there whatever the modes of the data dir and its parents; nobody else
/// sees them, and bwrap's own root hides them from the sandbox. The binds are cloned before
/// the tmpfs covers /tmp (where the data dir may be) and moved in after. `volumes`: detached
/// mount trees (descriptors) to move to their staging paths, `{STAGE_VOLUMES}/{n}`. `image`:
/// the detached, idmapped tree of the jail's image, moved to `/tmp/lower` and overlaid at
/// [`STAGE_ROOT`] with the writable layer of the disk staged as the home (its `upper/` and
/// `work/`).
///
/// # Safety
/// Only async-signal-safe calls: fit for `pre_exec`.
unsafe fn stage(
    sources: &[std::ffi::CString; 3],
    volumes: &[(RawFd, std::ffi::CString)],
    image: Option<RawFd>,
) -> std::io::Result<()> {
    const OPEN_TREE_CLONE: libc::c_uint = 1;
    const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 4;
    let check = |r: libc::c_long| if r >= 0 { Ok(r) } else { Err(std::io::Error::last_os_error()) };
    let null = std::ptr::null::<libc::c_char>();
    // Attaches the detached mount tree `tree` at `at`.
    // SAFETY (of the calls): a descriptor and a C string that outlive the call.
    let move_to = |tree: RawFd, at: &std::ffi::CStr| {
        check(unsafe {
            libc::syscall(
                libc::SYS_move_mount,
                tree,
                c"".as_ptr(),
                libc::AT_FDCWD,
                at.as_ptr(),
                MOVE_MOUNT_F_EMPTY_PATH,
            )
        })
    };
    // SAFETY: system calls on C strings that live to the end of this function and on
    // descriptors opened here; none allocates or locks.
    unsafe {
        check(libc::unshare(libc::CLONE_NEWNS).into())?;
        check(libc::mount(null, c"/".as_ptr(), null, libc::MS_REC | libc::MS_PRIVATE, std::ptr::null()).into())?;
        let mut trees = [-1i32; 3];
        for (tree, source) in trees.iter_mut().zip(sources) {
            let flags = OPEN_TREE_CLONE | libc::O_CLOEXEC as libc::c_uint;
            *tree = check(libc::syscall(libc::SYS_open_tree, libc::AT_FDCWD, source.as_ptr(), flags))? as i32;
        }
        check(
            libc::mount(
                c"tmpfs".as_ptr(),
                c"/tmp".as_ptr(),
                c"tmpfs".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV,
                c"mode=0755,size=64k".as_ptr().cast(),
            )
            .into(),
        )?;
        check(libc::mkdir(c"/tmp/home".as_ptr(), 0o755).into())?;
        check(libc::mkdir(c"/tmp/etc".as_ptr(), 0o755).into())?;
        let file =
            check(libc::open(c"/tmp/agent".as_ptr(), libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC, 0o755).into())?;
        libc::close(file as i32);
        for (tree, at) in trees.into_iter().zip([c"/tmp/home", c"/tmp/etc", c"/tmp/agent"]) {
            move_to(tree, at)?;
            libc::close(tree);
        }
        if !volumes.is_empty() {
            check(libc::mkdir(c"/tmp/volumes".as_ptr(), 0o755).into())?;
        }
        for (tree, at) in volumes {
            check(libc::mkdir(at.as_ptr(), 0o755).into())?;
            move_to(*tree, at)?;
        }
        if let Some(tree) = image {
            check(libc::mkdir(c"/tmp/lower".as_ptr(), 0o755).into())?;
            check(libc::mkdir(c"/tmp/root".as_ptr(), 0o755).into())?;
            move_to(tree, c"/tmp/lower")?;
            check(
                libc::mount(
                    c"overlay".as_ptr(),
                    c"/tmp/root".as_ptr(),
                    c"overlay".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV,
                    c"lowerdir=/tmp/lower,upperdir=/tmp/home/upper,workdir=/tmp/home/work".as_ptr().cast(),
                )
                .into(),
            )?;
        }
    }
    Ok(())
}

/// Prepares the root of a jail on the image of `run`'s snapshot: the writable layer's directories on
/// the sandbox's disk (`disk` is the disk's root, out of the sandbox's reach; made on the first
/// start: the layer's root the sandbox's root's) and the image's files idmapped through
/// `userns`, whose ids `range` maps. Nothing is made inside the layer from here: what is in
/// it is the sandbox's, symlinks included (its user's home is made by the agent, in the jail).
fn image_rootfs(
    rt: &Runtime,
    run: &ImageRun,
    disk: &Path,
    userns: &OwnedFd,
    range: identity::IdRange,
) -> Result<ImageRootfs, JailError> {
    use std::os::unix::fs::PermissionsExt;
    let image = rt.images.root_image(&run.id)?;
    let user = &image.user.runs_as;
    if let Some(id) = [user.uid, user.gid].iter().chain(&user.groups).find(|&&id| id >= identity::RANGE) {
        return Err(JailError::Unsupported(format!(
            "the image's user {} needs id {id}: sandboxes have ids 0 to {}",
            image.user.name,
            identity::RANGE - 1
        )));
    }
    let layer = [(disk.join("work"), 0, 0o700), (disk.join("upper"), range.host(0), 0o755)];
    for (dir, owner, mode) in layer {
        if dir.symlink_metadata().is_ok() {
            continue;
        }
        let made = std::fs::create_dir(&dir)
            .and_then(|()| std::os::unix::fs::chown(&dir, Some(owner), Some(owner)))
            .and_then(|()| std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)));
        made.map_err(|e| format!("making the writable layer ({}): {e}", dir.display()))?;
    }
    let rootfs = volume::cstring(image.rootfs.as_os_str().as_encoded_bytes())?;
    let lower = volume::open_dir(libc::AT_FDCWD, &rootfs)
        .and_then(|dir| volume::idmapped_tree(&dir, userns))
        .and_then(high_fd)
        .map_err(|e| format!("mounting the image: {e}"))?;
    Ok(ImageRootfs {
        lower,
        env: image.env,
        work_dir: image.work_dir,
        user: image.user,
        entrypoint: run.entrypoint.clone(),
    })
}

/// The volumes `sb` mounts, checked again (the control plane checked them at create).
fn wanted_volumes(sb: &Sandbox) -> Result<Vec<volume::Wanted>, JailError> {
    let mounts = sb.volumes.as_deref().unwrap_or_default();
    let mut wanted = Vec::with_capacity(mounts.len());
    for v in mounts {
        wanted.push(volume::Wanted {
            id: v.volume_id.clone(),
            mount_path: daytona_models::check_mount_path(&v.mount_path)?,
            subpath: daytona_models::subpath_components(v.subpath.as_deref().unwrap_or_default())?,
        });
    }
    Ok(wanted)
}

/// Hands descriptor `from` (opened by [`high_fd`], so above every target and never
/// overwritten by another move) to the process `cmd` starts as `to`, not close-on-exec
/// (`to` may be `from` itself).
pub fn hand_fd(cmd: &mut Command, from: RawFd, to: RawFd) {
    // SAFETY: dup2 and fcntl are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            // dup2 onto itself would keep close-on-exec: clear it instead.
            let r = if from == to { libc::fcntl(from, libc::F_SETFD, 0) } else { libc::dup2(from, to) };
            match r {
                -1 => Err(std::io::Error::last_os_error()),
                _ => Ok(()),
            }
        });
    }
}

/// `fd` moved to a number of at least 10 (close-on-exec): above the descriptors a jail's are
/// moved to (3 to 9), so moving one never overwrites another.
pub fn high_fd(fd: OwnedFd) -> std::io::Result<OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: F_DUPFD_CLOEXEC on a descriptor we own returns a new one we then own.
    let high = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
    if high == -1 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `high` was just created and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(high) })
}

/// The sandbox's env as JSON in a sealed-off memory file (close-on-exec here; the jail's
/// first process moves it to [`AGENT_ENV_FD`]).
fn env_memfd(input: &crate::agent::JailInput) -> std::io::Result<OwnedFd> {
    use std::io::{Seek, Write};
    use std::os::fd::FromRawFd;
    // SAFETY: memfd_create with a static name; the descriptor is ours.
    let fd = unsafe { libc::memfd_create(c"daytona-env".as_ptr(), libc::MFD_CLOEXEC) };
    if fd == -1 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: just created, owned by nobody else.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    file.write_all(&serde_json::to_vec(input).map_err(std::io::Error::other)?)?;
    file.rewind()?;
    high_fd(OwnedFd::from(file))
}

/// Puts this very binary next to the sockets; jails run it as their agent. A hard link when
/// the file this process was started from is still there and on the same filesystem (a debug
/// build is 100+ MB: every test server copying it filled CI's disk), else a copy made through
/// `/proc/self/exe`, which stays valid even if the file on disk was replaced by a rebuild or an
/// upgrade. Either way the jail binds it read-only.
fn install_agent(run_dir: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let target = run_dir.join("daytona-agent");
    let tmp = run_dir.join(format!(".daytona-agent.{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let running = std::fs::metadata("/proc/self/exe")?;
    let same_file = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.dev() == running.dev() && m.ino() == running.ino());
    // The jail's user must be able to read and run it: a link keeps the original's mode.
    let world_runnable = running.mode() & 0o555 == 0o555;
    let linked = world_runnable
        && std::env::current_exe()
            .ok()
            .filter(|exe| same_file(exe))
            .is_some_and(|exe| std::fs::hard_link(&exe, &tmp).is_ok() && same_file(&tmp));
    if !linked {
        let _ = std::fs::remove_file(&tmp);
        std::fs::copy("/proc/self/exe", &tmp)?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::rename(&tmp, &target)?;
    // Renaming a link onto another link of the same file does nothing: drop the spare name.
    let _ = std::fs::remove_file(&tmp);
    Ok(target)
}

/// Uid and gid of the sandbox user `daytona`.
pub const SANDBOX_UID: u32 = 1000;

/// Whether this server runs as root (and can give sandboxes id ranges, mounts, cgroups).
pub fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Read-only binds of the host's system directories (merged-/usr aware).
pub(super) fn system_binds() -> Vec<String> {
    let mut args: Vec<String> = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"].map(String::from).to_vec();
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
    if h.is_empty() {
        "sandbox".into()
    } else {
        h
    }
}
