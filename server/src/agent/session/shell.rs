//! A session's shell: one long-lived `bash` in its own process group, fed command lines on
//! its stdin. Each command runs inside that shell (so `cd`, `export`, functions persist) as
//!
//! ```sh
//! { eval '<command>'
//! } <IN >OUT 2>ERR; printf '%s %d\n' '<cmdId>' "$?"
//! ```
//!
//! where IN, OUT and ERR are the command's own FIFOs: the agent holds their other ends,
//! writes input to IN and pumps OUT and ERR into the command's log. The shell's own stdout
//! is the status pipe: one `<cmdId> <exit code>` line per finished command. When it arrives,
//! every byte the command wrote before exiting is already in the FIFOs, so the pumps drain
//! them without waiting (background jobs may keep them open) and only then is the exit code
//! published. If the shell itself exits (`exit`, or the session is deleted), the commands it
//! had not finished get its exit status.

use std::collections::HashMap;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::pipe;
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::{mpsc, oneshot};

use super::command::Command;
use super::logs::{Log, Stream};
use crate::agent::error::ToolboxError;
use crate::agent::process::quote;

/// Most output taken from a FIFO once its command has exited (the largest pipe buffer).
const MAX_DRAIN: usize = 1 << 20;

/// Commands handed to the shell and not finished yet; `None` once the shell has exited.
type Pending = Arc<Mutex<Option<HashMap<String, Running>>>>;

/// The shell of a session.
pub struct Shell {
    /// Command lines for the shell, written in order by a task (so a submission never
    /// waits for the commands before it).
    lines: mpsc::UnboundedSender<String>,
    pgid: i32,
    /// The session's command logs.
    log_dir: PathBuf,
    /// The session's FIFOs (private to the agent's user).
    fifo_dir: PathBuf,
    pending: Pending,
    next_fifo: AtomicU64,
}

impl Shell {
    /// Starts a shell in `work_dir`, with logs in `log_dir` and FIFOs in `fifo_dir`.
    pub async fn spawn(work_dir: &Path, log_dir: PathBuf, fifo_dir: PathBuf) -> std::io::Result<Self> {
        use std::os::unix::fs::DirBuilderExt;
        let mut dirs = std::fs::DirBuilder::new();
        dirs.recursive(true).mode(0o700);
        dirs.create(&log_dir)?;
        dirs.create(&fifo_dir)?;
        let shell = crate::agent::process::bash_or_shell();
        let mut cmd = tokio::process::Command::new(shell);
        if shell.ends_with("/bash") {
            cmd.args(["--noprofile", "--norc"]);
        }
        cmd.current_dir(work_dir);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
        cmd.process_group(0).kill_on_drop(true);
        let mut child = crate::agent::workload::spawn(cmd).await?;
        let pgid = child.id().map_or(0, |p| p as i32);
        let stdin = child.stdin.take().expect("stdin is piped");
        let status = child.stdout.take().expect("stdout is piped");
        let pending: Pending = Arc::new(Mutex::new(Some(HashMap::new())));
        tokio::spawn(watch_status(child, status, pending.clone()));
        let (lines, rx) = mpsc::unbounded_channel();
        tokio::spawn(feed(stdin, rx));
        Ok(Self { lines, pgid, log_dir, fifo_dir, pending, next_fifo: AtomicU64::new(0) })
    }

    /// Whether the shell has exited.
    pub fn has_ended(&self) -> bool {
        self.pending.lock().is_none()
    }

