//! One PTY session: a shell on a pseudo-terminal, a bounded scrollback ring that (re)attaching
//! clients replay, and fan-out of output to every attached client.
//!
//! Flow control: a client whose queue is full while another client keeps up is dropped (and
//! closed with 1008), so a slow client never holds back the others. When every attached
//! client is full, the PTY waits for the fastest one, as a real terminal does (so a big `cat`
//! arrives intact), but never longer than [`STALL_LIMIT`]: then the stuck clients are dropped.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;

use axum::body::Bytes;
use daytona_models::PtySessionInfo;
use tokio::sync::mpsc;

use super::terminal::Terminal;

/// Scrollback kept for clients that attach later.
pub const RING_BYTES: usize = 1 << 20;
/// Output chunks queued per client before it counts as full: a PTY read is at most 16 KiB
/// (usually 4 KiB), so a client may lag some 16–64 MiB behind before it is cut; a short
/// stall of a client that keeps up on average never costs it its connection.
const CLIENT_QUEUE: usize = 4096;
/// How long a shell told to hang up has before it is killed.
const HANGUP_GRACE: std::time::Duration = std::time::Duration::from_millis(200);
/// How long a full client may take to drain while others keep up, before it is cut.
const FULL_GRACE: std::time::Duration = std::time::Duration::from_millis(500);
/// Longest time the PTY waits for clients that are all full.
const STALL_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

/// How a PTY's shell ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exit {
    /// Exit code (128 + signal for signals).
    pub code: i32,
    /// `SIGKILL`, `SIGTERM`, … when a signal ended it.
    pub reason: Option<String>,
}

/// What an attached client receives.
#[derive(Debug)]
pub enum PtyEvent {
    /// Terminal output.
    Output(Bytes),
    /// The shell exited (last event).
    Exited(Exit),
}

struct Output {
    ring: VecDeque<u8>,
    /// Bytes produced since the start (the ring holds the last `ring.len()` of them).
    total: u64,
    clients: Vec<mpsc::Sender<PtyEvent>>,
    exit: Option<Exit>,
}

struct Running {
    terminal: Terminal,
    writer: Arc<Mutex<File>>,
    /// The shell, as a pidfd: signals through it never reach another process that got the
    /// pid after the shell was reaped.
    shell: std::os::fd::OwnedFd,
}

/// A PTY session of the agent.
pub struct PtySession {
    info: Mutex<PtySessionInfo>,
    cwd: PathBuf,
    output: Mutex<Output>,
    running: Mutex<Option<Running>>,
}

/// A client's view on attach: the replayed bytes and the live events.
pub struct Attachment {
    /// Bytes to show first (scrollback from the requested offset).
    pub replay: Vec<u8>,
    /// Stream offset of the first replayed byte (the client resumes from here + bytes seen).
    pub from: u64,
    /// Live events.
    pub events: mpsc::Receiver<PtyEvent>,
}

