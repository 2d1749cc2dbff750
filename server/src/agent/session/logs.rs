//! Session command logs: one bounded file per command in which every output line is led by
//! its stream marker, the formats the SDK versions expect, and the demultiplexing.

use parking_lot::Mutex;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use daytona_models::{LogDemux, SessionCommandLogsResponse, SessionExecuteResponse};
use tokio::sync::watch;

/// Most bytes kept per command log; later output is dropped after one notice.
const LOG_LIMIT: u64 = 32 << 20;

/// Which stream a piece of output came from (markers and demux are shared with the SDK).
pub use daytona_models::LogStream as Stream;

/// Progress of a command, as log readers and followers see it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    /// Bytes in the log file (always at the end of a complete write).
    pub len: u64,
    /// Exit code, once known (every line the command wrote before exiting is then logged).
    pub exit_code: Option<i32>,
}

/// A command's log file and its progress.
pub struct Log {
    path: PathBuf,
    writer: Mutex<Writer>,
    progress: watch::Sender<Progress>,
}

struct Writer {
    file: File,
    len: u64,
    truncated: bool,
    /// Whether the file ends with a newline (or is empty).
    at_line_start: bool,
    /// Stream of the last line when it has no newline yet.
    open_line: Option<Stream>,
}

impl Log {
    /// Creates an empty log at `path`.
    pub fn create(path: PathBuf) -> std::io::Result<Self> {
        let file = File::create(&path)?;
        let writer = Writer { file, len: 0, truncated: false, at_line_start: true, open_line: None };
        Ok(Self { path, writer: Mutex::new(writer), progress: watch::Sender::new(Progress::default()) })
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends output of `stream`: every line led by the stream's marker, a partial line
    /// written at once (continued without a marker by more of the same stream, closed with a
    /// newline when the other stream interrupts it).
    pub fn write(&self, stream: Stream, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let mut out = Vec::with_capacity(data.len() + 8);
        let mut w = self.writer.lock();
        let mut rest = data;
        if w.open_line == Some(stream) {
            let end = rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |i| i + 1);
            out.extend_from_slice(&rest[..end]);
            rest = &rest[end..];
        } else if w.open_line.is_some() {
            out.push(b'\n');
        }
        for line in rest.split_inclusive(|&b| b == b'\n') {
            out.extend_from_slice(stream.marker());
            out.extend_from_slice(line);
        }
        w.open_line = if data.ends_with(b"\n") { None } else { Some(stream) };
        self.append(&mut w, &out);
    }

    /// Ends the log of an exited command: closes a partial line and publishes the exit code.
    pub fn finish(&self, exit_code: i32) {
        let mut w = self.writer.lock();
        if w.open_line.take().is_some() {
            self.append(&mut w, b"\n");
        }
        self.progress.send_modify(|p| p.exit_code = Some(exit_code));
    }

    fn append(&self, w: &mut Writer, bytes: &[u8]) {
        if w.truncated {
            return;
        }
        let notice;
        let bytes = if w.len + bytes.len() as u64 > LOG_LIMIT {
            w.truncated = true;
            w.open_line = None;
            let newline: &[u8] = if w.at_line_start { b"" } else { b"\n" };
            let text = format!("[output truncated: the log reached {} MiB]\n", LOG_LIMIT >> 20);
            notice = [newline, daytona_models::STDERR_MARKER, text.as_bytes()].concat();
            &notice[..]
        } else {
            bytes
        };
        match w.file.write_all(bytes) {
            Ok(()) => {
                w.len += bytes.len() as u64;
                w.at_line_start = bytes.ends_with(b"\n");
                let len = w.len;
                self.progress.send_modify(|p| p.len = len);
            }
            Err(e) => {
                tracing::warn!("writing {}: {e}", self.path.display());
                w.truncated = true;
            }
        }
    }

    /// The current progress.
    pub fn progress(&self) -> Progress {
        *self.progress.borrow()
    }

    /// A receiver of progress updates.
    pub fn subscribe(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// Waits for the exit code.
    pub async fn exit_code(&self) -> i32 {
        let mut rx = self.subscribe();
        let done = rx.wait_for(|p| p.exit_code.is_some()).await.map(|p| p.exit_code);
        // The sender lives as long as `self`, so waiting cannot fail.
        done.ok().flatten().unwrap_or(-1)
    }

    /// The whole log (reading never blocks the command).
    pub async fn read(&self) -> Vec<u8> {
        tokio::fs::read(&self.path).await.unwrap_or_default()
    }
}

/// How an SDK version wants logs (the daemon's version rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// SDK ≥ 0.167.0 or a dev build: JSON with the raw `output` and demultiplexed streams.
    Json,
    /// SDK 0.27–0.166 (or no version but `X-Daytona-Split-Output: true`): raw text, markers kept.
    Raw,
    /// No version, or SDK < 0.27: plain text, markers stripped.
    Combined,
}

