//! Real CPU, memory and process-count limits through cgroups (v1 or v2), where the host lets
//! us, and a way to end everything a sandbox runs (freeze, kill, thaw; `cgroup.kill` on v2).
//!
//! A sandbox's group has two children: [`AGENT_GROUP`] holds the jail's init and the toolbox
//! agent, [`WORKLOAD_GROUP`] everything the agent starts (commands, sessions, terminals,
//! interpreter kernels). The workload's memory and process limits stop short of the
//! sandbox's, and the agent weighs more for the CPU, so a workload that exhausts its budget
//! (an out-of-memory kill, a fork bomb, a busy loop) is cut in its own group while the agent
//! still answers.

use super::JailError;
use crate::agent::workload::Join as WorkloadJoin;
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

/// Which cgroup layout this host offers us, found once at start-up.
#[derive(Clone, Debug)]
pub enum CgroupHost {
    /// cgroup v1: parent directories of our memory, cpu, pids and freezer hierarchies, and of
    /// cpuacct where it is a hierarchy apart from cpu (CPU time used, for metrics).
    V1 { memory: PathBuf, cpu: PathBuf, pids: PathBuf, freezer: Option<PathBuf>, cpuacct: Option<PathBuf> },
    /// cgroup v2: a directory we may create children in, with memory and cpu enabled.
    V2 { parent: PathBuf },
    /// No writable cgroups (non-root without delegation): limits are refused.
    Unavailable(String),
}

impl CgroupHost {
    /// Probes `/proc/self/cgroup` and `/sys/fs/cgroup`.
    pub fn detect() -> Self {
        let own = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let root = Path::new("/sys/fs/cgroup");
        if root.join("cgroup.controllers").exists() {
            let rel = own.lines().find_map(|l| l.strip_prefix("0::")).unwrap_or("/");
            let parent = root.join(rel.trim_start_matches('/'));
            let controllers = fs::read_to_string(parent.join("cgroup.subtree_control")).unwrap_or_default();
            let wanted = ["memory", "cpu", "pids"];
            if !wanted.iter().all(|c| controllers.contains(c)) {
                let _ = fs::write(parent.join("cgroup.subtree_control"), "+memory +cpu +pids");
            }
            let controllers = fs::read_to_string(parent.join("cgroup.subtree_control")).unwrap_or_default();
            if wanted.iter().all(|c| controllers.contains(c)) && writable(&parent) {
                return Self::V2 { parent };
            }
            return Self::Unavailable(format!(
                "cgroup v2 at {} does not delegate the memory, cpu and pids controllers to this server",
                parent.display()
            ));
        }
        let find = |name: &str| {
            own.lines().find_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (_, ctrls, path) = (parts.next()?, parts.next()?, parts.next()?);
                ctrls.split(',').any(|c| c == name).then(|| path.to_owned())
            })
        };
        let memory = root.join("memory").join(find("memory").unwrap_or_default().trim_start_matches('/'));
        let cpu_dir = if root.join("cpu").exists() { "cpu" } else { "cpu,cpuacct" };
        let cpu = root.join(cpu_dir).join(find("cpu").unwrap_or_default().trim_start_matches('/'));
        let pids = root.join("pids").join(find("pids").unwrap_or_default().trim_start_matches('/'));
        let freezer = root.join("freezer").join(find("freezer").unwrap_or_default().trim_start_matches('/'));
        let cpuacct = root.join("cpuacct").join(find("cpuacct").unwrap_or_default().trim_start_matches('/'));
        let cpuacct = (cpu_dir == "cpu" && writable(&cpuacct)).then_some(cpuacct);
        if writable(&memory) && writable(&cpu) && writable(&pids) {
            Self::V1 { memory, cpu, pids, freezer: writable(&freezer).then_some(freezer), cpuacct }
        } else {
            Self::Unavailable("no writable cgroup v1 memory/cpu/pids hierarchy (run as root to enforce limits)".into())
        }
    }

    /// Creates (or reuses) the cgroup of sandbox `id` and sets its limits: `cpus` cores,
    /// `memory_gib` GiB and at most `pids` processes and threads.
    pub fn limit(&self, id: &str, cpus: i64, memory_gib: i64, pids: u32) -> Result<Cgroup, JailError> {
        let name = format!("daytona-{id}");
        let (dirs, freezer, cpuacct) = match self {
            Self::V1 { memory, cpu, pids, freezer, cpuacct } => (
                vec![memory.join(&name), cpu.join(&name), pids.join(&name)],
                freezer.as_ref().map(|f| f.join(&name)),
                cpuacct.as_ref().map(|c| c.join(&name)),
            ),
            Self::V2 { parent } => (vec![parent.join(&name)], None, None),
            Self::Unavailable(why) => return Err(JailError::Unsupported(why.clone())),
        };
        for d in dirs.iter().chain(&freezer).chain(&cpuacct) {
            fs::create_dir_all(d).map_err(|e| format!("creating {}: {e}", d.display()))?;
        }
        let v2 = matches!(self, Self::V2 { .. });
        let split = split(&dirs, v2);
        let group = Cgroup { v2, dirs, freezer, cpuacct, split };
        group.set(cpus, memory_gib)?;
        let pids_max = group.pids_dir().join("pids.max");
        write(&pids_max, pids)?;
        if split {
            let workload_pids = pids - AGENT_PIDS.min(pids / 4);
            write(&group.pids_dir().join(WORKLOAD_GROUP).join("pids.max"), workload_pids)?;
            let (cpu, file, weight) = match v2 {
                true => (&group.dirs[0], "cpu.weight", AGENT_CPU_WEIGHT),
                false => (&group.dirs[1], "cpu.shares", AGENT_CPU_SHARES),
            };
            write(&cpu.join(AGENT_GROUP).join(file), weight)?;
        }
        Ok(group)
    }
}

