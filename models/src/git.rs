//! Toolbox git (`/git/*`): bodies, answers and the `GIT_*` error codes. Several request
//! fields are snake_case on the wire (`commit_id`, `insecure_skip_tls`, `allow_empty`,
//! `set_upstream`, `initial_branch`), as Daytona's daemon reads them.

use serde::{Deserialize, Serialize};

/// Declares a request model: `Clone, Debug, Default, PartialEq`, serde, tsify. Unknown fields
/// are refused (400), not dropped: daytona-local cannot honour what it does not know.
macro_rules! git_request {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(tsify::Tsify))]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }
    };
}

git_request! {
    /// Body of `POST /git/clone` (`GitCloneRequest`).
    GitCloneRequest {
        /// The repository's URL (any transport git speaks).
        url: String,
        /// Where to clone it (relative paths start at the work dir).
        path: String,
        /// The branch to check out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        branch: Option<String>,
        /// A commit to check out (detached) after cloning.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        commit_id: Option<String>,
        /// User name for this clone only (never stored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        username: Option<String>,
        /// Password or token for this clone only (never stored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        password: Option<String>,
        /// A shallow clone of this many commits.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        depth: Option<u32>,
        /// Skips TLS certificate checks for this clone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        insecure_skip_tls: Option<bool>,
    }
}

git_request! {
    /// Body of `POST /git/add` (`GitAddRequest`).
    GitAddRequest {
        /// The repository.
        path: String,
        /// Paths to stage (`.` for everything).
        files: Vec<String>,
    }
}

git_request! {
    /// Body of `POST /git/commit` (`GitCommitRequest`).
    GitCommitRequest {
        /// The repository.
        path: String,
        /// The commit message.
        message: String,
        /// Author (and committer) name.
        author: String,
        /// Author (and committer) email.
        email: String,
        /// Commits even when nothing is staged.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        allow_empty: Option<bool>,
    }
}

git_request! {
    /// Body of `POST /git/push` (`GitPushRequest`) and, without `set_upstream`, of
    /// `POST /git/pull` (`GitPullRequest`).
    GitPushRequest {
        /// The repository.
        path: String,
        /// User name for this operation only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        username: Option<String>,
        /// Password or token for this operation only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        password: Option<String>,
        /// The remote (default `origin`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        remote: Option<String>,
        /// The branch (default: the current one, or its upstream for a pull).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        branch: Option<String>,
        /// Records the pushed branch as the upstream (push only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        set_upstream: Option<bool>,
    }
}

/// Body of `POST /git/pull` (`GitPullRequest`): a push request without `set_upstream`.
pub type GitPullRequest = GitPushRequest;

git_request! {
    /// Body of `POST /git/branches` (`GitBranchRequest`) and `DELETE /git/branches`
    /// (`GitDeleteBranchRequest`).
    GitBranchRequest {
        /// The repository.
        path: String,
        /// The branch's name.
        name: String,
    }
}

git_request! {
    /// Body of `POST /git/checkout` (`GitCheckoutRequest`).
    GitCheckoutRequest {
        /// The repository.
        path: String,
        /// The branch (or commit) to check out.
        branch: String,
    }
}

git_request! {
    /// Body of `POST /git/init` (`GitInitRequest`).
    GitInitRequest {
        /// Where to create the repository.
        path: String,
        /// A repository without a working tree.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        bare: Option<bool>,
        /// The name of the first branch.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        initial_branch: Option<String>,
    }
}

git_request! {
    /// Body of `POST /git/reset` (`GitResetRequest`).
    GitResetRequest {
        /// The repository.
        path: String,
        /// `soft`, `mixed` (default), `hard`, `merge` or `keep`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        mode: Option<String>,
        /// The revision to reset to (default `HEAD`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        target: Option<String>,
        /// Only these paths.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        files: Option<Vec<String>>,
    }
}

