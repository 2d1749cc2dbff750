//! Toolbox `POST /process/code-run`: the request and its answer with artifacts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Chart;

/// Body of toolbox `POST /process/code-run` (`CodeRunRequest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
pub struct CodeRunRequest {
    /// Source code to run.
    pub code: String,
    /// `python`, `javascript` or `typescript`.
    pub language: String,
    /// Command-line arguments given to the program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub argv: Option<Vec<String>>,
    /// Extra environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub envs: Option<BTreeMap<String, String>>,
    /// Timeout in seconds (0 or absent = none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub timeout: Option<u64>,
}

/// Answer of `POST /process/code-run` (`CodeRunResponse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CodeRunResponse {
    /// Exit code of the program (-1 if it could not start).
    pub exit_code: i32,
    /// Combined stdout and stderr, without the chart artifact lines.
    pub result: String,
    /// Charts the program drew (absent when there are none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub artifacts: Option<CodeRunArtifacts>,
}

/// Artifacts of a code run (`CodeRunArtifacts`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct CodeRunArtifacts {
    /// One chart per matplotlib figure, in the order they were shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub charts: Option<Vec<Chart>>,
}
