//! Real CPU, memory and process-count limits through cgroups (v1 or v2), where the host lets
//! us, and a way to end everything a sandbox runs (freeze, kill, thaw; `cgroup.kill` on v2).

use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

/// Which cgroup layout this host offers us, found once at start-up.
#[derive(Clone, Debug)]
pub enum CgroupHost {
    /// cgroup v1: parent directories of our memory, cpu, pids and freezer hierarchies.
    V1 { memory: PathBuf, cpu: PathBuf, pids: PathBuf, freezer: Option<PathBuf> },
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
        if writable(&memory) && writable(&cpu) && writable(&pids) {
            Self::V1 { memory, cpu, pids, freezer: writable(&freezer).then_some(freezer) }
        } else {
            Self::Unavailable("no writable cgroup v1 memory/cpu/pids hierarchy (run as root to enforce limits)".into())
        }
    }

    /// Creates (or reuses) the cgroup of sandbox `id` and sets its limits: `cpus` cores,
    /// `memory_gib` GiB and at most `pids` processes and threads.
    pub fn limit(&self, id: &str, cpus: i64, memory_gib: i64, pids: u32) -> Result<Cgroup, String> {
        let name = format!("daytona-{id}");
        let (dirs, freezer) = match self {
            Self::V1 { memory, cpu, pids, freezer } => {
                (vec![memory.join(&name), cpu.join(&name), pids.join(&name)], freezer.as_ref().map(|f| f.join(&name)))
            }
            Self::V2 { parent } => (vec![parent.join(&name)], None),
            Self::Unavailable(why) => return Err(why.clone()),
        };
        for d in dirs.iter().chain(&freezer) {
            fs::create_dir_all(d).map_err(|e| format!("creating {}: {e}", d.display()))?;
        }
        let group = Cgroup { v2: matches!(self, Self::V2 { .. }), dirs, freezer };
        group.set(cpus, memory_gib)?;
        let pids_max = match group.v2 {
            true => group.dirs[0].join("pids.max"),
            false => group.dirs[2].join("pids.max"),
        };
        fs::write(&pids_max, pids.to_string()).map_err(|e| format!("writing {}: {e}", pids_max.display()))?;
        Ok(group)
    }
}

fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!("daytona-probe-{}", std::process::id()));
    let ok = fs::create_dir(&probe).is_ok();
    let _ = fs::remove_dir(&probe);
    ok
}

/// One sandbox's cgroup (one directory per v1 hierarchy — memory, cpu, pids, then the
/// freezer apart — or one v2 directory).
#[derive(Clone, Debug)]
pub struct Cgroup {
    v2: bool,
    dirs: Vec<PathBuf>,
    freezer: Option<PathBuf>,
}

impl Cgroup {
    /// Applies `cpus` cores and `memory_gib` GiB.
    pub fn set(&self, cpus: i64, memory_gib: i64) -> Result<(), String> {
        let period = 100_000i64;
        let bytes = memory_gib.max(1) << 30;
        let quota = cpus.max(1) * period;
        let writes: Vec<(PathBuf, String)> = if self.v2 {
            let d = &self.dirs[0];
            vec![(d.join("memory.max"), bytes.to_string()), (d.join("cpu.max"), format!("{quota} {period}"))]
        } else {
            vec![
                (self.dirs[0].join("memory.limit_in_bytes"), bytes.to_string()),
                (self.dirs[1].join("cpu.cfs_period_us"), period.to_string()),
                (self.dirs[1].join("cpu.cfs_quota_us"), quota.to_string()),
            ]
        };
        for (file, value) in writes {
            fs::write(&file, &value).map_err(|e| format!("writing {value} to {}: {e}", file.display()))?;
        }
        Ok(())
    }

    /// Makes `cmd`'s process join the group between fork and exec, so that nothing it
    /// starts can escape the limits (writing `0` to `cgroup.procs` moves the writer itself).
    pub fn join_on_spawn(&self, cmd: &mut tokio::process::Command) {
        let files: Vec<std::ffi::CString> = self
            .dirs
            .iter()
            .chain(&self.freezer)
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

    /// The processes in the group.
    pub fn procs(&self) -> Vec<i32> {
        let dir = if self.v2 { &self.dirs[0] } else { &self.dirs[2] };
        fs::read_to_string(dir.join("cgroup.procs"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
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

    /// Removes the group; whether it is gone (it cannot go while a process is in it).
    pub fn remove(&self) -> bool {
        let mut gone = true;
        for d in self.dirs.iter().chain(&self.freezer) {
            gone &= fs::remove_dir(d).is_ok() || !d.exists();
        }
        gone
    }
}

/// Freezes (or thaws) a v1 freezer group and waits until it is (at most about a second);
/// whether it got there.
fn freeze(dir: &Path, frozen: bool) -> bool {
    let want = if frozen { "FROZEN" } else { "THAWED" };
    if fs::write(dir.join("freezer.state"), want).is_err() {
        return false;
    }
    for _ in 0..200 {
        if fs::read_to_string(dir.join("freezer.state")).is_ok_and(|s| s.trim() == want) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    false
}
