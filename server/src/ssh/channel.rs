//! The gateway's channels: a session channel bridged to the agent's framed channel stream,
//! and a forwarded connection relayed through the agent's tunnel.

use std::sync::Arc;

use daytona_models::SandboxState;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use russh::server::Msg;
use russh::{Channel, ChannelMsg};

use crate::agent::ssh::{kind, read_frame, write_frame, ChannelExit, ChannelRequest, TerminalRequest, UPGRADE};
use crate::app::state::AppState;
use crate::jail::agent_client;
use crate::proxy::toolbox::while_active;

/// Variables a client may set with `env` requests (as OpenSSH's default `AcceptEnv`).
pub fn accepts_env(name: &str) -> bool {
    name == "LANG" || name == "COLORTERM" || (name.starts_with("LC_") && daytona_models::is_env_name(name))
}

/// The agent socket of sandbox `id` if it runs; else why not, as the user should read it.
fn running_agent(st: &AppState, id: &str) -> Result<std::path::PathBuf, String> {
    let rec = st.find(id).map_err(|e| e.to_string())?;
    if rec.state() != SandboxState::Started || !st.runtime.is_running(id) {
        return Err(format!(
            "sandbox {id} is not started (state: {}); start it, then connect again",
            rec.state().as_str()
        ));
    }
    Ok(st.runtime.socket(id))
}

/// A connection to `host:port` as the sandbox sees it (`ssh -L`): only its own `localhost`.
pub async fn open_tunnel(st: &AppState, id: &str, host: &str, port: u32) -> Result<Upgraded, String> {
    if !matches!(host, "localhost" | "127.0.0.1" | "::1" | "0.0.0.0") {
        return Err(format!("only the sandbox's own localhost can be forwarded to, not {host:?}"));
    }
    let port = u16::try_from(port).ok().filter(|p| *p > 0).ok_or_else(|| format!("invalid port {port}"))?;
    agent_client::tunnel(&running_agent(st, id)?, port).await
}

/// Relays a forwarded connection until either side closes it.
pub async fn relay(st: Arc<AppState>, id: String, channel: Channel<Msg>, tunnel: Upgraded) {
    let mut stream = channel.into_stream();
    let mut tunnel = TokioIo::new(tunnel);
    let _ = while_active(&st, &id, tokio::io::copy_bidirectional(&mut stream, &mut tunnel)).await;
}

/// What a session channel asked for before it started.
enum Start {
    Shell,
    Exec(String),
    Subsystem(String),
}

/// Serves one session channel of sandbox `sandbox` (or says why it cannot).
pub async fn session(st: Arc<AppState>, sandbox: Result<String, String>, channel: Channel<Msg>) {
    let (mut read, write) = channel.split();
    let mut request = ChannelRequest::default();
    let start = loop {
        match read.wait().await {
            Some(ChannelMsg::RequestPty { term, col_width, row_height, .. }) => {
                // 0 × 0: a client that does not know its size (stdin not a terminal).
                let (cols, rows) = match (col_width, row_height) {
                    (0, 0) => (80, 24),
                    (c, r) => (clamp(c), clamp(r)),
                };
                request.terminal = Some(TerminalRequest { term, cols, rows });
            }
            Some(ChannelMsg::SetEnv { variable_name, variable_value, .. }) if accepts_env(&variable_name) => {
                request.env.insert(variable_name, variable_value);
            }
            Some(ChannelMsg::RequestShell { .. }) => break Start::Shell,
            Some(ChannelMsg::Exec { command, .. }) => {
                break Start::Exec(String::from_utf8_lossy(&command).into_owned())
            }
            Some(ChannelMsg::RequestSubsystem { name, .. }) => break Start::Subsystem(name),
            Some(ChannelMsg::Close) | None => return,
            Some(_) => {}
        }
    };
    match start {
        Start::Shell => {}
        Start::Exec(command) => request.command = Some(command),
        Start::Subsystem(name) => request.subsystem = Some(name),
    }
    let stream = match sandbox.and_then(|id| running_agent(&st, &id).map(|socket| (id, socket))) {
        Ok((id, socket)) => match agent_client::upgrade(&socket, "/ssh/channel", UPGRADE).await {
            Ok(stream) => Ok((id, stream)),
            Err(e) => Err(format!("the sandbox's agent: {e}")),
        },
        Err(e) => Err(e),
    };
    let (id, stream) = match stream {
        Ok(s) => s,
        Err(why) => return fail(&write, &why).await,
    };
    let outcome = while_active(&st, &id, bridge(request, &mut read, &write, TokioIo::new(stream))).await;
    if let Err(why) = outcome {
        fail(&write, &why).await;
    }
}