impl LogFormat {
    /// The format asked for by the `X-Daytona-SDK-Version` header (or the browser's
    /// `X-Daytona-SDK-Version~<ver>` WebSocket subprotocol) and `X-Daytona-Split-Output`.
    pub fn of(headers: &HeaderMap) -> Self {
        let from_protocol = || {
            headers
                .get_all(header::SEC_WEBSOCKET_PROTOCOL)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .find_map(|p| p.trim().strip_prefix(crate::agent::subprotocol::SDK_VERSION_PREFIX).map(str::to_owned))
        };
        let version = headers
            .get(daytona_models::SDK_VERSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .or_else(from_protocol);
        let Some(version) = version else {
            let split = headers.get("x-daytona-split-output").is_some_and(|v| v.as_bytes() == b"true");
            return if split { Self::Raw } else { Self::Combined };
        };
        if version.contains("dev") {
            return Self::Json;
        }
        match parse_version(&version) {
            None => Self::Json,
            Some(v) if v >= (0, 167, 0) => Self::Json,
            Some(v) if v >= (0, 27, 0) => Self::Raw,
            Some(_) => Self::Combined,
        }
    }

    /// The `GET …/logs` answer for `raw` log bytes.
    pub fn logs_response(self, raw: &[u8]) -> Response {
        match self {
            Self::Json => {
                let (stdout, stderr) = demux(raw);
                Json(SessionCommandLogsResponse { output: lossy(raw), stdout, stderr }).into_response()
            }
            Self::Raw => text(raw.to_vec()),
            Self::Combined => text(strip_markers(raw)),
        }
    }

    /// The synchronous exec answer for a finished command.
    pub fn exec_response(self, cmd_id: String, raw: &[u8], exit_code: i32) -> SessionExecuteResponse {
        let (output, streams) = match self {
            Self::Json => (lossy(raw), Some(demux(raw))),
            Self::Raw => (lossy(raw), None),
            Self::Combined => (lossy(&strip_markers(raw)), None),
        };
        let (stdout, stderr) = streams.unzip();
        SessionExecuteResponse { cmd_id, output: Some(output), stdout, stderr, exit_code: Some(exit_code) }
    }
}

/// `major.minor.patch` of a version (pre-release suffixes ignored: `0.167.0-rc.1` counts as
/// 0.167.0, matching the daemon's `>= 0.167.0-0` comparison).
fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.trim_start_matches('v').split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

fn text(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Splits a raw log into (stdout, stderr): bytes after a marker belong to its stream until
/// the next marker; bytes before any marker are stdout.
pub fn demux(raw: &[u8]) -> (String, String) {
    let (out, err) = LogDemux::split(raw);
    (lossy(&out), lossy(&err))
}

/// The log without its markers (the "combined" output of old SDKs).
pub fn strip_markers(raw: &[u8]) -> Vec<u8> {
    let mut demux = LogDemux::default();
    let mut runs = demux.push(raw);
    runs.extend(demux.finish());
    runs.into_iter().flat_map(|(_, bytes)| bytes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn version_rule() {
        assert_eq!(LogFormat::of(&headers(&[])), LogFormat::Combined);
        assert_eq!(LogFormat::of(&headers(&[("x-daytona-split-output", "true")])), LogFormat::Raw);
        assert_eq!(LogFormat::of(&headers(&[("x-daytona-sdk-version", "0.26.9")])), LogFormat::Combined);
        assert_eq!(LogFormat::of(&headers(&[("x-daytona-sdk-version", "0.27.0")])), LogFormat::Raw);
        assert_eq!(LogFormat::of(&headers(&[("x-daytona-sdk-version", "0.166.3")])), LogFormat::Raw);
        assert_eq!(LogFormat::of(&headers(&[("x-daytona-sdk-version", "0.167.0-rc.1")])), LogFormat::Json);
        assert_eq!(LogFormat::of(&headers(&[("x-daytona-sdk-version", "0.226.1")])), LogFormat::Json);
        assert_eq!(LogFormat::of(&headers(&[("x-daytona-sdk-version", "0.0.0-dev")])), LogFormat::Json);
        let browser = [("sec-websocket-protocol", "X-Daytona-Pty-Exit-Control, X-Daytona-SDK-Version~0.218.0")];
        assert_eq!(LogFormat::of(&headers(&browser)), LogFormat::Json);
    }

    #[test]
    fn demux_and_strip() {
        let raw = b"\x01\x01\x01out 1\n\x02\x02\x02err\n\x01\x01\x01out 2\n";
        assert_eq!(demux(raw), ("out 1\nout 2\n".into(), "err\n".into()));
        assert_eq!(strip_markers(raw), b"out 1\nerr\nout 2\n");
    }

    #[test]
    fn lines_are_marked_and_partial_lines_closed() {
        let dir = std::env::temp_dir().join(format!("dl-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = Log::create(dir.join("a.log")).unwrap();
        log.write(Stream::Stdout, b"a\nprompt: ");
        log.write(Stream::Stdout, b"typed\nb");
        log.write(Stream::Stderr, b"e1\ne2");
        log.finish(0);
        let raw = std::fs::read(log.path()).unwrap();
        assert_eq!(raw, b"\x01\x01\x01a\n\x01\x01\x01prompt: typed\n\x01\x01\x01b\n\x02\x02\x02e1\n\x02\x02\x02e2\n");
        assert_eq!(log.progress().len, raw.len() as u64);
        assert_eq!(log.progress().exit_code, Some(0));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
