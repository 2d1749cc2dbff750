//! Toolbox `POST /process/execute`: a command, its exit code and output.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Body of toolbox `POST /process/execute`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
pub struct ExecuteRequest {
    /// Shell command line.
    pub command: String,
    /// Working directory; relative paths start at the sandbox's work dir.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub cwd: Option<String>,
    /// Extra environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub envs: Option<BTreeMap<String, String>>,
    /// Timeout in seconds (0 or absent = none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub timeout: Option<u64>,
}

/// Answer of `POST /process/execute`: stdout and stderr combined in `result`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ExecuteResponse {
    /// Exit code of the command (-1 if it could not start).
    pub exit_code: i32,
    /// Combined output.
    pub result: String,
    /// Parsed artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub artifacts: Option<ExecuteArtifacts>,
}

/// Artifacts of a command run, as the official SDKs expose them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ExecuteArtifacts {
    /// Standard output (same as `result`).
    pub stdout: String,
    /// Charts found in the output (filled by `codeRun`).
    #[serde(default)]
    pub charts: Vec<crate::Chart>,
}