/// The child group of the jail's init and the toolbox agent.
pub const AGENT_GROUP: &str = "agent";
/// The child group of everything the agent starts.
pub const WORKLOAD_GROUP: &str = "workload";
/// Memory of a sandbox's limit that the workload cannot take (the agent's share).
const AGENT_MEMORY: i64 = 64 << 20;
/// Processes and threads of a sandbox's limit that the workload cannot take (at most a
/// quarter of it).
const AGENT_PIDS: u32 = 64;
/// CPU weight of the agent's group against the workload's (cgroup v1 `cpu.shares`, v2
/// `cpu.weight`, the workload keeping the default).
const AGENT_CPU_SHARES: u32 = 8192;
const AGENT_CPU_WEIGHT: u32 = 800;

/// Makes the agent and workload children of a sandbox's groups (`dirs`; on v2 the parent
/// must hand its controllers down first, which it cannot once it holds processes itself, as
/// a group made by an older server may); whether the sandbox has them.
fn split(dirs: &[PathBuf], v2: bool) -> bool {
    if v2 && !dirs[0].join(AGENT_GROUP).exists() {
        if let Err(e) = fs::write(dirs[0].join("cgroup.subtree_control"), "+memory +cpu +pids") {
            tracing::warn!("{}: no agent/workload split ({e})", dirs[0].display());
            return false;
        }
    }
    for d in dirs {
        for child in [AGENT_GROUP, WORKLOAD_GROUP] {
            if let Err(e) = fs::create_dir_all(d.join(child)) {
                tracing::warn!("{}: no agent/workload split ({e})", d.display());
                return false;
            }
        }
    }
    true
}

/// Writes `value` to the cgroup file `file`.
fn write(file: &Path, value: impl ToString) -> Result<(), JailError> {
    let value = value.to_string();
    fs::write(file, &value).map_err(|e| format!("writing {value} to {}: {e}", file.display()).into())
}

fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!("daytona-probe-{}", std::process::id()));
    let ok = fs::create_dir(&probe).is_ok();
    let _ = fs::remove_dir(&probe);
    ok
}

/// One sandbox's cgroup (one directory per v1 hierarchy — memory, cpu, pids, then the
/// freezer apart — or one v2 directory), with its agent and workload children unless it was
/// made by a server without them.
#[derive(Clone, Debug)]
pub struct Cgroup {
    v2: bool,
    dirs: Vec<PathBuf>,
    freezer: Option<PathBuf>,
    /// v1's cpuacct group, where cpuacct is a hierarchy apart (whole sandbox, as the freezer).
    cpuacct: Option<PathBuf>,
    split: bool,
}

/// What a sandbox's group has used, from the kernel's counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// CPU time of everything in it since it was made, ns.
    pub cpu_ns: Option<u64>,
    /// Memory in use (page cache included), bytes.
    pub memory: Option<u64>,
    /// Of which page cache, bytes.
    pub cache: Option<u64>,
}

/// The value of `key` in a cgroup `*.stat` file.
fn stat_value(dir: &Path, file: &str, key: &str) -> Option<u64> {
    let text = fs::read_to_string(dir.join(file)).ok()?;
    text.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.trim().parse().ok())
}

