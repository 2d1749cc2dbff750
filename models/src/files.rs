//! Toolbox `/files/…`: file info, search and find results, replace, bulk upload and download.

use serde::{Deserialize, Serialize};

/// A file or directory in a sandbox (`FileInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FileInfo {
    /// Base name.
    pub name: String,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// Size in bytes.
    pub size: i64,
    /// Mode as `ls` shows it, e.g. `-rw-r--r--`.
    pub mode: String,
    /// Octal permissions, e.g. `0644`.
    pub permissions: String,
    /// Owner (user name, or uid as a string).
    pub owner: String,
    /// Group (group name, or gid as a string).
    pub group: String,
    /// Modification time (Go `time.String()` format; deprecated in favour of `modifiedAt`).
    pub mod_time: String,
    /// Modification time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub modified_at: Option<String>,
    /// Full path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub path: Option<String>,
}

/// One line matching `GET /files/find`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Match {
    /// File path.
    pub file: String,
    /// Line number (1-based).
    pub line: i64,
    /// The matching line.
    pub content: String,
}

/// Answer of `GET /files/search`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SearchFilesResponse {
    /// Matching paths.
    pub files: Vec<String>,
}

/// Body of `POST /files/replace`: literal replace-all in each file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReplaceRequest {
    /// Files to edit.
    pub files: Vec<String>,
    /// Text to find.
    pub pattern: String,
    /// Replacement text.
    pub new_value: String,
}

/// Per-file result of `POST /files/replace`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ReplaceResult {
    /// The file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub file: Option<String>,
    /// Whether it was rewritten.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub success: Option<bool>,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub error: Option<String>,
}

/// Body of `POST /files/bulk-download`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilesDownloadRequest {
    /// Paths to download, echoed exactly in the answer's part filenames.
    pub paths: Vec<String>,
}

/// One uploaded file in the answer of `POST /files/bulk-upload`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadedFile {
    /// Destination path as given.
    pub path: String,
    /// Bytes written.
    pub bytes: u64,
}

/// Answer of `POST /files/bulk-upload` (`errors` only on failure).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UploadFilesResponse {
    /// Files written.
    pub files: Vec<UploadedFile>,
    /// Failures, as messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// Answer of `POST /files/bulk-upload` when a file failed (400): the `ErrorResponse` Daytona's
/// spec declares (its `message` joins the failures; its `code` is the first one's) with the
/// per-file outcome beside it, which older daemon clients read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadFilesFailure {
    /// The error envelope.
    #[serde(flatten)]
    pub error: crate::ErrorResponse,
    /// Files written, and the failures.
    #[serde(flatten)]
    pub outcome: UploadFilesResponse,
}
