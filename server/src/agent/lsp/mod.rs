//! Toolbox LSP (`/lsp/*`): language servers inside the sandbox, one per (language, project),
//! started as the sandbox user: pylsp for Python, typescript-language-server (TypeScript 5)
//! for TypeScript and JavaScript. Daytona's routes (start, stop, did-open, did-close,
//! document-symbols, workspacesymbols, completions) and ours beyond them: the diagnostics a
//! server published for a document, hover, definition, references, rename (the edit, not
//! applied) and formatting, and `WS /lsp/socket`, raw JSON-RPC to a server of its own so a
//! browser editor can speak LSP directly.

mod server;
mod socket;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use daytona_models::{
    CompletionItem, CompletionList, LspCompletionParams, LspDocumentRequest, LspPositionRequest, LspServerRequest,
    LspSymbol, LspWorkspaceSymbolsQuery,
};
use serde_json::{json, Value};

pub use self::server::LanguageServer;
use super::error::ToolboxError;
use super::extract::{ToolboxJson, ToolboxQuery};
use super::Agent;

/// At most this many servers run in one sandbox (each is a process of 50–150 MB).
const MAX_SERVERS: usize = 16;

/// At most this many files are asked for their symbols when a server has no workspace search.
const MAX_SCANNED_FILES: usize = 200;

/// The running servers of a sandbox, by (language, project directory).
#[derive(Default)]
pub struct Servers {
    running: Mutex<HashMap<(String, PathBuf), Arc<LanguageServer>>>,
}

/// The `/lsp` routes.
pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/lsp/start", post(start))
        .route("/lsp/stop", post(stop))
        .route("/lsp/did-open", post(did_open))
        .route("/lsp/did-close", post(did_close))
        .route("/lsp/document-symbols", get(document_symbols))
        .route("/lsp/workspacesymbols", get(workspace_symbols))
        .route("/lsp/completions", post(completions))
        .route("/lsp/diagnostics", get(diagnostics))
        .route("/lsp/hover", post(hover))
        .route("/lsp/definition", post(definition))
        .route("/lsp/references", post(references))
        .route("/lsp/rename", post(rename))
        .route("/lsp/formatting", post(formatting))
        .route("/lsp/socket", get(socket::serve))
}

type Answer<T> = Result<T, ToolboxError>;

/// The key of a server: its language and its project's directory.
fn key(agent: &Agent, language: &str, project: &str) -> Answer<(String, PathBuf)> {
    if server::command_for(language).is_none() {
        return Err(ToolboxError::BadRequest(format!(
            "unsupported languageId {language:?}: python, typescript or javascript"
        )));
    }
    Ok((language.to_owned(), agent.resolve(project)?))
}

/// The running server of (language, project), or 400 `LSP_SERVER_NOT_INITIALIZED`.
fn running(agent: &Agent, language: &str, project: &str) -> Answer<Arc<LanguageServer>> {
    let key = key(agent, language, project)?;
    let servers = agent.lsp.running.lock().unwrap_or_else(|e| e.into_inner());
    servers.get(&key).cloned().ok_or_else(|| {
        ToolboxError::LspNotStarted(format!(
            "no {language} language server started for {project}: call /lsp/start first"
        ))
    })
}

/// A document as (its file, its canonical `file:///abs/path` URI). The official SDKs build the
/// URI as `"file://" + path` from the path they were given, so a relative path (`file://src/a.py`)
/// starts at the work dir, as every other toolbox path does.
fn document(agent: &Agent, uri: &str) -> Answer<(PathBuf, String)> {
    let path = file_of(uri)?;
    let path = match path.is_absolute() {
        true => path,
        false => agent.resolve(&path.to_string_lossy())?,
    };
    /// What a path may not carry raw in a URI: what would end it or be read as an escape.
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b' ').add(b'%').add(b'#').add(b'?');
    let canonical = format!("file://{}", percent_encoding::utf8_percent_encode(&path.to_string_lossy(), ESCAPED));
    Ok((path, canonical))
}

/// The file behind a `file://` URI (percent-decoded; relative if the URI's path is).
fn file_of(uri: &str) -> Answer<PathBuf> {
    let path =
        uri.strip_prefix("file://").ok_or_else(|| ToolboxError::InvalidPath(format!("not a file:// URI: {uri}")))?;
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8();
    let path = PathBuf::from(decoded.map_err(|_| ToolboxError::InvalidPath(format!("{uri} is not UTF-8")))?.as_ref());
    if path.as_os_str().is_empty() || path.as_os_str().as_encoded_bytes().contains(&0) {
        return Err(ToolboxError::InvalidPath(format!("not a file path: {uri}")));
    }
    Ok(path)
}

