//! The JS face of `LspServer` (`await sandbox.createLspServer(languageId, pathToProject)`),
//! with `@daytonaio/sdk`'s methods and daytona-local's extensions (diagnostics, hover,
//! definition, references, rename, formatting). Bodies are JS objects of the arguments, sent
//! on the Rust face's routes (as git's); daytona-local refuses unknown fields of them.

use wasm_bindgen::prelude::*;

use super::lazy::{lazy_methods, string_arg};
use super::posted::{post_or_run, Answer, Posted};
use super::sending;
use crate::lsp as routes;
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
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
export interface LspServer {
  /** Starts the server (a no-op if it runs). */
  start(): Promise<void>;
  /** Stops the server. */
  stop(): Promise<void>;
  /** Opens the file at `path` on the server, as it is on disk now. */
  didOpen(path: string): Promise<void>;
  /** Closes the file at `path`. */
  didClose(path: string): Promise<void>;
  /** Completions at `position` of the file at `path`. */
  completions(path: string, position: LspPosition): Promise<CompletionList>;
  /** Hover information at `position`: `{ contents, range? }` as the server sent it, or null (daytona-local). */
  hover(path: string, position: LspPosition): Promise<{ contents: unknown; range?: LspRange } | null>;
  /** Where the symbol at `position` is defined (daytona-local). */
  definition(path: string, position: LspPosition): Promise<LspLocation[]>;
  /** Every use of the symbol at `position`, its declaration included (daytona-local). */
  references(path: string, position: LspPosition): Promise<LspLocation[]>;
  /** LSP's `WorkspaceEdit` renaming the symbol at `position` to `newName`, not applied (daytona-local). */
  rename(path: string, position: LspPosition, newName: string): Promise<{ changes?: Record<string, unknown[]>; documentChanges?: unknown[] } | null>;
  /** LSP's `TextEdit`s that format the file at `path` (daytona-local). */
  formatting(path: string): Promise<{ range: LspRange; newText: string }[]>;
  /** The symbols of the file at `path`. */
  documentSymbols(path: string): Promise<LspSymbol[]>;
  /** The project's symbols whose names match `query`. */
  sandboxSymbols(query: string): Promise<LspSymbol[]>;
  /** Same as `sandboxSymbols` (the name `@daytonaio/sdk` deprecated). */
  workspaceSymbols(query: string): Promise<LspSymbol[]>;
  /** The diagnostics the server last published for the file at `path` (they arrive shortly after it was opened; daytona-local). */
  diagnostics(path: string): Promise<LspDiagnostic[]>;
}
"#;

/// The server's methods that send their arguments as a body (with the server's
/// `languageId` and `pathToProject`); a first argument sent as `uri` is a path, sent as a
/// `file://` URI.
pub(crate) const POSTED: [Posted; 10] = [
    Posted { name: "start", route: routes::START, fields: &[], answer: Answer::Nothing },
    Posted { name: "stop", route: routes::STOP, fields: &[], answer: Answer::Nothing },
    Posted { name: "didOpen", route: routes::DID_OPEN, fields: &["uri"], answer: Answer::Nothing },
    Posted { name: "didClose", route: routes::DID_CLOSE, fields: &["uri"], answer: Answer::Nothing },
    Posted { name: "completions", route: routes::COMPLETIONS, fields: &["uri", "position"], answer: Answer::Whole },
    Posted { name: "hover", route: routes::HOVER, fields: &["uri", "position"], answer: Answer::Whole },
    Posted { name: "definition", route: routes::DEFINITION, fields: &["uri", "position"], answer: Answer::Whole },
    Posted { name: "references", route: routes::REFERENCES, fields: &["uri", "position"], answer: Answer::Whole },
    Posted { name: "rename", route: routes::RENAME, fields: &["uri", "position", "newName"], answer: Answer::Whole },
    Posted { name: "formatting", route: routes::FORMATTING, fields: &["uri"], answer: Answer::Whole },
];

#[wasm_bindgen(js_class = LspServer)]
impl JsLspServer {
    /// Method `index` of [`POSTED`], then of [`LAZY`], with its positional `args` (init.js
    /// names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        if POSTED.get(index).is_some_and(|m| m.fields.first() == Some(&"uri")) {
            args.set(0, js_sys::JsString::from("file://").concat(&args.get(0)).into());
        }
        let server = [("languageId", &self.language), ("pathToProject", &self.project)];
        let call = |route| self.inner.route(route);
        post_or_run(&POSTED, index, args, &server, call, lsp_methods, || self.inner.clone())
    }
}

lazy_methods!(code: LAZY, lsp_methods(LspServer) = [
    "documentSymbols" => |lsp, args| Ok(sending(lsp.document_symbols(&string_arg(args, 0, "path")?))),
    "sandboxSymbols" => |lsp, args| Ok(sending(lsp.sandbox_symbols(&string_arg(args, 0, "query")?))),
    "workspaceSymbols" => |lsp, args| Ok(sending(lsp.sandbox_symbols(&string_arg(args, 0, "query")?))),
    "diagnostics" => |lsp, args| Ok(sending(lsp.diagnostics(&string_arg(args, 0, "path")?))),
]);
