//! Sandbox networking. Every sandbox has its own network namespace, so it never sees the
//! host's interfaces, the host's loopback (where the API listens) or another sandbox's
//! servers. A sandbox with network reaches the outside through slirp4netns: user-mode NAT on
//! a `tap0` device (10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3) with the gateway's
//! forwarding to the host's loopback disabled. `networkBlockAll` leaves only its own `lo`.

use super::JailError;
use std::io::{PipeReader, Read};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::process::Stdio;
use std::time::Duration;

use super::firewall::Firewall;
use crate::wait::{self, Look};

/// The jail's `/etc/resolv.conf`: slirp4netns's DNS forwarder.
pub const RESOLV_CONF: &str = "nameserver 10.0.2.3\n";

/// How long slirp4netns may take to set the namespace up.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// The network of one sandbox being started: a pipe whose write end the jail's agent holds
/// and whose read end slirp4netns watches (`--exit-fd`), so the helper ends with the jail,
/// also when the jail outlives a crash of the server.
pub struct Uplink {
    lifeline: PipeReader,
    held_by_jail: OwnedFd,
}

impl Uplink {
    /// A new, unattached uplink.
    pub fn new() -> std::io::Result<Self> {
        let (lifeline, writer) = std::io::pipe()?;
        let held_by_jail = super::runtime::high_fd(OwnedFd::from(writer))?;
        Ok(Self { lifeline, held_by_jail })
    }

    /// Hands the lifeline's write end to the jail started by `cmd`, as descriptor `fd` (the
    /// agent keeps it, close-on-exec, so commands run in the sandbox never hold it). Register
    /// after any other descriptor moves of `cmd`.
    pub fn hand_to(&self, cmd: &mut tokio::process::Command, fd: RawFd) {
        super::runtime::hand_fd(cmd, self.held_by_jail.as_raw_fd(), fd);
    }

    /// Connects the network namespace of `pid` (a process of the jail) to the outside, behind
    /// `firewall`, and waits until it is up. slirp4netns writes its messages to `log`.
    pub async fn attach(self, pid: i32, firewall: Firewall, log: std::fs::File) -> Result<(), JailError> {
        let Self { lifeline, held_by_jail } = self;
        drop(held_by_jail);
        // `pid` may not have entered its own namespace yet (unshare(1) before it execs bwrap):
        // attaching then would configure the host's namespace.
        let ours = netns(std::process::id() as i32);
        // Unprivileged, unshare(1) writes its user namespace's id map just after making it:
        // until then nothing entering that namespace may configure the network it owns.
        let as_root = super::runtime::running_as_root();
        let mapped =
            || as_root || std::fs::read_to_string(format!("/proc/{pid}/uid_map")).is_ok_and(|m| !m.trim().is_empty());
        let own = || netns(pid).is_some_and(|theirs| Some(&theirs) != ours.as_ref()) && mapped();
        wait::until(READY_WITHIN, Duration::from_millis(2), || {
            std::future::ready(match own() {
                true => Look::Ready(()),
                false => Look::NotYet(JailError::from("the sandbox did not get its own network namespace")),
            })
        })
        .await?;
        // The firewall is loaded while slirp4netns connects the namespace: nothing of the
        // sandbox's own runs before the jail has started, and the start waits for both.
        let (walled, connected) = tokio::join!(firewall.apply(pid, as_root), connect(pid, lifeline, log));
        walled.map_err(JailError::from).and(connected)
    }
}

/// Connects the network namespace of `pid` to the outside with slirp4netns, which ends when
/// `lifeline` (whose write end the jail holds) closes; waits until it is up.
async fn connect(pid: i32, lifeline: PipeReader, log: std::fs::File) -> Result<(), JailError> {
    let (mut ready, ready_w) = std::io::pipe().map_err(|e| format!("network: {e}"))?;
    let (exit_fd, ready_fd) = (lifeline.as_raw_fd(), ready_w.as_raw_fd());
    let mut cmd = tokio::process::Command::new("slirp4netns");
    cmd.args(["--configure", "--mtu=65520", "--disable-host-loopback", "--enable-sandbox", "--enable-seccomp"]);
    cmd.arg(format!("--exit-fd={exit_fd}")).arg(format!("--ready-fd={ready_fd}"));
    cmd.arg(pid.to_string()).arg("tap0");
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    let err = log.try_clone().map_err(|e| format!("network: {e}"))?;
    // Its own process group, like the jail: it lives as long as the jail does.
    cmd.stdin(Stdio::null()).stdout(Stdio::from(log)).stderr(Stdio::from(err)).process_group(0);
    // SAFETY: fcntl is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            inheritable(exit_fd)?;
            inheritable(ready_fd)
        });
    }
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            "slirp4netns is not installed (run scripts/setup.sh), or create the sandbox with networkBlockAll".to_owned()
        }
        _ => format!("starting slirp4netns: {e}"),
    })?;
    drop((lifeline, ready_w));
    // slirp4netns writes "1" once the namespace is configured, or exits (EOF) on failure.
    let wait = tokio::task::spawn_blocking(move || {
        let mut byte = [0u8; 1];
        matches!(ready.read(&mut byte), Ok(1))
    });
    match tokio::time::timeout(READY_WITHIN, wait).await {
        Ok(Ok(true)) => Ok(()),
        Ok(_) => {
            let _ = child.wait().await;
            Err("slirp4netns could not set up the sandbox's network (see the sandbox's agent.log; \
                 running as non-root needs a readable /dev/net/tun)"
                .into())
        }
        Err(_) => {
            // Killing it closes the ready pipe, which ends the blocked read.
            let _ = child.kill().await;
            Err(format!("slirp4netns did not set up the network within {READY_WITHIN:?}").into())
        }
    }
}

/// The network namespace of `pid`, if it exists.
fn netns(pid: i32) -> Option<std::path::PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/ns/net")).ok()
}

/// Clears close-on-exec on `fd`.
fn inheritable(fd: RawFd) -> std::io::Result<()> {
    // SAFETY: fcntl on a descriptor we own; async-signal-safe.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, 0) } == -1 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}
