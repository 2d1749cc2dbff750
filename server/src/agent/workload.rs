//! What the agent starts (commands, code runs, sessions, terminals) goes into the sandbox's
//! `workload` cgroup, a little below the sandbox's limits, while the agent stays above it: a
//! fork bomb or a memory hog in the sandbox runs into the workload's limits and the agent keeps
//! room to answer (see the server's `jail::limits`). The server hands the workload's
//! `cgroup.procs` files over as open descriptors; where it hands none (cgroup v2, no cgroups),
//! everything shares the sandbox's group.

use std::sync::OnceLock;

static FILES: OnceLock<Vec<i32>> = OnceLock::new();

/// Keeps the workload's `cgroup.procs` descriptors (close-on-exec, so nothing the agent starts
/// inherits them). Called once, at start-up.
pub fn init(fds: Vec<i32>) {
    let _ = FILES.set(fds);
}

/// Makes `cmd`'s process move itself into the workload between fork and exec, before it can
/// start anything of its own (writing `0` moves the writer).
pub fn join_on_spawn(cmd: &mut tokio::process::Command) {
    let fds = FILES.get().cloned().unwrap_or_default();
    if fds.is_empty() {
        return;
    }
    // SAFETY: the hook only writes to descriptors that stay open for the agent's life.
    unsafe {
        cmd.pre_exec(move || {
            for &fd in &fds {
                if libc::write(fd, b"0".as_ptr().cast(), 1) != 1 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

/// Moves the process `pid` (of the agent's pid namespace) into the workload: for children
/// started by a library without a pre-exec hook (the PTY's shell), right after they start.
pub fn adopt(pid: u32) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::fd::BorrowedFd;
    for &fd in FILES.get().map(Vec::as_slice).unwrap_or_default() {
        // SAFETY: the descriptor stays open for the agent's life; borrowed for one write.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let mut file = std::fs::File::from(fd.try_clone_to_owned()?);
        file.write_all(pid.to_string().as_bytes())?;
    }
    Ok(())
}
