//! Real CPU and memory limits through cgroups (v1 or v2), where the host lets us.

use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

/// Which cgroup layout this host offers us, found once at start-up.
#[derive(Clone, Debug)]
pub enum CgroupHost {
    /// cgroup v1: parent directories of our memory and cpu hierarchies.
    V1 { memory: PathBuf, cpu: PathBuf },
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
            if !(controllers.contains("memory") && controllers.contains("cpu")) {
                let _ = fs::write(parent.join("cgroup.subtree_control"), "+memory +cpu");
            }
            let controllers = fs::read_to_string(parent.join("cgroup.subtree_control")).unwrap_or_default();
            if controllers.contains("memory") && controllers.contains("cpu") && writable(&parent) {
                return Self::V2 { parent };
            }
            return Self::Unavailable(format!(
                "cgroup v2 at {} does not delegate the memory and cpu controllers to this server",
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
        if writable(&memory) && writable(&cpu) {
            Self::V1 { memory, cpu }
        } else {
            Self::Unavailable("no writable cgroup v1 memory/cpu hierarchy (run as root to enforce limits)".into())
        }
    }

    /// Creates (or reuses) the cgroup of sandbox `id` and sets its limits.
    pub fn limit(&self, id: &str, cpus: i64, memory_gib: i64) -> Result<Cgroup, String> {
        let name = format!("daytona-{id}");
        let dirs = match self {
            Self::V1 { memory, cpu } => vec![memory.join(&name), cpu.join(&name)],
            Self::V2 { parent } => vec![parent.join(&name)],
            Self::Unavailable(why) => return Err(why.clone()),
        };
        for d in &dirs {
            fs::create_dir_all(d).map_err(|e| format!("creating {}: {e}", d.display()))?;
        }
        let group = Cgroup { v2: matches!(self, Self::V2 { .. }), dirs };
        group.set(cpus, memory_gib)?;
        Ok(group)
    }
}

fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!("daytona-probe-{}", std::process::id()));
    let ok = fs::create_dir(&probe).is_ok();
    let _ = fs::remove_dir(&probe);
    ok
}

/// One sandbox's cgroup (one directory per v1 hierarchy, or one v2 directory).
#[derive(Clone, Debug)]
pub struct Cgroup {
    v2: bool,
    dirs: Vec<PathBuf>,
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

    /// Removes the (empty) group.
    pub fn remove(&self) {
        for d in &self.dirs {
            let _ = fs::remove_dir(d);
        }
    }
}
