//! The next command's shell, started ahead: starting the sandbox's shell is most of what a
//! short command costs (`bash` loads its libraries and locale in ~1–2 ms, where `/bin/true`
//! takes ~0.5), so after each command run in the defaults (the work dir, no variables of
//! its own) the agent starts the shell of the next one, which then only has to be fed.
//!
//! A shell started ahead is exactly the one a command would have started itself: same
//! program, directory, environment, workload group and process group, one command each,
//! fed on stdin and closed. It is used only if it is still that: alive, in the directory
//! that is now the work dir (not one deleted or replaced since), and with the environment
//! as it is now (no `POST /env` since); otherwise it is killed and the command starts its
//! own. A command with a directory or variables of its own always starts its own.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use parking_lot::Mutex;
use tokio::net::unix::pipe;
use tokio::process::{Child, ChildStdin};
use tokio::task::JoinHandle;

/// A started shell waiting for its command on stdin.
pub(super) struct Shell {
    pub child: Child,
    pub stdin: ChildStdin,
    /// Its stdout and stderr, combined.
    pub output: pipe::Receiver,
    /// What it was started in: the directory's (device, inode) and the environment's version.
    started_in: Option<(u64, u64)>,
    env_version: u64,
}

/// Starts `program` in `cwd` (with `envs` over the sandbox's environment), in the workload
/// group and a process group of its own, stdin piped, stdout and stderr into one pipe.
pub(super) async fn start(
    program: &str,
    cwd: &Path,
    envs: &std::collections::BTreeMap<String, String>,
) -> std::io::Result<Shell> {
    // Read before the start: a change of the environment while it starts makes it stale.
    let env_version = super::env::version();
    let started_in = dir_id(cwd);
    let (reader, writer) = std::io::pipe()?;
    let writer_err = writer.try_clone()?;
    let mut cmd = tokio::process::Command::new(program);
    cmd.current_dir(cwd).envs(envs).stdin(Stdio::piped()).stdout(writer).stderr(writer_err);
    cmd.process_group(0).kill_on_drop(true);
    // The command holds the pipe's write ends: `spawn` drops it, so the output ends with the shell.
    let mut child = super::workload::spawn(cmd).await?;
    let stdin = child.stdin.take().expect("stdin is piped");
    let output = pipe::Receiver::from_owned_fd(reader.into())?;
    Ok(Shell { child, stdin, output, started_in, env_version })
}

fn dir_id(dir: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
}

/// The one shell kept started ahead for the next command in the defaults.
#[derive(Default)]
pub(super) struct ReadyShell {
    next: Mutex<Option<JoinHandle<std::io::Result<Shell>>>>,
}

impl ReadyShell {
    /// Starts the next shell in the background unless one is there or on its way.
    pub fn refill(&self, program: &'static str, work_dir: PathBuf) {
        let mut next = self.next.lock();
        if next.is_none() {
            *next = Some(tokio::spawn(async move { start(program, &work_dir, &Default::default()).await }));
        }
    }

    /// The shell started ahead (waiting for it if it is still starting) if it is still what
    /// a command in `work_dir` with no variables of its own would start; else none (it is
    /// killed).
    pub async fn take(&self, work_dir: &Path) -> Option<Shell> {
        let next = self.next.lock().take()?;
        let mut shell = next.await.ok()?.ok()?;
        let fit = matches!(shell.child.try_wait(), Ok(None))
            && shell.started_in.is_some()
            && shell.started_in == dir_id(work_dir)
            && shell.env_version == super::env::version();
        fit.then_some(shell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_shell_started_ahead_is_used_only_in_the_directory_it_was_started_in() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("work");
        std::fs::create_dir(&dir).unwrap();
        let ready = ReadyShell::default();
        ready.refill("/bin/sh", dir.clone());
        let shell = ready.take(&dir).await.expect("the shell started ahead");
        assert!(matches!(shell.child.id(), Some(pid) if pid > 0));
        assert!(ready.take(&dir).await.is_none(), "one shell, taken once");

        // The work dir replaced by another of the same name since: not that shell.
        ready.refill("/bin/sh", dir.clone());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        std::fs::rename(&dir, root.path().join("old")).unwrap();
        std::fs::create_dir(&dir).unwrap();
        assert!(ready.take(&dir).await.is_none(), "a shell in the replaced directory was used");
        // Nor in a directory gone.
        ready.refill("/bin/sh", dir.clone());
        std::fs::remove_dir(&dir).unwrap();
        assert!(ready.take(&dir).await.is_none());
    }
}