/// LSP's language id of a document.
fn document_language(path: &Path, server_language: &str) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("py" | "pyi") => "python",
        Some("ts" | "mts" | "cts") => "typescript",
        Some("tsx") => "typescriptreact",
        Some("jsx") => "javascriptreact",
        Some("js" | "mjs" | "cjs") => "javascript",
        _ if server_language == "python" => "python",
        _ => "typescript",
    }
}

/// Opens `uri` on `server` with the file's current text (again if it was open: the server
/// then sees what is on disk now).
async fn open(server: &LanguageServer, language: &str, path: &Path, uri: &str) -> Answer<()> {
    let text = tokio::fs::read_to_string(path).await.map_err(|e| ToolboxError::io(e, uri))?;
    let was_open = !server.opened.lock().unwrap_or_else(|e| e.into_inner()).insert(uri.to_owned());
    if was_open {
        server.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    }
    let item = json!({ "uri": uri, "languageId": document_language(path, language), "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": item }));
    Ok(())
}

/// Opens the document `uri` names unless a client already did (servers answer only on open
/// documents); its canonical URI.
async fn ensure_open(agent: &Agent, server: &LanguageServer, language: &str, uri: &str) -> Answer<String> {
    let (path, uri) = document(agent, uri)?;
    let open_already = server.opened.lock().unwrap_or_else(|e| e.into_inner()).contains(&uri);
    if !open_already {
        open(server, language, &path, &uri).await?;
    }
    Ok(uri)
}

/// Handler of `POST /lsp/start`: starts the server of (language, project) unless it runs.
async fn start(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<LspServerRequest>) -> Answer<()> {
    let key = key(&agent, &req.language_id, &req.path_to_project)?;
    if !key.1.is_dir() {
        return Err(ToolboxError::NotFound("FILE_NOT_FOUND", format!("no project directory {}", req.path_to_project)));
    }
    {
        let servers = agent.lsp.running.lock().unwrap_or_else(|e| e.into_inner());
        if servers.contains_key(&key) {
            return Ok(());
        }
        if servers.len() >= MAX_SERVERS {
            return Err(ToolboxError::BadRequest(format!("at most {MAX_SERVERS} language servers per sandbox")));
        }
    }
    let server = LanguageServer::start(&key.0, &key.1).await?;
    let previous = agent.lsp.running.lock().unwrap_or_else(|e| e.into_inner()).insert(key, server);
    // Two starts raced: keep the later server, stop the other.
    if let Some(previous) = previous {
        previous.stop().await;
    }
    Ok(())
}

/// Handler of `POST /lsp/stop`.
async fn stop(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<LspServerRequest>) -> Answer<()> {
    let key = key(&agent, &req.language_id, &req.path_to_project)?;
    let server = agent.lsp.running.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
    match server {
        Some(server) => {
            server.stop().await;
            Ok(())
        }
        None => {
            Err(ToolboxError::LspNotStarted(format!("no {} language server runs for {}", key.0, req.path_to_project)))
        }
    }
}

/// Handler of `POST /lsp/did-open`: the server reads the document from disk.
async fn did_open(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<LspDocumentRequest>) -> Answer<()> {
    let server = running(&agent, &req.language_id, &req.path_to_project)?;
    let (path, uri) = document(&agent, &req.uri)?;
    open(&server, &req.language_id, &path, &uri).await
}

/// Handler of `POST /lsp/did-close`.
async fn did_close(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<LspDocumentRequest>) -> Answer<()> {
    let server = running(&agent, &req.language_id, &req.path_to_project)?;
    let (_, uri) = document(&agent, &req.uri)?;
    server.opened.lock().unwrap_or_else(|e| e.into_inner()).remove(&uri);
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    Ok(())
}

/// `SymbolInformation[]` or `DocumentSymbol[]` (children flattened) as Daytona's `LspSymbol`s.
fn symbols(result: &Value, uri: &str, out: &mut Vec<LspSymbol>) {
    for s in result.as_array().into_iter().flatten() {
        let location = match s.get("location") {
            Some(l) => serde_json::from_value(l.clone()).ok(),
            None => s
                .get("range")
                .and_then(|r| serde_json::from_value(r.clone()).ok())
                .map(|range| daytona_models::LspLocation { uri: uri.to_owned(), range }),
        };
        if let (Some(name), Some(location)) = (s["name"].as_str(), location) {
            let kind = s["kind"].as_u64().unwrap_or(0) as u32;
            out.push(LspSymbol { name: name.to_owned(), kind, location });
        }
        if let Some(children) = s.get("children") {
            symbols(children, uri, out);
        }
    }
}

/// Handler of `GET /lsp/document-symbols`.
async fn document_symbols(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<LspDocumentRequest>,
) -> Answer<Json<Vec<LspSymbol>>> {
    let server = running(&agent, &q.language_id, &q.path_to_project)?;
    let uri = ensure_open(&agent, &server, &q.language_id, &q.uri).await?;
    let result = server.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } })).await?;
    let mut out = Vec::new();
    symbols(&result, &uri, &mut out);
    Ok(Json(out))
}

