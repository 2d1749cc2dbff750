//! Command logs over a WebSocket (`…/logs?follow=true`): binary frames of raw log bytes
//! (markers stripped for old SDKs), then close 1000 once the exit code is known (at once
//! without `follow`), 1011 if the log cannot be read.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use tokio::io::AsyncReadExt;

use super::command::Command;
use daytona_models::LogDemux;

use super::logs::LogFormat;

/// Largest frame sent.
const CHUNK: u64 = 64 * 1024;

/// Upgrades to a WebSocket streaming `command`'s log (`None`: an empty log, e.g. a sandbox
/// without entrypoint), echoing a subprotocol as browser clients require.
pub fn serve(mut ws: WebSocketUpgrade, format: LogFormat, command: Option<Arc<Command>>, follow: bool) -> Response {
    crate::agent::subprotocol::select(&mut ws);
    // Opened before the upgrade completes: a session deleted right after the client connected
    // removes the log file, and the open handle still reads what was written.
    let log = command.map(|command| {
        let file = std::fs::File::open(command.log.path()).map(tokio::fs::File::from_std);
        (command, file)
    });
    ws.on_upgrade(move |mut socket| async move {
        let end = match log {
            Some((command, Ok(file))) => stream(&mut socket, format, &command, file, follow).await,
            Some((_, Err(e))) => End::ReadError(e),
            None => End::Done,
        };
        let code = match end {
            End::Done => axum::extract::ws::close_code::NORMAL,
            End::ReadError(e) => {
                tracing::debug!("reading a command log: {e}");
                axum::extract::ws::close_code::ERROR
            }
            End::ClientGone => return,
        };
        crate::agent::closing::close(&mut socket, code, "").await;
    })
}

/// How streaming ended.
enum End {
    /// Everything was sent (the command finished, or no `follow`).
    Done,
    /// The client closed or vanished.
    ClientGone,
    /// The log file could not be read.
    ReadError(std::io::Error),
}

async fn stream(
    socket: &mut WebSocket,
    format: LogFormat,
    command: &Command,
    mut file: tokio::fs::File,
    follow: bool,
) -> End {
    let mut progress = command.log.subscribe();
    let mut sent = 0u64;
    // Combined format: markers are stripped as the log streams (even when cut between chunks).
    let mut stripper = LogDemux::default();
    loop {
        let now = *progress.borrow_and_update();
        let last = !follow || now.exit_code.is_some();
        while sent < now.len {
            let n = (now.len - sent).min(CHUNK) as usize;
            let mut chunk = vec![0; n];
            if let Err(e) = file.read_exact(&mut chunk).await {
                return End::ReadError(e);
            }
            sent += n as u64;
            if format == LogFormat::Combined {
                chunk = stripper.push(&chunk).into_iter().flat_map(|(_, bytes)| bytes).collect();
            }
            if !chunk.is_empty() && socket.send(Message::Binary(chunk.into())).await.is_err() {
                return End::ClientGone;
            }
        }
        if last {
            let carry: Vec<u8> = stripper.finish().into_iter().flat_map(|(_, bytes)| bytes).collect();
            if !carry.is_empty() && socket.send(Message::Binary(carry.into())).await.is_err() {
                return End::ClientGone;
            }
            return End::Done;
        }
        tokio::select! {
            changed = progress.changed() => {
                if changed.is_err() {
                    return End::Done;
                }
            }
            msg = socket.recv() => match msg {
                Some(Ok(Message::Ping(payload))) => {
                    // Answered at once: an idle stream would otherwise hold the pong back.
                    if socket.send(Message::Pong(payload)).await.is_err() {
                        return End::ClientGone;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return End::ClientGone,
                Some(Ok(_)) => {}
            },
        }
    }
}
