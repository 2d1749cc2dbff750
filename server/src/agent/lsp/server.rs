//! One language server: a process of the sandbox user speaking JSON-RPC over its stdio
//! (`Content-Length` framing), its requests matched to answers by id, the diagnostics it
//! publishes kept per document, and its own requests to the client answered so it never
//! waits on us.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

use super::super::error::ToolboxError;

/// How long a request may take (pylsp's first completion loads jedi: seconds).
const REQUEST_LIMIT: Duration = Duration::from_secs(30);

/// The largest message a server may send (a workspace's symbols).
const MAX_MESSAGE: usize = 64 << 20;

/// The command line of the server for `language` (Debian's Python, with pylsp from setup;
/// typescript-language-server over TypeScript 5 for both TypeScript and JavaScript).
pub fn command_for(language: &str) -> Option<(&'static str, &'static [&'static str])> {
    match language {
        "python" => Some(("pylsp", &[])),
        "typescript" | "javascript" => Some(("typescript-language-server", &["--stdio"])),
        _ => None,
    }
}

/// Frames `message` for the wire.
pub fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// Reads one framed message (None at the end of the stream or on a malformed frame).
pub async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Vec<u8>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let length = length.filter(|&l| l <= MAX_MESSAGE)?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(body)
}

/// Starts the server for `language` in `project`, as the sandbox user in its workload
/// group; (the child, its stdin, its stdout).
pub async fn spawn(
    language: &str,
    project: &Path,
) -> Result<(tokio::process::Child, tokio::process::ChildStdin, tokio::process::ChildStdout), ToolboxError> {
    let Some((program, args)) = command_for(language) else {
        return Err(ToolboxError::BadRequest(format!(
            "unsupported languageId {language:?}: python, typescript or javascript"
        )));
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args).current_dir(project).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
    cmd.process_group(0).kill_on_drop(true);
    let mut child = crate::agent::workload::spawn(cmd).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ToolboxError::Unavailable(
            "NOT_FOUND",
            format!("{program} is not installed on this host (scripts/setup.sh installs it)"),
        ),
        _ => ToolboxError::Io(format!("starting {program}: {e}")),
    })?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(ToolboxError::Io("language server without pipes".into()));
    };
    Ok((child, stdin, stdout))
}

/// Requests waiting for their answer, by id.
type Pending = Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>;

/// A running, initialized language server.
pub struct LanguageServer {
    outgoing: mpsc::UnboundedSender<Vec<u8>>,
    pending: Arc<Pending>,
    next_id: AtomicU64,
    /// The latest diagnostics per document URI.
    diagnostics: Arc<Mutex<HashMap<String, Value>>>,
    /// Documents opened on the server (by a client, or implicitly before a request on them).
    pub opened: Mutex<HashSet<String>>,
    child: Mutex<Option<tokio::process::Child>>,
}

impl LanguageServer {
    /// Starts and initializes the server for `language` rooted at `project`.
    pub async fn start(language: &str, project: &Path) -> Result<Arc<Self>, ToolboxError> {
        let (child, mut stdin, stdout) = spawn(language, project).await?;
        let (outgoing, mut queue) = mpsc::unbounded_channel::<Vec<u8>>();
        tokio::spawn(async move {
            while let Some(bytes) = queue.recv().await {
                if stdin.write_all(&bytes).await.is_err() {
                    break;
                }
            }
        });
        let server = Arc::new(Self {
            outgoing,
            pending: Arc::default(),
            next_id: AtomicU64::new(1),
            diagnostics: Arc::default(),
            opened: Mutex::default(),
            child: Mutex::new(Some(child)),
        });
        let (pending, diagnostics, replies) =
            (Arc::clone(&server.pending), Arc::clone(&server.diagnostics), server.outgoing.clone());
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout);
            while let Some(body) = read_message(&mut reader).await {
                let Ok(message) = serde_json::from_slice::<Value>(&body) else { continue };
                dispatch(message, &pending, &diagnostics, &replies);
            }
            // The server is gone: every waiting request fails now rather than at its limit.
            for (_, waiter) in pending.lock().unwrap_or_else(|e| e.into_inner()).drain() {
                let _ = waiter.send(Err("the language server exited".into()));
            }
        });
        let root = format!("file://{}", project.display());
        let capabilities = json!({
            "textDocument": {
                "synchronization": { "didSave": true },
                "completion": { "completionItem": { "snippetSupport": false, "documentationFormat": ["markdown", "plaintext"] }, "contextSupport": true },
                "hover": { "contentFormat": ["markdown", "plaintext"] },
                "documentSymbol": { "hierarchicalDocumentSymbolSupport": false },
                "publishDiagnostics": {},
                "definition": {}, "references": {}, "rename": { "prepareSupport": false }, "formatting": {}
            },
            "workspace": { "symbol": {}, "configuration": false, "workspaceFolders": true }
        });
        let params = json!({
            "processId": std::process::id(),
            "rootUri": root,
            "rootPath": project.display().to_string(),
            "workspaceFolders": [{ "uri": root, "name": project.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default() }],
            "capabilities": capabilities,
        });
        server.request("initialize", params).await?;
        server.notify("initialized", json!({}));
        Ok(server)
    }

    /// Sends request `method` and waits for its result.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, ToolboxError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(id, tx);
        let sent =
            self.outgoing.send(frame(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })));
        if sent.is_err() {
            self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
            return Err(ToolboxError::Io("the language server exited".into()));
        }
        match tokio::time::timeout(REQUEST_LIMIT, rx).await {
            Ok(Ok(Ok(result))) => Ok(result),
            Ok(Ok(Err(message))) => Err(ToolboxError::BadRequest(format!("{method}: {message}"))),
            Ok(Err(_)) => Err(ToolboxError::Io("the language server exited".into())),
            Err(_) => {
                self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                self.notify("$/cancelRequest", json!({ "id": id }));
                Err(ToolboxError::Timeout(format!("{method} took over {} s", REQUEST_LIMIT.as_secs())))
            }
        }
    }

    /// Sends notification `method`.
    pub fn notify(&self, method: &str, params: Value) {
        let _ = self.outgoing.send(frame(&json!({ "jsonrpc": "2.0", "method": method, "params": params })));
    }

    /// The diagnostics last published for `uri` (none yet: an empty list).
    pub fn diagnostics(&self, uri: &str) -> Value {
        self.diagnostics.lock().unwrap_or_else(|e| e.into_inner()).get(uri).cloned().unwrap_or_else(|| json!([]))
    }

    /// Asks the server to shut down and exit; kills it if it has not within 2 s.
    pub async fn stop(&self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.request("shutdown", Value::Null)).await;
        self.notify("exit", Value::Null);
        let child = self.child.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(mut child) = child {
            if tokio::time::timeout(Duration::from_secs(2), child.wait()).await.is_err() {
                if let Some(pid) = child.id() {
                    // SAFETY: kill(2) on the server's own process group.
                    unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
                }
                let _ = child.wait().await;
            }
        }
    }
}

