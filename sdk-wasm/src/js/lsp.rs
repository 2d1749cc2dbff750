//! The JS face of `LspServer` (`await sandbox.createLspServer(languageId, pathToProject)`),
//! with `@daytonaio/sdk`'s methods and daytona-local's extensions (diagnostics, hover,
//! definition, references, rename, formatting). Bodies are JS objects of the arguments, sent
//! on the Rust face's routes (as git's); daytona-local refuses unknown fields of them.

use wasm_bindgen::prelude::*;

use super::{send, send_fields};
use crate::lsp as routes;
use crate::toolbox::Route;
use crate::LspServer;

/// A language server of a sandbox for one language and project; `start` it first. Positions
/// are `LspPosition`s (zero-based `line` and `character`, `@daytonaio/sdk`'s `Position`); paths
/// are the sandbox's files (sent as `file://` URIs, as `@daytonaio/sdk` does).
#[wasm_bindgen(js_name = LspServer)]
pub struct JsLspServer {
    inner: LspServer,
    language: JsValue,
    project: JsValue,
}

impl JsLspServer {
    pub(crate) fn new(inner: LspServer) -> Self {
        let language = JsValue::from_str(inner.language_id());
        let project = JsValue::from_str(inner.path_to_project());
        Self { inner, language, project }
    }

    /// Sends the server's fields, and `fields`, as the body of `route`.
    fn post(&self, route: Route, fields: &[(&str, &JsValue)], answered: bool) -> js_sys::Promise {
        let mut all = vec![("languageId", &self.language), ("pathToProject", &self.project)];
        all.extend_from_slice(fields);
        let call = self.inner.route::<()>(route);
        send_fields(if answered { call } else { call.unanswered() }, &all)
    }
}

/// `file://` + `path`, built by the browser.
fn uri(path: &JsValue) -> JsValue {
    js_sys::JsString::from("file://").concat(path).into()
}

#[wasm_bindgen(js_class = LspServer)]
impl JsLspServer {
    /// Starts the server (a no-op if it runs).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn start(&self) -> js_sys::Promise {
        self.post(routes::START, &[], false)
    }

    /// Stops the server.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn stop(&self) -> js_sys::Promise {
        self.post(routes::STOP, &[], false)
    }

    /// Opens the file at `path` on the server, as it is on disk now.
    #[wasm_bindgen(js_name = didOpen, unchecked_return_type = "Promise<void>")]
    pub fn did_open(&self, #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue) -> js_sys::Promise {
        self.post(routes::DID_OPEN, &[("uri", &uri(&path))], false)
    }

    /// Closes the file at `path`.
    #[wasm_bindgen(js_name = didClose, unchecked_return_type = "Promise<void>")]
    pub fn did_close(&self, #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue) -> js_sys::Promise {
        self.post(routes::DID_CLOSE, &[("uri", &uri(&path))], false)
    }

    /// The symbols of the file at `path`.
    #[wasm_bindgen(js_name = documentSymbols, unchecked_return_type = "Promise<LspSymbol[]>")]
    pub fn document_symbols(&self, path: String) -> js_sys::Promise {
        send(self.inner.document_symbols(&path))
    }

    /// The project's symbols whose names match `query`.
    #[wasm_bindgen(js_name = sandboxSymbols, unchecked_return_type = "Promise<LspSymbol[]>")]
    pub fn sandbox_symbols(&self, query: String) -> js_sys::Promise {
        send(self.inner.sandbox_symbols(&query))
    }

    /// Same as `sandboxSymbols` (the name `@daytonaio/sdk` deprecated).
    #[wasm_bindgen(js_name = workspaceSymbols, unchecked_return_type = "Promise<LspSymbol[]>")]
    pub fn workspace_symbols(&self, query: String) -> js_sys::Promise {
        self.sandbox_symbols(query)
    }

    /// Completions at `position` of the file at `path`.
    #[wasm_bindgen(unchecked_return_type = "Promise<CompletionList>")]
    pub fn completions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "LspPosition")] position: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::COMPLETIONS, &[("uri", &uri(&path)), ("position", &position)], true)
    }

    /// The diagnostics the server last published for the file at `path` (they arrive shortly
    /// after it was opened; daytona-local).
    #[wasm_bindgen(unchecked_return_type = "Promise<LspDiagnostic[]>")]
    pub fn diagnostics(&self, path: String) -> js_sys::Promise {
        send(self.inner.diagnostics(&path))
    }

    /// Hover information at `position`: `{ contents, range? }` as the server sent it, or null
    /// (daytona-local).
    #[wasm_bindgen(unchecked_return_type = "Promise<{ contents: unknown; range?: LspRange } | null>")]
    pub fn hover(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "LspPosition")] position: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::HOVER, &[("uri", &uri(&path)), ("position", &position)], true)
    }

    /// Where the symbol at `position` is defined (daytona-local).
    #[wasm_bindgen(unchecked_return_type = "Promise<LspLocation[]>")]
    pub fn definition(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "LspPosition")] position: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::DEFINITION, &[("uri", &uri(&path)), ("position", &position)], true)
    }

    /// Every use of the symbol at `position`, its declaration included (daytona-local).
    #[wasm_bindgen(unchecked_return_type = "Promise<LspLocation[]>")]
    pub fn references(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "LspPosition")] position: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::REFERENCES, &[("uri", &uri(&path)), ("position", &position)], true)
    }

    /// LSP's `WorkspaceEdit` renaming the symbol at `position` to `newName`, not applied
    /// (daytona-local).
    #[wasm_bindgen(
        unchecked_return_type = "Promise<{ changes?: Record<string, unknown[]>; documentChanges?: unknown[] } | null>"
    )]
    pub fn rename(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "LspPosition")] position: JsValue,
        #[wasm_bindgen(js_name = newName, unchecked_param_type = "string")] new_name: JsValue,
    ) -> js_sys::Promise {
        self.post(routes::RENAME, &[("uri", &uri(&path)), ("position", &position), ("newName", &new_name)], true)
    }

    /// LSP's `TextEdit`s that format the file at `path` (daytona-local).
    #[wasm_bindgen(unchecked_return_type = "Promise<{ range: LspRange; newText: string }[]>")]
    pub fn formatting(&self, #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue) -> js_sys::Promise {
        self.post(routes::FORMATTING, &[("uri", &uri(&path))], true)
    }
}
