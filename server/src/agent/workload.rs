//! The sandbox's workload cgroup, as seen from the agent: every process the agent starts
//! (commands, sessions, terminals, interpreter kernels) runs in it, so that a workload that
//! exhausts its memory or process budget is cut there while the agent, in a group of its
//! own, still answers (see the server's `jail::limits`).
//!
//! The server opens the group's files and hands them over as descriptors; the kernel checks
//! the credentials of whoever opened them, so the unprivileged agent can move its own thread
//! or children with them. They stay close-on-exec: nothing the sandbox runs inherits them.
//! Two ways, the server's choice ([`Join`]): on cgroup v1 one thread of the agent, the
//! spawner, moves into the group once (its `tasks` files) and starts every process, which is
//! born there; on v2 every process moves itself (`cgroup.procs`) between fork and exec, which
//! costs an RCU grace period, a few milliseconds, per process.

use std::io;
use std::os::fd::RawFd;
use std::sync::mpsc;
use std::sync::OnceLock;

/// How the agent puts what it starts in the workload group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Join {
    /// A thread of the agent moves into the group once and starts every process.
    Thread,
    /// Every process moves itself into the group between fork and exec.
    Process,
}

struct Workload {
    fds: Vec<RawFd>,
    join: Join,
    spawner: OnceLock<mpsc::Sender<Job>>,
}

/// A start handed to the spawner thread: it gets whether that thread is in the group, and
/// sends its answer back itself.
type Job = Box<dyn FnOnce(io::Result<()>) + Send>;

static WORKLOAD: OnceLock<Workload> = OnceLock::new();

/// Takes the inherited descriptors of the workload group's files and how to join it (no
/// descriptors when the host has no cgroups for sandboxes, or the group predates the split).
pub fn adopt(fds: Vec<RawFd>, join: Join) {
    let _ = WORKLOAD.set(Workload { fds, join, spawner: OnceLock::new() });
}

fn workload() -> Option<&'static Workload> {
    WORKLOAD.get().filter(|w| !w.fds.is_empty())
}

/// Writes `0` to each of the group's files: moves the calling process (`cgroup.procs`) or
/// thread (`tasks`).
///
/// # Safety
/// Only async-signal-safe calls: fit for `pre_exec`.
unsafe fn join(fds: &[RawFd]) -> io::Result<()> {
    for &fd in fds {
        // SAFETY: write(2) of a static byte to a descriptor this process holds.
        if unsafe { libc::write(fd, b"0".as_ptr().cast(), 1) } != 1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The spawner thread's queue, started on first use (inside the runtime, whose reactor the
/// children it starts register with).
fn spawner(w: &'static Workload) -> &'static mpsc::Sender<Job> {
    w.spawner.get_or_init(|| {
        let (tx, jobs) = mpsc::channel::<Job>();
        let runtime = tokio::runtime::Handle::current();
        let spawned = std::thread::Builder::new().name("workload-spawner".into()).spawn(move || {
            let _entered = runtime.enter();
            // SAFETY: plain writes on our own descriptors.
            let joined = unsafe { join(&w.fds) }.map_err(|e| e.to_string());
            if let Err(e) = &joined {
                tracing::error!("the spawner thread could not join the workload group: {e}");
            }
            for job in jobs {
                job(joined.clone().map_err(|e| io::Error::other(format!("joining the workload group: {e}"))));
            }
        });
        if let Err(e) = spawned {
            tracing::error!("no spawner thread: {e}");
        }
        tx
    })
}

fn gone() -> io::Error {
    io::Error::other("the spawner thread is gone")
}

/// Starts `cmd` in the workload group. The command is dropped once started, which closes
/// the descriptors it held for the child (pipe ends the caller reads to their end).
pub async fn spawn(mut cmd: tokio::process::Command) -> io::Result<tokio::process::Child> {
    super::env::apply(cmd.as_std_mut());
    match workload() {
        Some(w) if w.join == Join::Thread => {
            let (answer, answered) = tokio::sync::oneshot::channel();
            let job: Job = Box::new(move |joined| drop(answer.send(joined.and_then(|()| cmd.spawn()))));
            spawner(w).send(job).map_err(|_| gone())?;
            answered.await.map_err(|_| gone())?
        }
        Some(w) => {
            // SAFETY: `join` makes async-signal-safe calls only.
            unsafe { cmd.pre_exec(move || join(&w.fds)) };
            cmd.spawn()
        }
        None => cmd.spawn(),
    }
}

/// [`spawn`] for a `std` command (blocking while the spawner starts it).
pub fn spawn_std(mut cmd: std::process::Command) -> io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    super::env::apply(&mut cmd);
    match workload() {
        Some(w) if w.join == Join::Thread => {
            let (answer, answered) = mpsc::sync_channel(1);
            let job: Job = Box::new(move |joined| drop(answer.send(joined.and_then(|()| cmd.spawn()))));
            spawner(w).send(job).map_err(|_| gone())?;
            answered.recv().map_err(|_| gone())?
        }
        Some(w) => {
            // SAFETY: `join` makes async-signal-safe calls only.
            unsafe { cmd.pre_exec(move || join(&w.fds)) };
            cmd.spawn()
        }
        None => cmd.spawn(),
    }
}