fn clamp(n: u32) -> u16 {
    n.clamp(1, 1000) as u16
}

/// Tells the client why its channel ends, and ends it (exit status 255, as `ssh` does for its
/// own errors).
async fn fail(write: &russh::ChannelWriteHalf<Msg>, why: &str) {
    let _ = write.extended_data(1, format!("daytona-local: {why}\r\n").as_bytes()).await;
    let _ = write.exit_status(255).await;
    let _ = write.eof().await;
    let _ = write.close().await;
}

async fn bridge(
    request: ChannelRequest,
    read: &mut russh::ChannelReadHalf,
    write: &russh::ChannelWriteHalf<Msg>,
    stream: TokioIo<Upgraded>,
) -> Result<(), String> {
    let (mut from_agent, mut to_agent) = tokio::io::split(stream);
    let open = serde_json::to_vec(&request).map_err(|e| e.to_string())?;
    write_frame(&mut to_agent, kind::OPEN, &open).await.map_err(|e| format!("the sandbox's agent: {e}"))?;
    // The two directions run apart: a client that sends (an upload) while the process's
    // output waits to be read (SFTP's answers) never holds the other direction up, and each
    // frame is read whole (a frame read is not cancel-safe).
    let upstream = async {
        loop {
            let frame = match read.wait().await {
                Some(ChannelMsg::Data { data }) => (kind::STDIN, data.to_vec()),
                Some(ChannelMsg::Eof) => (kind::EOF, Vec::new()),
                Some(ChannelMsg::WindowChange { col_width, row_height, .. }) => {
                    let mut size = clamp(col_width).to_be_bytes().to_vec();
                    size.extend(clamp(row_height).to_be_bytes());
                    (kind::WINDOW, size)
                }
                Some(ChannelMsg::Signal { signal }) => (kind::SIGNAL, signal_name(&signal).into_bytes()),
                // The client closed the channel: dropping the stream ends the process.
                Some(ChannelMsg::Close) | None => return,
                Some(_) => continue,
            };
            if write_frame(&mut to_agent, frame.0, &frame.1).await.is_err() {
                // The agent's side is gone: the downstream half reports it.
                return std::future::pending().await;
            }
        }
    };
    let downstream = async {
        loop {
            match read_frame(&mut from_agent).await {
                Ok(Some((kind::STDOUT, data))) => write.data_bytes(data).await.map_err(|e| e.to_string())?,
                Ok(Some((kind::STDERR, data))) => {
                    write.extended_data_bytes(1, data).await.map_err(|e| e.to_string())?
                }
                Ok(Some((kind::EXIT, json))) => {
                    let exit: ChannelExit = serde_json::from_slice(&json).map_err(|e| e.to_string())?;
                    let _ = write.exit_status(exit.code as u32).await;
                    let _ = write.eof().await;
                    let _ = write.close().await;
                    return Ok(());
                }
                Ok(Some((kind::FAILED, why))) => return Err(String::from_utf8_lossy(&why).into_owned()),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return Err("the sandbox's agent ended the session".into()),
            }
        }
    };
    tokio::select! {
        () = upstream => Ok(()),
        outcome = downstream => outcome,
    }
}

fn signal_name(sig: &russh::Sig) -> String {
    use russh::Sig;
    match sig {
        Sig::ABRT => "ABRT",
        Sig::ALRM => "ALRM",
        Sig::FPE => "FPE",
        Sig::HUP => "HUP",
        Sig::ILL => "ILL",
        Sig::INT => "INT",
        Sig::KILL => "KILL",
        Sig::PIPE => "PIPE",
        Sig::QUIT => "QUIT",
        Sig::SEGV => "SEGV",
        Sig::TERM => "TERM",
        Sig::USR1 => "USR1",
        Sig::Custom(name) => name.as_str(),
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_locale_variables_are_accepted() {
        assert!(accepts_env("LANG"));
        assert!(accepts_env("LC_ALL"));
        assert!(!accepts_env("LD_PRELOAD"));
        assert!(!accepts_env("PATH"));
        assert!(!accepts_env("LC_BAD-NAME"));
    }
}
