//! `GET /ssh/channel` with `Upgrade: daytona-ssh`: one SSH session channel of the server's
//! SSH gateway, run inside the sandbox as its user. The gateway ends the SSH protocol (keys,
//! tokens, encryption) on the host; what reaches the sandbox is this framed byte stream: the
//! channel's request (a shell, a command or the `sftp` subsystem, with or without a terminal),
//! then its input, window changes and signals one way, and output and the exit the other.
//!
//! A frame is a kind byte, a big-endian `u32` length and that many bytes. The process runs
//! in its own session (process group) in the workload group like everything the agent
//! starts; when the gateway's side of the stream goes away, the group is hung up and killed.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::error::ToolboxError;
use super::pty::terminal::Terminal;
use super::Agent;

/// The `Upgrade` token of the channel stream.
pub const UPGRADE: &str = "daytona-ssh";
/// Largest frame either side accepts.
const MAX_FRAME: usize = 1 << 20;
/// How long output is still read after the process exits (a background job may hold the pipe).
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);
/// How long a process told to hang up has before it is killed.
const HANGUP_GRACE: Duration = Duration::from_millis(500);
/// Where images keep OpenSSH's SFTP server.
const SFTP_SERVERS: [&str; 4] = [
    "/usr/lib/openssh/sftp-server",
    "/usr/libexec/openssh/sftp-server",
    "/usr/lib/ssh/sftp-server",
    "/usr/libexec/sftp-server",
];

/// The kinds of frames.
pub mod kind {
    /// Gateway → agent, first: the [`super::ChannelRequest`] as JSON.
    pub const OPEN: u8 = b'O';
    /// Gateway → agent: input.
    pub const STDIN: u8 = b'I';
    /// Gateway → agent: the end of input.
    pub const EOF: u8 = b'E';
    /// Gateway → agent: the terminal's new size, `cols` and `rows` as big-endian `u16`s.
    pub const WINDOW: u8 = b'W';
    /// Gateway → agent: a signal's SSH name (`INT`, `TERM`, …).
    pub const SIGNAL: u8 = b'S';
    /// Agent → gateway: output (a terminal's, or stdout).
    pub const STDOUT: u8 = b'o';
    /// Agent → gateway: stderr.
    pub const STDERR: u8 = b'e';
    /// Agent → gateway, last: the [`super::ChannelExit`] as JSON.
    pub const EXIT: u8 = b'x';
    /// Agent → gateway, instead of anything else: why the request could not start (text).
    pub const FAILED: u8 = b'f';
}

/// The terminal a channel asked for (`pty-req`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TerminalRequest {
    /// `TERM`.
    pub term: String,
    /// Columns.
    pub cols: u16,
    /// Rows.
    pub rows: u16,
}

/// What a session channel runs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ChannelRequest {
    /// `exec`: a command for the user's shell (`None`: a login shell).
    pub command: Option<String>,
    /// `subsystem`: only `sftp`.
    pub subsystem: Option<String>,
    /// `pty-req`, if the client asked for a terminal.
    pub terminal: Option<TerminalRequest>,
    /// `env` requests the gateway accepted.
    pub env: BTreeMap<String, String>,
}

/// How a channel's process ended.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChannelExit {
    /// Its exit code; 128 + the signal's number when a signal ended it (as shells report it).
    pub code: i32,
}

/// Writes one frame.
pub async fn write_frame<W: AsyncWrite + Unpin>(w: &mut W, kind: u8, payload: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(payload.len()).map_err(|_| std::io::Error::other("frame too long"))?;
    let mut head = [0u8; 5];
    head[0] = kind;
    head[1..].copy_from_slice(&len.to_be_bytes());
    w.write_all(&head).await?;
    w.write_all(payload).await?;
    w.flush().await
}