/// The project's source files for `language` (hidden folders, virtualenvs and node_modules
/// skipped), at most [`MAX_SCANNED_FILES`].
fn source_files(project: &Path, language: &str) -> Vec<PathBuf> {
    let exts: &[&str] = match language {
        "python" => &["py"],
        _ => &["ts", "tsx", "js", "jsx", "mjs", "cjs"],
    };
    let skipped = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        e.depth() > 0
            && e.file_type().is_dir()
            && (name.starts_with('.') || matches!(name.as_ref(), "node_modules" | "venv" | "__pycache__" | "dist"))
    };
    let source = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        e.file_type().is_file() && name.rsplit_once('.').is_some_and(|(_, ext)| exts.contains(&ext))
    };
    walkdir::WalkDir::new(project)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skipped(e))
        .flatten()
        .filter(source)
        .take(MAX_SCANNED_FILES)
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// Handler of `GET /lsp/workspacesymbols` (`sandbox_symbols`): the server's workspace search,
/// or, for a server without one (pylsp), the document symbols of the project's files whose
/// names contain the query (case-insensitive).
async fn workspace_symbols(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<LspWorkspaceSymbolsQuery>,
) -> Answer<Json<Vec<LspSymbol>>> {
    let server = running(&agent, &q.language_id, &q.path_to_project)?;
    let mut out = Vec::new();
    if let Ok(result @ Value::Array(_)) = server.request("workspace/symbol", json!({ "query": q.query })).await {
        symbols(&result, "", &mut out);
        if !out.is_empty() || q.language_id != "python" {
            return Ok(Json(out));
        }
    }
    let needle = q.query.to_lowercase();
    let project = agent.resolve(&q.path_to_project)?;
    for file in source_files(&project, &q.language_id) {
        let Ok(uri) = ensure_open(&agent, &server, &q.language_id, &format!("file://{}", file.display())).await else {
            continue;
        };
        let result = server.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } })).await?;
        let mut found = Vec::new();
        symbols(&result, &uri, &mut found);
        out.extend(found.into_iter().filter(|s| s.name.to_lowercase().contains(&needle)));
    }
    Ok(Json(out))
}

/// A completion item as Daytona's model has it (documentation always `{ kind, value }`).
fn completion_item(item: &Value) -> Option<CompletionItem> {
    let text = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
    let documentation = match item.get("documentation") {
        Some(Value::String(s)) => Some(json!({ "kind": "plaintext", "value": s })),
        Some(d @ Value::Object(_)) => Some(d.clone()),
        _ => None,
    };
    let insert_text = text("insertText").or_else(|| item["textEdit"]["newText"].as_str().map(str::to_owned));
    Some(CompletionItem {
        label: text("label")?,
        kind: item.get("kind").and_then(Value::as_u64).map(|k| k as u32),
        detail: text("detail"),
        documentation,
        sort_text: text("sortText"),
        filter_text: text("filterText"),
        insert_text,
    })
}

/// Handler of `POST /lsp/completions`.
async fn completions(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<LspCompletionParams>,
) -> Answer<Json<CompletionList>> {
    let server = running(&agent, &req.language_id, &req.path_to_project)?;
    let uri = ensure_open(&agent, &server, &req.language_id, &req.uri).await?;
    let mut params = json!({ "textDocument": { "uri": uri }, "position": req.position });
    if let Some(context) = &req.context {
        params["context"] = serde_json::to_value(context).unwrap_or(Value::Null);
    }
    let result = server.request("textDocument/completion", params).await?;
    let (is_incomplete, items) = match &result {
        Value::Array(items) => (false, items.as_slice()),
        Value::Object(list) => (
            list.get("isIncomplete").and_then(Value::as_bool).unwrap_or(false),
            list.get("items").and_then(Value::as_array).map_or(&[][..], Vec::as_slice),
        ),
        _ => (false, &[][..]),
    };
    Ok(Json(CompletionList { is_incomplete, items: items.iter().filter_map(completion_item).collect() }))
}

/// Handler of `GET /lsp/diagnostics` (ours): what the server last published for the document
/// (it publishes after an open or a change, asynchronously: poll until it is there).
async fn diagnostics(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<LspDocumentRequest>,
) -> Answer<Json<Value>> {
    let server = running(&agent, &q.language_id, &q.path_to_project)?;
    let uri = ensure_open(&agent, &server, &q.language_id, &q.uri).await?;
    Ok(Json(server.diagnostics(&uri)))
}

