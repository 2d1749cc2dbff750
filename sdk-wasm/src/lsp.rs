//! Language servers in a sandbox (`sandbox.create_lsp_server(language, project)`), as
//! `@daytonaio/sdk`'s `LspServer`: start, stop, open and close documents, document and
//! workspace symbols, completions; and daytona-local's extensions: the diagnostics a server
//! published, hover, definition, references, rename (the edit, not applied), formatting.
//! Paths are files of the sandbox; the SDK sends them as `file://` URIs, as the official
//! SDKs do.

use daytona_models::{
    CompletionContext, CompletionList, LspCompletionParams, LspDiagnostic, LspDocumentRequest, LspLocation,
    LspPosition, LspPositionRequest, LspServerRequest, LspSymbol,
};
use serde::Serialize;

use crate::http::Method;
use crate::toolbox::{Route, Toolbox};
use crate::Call;

pub(crate) const START: Route = (Method::Post, "/lsp/start");
pub(crate) const STOP: Route = (Method::Post, "/lsp/stop");
pub(crate) const DID_OPEN: Route = (Method::Post, "/lsp/did-open");
pub(crate) const DID_CLOSE: Route = (Method::Post, "/lsp/did-close");
pub(crate) const COMPLETIONS: Route = (Method::Post, "/lsp/completions");
pub(crate) const HOVER: Route = (Method::Post, "/lsp/hover");
pub(crate) const DEFINITION: Route = (Method::Post, "/lsp/definition");
pub(crate) const REFERENCES: Route = (Method::Post, "/lsp/references");
pub(crate) const RENAME: Route = (Method::Post, "/lsp/rename");
pub(crate) const FORMATTING: Route = (Method::Post, "/lsp/formatting");

/// The `file://` URI of `path` (as the official SDKs build it).
pub(crate) fn uri(path: &str) -> String {
    format!("file://{path}")
}

/// One language server of a sandbox: a language and a project directory.
#[derive(Clone, Debug)]
pub struct LspServer {
    toolbox: Toolbox,
    language_id: String,
    path_to_project: String,
}

impl LspServer {
    pub(crate) fn new(toolbox: Toolbox, language_id: &str, path_to_project: &str) -> Self {
        Self { toolbox, language_id: language_id.into(), path_to_project: path_to_project.into() }
    }

    /// The language (`python`, `typescript`, `javascript`).
    pub fn language_id(&self) -> &str {
        &self.language_id
    }

    /// The project directory.
    pub fn path_to_project(&self) -> &str {
        &self.path_to_project
    }

    /// A call of `route` (see [`Toolbox::route`]).
    pub(crate) fn route<T>(&self, route: Route) -> Call<T> {
        self.toolbox.route(route)
    }

    fn send(&self, route: Route, body: &impl Serialize) -> Call<()> {
        self.route(route).unanswered().body(body)
    }

    fn server(&self) -> LspServerRequest {
        LspServerRequest { language_id: self.language_id.clone(), path_to_project: self.path_to_project.clone() }
    }

    fn document(&self, path: &str) -> LspDocumentRequest {
        LspDocumentRequest {
            language_id: self.language_id.clone(),
            path_to_project: self.path_to_project.clone(),
            uri: uri(path),
        }
    }

    /// A GET of `path` with the document's query.
    fn get_document<T>(&self, path: &str, file: &str) -> Call<T> {
        let query = [
            ("languageId".to_owned(), self.language_id.clone()),
            ("pathToProject".to_owned(), self.path_to_project.clone()),
            ("uri".to_owned(), uri(file)),
        ];
        Call::new(&self.toolbox.client, Method::Get, self.toolbox.url(path, &query))
    }

    fn at(&self, path: &str, position: LspPosition, new_name: Option<&str>) -> LspPositionRequest {
        LspPositionRequest {
            language_id: self.language_id.clone(),
            path_to_project: self.path_to_project.clone(),
            uri: uri(path),
            position,
            new_name: new_name.map(Into::into),
        }
    }

    /// Starts the server (a no-op if it runs).
    pub fn start(&self) -> Call<()> {
        self.send(START, &self.server())
    }

    /// Stops the server.
    pub fn stop(&self) -> Call<()> {
        self.send(STOP, &self.server())
    }

    /// Opens the file at `path` on the server (as it is on disk now).
    pub fn did_open(&self, path: &str) -> Call<()> {
        self.send(DID_OPEN, &self.document(path))
    }

    /// Closes the file at `path`.
    pub fn did_close(&self, path: &str) -> Call<()> {
        self.send(DID_CLOSE, &self.document(path))
    }