fn read_u64(file: &Path) -> Option<u64> {
    fs::read_to_string(file).ok()?.trim().parse().ok()
}

impl Cgroup {
    /// Applies `cpus` cores and `memory_gib` GiB (the workload's memory stopping
    /// [`AGENT_MEMORY`] short of it).
    pub fn set(&self, cpus: i64, memory_gib: i64) -> Result<(), JailError> {
        let period = 100_000i64;
        let bytes = memory_gib.max(1) << 30;
        let quota = cpus.max(1) * period;
        let file = if self.v2 { "memory.max" } else { "memory.limit_in_bytes" };
        let memory = self.dirs[0].join(file);
        // The workload's limit is never above the sandbox's: set first when shrinking, last
        // when growing.
        let shrinking = fs::read_to_string(&memory).ok().and_then(|s| s.trim().parse::<i64>().ok()) > Some(bytes);
        let workload = || match self.split {
            true => write(&self.dirs[0].join(WORKLOAD_GROUP).join(file), bytes - AGENT_MEMORY),
            false => Ok(()),
        };
        if shrinking {
            workload()?;
        }
        write(&memory, bytes)?;
        if !shrinking {
            workload()?;
        }
        match self.v2 {
            true => write(&self.dirs[0].join("cpu.max"), format!("{quota} {period}")),
            false => {
                write(&self.dirs[1].join("cpu.cfs_period_us"), period)?;
                write(&self.dirs[1].join("cpu.cfs_quota_us"), quota)
            }
        }
    }

    /// What the group has used so far.
    pub fn usage(&self) -> Usage {
        let memory_dir = &self.dirs[0];
        match self.v2 {
            true => Usage {
                cpu_ns: stat_value(memory_dir, "cpu.stat", "usage_usec").map(|us| us * 1000),
                memory: read_u64(&memory_dir.join("memory.current")),
                cache: stat_value(memory_dir, "memory.stat", "file"),
            },
            false => Usage {
                cpu_ns: read_u64(&self.cpuacct.as_ref().unwrap_or(&self.dirs[1]).join("cpuacct.usage")),
                memory: read_u64(&memory_dir.join("memory.usage_in_bytes")),
                cache: stat_value(memory_dir, "memory.stat", "total_cache"),
            },
        }
    }

    /// The group directory that counts processes (v1's pids hierarchy, or the v2 group).
    fn pids_dir(&self) -> &Path {
        if self.v2 {
            &self.dirs[0]
        } else {
            &self.dirs[2]
        }
    }

    /// The files through which the agent puts what it starts in the workload group, and how
    /// (none for a group without the split). cgroup v1 lets threads of one process sit in
    /// different groups: the agent moves one thread of its own into the workload group once
    /// (its `tasks` files, one per hierarchy but the freezer, which only the whole sandbox
    /// uses) and starts every process from it, born there. Moving a process between groups
    /// costs a few milliseconds (an RCU grace period), too much for every command. On v2 each
    /// process moves itself (`cgroup.procs`) before it runs.
    pub fn workload_join(&self) -> Option<(WorkloadJoin, Vec<PathBuf>)> {
        let (join, file) = match self.v2 {
            true => (WorkloadJoin::Process, "cgroup.procs"),
            false => (WorkloadJoin::Thread, "tasks"),
        };
        self.split.then(|| (join, self.dirs.iter().map(|d| d.join(WORKLOAD_GROUP).join(file)).collect()))
    }

