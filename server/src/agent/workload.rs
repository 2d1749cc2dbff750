//! The sandbox's workload cgroup, as seen from the agent: every process the agent starts
//! (commands, sessions, terminals, interpreter kernels) moves itself into it between fork
//! and exec, so that a workload that exhausts its memory or process budget is cut there and
//! the agent, in a group of its own, still answers (see the server's `jail::limits`).
//!
//! The server opens the group's `cgroup.procs` files (one per cgroup v1 hierarchy, one on
//! v2) and hands them over as descriptors; the kernel checks the credentials of whoever
//! opened them, so the unprivileged agent can move its own children with them. They stay
//! close-on-exec: nothing the sandbox runs inherits them.

use std::os::fd::RawFd;
use std::sync::OnceLock;

static GROUPS: OnceLock<Vec<RawFd>> = OnceLock::new();

/// Takes the inherited descriptors of the workload group's `cgroup.procs` files (none when
/// the host has no cgroups for sandboxes, or the group predates the split).
pub fn adopt(fds: Vec<RawFd>) {
    let _ = GROUPS.set(fds);
}

/// Moves the calling process into the workload group: for a `pre_exec` hook (writing `0`
/// moves the writer).
///
/// # Safety
/// Only async-signal-safe calls: fit for `pre_exec`.
pub unsafe fn join() -> std::io::Result<()> {
    for &fd in GROUPS.get().map_or(&[][..], Vec::as_slice) {
        // SAFETY: write(2) of a static byte to a descriptor this process holds.
        if unsafe { libc::write(fd, b"0".as_ptr().cast(), 1) } != 1 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Makes `cmd`'s process join the workload group before it runs anything.
pub fn join_on_spawn(cmd: &mut tokio::process::Command) {
    // SAFETY: `join` makes async-signal-safe calls only.
    unsafe { cmd.pre_exec(|| join()) };
}
