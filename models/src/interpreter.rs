//! Toolbox code interpreter: stateful contexts (`/process/interpreter/context`) and the
//! frames of the `/process/interpreter/execute` WebSocket.
//!
//! Daytona's frames carry `type` plus the five keys `text`, `name`, `value`, `traceback`
//! (empty strings when unused). daytona-local adds rich outputs for clients that ask for them
//! with `richOutputs: true` in the request: `result`, `display`, `clear`, `input` and `files`
//! frames (same five keys, plus `data`, `displayId`, `update`, `executionCount`, `files`, `wait`), and accepts
//! `input` and `interrupt` frames from such a client after the request.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Body of `POST /process/interpreter/context` (`CreateContextRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CreateContextRequest {
    /// Working directory of the context's process (relative to the work dir; default the work dir).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub cwd: Option<String>,
    /// Language of the context: `python` (the default and the only one served).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub language: Option<String>,
}

/// Whether a context's process is running code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum ContextState {
    /// Waiting for code.
    #[default]
    Idle,
    /// Running code (more may be queued).
    Busy,
}

/// An interpreter context (`InterpreterContext`); `state` and `executionCount` are
/// daytona-local's additions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct InterpreterContext {
    /// Context id (`default` for the implicit context).
    pub id: String,
    /// Working directory of its process.
    pub cwd: String,
    /// Its language (`python`).
    pub language: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Whether its process is alive.
    pub active: bool,
    /// Idle or busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub state: Option<ContextState>,
    /// Executions run since its process started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub execution_count: Option<u64>,
}

/// Answer of `GET /process/interpreter/context` (`ListContextsResponse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ListContextsResponse {
    /// The user-created contexts (the default one is not listed).
    pub contexts: Vec<InterpreterContext>,
}

/// First frame a client sends on `/process/interpreter/execute`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
pub struct InterpreterExecuteRequest {
    /// Code to run.
    pub code: String,
    /// Context to run it in (absent: the default context).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub context_id: Option<String>,
    /// Environment variables set while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub envs: Option<BTreeMap<String, String>>,
    /// Timeout in seconds (absent: 10 minutes; 0: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub timeout: Option<i64>,
    /// daytona-local: send `result`/`display`/`clear`/`input` frames (MIME bundles) and
    /// accept `input`/`interrupt` frames from the client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub rich_outputs: Option<bool>,
    /// daytona-local: keep the socket open after the run's `control` frame and take the next
    /// request on it (closed after 5 idle minutes); a run that times out still closes it (4008).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub keep_open: Option<bool>,
}

/// Default timeout of an execution, in seconds.
pub const INTERPRETER_DEFAULT_TIMEOUT_SECS: u64 = 600;
/// Close code of an execution that timed out.
pub const INTERPRETER_TIMEOUT_CLOSE_CODE: u16 = 4008;

/// A MIME bundle: MIME type → content (text as is; `image/png`, `image/jpeg` base64;
/// `application/json` as JSON text).
pub type MimeBundle = BTreeMap<String, String>;

/// One frame of `/process/interpreter/execute` from the server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
pub struct InterpreterFrame {
    /// `stdout`, `stderr`, `error`, `control`; rich: `result`, `display`, `clear`, `input`, `files`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Output text; for `control`, `completed` or `interrupted`; for `input`, the prompt.
    #[serde(default)]
    pub text: String,
    /// For `error`: the exception's class name.
    #[serde(default)]
    pub name: String,
    /// For `error`: the exception's value.
    #[serde(default)]
    pub value: String,
    /// For `error`: the formatted traceback.
    #[serde(default)]
    pub traceback: String,
    /// For `result` and `display`: the MIME bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub data: Option<MimeBundle>,
    /// For `display`: the display id given to `display(..., display_id=)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub display_id: Option<String>,
    /// For `display`: true when it replaces the output shown under `displayId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub update: Option<bool>,
    /// For `result` and `control`: the execution's number in its context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub execution_count: Option<u64>,
    /// For `files` (rich clients): the files the code opened for writing, absolute paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub files: Option<Vec<String>>,
    /// For `clear`: clear when the next output arrives rather than now. For `input`: a password prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub wait: Option<bool>,
}

impl InterpreterFrame {
    /// A frame of `kind` with `text`.
    pub fn text(kind: &str, text: impl Into<String>) -> Self {
        Self { kind: kind.into(), text: text.into(), ..Self::default() }
    }
}

/// A frame a client sends after its request: `input` (with `value`) answers an `input`
/// frame (rich clients); `interrupt` interrupts the running code.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct InterpreterClientFrame {
    /// `input` or `interrupt`.
    #[serde(rename = "type")]
    pub kind: String,
    /// For `input`: the line typed (without its newline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub value: Option<String>,
}