    /// Makes `cmd`'s process join the group (its agent child) between fork and exec, so that
    /// nothing it starts can escape the limits (writing `0` to `cgroup.procs` moves the
    /// writer itself).
    pub fn join_on_spawn(&self, cmd: &mut tokio::process::Command) {
        let agent = |d: &PathBuf| if self.split { d.join(AGENT_GROUP) } else { d.clone() };
        let files: Vec<std::ffi::CString> = self
            .dirs
            .iter()
            .map(agent)
            .chain(self.freezer.clone())
            .chain(self.cpuacct.clone())
            .filter_map(|d| std::ffi::CString::new(d.join("cgroup.procs").into_os_string().into_vec()).ok())
            .collect();
        // SAFETY: the hook only calls open/write/close (async-signal-safe) on prepared paths.
        unsafe {
            cmd.pre_exec(move || {
                for f in &files {
                    let fd = libc::open(f.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                    if fd < 0 || libc::write(fd, b"0".as_ptr().cast(), 1) != 1 {
                        return Err(std::io::Error::last_os_error());
                    }
                    libc::close(fd);
                }
                Ok(())
            });
        }
    }

    /// The processes in the group and its children.
    pub fn procs(&self) -> Vec<i32> {
        let dir = self.pids_dir();
        [dir.to_path_buf(), dir.join(AGENT_GROUP), dir.join(WORKLOAD_GROUP)]
            .iter()
            .filter_map(|d| fs::read_to_string(d.join("cgroup.procs")).ok())
            .flat_map(|text| text.split_whitespace().filter_map(|p| p.parse().ok()).collect::<Vec<i32>>())
            .collect()
    }

    /// SIGKILLs everything in the group such that nothing can fork its way out of it:
    /// `cgroup.kill` on v2; on v1 the group is frozen, every process killed, then thawed
    /// (the kills land as it thaws). Without a freezer it kills what it sees, a few rounds.
    pub fn kill_all(&self) {
        if self.v2 && fs::write(self.dirs[0].join("cgroup.kill"), "1").is_ok() {
            return;
        }
        let frozen = self.freezer.as_ref().is_some_and(|f| freeze(f, true));
        for _ in 0..if frozen { 1 } else { 5 } {
            for pid in self.procs() {
                // SAFETY: kill(2) on a process of this sandbox's own cgroup.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        if let Some(f) = &self.freezer {
            freeze(f, false);
        }
    }

    /// Freezes (`true`) or thaws everything in the group: a paused sandbox (its processes keep
    /// their memory and use no CPU). v1's freezer hierarchy, or v2's `cgroup.freeze`; waits
    /// until the kernel says it is done (at most [`FREEZE_WAIT`]). Blocking.
    pub fn set_frozen(&self, frozen: bool) -> Result<(), String> {
        let done = match (&self.freezer, self.v2) {
            (_, true) => freeze_v2(&self.dirs[0], frozen),
            (Some(f), false) => freeze(f, frozen),
            (None, false) => return Err("this host's cgroups have no freezer for sandboxes".into()),
        };
        match done {
            true => Ok(()),
            false => Err(format!("the sandbox's processes could not be {}", if frozen { "frozen" } else { "thawed" })),
        }
    }

    /// Removes the group; whether it is gone (it cannot go while a process is in it).
    pub fn remove(&self) -> bool {
        let mut gone = true;
        for d in self.dirs.iter().chain(&self.freezer).chain(&self.cpuacct) {
            for child in [AGENT_GROUP, WORKLOAD_GROUP].map(|c| d.join(c)) {
                gone &= fs::remove_dir(&child).is_ok() || !child.exists();
            }
            gone &= fs::remove_dir(d).is_ok() || !d.exists();
        }
        gone
    }
}

/// How long a freeze (or thaw) may take before it is given up: a process blocked in the
/// kernel (writing back to a disk the host is busy with) only freezes once it returns.
const FREEZE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Freezes (or thaws) a v2 group (`cgroup.freeze`) and waits until `cgroup.events` says it is
/// (at most [`FREEZE_WAIT`]); whether it got there.
fn freeze_v2(dir: &Path, frozen: bool) -> bool {
    if fs::write(dir.join("cgroup.freeze"), if frozen { "1" } else { "0" }).is_err() {
        return false;
    }
    let want = if frozen { "frozen 1" } else { "frozen 0" };
    poll_until(|_| fs::read_to_string(dir.join("cgroup.events")).is_ok_and(|s| s.lines().any(|l| l.trim() == want)))
}

/// Freezes (or thaws) a v1 freezer group and waits until it is (at most [`FREEZE_WAIT`]);
/// whether it got there. The state is written again on every look, and a freeze still not
/// done after half a second is thawed and begun again: v1's freezer can miss a process
/// forked while it freezes (the group then stays `FREEZING`), which a new write catches.
fn freeze(dir: &Path, frozen: bool) -> bool {
    let state = dir.join("freezer.state");
    let want = if frozen { "FROZEN" } else { "THAWED" };
    poll_until(|look| {
        if frozen && look % 100 == 99 {
            let _ = fs::write(&state, "THAWED");
        }
        fs::write(&state, want).is_ok() && fs::read_to_string(&state).is_ok_and(|s| s.trim() == want)
    })
}

/// Asks `done` (given how many times it was asked before) every 5 ms until it says yes or
/// [`FREEZE_WAIT`] passed; whether it said yes.
fn poll_until(mut done: impl FnMut(u32) -> bool) -> bool {
    let end = std::time::Instant::now() + FREEZE_WAIT;
    let mut look = 0;
    while !done(look) {
        if std::time::Instant::now() >= end {
            return false;
        }
        look += 1;
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    true
}
