//! Toolbox sessions: long-lived shells, their commands, logs and input.

use serde::{Deserialize, Serialize};

/// Body of toolbox `POST /process/session` (`CreateSessionRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionRequest {
    /// Id the caller picks for the new session.
    pub session_id: String,
}

/// A stateful shell session and the commands run in it (`Session`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The session's id.
    pub session_id: String,
    /// Commands in the order they were submitted.
    pub commands: Vec<Command>,
}

/// A command run in a session (`Command`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Command {
    /// The command's id (`cmdId`).
    pub id: String,
    /// The command line as submitted.
    pub command: String,
    /// Exit code; absent while the command runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub exit_code: Option<i32>,
}

/// Body of `POST /process/session/{sessionId}/exec` (`SessionExecuteRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SessionExecuteRequest {
    /// Shell command line, run by the session's shell (so `cd` and `export` persist).
    pub command: String,
    /// Answer 202 with the command id at once instead of waiting for the exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub run_async: Option<bool>,
    /// Deprecated alias of `runAsync`.
    #[serde(rename = "async", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub is_async: Option<bool>,
    /// Do not copy input sent to the command into its log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub suppress_input_echo: Option<bool>,
}

/// Answer of `POST /process/session/{sessionId}/exec` (`SessionExecuteResponse`): only
/// `cmdId` for asynchronous runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SessionExecuteResponse {
    /// Id of the new command.
    pub cmd_id: String,
    /// The log: stdout and stderr lines, each led by its stream marker (markers stripped for
    /// old SDKs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub output: Option<String>,
    /// Standard output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub stdout: Option<String>,
    /// Standard error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub stderr: Option<String>,
    /// Exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub exit_code: Option<i32>,
}

/// JSON answer of `GET /process/session/{sessionId}/command/{commandId}/logs`
/// (`SessionCommandLogsResponse`), for SDKs from 0.167.0 on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SessionCommandLogsResponse {
    /// The raw log, stream markers included.
    pub output: String,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Body of `POST /process/session/{sessionId}/command/{commandId}/input`
/// (`SessionSendInputRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SessionSendInputRequest {
    /// Text written to the command's stdin (a newline is added when missing).
    pub data: String,
}
