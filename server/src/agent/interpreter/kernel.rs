//! One context's Python process (`kernel.py`): started in its own process group as the
//! sandbox user, talked to over a socket on its fd 3, its stdout and stderr streamed.

use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use daytona_models::InterpreterFrame;
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::OwnedWriteHalf;
use tokio::sync::mpsc;

use super::marks::{Piece, Splitter};

/// How long a new process may take to say it is ready.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// Which output stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout = 0,
    Stderr = 1,
}

impl Stream {
    /// The frame type of its text.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
        }
    }
}

/// A message of the kernel on its socket.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Message {
    /// Started and waiting for code.
    Ready,
    /// A frame for the client, ordered after the output marked `seq`.
    Event { seq: u64, frame: InterpreterFrame },
    /// The execution ended (`ok`, `error` or `interrupted`), its number `count`.
    Done { seq: u64, status: String, count: u64 },
}

/// What the kernel produced, in the order read.
#[derive(Debug)]
pub enum Item {
    /// Output text.
    Text(Stream, String),
    /// Everything a stream had before event `seq` has been read.
    Mark(Stream, u64),
    /// A message on the socket (boxed: a frame is much larger than a line of text).
    Message(Box<Message>),
    /// The socket closed: the process is gone.
    Exited,
}

/// A running kernel. Dropping it kills its whole process group.
pub struct Kernel {
    child: tokio::process::Child,
    pgid: i32,
    writer: OwnedWriteHalf,
    /// Its output and messages.
    pub items: mpsc::Receiver<Item>,
    /// The number of its last event (its events are numbered one by one from 1).
    pub last_seq: u64,
}

impl Kernel {
    /// Starts `python3 kernel.py` from `dir` in `cwd` and waits until it is ready.
    pub async fn start(dir: &Path, cwd: &Path) -> Result<Self, String> {
        let (ours, theirs) = std::os::unix::net::UnixStream::pair().map_err(|e| format!("socket pair: {e}"))?;
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let mut command = tokio::process::Command::new("python3");
        command
            .arg("-u")
            .arg(dir.join("kernel.py"))
            .current_dir(cwd)
            .env("DAYTONA_KERNEL_MARK", &nonce)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        if std::env::var_os("MPLBACKEND").is_none() {
            command.env("MPLBACKEND", "module://daytona_inline");
        }
        let fd = theirs.as_raw_fd();
        // SAFETY: only async-signal-safe calls (dup2, fcntl) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                let done = if fd == 3 { libc::fcntl(3, libc::F_SETFD, 0) } else { libc::dup2(fd, 3) };
                if done < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = crate::agent::workload::spawn(command)
            .await
            .map_err(|e| format!("starting python3 in {}: {e}", cwd.display()))?;
        drop(theirs);
        let pgid = child.id().map_or(0, |p| p as i32);
        ours.set_nonblocking(true).map_err(|e| e.to_string())?;
        let (reader, writer) = tokio::net::UnixStream::from_std(ours).map_err(|e| e.to_string())?.into_split();
        let (tx, mut items) = mpsc::channel(256);
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        tokio::spawn(pump_stream(stdout, Stream::Stdout, Splitter::new(&nonce), tx.clone()));
        tokio::spawn(pump_stream(stderr, Stream::Stderr, Splitter::new(&nonce), tx.clone()));
        tokio::spawn(pump_messages(reader, tx));
        let ready = tokio::time::timeout(READY_WITHIN, async {
            loop {
                match items.recv().await {
                    Some(Item::Message(m)) if matches!(*m, Message::Ready) => return Ok(()),
                    Some(Item::Text(_, text)) => tracing::debug!(%text, "interpreter start-up output"),
                    Some(Item::Exited) | None => return Err("the interpreter process exited as it started".to_owned()),
                    Some(_) => {}
                }
            }
        })
        .await;
        match ready {
            Ok(Ok(())) => Ok(Self { child, pgid, writer, items, last_seq: 0 }),
            Ok(Err(e)) => {
                let status = child.wait().await.map(|s| s.to_string()).unwrap_or_default();
                Err(format!("{e} ({status})"))
            }
            Err(_) => Err(format!("the interpreter process was not ready within {} s", READY_WITHIN.as_secs())),
        }
    }

    /// Sends one request line.
    pub async fn send(&mut self, request: &serde_json::Value) -> Result<(), String> {
        let mut line = request.to_string();
        line.push('\n');
        self.writer.write_all(line.as_bytes()).await.map_err(|e| format!("writing to the interpreter: {e}"))
    }

    /// The process group (its id), for interrupts from elsewhere.
    pub fn pgid(&self) -> i32 {
        self.pgid
    }

    /// Whether it has ended (without waiting).
    pub fn has_ended(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// How it ended, once it has (waiting a moment for it).
    pub async fn exit_status(&mut self) -> Option<String> {
        // Its socket and pipes close while it exits, a moment before its status exists: wait
        // a little for that (a process that closed them but lives on counts as killed).
        let status = tokio::time::timeout(std::time::Duration::from_millis(500), self.child.wait()).await;
        status.ok()?.ok().map(|s| s.to_string())
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        signal_group(self.pgid, libc::SIGKILL);
    }
}

/// Sends `signal` to the process group `pgid` (nothing for 0).
pub fn signal_group(pgid: i32, signal: i32) {
    if pgid > 0 {
        // SAFETY: kill(2) on a process group this agent created.
        unsafe { libc::kill(-pgid, signal) };
    }
}

async fn pump_stream(mut out: impl AsyncRead + Unpin, stream: Stream, mut splitter: Splitter, tx: mpsc::Sender<Item>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match out.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for piece in splitter.feed(&buf[..n]) {
            let item = match piece {
                Piece::Text(text) => Item::Text(stream, text),
                Piece::Mark(seq) => Item::Mark(stream, seq),
            };
            if tx.send(item).await.is_err() {
                return;
            }
        }
    }
    if let Some(Piece::Text(text)) = splitter.finish() {
        let _ = tx.send(Item::Text(stream, text)).await;
    }
}

async fn pump_messages(reader: tokio::net::unix::OwnedReadHalf, tx: mpsc::Sender<Item>) {
    let mut lines = BufReader::new(reader).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        match serde_json::from_str::<Message>(&line) {
            Ok(message) => {
                if tx.send(Item::Message(Box::new(message))).await.is_err() {
                    return;
                }
            }
            Err(e) => tracing::warn!(error = %e, "unreadable interpreter message"),
        }
    }
    let _ = tx.send(Item::Exited).await;
}