/// Reads one frame; `None` at the end of the stream.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> std::io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    match r.read_exact(&mut head).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FRAME {
        return Err(std::io::Error::other(format!("frame of {len} bytes")));
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload).await?;
    Ok(Some((head[0], payload)))
}

/// Handler of `GET /ssh/channel`: switches the connection to the channel stream.
pub async fn channel(State(agent): State<Arc<Agent>>, mut req: Request) -> Result<Response, ToolboxError> {
    let upgrade =
        req.headers().get(header::UPGRADE).is_some_and(|u| u.as_bytes().eq_ignore_ascii_case(UPGRADE.as_bytes()));
    if !upgrade {
        return Err(ToolboxError::BadRequest(format!(
            "the SSH channel needs `Connection: upgrade` and `Upgrade: {UPGRADE}`"
        )));
    }
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => serve(agent, TokioIo::new(upgraded)).await,
            Err(e) => tracing::debug!("ssh channel upgrade: {e}"),
        }
    });
    let mut resp = StatusCode::SWITCHING_PROTOCOLS.into_response();
    resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    resp.headers_mut().insert(header::UPGRADE, HeaderValue::from_static(UPGRADE));
    Ok(resp)
}

/// What the gateway sends once the process runs.
enum Input {
    Data(Vec<u8>),
    Eof,
    Window(u16, u16),
    Signal(i32),
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(agent: Arc<Agent>, stream: S) {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let request = match read_frame(&mut rd).await {
        Ok(Some((kind::OPEN, json))) => serde_json::from_slice::<ChannelRequest>(&json).map_err(|e| e.to_string()),
        Ok(_) => Err("the channel stream must start with its request".into()),
        Err(e) => Err(e.to_string()),
    };
    let (out_tx, mut out_rx) = mpsc::channel::<(u8, Vec<u8>)>(64);
    let (in_tx, in_rx) = mpsc::channel::<Input>(64);
    let started = match request {
        Ok(r) => start(&agent, &r, in_rx, out_tx).await,
        Err(e) => Err(e),
    };
    let pgid = match started {
        Ok(pgid) => pgid,
        Err(why) => {
            let _ = write_frame(&mut wr, kind::FAILED, why.as_bytes()).await;
            return;
        }
    };
    // Output → gateway, until the exit frame.
    let writer = tokio::spawn(async move {
        while let Some((k, payload)) = out_rx.recv().await {
            if write_frame(&mut wr, k, &payload).await.is_err() {
                return false;
            }
            if k == kind::EXIT {
                let _ = wr.shutdown().await;
                return true;
            }
        }
        false
    });
    // Gateway → process, until the stream ends.
    let reader = async move {
        while let Ok(Some((k, payload))) = read_frame(&mut rd).await {
            let input = match k {
                kind::STDIN => Input::Data(payload),
                kind::EOF => Input::Eof,
                kind::WINDOW if payload.len() == 4 => Input::Window(
                    u16::from_be_bytes([payload[0], payload[1]]),
                    u16::from_be_bytes([payload[2], payload[3]]),
                ),
                kind::SIGNAL => match signal_number(&String::from_utf8_lossy(&payload)) {
                    Some(n) => Input::Signal(n),
                    None => continue,
                },
                _ => continue,
            };
            if in_tx.send(input).await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        _ = reader => {
            // The client went away before the process ended: end its whole session.
            hang_up(pgid);
        }
        finished = writer => {
            if !matches!(finished, Ok(true)) {
                hang_up(pgid);
            }
        }
    }
}

/// Hangs up process group `pgid`, and kills what is left of it after [`HANGUP_GRACE`].
fn hang_up(pgid: i32) {
    // SAFETY: kill(2) of a process group this agent started (its leader's pid).
    unsafe { libc::kill(-pgid, libc::SIGHUP) };
    tokio::spawn(async move {
        tokio::time::sleep(HANGUP_GRACE).await;
        // SAFETY: as above.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    });
}

/// The signal of an SSH signal name (RFC 4254 §6.9: without the `SIG` prefix).
fn signal_number(name: &str) -> Option<i32> {
    Some(match name {
        "ABRT" => libc::SIGABRT,
        "ALRM" => libc::SIGALRM,
        "FPE" => libc::SIGFPE,
        "HUP" => libc::SIGHUP,
        "ILL" => libc::SIGILL,
        "INT" => libc::SIGINT,
        "KILL" => libc::SIGKILL,
        "PIPE" => libc::SIGPIPE,
        "QUIT" => libc::SIGQUIT,
        "SEGV" => libc::SIGSEGV,
        "TERM" => libc::SIGTERM,
        "USR1" => libc::SIGUSR1,
        "USR2" => libc::SIGUSR2,
        _ => return None,
    })
}

fn exit_of(status: std::io::Result<std::process::ExitStatus>) -> ChannelExit {
    match status {
        Ok(s) => ChannelExit { code: s.code().or(s.signal().map(|sig| 128 + sig)).unwrap_or(255) },
        Err(_) => ChannelExit { code: 255 },
    }
}

fn exit_frame(exit: &ChannelExit) -> (u8, Vec<u8>) {
    (kind::EXIT, serde_json::to_vec(exit).unwrap_or_default())
}

/// Starts what `req` asks for; its process group on success.
async fn start(
    agent: &Agent,
    req: &ChannelRequest,
    input: mpsc::Receiver<Input>,
    output: mpsc::Sender<(u8, Vec<u8>)>,
) -> Result<i32, String> {
    let program: Option<String> =
        match req.subsystem.as_deref() {
            None => None,
            Some("sftp") => {
                Some(SFTP_SERVERS.iter().find(|p| std::path::Path::new(p).exists()).map(|p| (*p).to_owned()).ok_or(
                    "this sandbox's image has no OpenSSH sftp-server; `scp -O` copies through the shell's `scp`",
                )?)
            }
            Some(other) => return Err(format!("unknown subsystem {other:?} (only sftp)")),
        };
    if let Some(name) = req.env.keys().find(|k| !daytona_models::is_env_name(k)) {
        return Err(format!("invalid environment variable name {name:?}"));
    }
    match &req.terminal {
        Some(t) => {
            let command = program.as_deref().or(req.command.as_deref());
            start_terminal(agent, t, command, &req.env, input, output)
        }
        None => start_piped(agent, program, req, input, output).await,
    }
}

fn start_terminal(
    agent: &Agent,
    t: &TerminalRequest,
    command: Option<&str>,
    env: &BTreeMap<String, String>,
    mut input: mpsc::Receiver<Input>,
    output: mpsc::Sender<(u8, Vec<u8>)>,
) -> Result<i32, String> {
    let (cols, rows) = (t.cols.clamp(1, 1000), t.rows.clamp(1, 1000));
    let mut envs = env.clone();
    envs.insert("TERM".into(), if t.term.is_empty() { "xterm-256color".into() } else { t.term.clone() });
    let (terminal, mut child) =
        Terminal::spawn(cols, rows, &agent.home, &envs, command).map_err(|e| format!("starting the shell: {e}"))?;
    let pgid = child.id() as i32;
    let mut reader = terminal.reader().map_err(|e| format!("terminal: {e}"))?;
    let mut writer = terminal.writer().map_err(|e| format!("terminal: {e}"))?;
    let reader_output = output.clone();
    std::thread::Builder::new()
        .name("ssh-pty-reader".into())
        .spawn(move || {
            let mut buf = vec![0u8; 32 * 1024];
            // EIO once the shell and everything it left on the terminal are gone.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || reader_output.blocking_send((kind::STDOUT, buf[..n].to_vec())).is_err() {
                    break;
                }
            }
            let _ = reader_output.blocking_send(exit_frame(&exit_of(child.wait())));
        })
        .map_err(|e| format!("terminal thread: {e}"))?;
    let (keys, typed) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::Builder::new()
        .name("ssh-pty-writer".into())
        .spawn(move || {
            for bytes in typed {
                if writer.write_all(&bytes).and_then(|()| writer.flush()).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| format!("terminal thread: {e}"))?;
    tokio::spawn(async move {
        while let Some(i) = input.recv().await {
            match i {
                Input::Data(bytes) => {
                    if keys.send(bytes).is_err() {
                        break;
                    }
                }
                // A terminal has no end of input of its own: the shell reads ^D for that.
                Input::Eof => {}
                Input::Window(cols, rows) => {
                    let _ = terminal.resize(cols.clamp(1, 1000), rows.clamp(1, 1000));
                }
                // SAFETY: kill(2) of the terminal's process group.
                Input::Signal(sig) => unsafe {
                    libc::kill(-pgid, sig);
                },
            }
        }
    });
    Ok(pgid)
}

/// Sends what `pipe` yields as frames of `k`; the receiver hears when it has ended.
fn pump<R: AsyncRead + Unpin + Send + 'static>(
    pipe: Option<R>,
    k: u8,
    output: &mpsc::Sender<(u8, Vec<u8>)>,
) -> Option<tokio::sync::oneshot::Receiver<()>> {
    let (mut pipe, out) = (pipe?, output.clone());
    let (done, finished) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 32 * 1024];
        while let Ok(n) = pipe.read(&mut buf).await {
            if n == 0 || out.send((k, buf[..n].to_vec())).await.is_err() {
                break;
            }
        }
        let _ = done.send(());
    });
    Some(finished)
}