impl PtySession {
    /// A session (not yet started).
    pub fn new(info: PtySessionInfo, cwd: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            info: Mutex::new(info),
            cwd,
            output: Mutex::new(Output { ring: VecDeque::new(), total: 0, clients: Vec::new(), exit: None }),
            running: Mutex::new(None),
        })
    }

    /// The session's description.
    pub fn info(&self) -> PtySessionInfo {
        self.info.lock().clone()
    }

    /// How it ended, if it did.
    pub fn exit(&self) -> Option<Exit> {
        self.output.lock().exit.clone()
    }

    /// Starts the shell (once); `on_exit` runs after the shell has exited, just before clients are told.
    pub fn start(self: &Arc<Self>, on_exit: impl FnOnce() + Send + 'static) -> Result<(), String> {
        let mut running = self.running.lock();
        if running.is_some() || self.exit().is_some() {
            return Ok(());
        }
        let info = self.info();
        let (terminal, mut child) = Terminal::spawn(info.cols, info.rows, &self.cwd, &info.envs, None)
            .map_err(|e| format!("starting the shell: {e}"))?;
        let mut reader = terminal.reader().map_err(|e| format!("pty reader: {e}"))?;
        let writer = terminal.writer().map_err(|e| format!("pty writer: {e}"))?;
        // SAFETY: pidfd_open of our own child, not yet reaped; the new descriptor is ours.
        let shell = match unsafe { libc::syscall(libc::SYS_pidfd_open, child.id(), 0) } {
            -1 => return Err(format!("pidfd of the shell: {}", std::io::Error::last_os_error())),
            fd => unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as i32) },
        };
        *running = Some(Running { terminal, writer: Arc::new(Mutex::new(writer)), shell });
        self.info.lock().active = true;

        let session = Arc::clone(self);
        std::thread::Builder::new()
            .name("pty-reader".into())
            .spawn(move || {
                let mut buf = vec![0u8; 16 * 1024];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    session.publish(&buf[..n]);
                }
                let exit = match child.wait() {
                    Ok(status) => match status.signal() {
                        Some(sig) => Exit { code: 128 + sig, reason: Some(signal_name(sig)) },
                        None => Exit { code: status.code().unwrap_or(-1), reason: None },
                    },
                    Err(_) => Exit { code: -1, reason: Some("lost".into()) },
                };
                // Out of the registry before clients hear of the exit: whoever reacts to it
                // finds the PTY gone, as reported.
                on_exit();
                session.finish(exit);
            })
            .map_err(|e| format!("pty thread: {e}"))?;
        Ok(())
    }

    /// Called from the reader thread for each chunk of output.
    fn publish(&self, bytes: &[u8]) {
        let waited = std::time::Instant::now();
        loop {
            let mut out = self.output.lock();
            let full = out.clients.iter().filter(|c| c.capacity() == 0).count();
            let all_full = full > 0 && full == out.clients.len();
            // A full client gets a moment to drain before it counts as slower than the others
            // (a reader that lags for an instant, while another socket's kernel buffer still
            // absorbs output, is not a slow consumer); when every client is full, longer.
            let limit = if all_full { STALL_LIMIT } else { FULL_GRACE };
            if full > 0 && waited.elapsed() < limit {
                drop(out);
                std::thread::sleep(std::time::Duration::from_millis(2));
                continue;
            }
            out.total += bytes.len() as u64;
            out.ring.extend(bytes);
            let excess = out.ring.len().saturating_sub(RING_BYTES);
            out.ring.drain(..excess);
            let chunk = Bytes::copy_from_slice(bytes);
            // A client that is full now is slower than another one (or stuck): dropping its
            // sender ends its stream.
            out.clients.retain(|c| c.try_send(PtyEvent::Output(chunk.clone())).is_ok());
            return;
        }
    }

    fn finish(&self, exit: Exit) {
        *self.running.lock() = None;
        self.info.lock().active = false;
        let mut out = self.output.lock();
        out.exit = Some(exit.clone());
        for c in out.clients.drain(..) {
            let _ = c.try_send(PtyEvent::Exited(exit.clone()));
        }
    }

    /// Attaches a client from byte `offset` (default: the whole scrollback). Replay and live
    /// events join without a gap or an overlap.
    pub fn attach(&self, offset: Option<u64>) -> Attachment {
        let (tx, rx) = mpsc::channel(CLIENT_QUEUE);
        let mut out = self.output.lock();
        let start = out.total - out.ring.len() as u64;
        let from = offset.unwrap_or(start).clamp(start, out.total);
        let replay: Vec<u8> = out.ring.iter().skip((from - start) as usize).copied().collect();
        match &out.exit {
            Some(exit) => {
                let _ = tx.try_send(PtyEvent::Exited(exit.clone()));
            }
            None => out.clients.push(tx),
        }
        Attachment { replay, from, events: rx }
    }

    /// Writes keystrokes to the terminal.
    pub async fn write(&self, bytes: Vec<u8>) -> Result<(), String> {
        let writer = self.running.lock().as_ref().map(|r| Arc::clone(&r.writer)).ok_or("the PTY is not running")?;
        tokio::task::spawn_blocking(move || {
            let mut w = writer.lock();
            w.write_all(&bytes).and_then(|()| w.flush())
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("writing to the PTY: {e}"))
    }

    /// Changes the terminal size.
    pub fn resize(&self, cols: u16, rows: u16) -> Result<PtySessionInfo, String> {
        if let Some(r) = self.running.lock().as_ref() {
            r.terminal.resize(cols, rows).map_err(|e| format!("resize: {e}"))?;
        }
        let mut info = self.info.lock();
        info.cols = cols;
        info.rows = rows;
        Ok(info.clone())
    }

    /// Hangs the shell up, and kills it if it is still there after [`HANGUP_GRACE`] (its
    /// exit is then reported to clients).
    pub fn kill(&self) {
        let signal = |shell: &std::os::fd::OwnedFd, signal: i32| {
            // SAFETY: pidfd_send_signal on a pidfd we own, with no siginfo.
            unsafe { libc::syscall(libc::SYS_pidfd_send_signal, shell.as_raw_fd(), signal, std::ptr::null::<u8>(), 0) };
        };
        let Some(shell) = self.running.lock().as_ref().and_then(|r| r.shell.try_clone().ok()) else { return };
        signal(&shell, libc::SIGHUP);
        std::thread::spawn(move || {
            std::thread::sleep(HANGUP_GRACE);
            // Nothing happens if it has exited meanwhile (reaped or not).
            signal(&shell, libc::SIGKILL);
        });
    }
}

fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGHUP => "SIGHUP".into(),
        libc::SIGINT => "Ctrl+C".into(),
        libc::SIGQUIT => "SIGQUIT".into(),
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGTERM => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

/// Envs and size checks shared by the REST and WebSocket creation paths.
pub fn check_size(cols: u16, rows: u16) -> Result<(), String> {
    if (1..=1000).contains(&cols) && (1..=1000).contains(&rows) {
        Ok(())
    } else {
        Err(format!("cols and rows must be between 1 and 1000, got {cols}x{rows}"))
    }
}
