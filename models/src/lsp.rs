//! Toolbox LSP (`/lsp/*`): language servers per (language, project), Daytona's routes and
//! ours beyond them (diagnostics, hover, definition, references, rename, formatting).

use serde::{Deserialize, Serialize};

/// Body of `POST /lsp/start` and `/lsp/stop` (`LspServerRequest`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct LspServerRequest {
    /// `python`, `typescript` or `javascript`.
    pub language_id: String,
    /// The project's root directory.
    pub path_to_project: String,
}

/// Body of `POST /lsp/did-open` and `/lsp/did-close`; query of `GET /lsp/document-symbols`
/// and `GET /lsp/diagnostics` (`LspDocumentRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct LspDocumentRequest {
    /// `python`, `typescript` or `javascript`.
    pub language_id: String,
    /// The project's root directory.
    pub path_to_project: String,
    /// The document (`file:///abs/path`).
    pub uri: String,
}

/// A position in a document, zero-based (`LspPosition`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LspPosition {
    /// Line.
    pub line: u32,
    /// Character in the line (UTF-16 code units, as LSP counts).
    pub character: u32,
}

/// A range of a document (`LspRange`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LspRange {
    /// Where it starts.
    pub start: LspPosition,
    /// Where it ends (exclusive).
    pub end: LspPosition,
}

/// A range of a document given by its URI (`LspLocation`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LspLocation {
    /// The document.
    pub uri: String,
    /// The range.
    pub range: LspRange,
}

/// A symbol of a document or the workspace (`LspSymbol`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LspSymbol {
    /// Its name.
    pub name: String,
    /// LSP's `SymbolKind` (5 class, 12 function, 13 variable, …).
    pub kind: u32,
    /// Where it is.
    pub location: LspLocation,
}

/// What triggered a completion (`CompletionContext`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CompletionContext {
    /// 1 invoked, 2 a trigger character, 3 an incomplete list re-asked.
    pub trigger_kind: u32,
    /// The character typed, for kind 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub trigger_character: Option<String>,
}

/// Body of `POST /lsp/completions` (`LspCompletionParams`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct LspCompletionParams {
    /// `python`, `typescript` or `javascript`.
    pub language_id: String,
    /// The project's root directory.
    pub path_to_project: String,
    /// The document.
    pub uri: String,
    /// Where to complete.
    pub position: LspPosition,
    /// What triggered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub context: Option<CompletionContext>,
}

/// One completion (`CompletionItem`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CompletionItem {
    /// What the list shows.
    pub label: String,
    /// LSP's `CompletionItemKind`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub kind: Option<u32>,
    /// A detail such as a signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub detail: Option<String>,
    /// Documentation as `{ kind: "plaintext" | "markdown", value }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional, type = "{ kind: string; value: string }"))]
    pub documentation: Option<serde_json::Value>,
    /// Sort key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub sort_text: Option<String>,
    /// Filter key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub filter_text: Option<String>,
    /// Text to insert (the label if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub insert_text: Option<String>,
}

/// Answer of `POST /lsp/completions` (`CompletionList`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CompletionList {
    /// Whether typing more should ask again.
    pub is_incomplete: bool,
    /// The completions.
    pub items: Vec<CompletionItem>,
}

/// Query of `GET /lsp/workspacesymbols`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LspWorkspaceSymbolsQuery {
    /// `python`, `typescript` or `javascript`.
    pub language_id: String,
    /// The project's root directory.
    pub path_to_project: String,
    /// What to look for.
    pub query: String,
}

/// Body of our position routes beyond Daytona (`POST /lsp/hover`, `/lsp/definition`,
/// `/lsp/references`, `/lsp/rename`), and of `/lsp/formatting` without a position.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct LspPositionRequest {
    /// `python`, `typescript` or `javascript`.
    pub language_id: String,
    /// The project's root directory.
    pub path_to_project: String,
    /// The document.
    pub uri: String,
    /// The position (not used by formatting).
    #[serde(default)]
    pub position: LspPosition,
    /// The new name (rename only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub new_name: Option<String>,
}

/// A problem a language server reported in a document (LSP's `Diagnostic`, as it sent it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LspDiagnostic {
    /// Where.
    pub range: LspRange,
    /// 1 error, 2 warning, 3 information, 4 hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub severity: Option<u32>,
    /// The tool that found it (`pyflakes`, `typescript`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub source: Option<String>,
    /// What is wrong.
    pub message: String,
}