/// Sends `method` about a position of a document and hands its result on.
async fn at_position(agent: &Agent, req: &LspPositionRequest, method: &str, extra: Value) -> Answer<Value> {
    let server = running(agent, &req.language_id, &req.path_to_project)?;
    let uri = ensure_open(agent, &server, &req.language_id, &req.uri).await?;
    let mut params = json!({ "textDocument": { "uri": uri }, "position": req.position });
    if let (Value::Object(params), Value::Object(extra)) = (&mut params, extra) {
        params.extend(extra);
    }
    server.request(method, params).await
}

/// `Location | Location[] | LocationLink[] | null` as `Location[]`.
fn locations(result: Value) -> Value {
    let list = match result {
        Value::Array(list) => list,
        Value::Null => Vec::new(),
        one => vec![one],
    };
    Value::Array(
        list.into_iter()
            .map(|l| match l.get("targetUri") {
                Some(uri) => json!({ "uri": uri, "range": l.get("targetSelectionRange").or(l.get("targetRange")) }),
                None => l,
            })
            .collect(),
    )
}

/// Handler of `POST /lsp/hover` (ours): `{ contents, range? }` as the server sent it, or null.
async fn hover(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<LspPositionRequest>,
) -> Answer<Json<Value>> {
    at_position(&agent, &req, "textDocument/hover", json!({})).await.map(Json)
}

/// Handler of `POST /lsp/definition` (ours): `Location[]`.
async fn definition(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<LspPositionRequest>,
) -> Answer<Json<Value>> {
    at_position(&agent, &req, "textDocument/definition", json!({})).await.map(locations).map(Json)
}

/// Handler of `POST /lsp/references` (ours): `Location[]`, the declaration included.
async fn references(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<LspPositionRequest>,
) -> Answer<Json<Value>> {
    let extra = json!({ "context": { "includeDeclaration": true } });
    at_position(&agent, &req, "textDocument/references", extra).await.map(locations).map(Json)
}

/// Handler of `POST /lsp/rename` (ours): the `WorkspaceEdit` renaming the symbol to `newName`,
/// not applied (a preview the client applies, or not).
async fn rename(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<LspPositionRequest>,
) -> Answer<Json<Value>> {
    let Some(new_name) = req.new_name.clone().filter(|n| !n.is_empty()) else {
        return Err(ToolboxError::BadRequest("newName is required".into()));
    };
    at_position(&agent, &req, "textDocument/rename", json!({ "newName": new_name })).await.map(Json)
}

/// Handler of `POST /lsp/formatting` (ours): the `TextEdit[]` that format the document.
async fn formatting(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<LspPositionRequest>,
) -> Answer<Json<Value>> {
    let server = running(&agent, &req.language_id, &req.path_to_project)?;
    let uri = ensure_open(&agent, &server, &req.language_id, &req.uri).await?;
    let params = json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } });
    let result = server.request("textDocument/formatting", params).await?;
    Ok(Json(if result.is_null() { json!([]) } else { result }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_become_absolute_paths_only() {
        assert_eq!(file_of("file:///home/daytona/a%20b.py").unwrap(), PathBuf::from("/home/daytona/a b.py"));
        assert!(file_of("http://x/a.py").is_err());
        assert_eq!(file_of("file://src/a.py").unwrap(), PathBuf::from("src/a.py"));
        assert!(file_of("file:///a%00b").is_err());
    }

    #[test]
    fn symbols_flat_and_hierarchical_and_completion_documentation() {
        let flat = json!([{"name": "f", "kind": 12, "location": {"uri": "file:///a.py", "range": {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 5}}}}]);
        let tree = json!([{"name": "C", "kind": 5, "range": {"start": {"line": 1, "character": 0}, "end": {"line": 3, "character": 0}},
            "children": [{"name": "m", "kind": 6, "range": {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 9}}}]}]);
        let mut out = Vec::new();
        symbols(&flat, "file:///a.py", &mut out);
        symbols(&tree, "file:///b.ts", &mut out);
        let got: Vec<(&str, u32, &str, u32)> = out
            .iter()
            .map(|s| (s.name.as_str(), s.kind, s.location.uri.as_str(), s.location.range.start.line))
            .collect();
        assert_eq!(got, [("f", 12, "file:///a.py", 0), ("C", 5, "file:///b.ts", 1), ("m", 6, "file:///b.ts", 2)]);
        let item = completion_item(&json!({"label": "path", "kind": 9, "documentation": "os.path"})).unwrap();
        assert_eq!(item.documentation, Some(json!({"kind": "plaintext", "value": "os.path"})));
        let link = locations(
            json!([{"targetUri": "file:///x.py", "targetRange": {}, "targetSelectionRange": {"start": {"line": 1}}}]),
        );
        assert_eq!(link, json!([{"uri": "file:///x.py", "range": {"start": {"line": 1}}}]));
    }
}