async fn start_piped(
    agent: &Agent,
    program: Option<String>,
    req: &ChannelRequest,
    mut input: mpsc::Receiver<Input>,
    output: mpsc::Sender<(u8, Vec<u8>)>,
) -> Result<i32, String> {
    let shell = super::process::bash_or_shell();
    let mut cmd = match (&program, &req.command) {
        (Some(p), _) => tokio::process::Command::new(p),
        (None, Some(c)) => {
            let mut cmd = tokio::process::Command::new(shell);
            cmd.arg("-c").arg(c);
            cmd
        }
        (None, None) => {
            let mut cmd = tokio::process::Command::new(shell);
            cmd.arg("-l");
            cmd
        }
    };
    cmd.current_dir(&agent.home)
        .envs(&req.env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(false);
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.as_std_mut().pre_exec(|| match libc::setsid() {
            -1 => Err(std::io::Error::last_os_error()),
            _ => Ok(()),
        });
    }
    let mut child = super::workload::spawn(cmd)
        .await
        .map_err(|e| format!("starting {}: {e}", program.as_deref().unwrap_or(shell)))?;
    let pgid = child.id().map(|p| p as i32).ok_or("the process is gone")?;
    let mut stdin = child.stdin.take();
    let drained: Vec<_> =
        [pump(child.stdout.take(), kind::STDOUT, &output), pump(child.stderr.take(), kind::STDERR, &output)]
            .into_iter()
            .flatten()
            .collect();
    tokio::spawn(async move {
        while let Some(i) = input.recv().await {
            match i {
                Input::Data(bytes) => {
                    if let Some(s) = stdin.as_mut() {
                        if s.write_all(&bytes).await.is_err() {
                            stdin = None;
                        }
                    }
                }
                Input::Eof => stdin = None,
                Input::Window(..) => {}
                // SAFETY: kill(2) of the command's process group.
                Input::Signal(sig) => unsafe {
                    libc::kill(-pgid, sig);
                },
            }
        }
    });
    tokio::spawn(async move {
        let status = child.wait().await;
        let _ = tokio::time::timeout(DRAIN_AFTER_EXIT, futures_util::future::join_all(drained)).await;
        let _ = output.send(exit_frame(&exit_of(status))).await;
    });
    Ok(pgid)
}