    /// A new command (not started) with an empty log.
    pub fn new_command(&self, command: String, suppress_input_echo: bool) -> Result<Command, ToolboxError> {
        let id = uuid::Uuid::new_v4().to_string();
        let path = self.log_dir.join(format!("{id}.log"));
        // The logs live in the user's home, where the user may have deleted them: made again.
        let log = Log::create(path.clone())
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    use std::os::unix::fs::DirBuilderExt;
                    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&self.log_dir)?;
                    Log::create(path)
                }
                _ => Err(e),
            })
            .map_err(|e| ToolboxError::Io(format!("creating the command log: {e}")))?;
        Ok(Command::new(id, command, log, suppress_input_echo))
    }

    /// Runs `command` in the shell (after the commands before it).
    pub async fn submit(&self, command: &Arc<Command>) -> Result<(), ToolboxError> {
        let ended = || ToolboxError::Gone("SESSION_ENDED", "the session's shell has exited".into());
        if self.has_ended() {
            return Err(ended());
        }
        let io = |e: std::io::Error| ToolboxError::Io(format!("setting up the command's pipes: {e}"));
        let base = self.fifo_dir.join(self.next_fifo.fetch_add(1, Ordering::Relaxed).to_string());
        let fifos = ["in", "out", "err"].map(|ext| base.with_extension(ext));
        for fifo in &fifos {
            mkfifo(fifo).map_err(io)?;
        }
        let [input, out, err] = &fifos;
        // Read-write, so opening never waits and the shell's `<IN` finds a writer.
        command.attach_input(pipe::OpenOptions::new().read_write(true).open_sender(input).map_err(io)?).await;
        let mut exited = Vec::new();
        let mut drained = Vec::new();
        let mut keepalive = Vec::new();
        for (fifo, stream) in [(out, Stream::Stdout), (err, Stream::Stderr)] {
            let reader = pipe::OpenOptions::new().open_receiver(fifo).map_err(io)?;
            // Our own writer keeps the reader from seeing end-of-file before the shell opens
            // the FIFO; dropped once the command has exited.
            keepalive.push(pipe::OpenOptions::new().open_sender(fifo).map_err(io)?);
            let (exit_tx, exit_rx) = oneshot::channel();
            let (drained_tx, drained_rx) = oneshot::channel();
            tokio::spawn(pump(reader, command.clone(), stream, exit_rx, drained_tx));
            exited.push(exit_tx);
            drained.push(drained_rx);
        }
        let running = Running { command: command.clone(), keepalive, exited, drained, fifos: fifos.clone() };
        match self.pending.lock().as_mut() {
            Some(pending) => pending.insert(command.id.clone(), running),
            None => return Err(ended()),
        };
        let line = format!(
            "{{ eval {}\n}} <{} >{} 2>{}; printf '%s %d\\n' {} \"$?\"\n",
            quote(&command.command),
            quote(&input.to_string_lossy()),
            quote(&out.to_string_lossy()),
            quote(&err.to_string_lossy()),
            quote(&command.id),
        );
        // If the shell is gone, its watcher finishes the command.
        self.lines.send(line).map_err(|_| ended())
    }

    /// Kills the shell and everything it started (its whole process group).
    pub fn kill(&self) {
        if !self.has_ended() && self.pgid > 0 {
            // SAFETY: kill(2) on the process group this shell leads.
            unsafe { libc::kill(-self.pgid, libc::SIGKILL) };
        }
    }

    /// Removes the session's logs and FIFOs (open ones stay readable).
    pub fn remove_files(&self) {
        for dir in [&self.log_dir, &self.fifo_dir] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A command the shell has not reported finished.
struct Running {
    command: Arc<Command>,
    keepalive: Vec<pipe::Sender>,
    exited: Vec<oneshot::Sender<()>>,
    drained: Vec<oneshot::Receiver<()>>,
    fifos: [PathBuf; 3],
}

impl Running {
    /// The command exited with `code`: collect its remaining output, then publish the code.
    async fn finish(self, code: i32) {
        drop(self.keepalive);
        for tx in self.exited {
            let _ = tx.send(());
        }
        for rx in self.drained {
            let _ = rx.await;
        }
        self.command.detach_input().await;
        self.command.log.finish(code);
        for fifo in &self.fifos {
            let _ = std::fs::remove_file(fifo);
        }
    }
}

fn mkfifo(path: &Path) -> std::io::Result<()> {
    let c = CString::new(path.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: a valid NUL-terminated path.
    if unsafe { libc::mkfifo(c.as_ptr(), 0o600) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Writes command lines to the shell until it stops reading.
async fn feed(mut stdin: ChildStdin, mut lines: mpsc::UnboundedReceiver<String>) {
    while let Some(line) = lines.recv().await {
        if stdin.write_all(line.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Copies one output FIFO into the log until end-of-file. When told the command has exited,
/// takes what is buffered without waiting, reports it drained, and goes on (for background
/// jobs that still write).
async fn pump(
    mut fifo: pipe::Receiver,
    command: Arc<Command>,
    stream: Stream,
    mut exited: oneshot::Receiver<()>,
    drained: oneshot::Sender<()>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut drained = Some(drained);
    loop {
        tokio::select! {
            read = fifo.read(&mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => command.log.write(stream, &buf[..n]),
            },
            _ = &mut exited, if drained.is_some() => {
                // At most what a pipe can hold: a background job writing without pause must
                // not delay the exit code forever.
                let mut taken = 0;
                while taken < MAX_DRAIN {
                    match fifo.try_read(&mut buf) {
                        Ok(0) => return,
                        Ok(n) => {
                            command.log.write(stream, &buf[..n]);
                            taken += n;
                        }
                        Err(_) => break,
                    }
                }
                if let Some(tx) = drained.take() {
                    let _ = tx.send(());
                }
            }
        }
    }
}

/// Reads the status pipe, finishing commands as the shell reports them; when the shell
/// exits, finishes the rest with its exit status.
async fn watch_status(mut child: Child, status: ChildStdout, pending: Pending) {
    let mut lines = BufReader::new(status).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Some((id, code)) = line.rsplit_once(' ') else { continue };
        let Ok(code) = code.parse::<i32>() else { continue };
        let done = pending.lock().as_mut().and_then(|p| p.remove(id));
        if let Some(running) = done {
            running.finish(code).await;
        }
    }
    let code = match child.wait().await {
        Ok(s) => s.code().or_else(|| s.signal().map(|sig| 128 + sig)).unwrap_or(-1),
        Err(_) => -1,
    };
    let rest = pending.lock().take().unwrap_or_default();
    for (_, running) in rest {
        running.finish(code).await;
    }
}