git_request! {
    /// Body of `POST /git/restore` (`GitRestoreRequest`).
    GitRestoreRequest {
        /// The repository.
        path: String,
        /// The paths to restore.
        files: Vec<String>,
        /// Restores the index (unstages).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        staged: Option<bool>,
        /// Restores the working tree (the default when neither is given).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        worktree: Option<bool>,
        /// Takes the contents from this revision instead of the index.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        source: Option<String>,
    }
}

git_request! {
    /// Body of `POST /git/remotes` (`GitAddRemoteRequest`).
    GitAddRemoteRequest {
        /// The repository.
        path: String,
        /// The remote's name.
        name: String,
        /// The remote's URL.
        url: String,
        /// Fetches from it at once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        fetch: Option<bool>,
        /// Replaces a remote of the same name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        overwrite: Option<bool>,
    }
}

git_request! {
    /// Body of `POST /git/config` (`GitSetConfigRequest`).
    GitSetConfigRequest {
        /// The key in dotted form (`user.name`).
        key: String,
        /// Its value.
        value: String,
        /// The repository (needed for the `local` scope).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        path: Option<String>,
        /// `global` (default), `local` or `system`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        scope: Option<String>,
    }
}

git_request! {
    /// Body of `POST /git/config/user` (`GitConfigureUserRequest`).
    GitConfigureUserRequest {
        /// `user.name`.
        name: String,
        /// `user.email`.
        email: String,
        /// The repository (needed for the `local` scope).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        path: Option<String>,
        /// `global` (default), `local` or `system`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        scope: Option<String>,
    }
}

git_request! {
    /// Body of `POST /git/credentials` (`GitAuthenticateRequest`): stored in the sandbox
    /// user's git credential store.
    GitAuthenticateRequest {
        /// User name.
        username: String,
        /// Password or token.
        password: String,
        /// The host (default `github.com`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        host: Option<String>,
        /// The protocol (default `https`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", tsify(optional))]
        protocol: Option<String>,
    }
}

/// Answer of `POST /git/commit` (`GitCommitResponse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GitCommitResponse {
    /// The new commit's hash.
    pub hash: String,
}

/// The state of a file in the index or the working tree (`Status`).
pub mod file_status {
    /// Unchanged.
    pub const UNMODIFIED: &str = "Unmodified";
    /// Not tracked.
    pub const UNTRACKED: &str = "Untracked";
    /// Changed.
    pub const MODIFIED: &str = "Modified";
    /// New in the index.
    pub const ADDED: &str = "Added";
    /// Removed.
    pub const DELETED: &str = "Deleted";
    /// Renamed.
    pub const RENAMED: &str = "Renamed";
    /// Copied.
    pub const COPIED: &str = "Copied";
    /// In conflict.
    pub const UNMERGED: &str = "Updated but unmerged";
}

/// One changed file of `GET /git/status` (`FileStatus`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct FileStatus {
    /// Its path in the repository.
    pub name: String,
    /// Its state in the index (see [`file_status`]).
    pub staging: String,
    /// Its state in the working tree (see [`file_status`]).
    pub worktree: String,
    /// The original path of a renamed or copied file, else empty.
    pub extra: String,
}

/// Answer of `GET /git/status` (`GitStatus`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct GitStatus {
    /// The checked-out branch (the commit's hash when detached).
    pub current_branch: String,
    /// Changed, staged and untracked files.
    pub file_status: Vec<FileStatus>,
    /// Commits not on the upstream yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub ahead: Option<u32>,
    /// Commits of the upstream not here yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub behind: Option<u32>,
    /// Whether the branch has an upstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub branch_published: Option<bool>,
    /// The upstream (`origin/main`), empty when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub upstream: Option<String>,
    /// Whether HEAD is detached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub detached: Option<bool>,
}

/// Answer of `GET /git/branches` (`ListBranchResponse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ListBranchResponse {
    /// The local branches.
    pub branches: Vec<String>,
    /// The checked-out branch (empty when detached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub current: Option<String>,
}