/// Handles one message from the server: an answer, a notification, or a request of its own.
fn dispatch(
    message: Value,
    pending: &Pending,
    diagnostics: &Mutex<HashMap<String, Value>>,
    replies: &mpsc::UnboundedSender<Vec<u8>>,
) {
    let method = message.get("method").and_then(Value::as_str);
    match (method, message.get("id")) {
        // An answer to one of ours.
        (None, Some(id)) => {
            let Some(id) = id.as_u64() else { return };
            let Some(waiter) = pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&id) else { return };
            let result = match message.get("error") {
                Some(e) => Err(e.get("message").and_then(Value::as_str).unwrap_or("error").to_owned()),
                None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
            };
            let _ = waiter.send(result);
        }
        (Some("textDocument/publishDiagnostics"), None) => {
            let params = &message["params"];
            if let Some(uri) = params["uri"].as_str() {
                let list = params.get("diagnostics").cloned().unwrap_or_else(|| json!([]));
                diagnostics.lock().unwrap_or_else(|e| e.into_inner()).insert(uri.to_owned(), list);
            }
        }
        // A request of the server's (configuration, capability registration, progress):
        // answered at once so it never waits on a client that has no UI.
        (Some(method), Some(id)) => {
            let result = match method {
                "workspace/configuration" => {
                    let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![Value::Null; items])
                }
                "workspace/workspaceFolders" => json!([]),
                _ => Value::Null,
            };
            let _ = replies.send(frame(&json!({ "jsonrpc": "2.0", "id": id, "result": result })));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_round_trip_and_oversized_ones_are_refused() {
        let a = json!({"jsonrpc": "2.0", "id": 1, "result": {"text": "héllo"}});
        let b = json!({"jsonrpc": "2.0", "method": "x"});
        let mut bytes = frame(&a);
        bytes.extend(frame(&b));
        let mut reader = BufReader::new(bytes.as_slice());
        assert_eq!(serde_json::from_slice::<Value>(&read_message(&mut reader).await.unwrap()).unwrap(), a);
        assert_eq!(serde_json::from_slice::<Value>(&read_message(&mut reader).await.unwrap()).unwrap(), b);
        assert!(read_message(&mut reader).await.is_none());
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1);
        assert!(read_message(&mut BufReader::new(huge.as_bytes())).await.is_none());
    }

    #[test]
    fn server_requests_are_answered_and_diagnostics_kept() {
        let pending = Mutex::default();
        let diagnostics = Mutex::default();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let config =
            json!({"jsonrpc": "2.0", "id": 7, "method": "workspace/configuration", "params": {"items": [{}, {}]}});
        dispatch(config, &pending, &diagnostics, &tx);
        let reply = String::from_utf8(rx.try_recv().unwrap()).unwrap();
        assert!(reply.ends_with(r#"{"id":7,"jsonrpc":"2.0","result":[null,null]}"#), "{reply}");
        let published = json!({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
            "params": {"uri": "file:///a.py", "diagnostics": [{"message": "undefined name 'x'"}]}});
        dispatch(published, &pending, &diagnostics, &tx);
        assert_eq!(diagnostics.lock().unwrap()["file:///a.py"][0]["message"], "undefined name 'x'");
    }
}
