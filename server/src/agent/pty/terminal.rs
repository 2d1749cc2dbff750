//! A pseudo-terminal with a login shell on it: `openpty(3)`, the shell as a session leader
//! with the terminal as its controlling tty (so resizes reach it as `SIGWINCH`), started in
//! the sandbox's workload group like everything else the agent runs.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Stdio};

/// The master side of a terminal whose shell runs.
pub struct Terminal {
    master: File,
}

fn size(cols: u16, rows: u16) -> libc::winsize {
    libc::winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 }
}

fn check(result: libc::c_int) -> std::io::Result<libc::c_int> {
    match result {
        -1 => Err(std::io::Error::last_os_error()),
        n => Ok(n),
    }
}

impl Terminal {
    /// Opens a terminal of `cols` × `rows` and starts `bash -l` on it in `cwd` (`bash -lc
    /// command` with a `command`), with `envs` on top of the agent's environment and
    /// `TERM=xterm-256color` unless `envs` has a `TERM`.
    pub fn spawn(
        cols: u16,
        rows: u16,
        cwd: &Path,
        envs: &BTreeMap<String, String>,
        command: Option<&str>,
    ) -> std::io::Result<(Self, Child)> {
        let (mut master, mut slave) = (-1, -1);
        let size = size(cols, rows);
        // SAFETY: openpty writes two new descriptors, owned here from then on.
        let (master, slave) = unsafe {
            check(libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size))?;
            (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave))
        };
        for fd in [&master, &slave] {
            // SAFETY: fcntl on a descriptor we own; the shell gets the slave as 0, 1 and 2 only.
            check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) })?;
        }
        let mut cmd = std::process::Command::new(crate::agent::process::bash_or_shell());
        cmd.arg("-l");
        if let Some(command) = command {
            cmd.arg("-c").arg(command);
        }
        cmd.current_dir(cwd).env("TERM", "xterm-256color").envs(envs);
        cmd.stdin(Stdio::from(slave.try_clone()?)).stdout(Stdio::from(slave.try_clone()?)).stderr(Stdio::from(slave));
        // SAFETY: setsid and ioctl are async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                check(libc::setsid())?;
                check(libc::ioctl(0, libc::TIOCSCTTY, 0)).map(drop)
            });
        }
        // The command holds copies of the slave: `spawn_std` drops it, so reads of the master
        // end (EIO) once the shell and everything it left on the terminal are gone.
        let child = crate::agent::workload::spawn_std(cmd)?;
        Ok((Self { master: File::from(master) }, child))
    }

    /// A handle to read the terminal's output with (blocking).
    pub fn reader(&self) -> std::io::Result<File> {
        self.master.try_clone()
    }

    /// A handle to type into the terminal with (blocking).
    pub fn writer(&self) -> std::io::Result<File> {
        self.master.try_clone()
    }

    /// Changes the terminal's size (the shell gets `SIGWINCH`).
    pub fn resize(&self, cols: u16, rows: u16) -> std::io::Result<()> {
        let size = size(cols, rows);
        // SAFETY: TIOCSWINSZ reads a winsize that lives through the call.
        check(unsafe { libc::ioctl(self.master.as_raw_fd(), libc::TIOCSWINSZ, &size) }).map(drop)
    }
}