/// One commit of `GET /git/history` (`GitCommitInfo`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GitCommitInfo {
    /// The commit's hash.
    pub hash: String,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// The full message.
    pub message: String,
    /// When it was authored (RFC 3339).
    pub timestamp: String,
}

/// A remote of `GET /git/remotes` (`GitRemote`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GitRemote {
    /// Its name.
    pub name: String,
    /// Its (fetch) URL.
    pub url: String,
}

/// Answer of `GET /git/remotes` (`ListRemotesResponse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ListRemotesResponse {
    /// The remotes.
    pub remotes: Vec<GitRemote>,
}

/// Answer of `GET /git/config` (`GitConfigResponse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct GitConfigResponse {
    /// The value, `null` when the key is not set.
    pub value: Option<String>,
}

/// Query of `GET /git/status`, `/git/branches`, `/git/history`, `/git/remotes`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GitRepoQuery {
    /// The repository.
    pub path: String,
}

/// Query of `GET /git/config`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GitConfigQuery {
    /// The key.
    pub key: String,
    /// The repository (for the `local` scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `global` (default), `local` or `system`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Where `GET /git/show` reads a file from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GitShowSource {
    /// The last commit (`HEAD`): what a working-tree change is compared with.
    #[default]
    #[serde(rename = "HEAD")]
    Head,
    /// The index: what is staged.
    #[serde(rename = "index")]
    Index,
}

impl GitShowSource {
    /// The wire spelling (`HEAD`, `index`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Head => "HEAD",
            Self::Index => "index",
        }
    }
}

/// Query of `GET /git/show` (ours, not Daytona's): one file's bytes as they are at `HEAD` or
/// in the index, for per-file diffs. Unknown fields are refused (400).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitShowQuery {
    /// The repository (or a directory in it), as the other `/git` routes' `path`.
    pub path: String,
    /// The file, relative to the repository's root (not absolute, no `..`, no leading `-`).
    pub file: String,
    /// `HEAD` (default) or `index`.
    #[serde(default)]
    pub source: GitShowSource,
}

/// The daemon's git error codes (`DaemonErrorCode`), each with its HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GitErrorCode {
    /// 401: credentials missing or refused.
    AuthFailed,
    /// 404: no repository there.
    RepoNotFound,
    /// 404: no such branch or revision.
    BranchNotFound,
    /// 409: the branch exists.
    BranchExists,
    /// 409: a non-fast-forward push.
    PushRejected,
    /// 409: local changes in the way.
    DirtyWorktree,
    /// 409: the merge stopped on conflicts.
    MergeConflict,
    /// 502: the remote could not be reached.
    TransportFailed,
    /// 422: the remote refused the update (a hook, a protected branch).
    RemoteRejected,
}

impl GitErrorCode {
    /// The code's wire spelling (`GIT_AUTH_FAILED`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthFailed => "GIT_AUTH_FAILED",
            Self::RepoNotFound => "GIT_REPO_NOT_FOUND",
            Self::BranchNotFound => "GIT_BRANCH_NOT_FOUND",
            Self::BranchExists => "GIT_BRANCH_EXISTS",
            Self::PushRejected => "GIT_PUSH_REJECTED",
            Self::DirtyWorktree => "GIT_DIRTY_WORKTREE",
            Self::MergeConflict => "GIT_MERGE_CONFLICT",
            Self::TransportFailed => "GIT_TRANSPORT_FAILED",
            Self::RemoteRejected => "GIT_REMOTE_REJECTED",
        }
    }

    /// The HTTP status the daemon answers with.
    pub fn status(self) -> u16 {
        match self {
            Self::AuthFailed => 401,
            Self::RepoNotFound | Self::BranchNotFound => 404,
            Self::BranchExists | Self::PushRejected | Self::DirtyWorktree | Self::MergeConflict => 409,
            Self::TransportFailed => 502,
            Self::RemoteRejected => 422,
        }
    }
}