    /// The symbols of the file at `path`.
    pub fn document_symbols(&self, path: &str) -> Call<Vec<LspSymbol>> {
        self.get_document("/lsp/document-symbols", path)
    }

    /// The project's symbols whose names match `query`.
    pub fn sandbox_symbols(&self, query: &str) -> Call<Vec<LspSymbol>> {
        let pairs = [
            ("languageId".to_owned(), self.language_id.clone()),
            ("pathToProject".to_owned(), self.path_to_project.clone()),
            ("query".to_owned(), query.to_owned()),
        ];
        Call::new(&self.toolbox.client, Method::Get, self.toolbox.url("/lsp/workspacesymbols", &pairs))
    }

    /// Completions at `position` of the file at `path`.
    pub fn completions(
        &self,
        path: &str,
        position: LspPosition,
        context: Option<CompletionContext>,
    ) -> Call<CompletionList> {
        let params = LspCompletionParams {
            language_id: self.language_id.clone(),
            path_to_project: self.path_to_project.clone(),
            uri: uri(path),
            position,
            context,
        };
        self.route(COMPLETIONS).body(&params)
    }

    /// The diagnostics the server last published for the file at `path` (daytona-local).
    pub fn diagnostics(&self, path: &str) -> Call<Vec<LspDiagnostic>> {
        self.get_document("/lsp/diagnostics", path)
    }

    /// Hover information at `position`: `{ contents, range? }` as the server sent it, or null
    /// (daytona-local).
    pub fn hover(&self, path: &str, position: LspPosition) -> Call<serde_json::Value> {
        self.route(HOVER).body(&self.at(path, position, None))
    }

    /// Where the symbol at `position` is defined (daytona-local).
    pub fn definition(&self, path: &str, position: LspPosition) -> Call<Vec<LspLocation>> {
        self.route(DEFINITION).body(&self.at(path, position, None))
    }

    /// Every use of the symbol at `position`, its declaration included (daytona-local).
    pub fn references(&self, path: &str, position: LspPosition) -> Call<Vec<LspLocation>> {
        self.route(REFERENCES).body(&self.at(path, position, None))
    }

    /// The `WorkspaceEdit` renaming the symbol at `position` to `new_name`, not applied
    /// (daytona-local).
    pub fn rename(&self, path: &str, position: LspPosition, new_name: &str) -> Call<serde_json::Value> {
        self.route(RENAME).body(&self.at(path, position, Some(new_name)))
    }

    /// The `TextEdit`s that format the file at `path` (daytona-local).
    pub fn formatting(&self, path: &str) -> Call<serde_json::Value> {
        self.route(FORMATTING).body(&self.at(path, LspPosition::default(), None))
    }
}

/// A raw LSP JSON-RPC connection to a language server of its own (daytona-local's
/// `WS /lsp/socket`): each text message is one JSON-RPC message, without the
/// `Content-Length` framing. What a browser editor's LSP client speaks over; the server
/// stops when this is dropped.
pub struct LspSocket {
    socket: crate::ws::Socket,
}

impl LspServer {
    /// Opens a JSON-RPC connection to a new server for this language and project (the client
    /// sends `initialize` itself; [`start`](Self::start) is not needed for it).
    pub async fn connect(&self) -> Result<LspSocket, crate::DaytonaError> {
        let query = [
            ("languageId".to_owned(), self.language_id.clone()),
            ("pathToProject".to_owned(), self.path_to_project.clone()),
        ];
        let socket = self.toolbox.socket("/lsp/socket", &query, &[]).await?;
        Ok(LspSocket { socket })
    }
}

/// The sending side of an [`LspSocket`], to send from elsewhere while a task reads.
#[derive(Clone)]
pub struct LspSender(web_sys::WebSocket);

impl LspSender {
    /// Sends one JSON-RPC message.
    pub fn send(&self, message: &str) -> Result<(), crate::DaytonaError> {
        self.0
            .send_with_str(message)
            .map_err(|e| crate::DaytonaError::Connection(format!("LSP socket: {}", crate::http::js_message(&e))))
    }
}

impl LspSocket {
    /// Sends one JSON-RPC message.
    pub fn send(&self, message: &str) -> Result<(), crate::DaytonaError> {
        self.sender().send(message)
    }

    /// A sender of messages on this connection.
    pub fn sender(&self) -> LspSender {
        LspSender(self.socket.raw())
    }

    /// The next message from the server; `None` once the connection has closed.
    pub async fn next(&mut self) -> Option<String> {
        match self.socket.next().await? {
            crate::ws::WsEvent::Text(text) => Some(text),
            crate::ws::WsEvent::Binary(bytes) => String::from_utf8(bytes.to_vec()).ok(),
            crate::ws::WsEvent::Closed { .. } => None,
        }
    }
}
