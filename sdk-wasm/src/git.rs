//! Git in a sandbox (`sandbox.git()`), as `@daytonaio/sdk`'s `Git`: clone, status, stage,
//! commit, push, pull, branches, history, remotes, config and credentials, run by the
//! sandbox's own `git`; in the Rust face also (ours) a file as it is at HEAD or in the index.
//! Failures come back as typed errors by their `GIT_*` code ([`DaytonaError::Api`] with
//! `code`), e.g. `GIT_AUTH_FAILED` for refused credentials.

use daytona_models::{
    GitAddRemoteRequest, GitAddRequest, GitAuthenticateRequest, GitBranchRequest, GitCheckoutRequest, GitCloneRequest,
    GitCommitInfo, GitCommitRequest, GitCommitResponse, GitConfigResponse, GitConfigureUserRequest, GitInitRequest,
    GitPullRequest, GitPushRequest, GitResetRequest, GitRestoreRequest, GitSetConfigRequest, GitShowSource, GitStatus,
    ListBranchResponse, ListRemotesResponse,
};
use serde::Serialize;

use crate::http::{CallOptions, Method};
use crate::toolbox::{Route, Toolbox};
use crate::{Call, DaytonaError};

pub(crate) const CLONE: Route = (Method::Post, "/git/clone");
pub(crate) const INIT: Route = (Method::Post, "/git/init");
pub(crate) const ADD: Route = (Method::Post, "/git/add");
pub(crate) const COMMIT: Route = (Method::Post, "/git/commit");
pub(crate) const PUSH: Route = (Method::Post, "/git/push");
pub(crate) const PULL: Route = (Method::Post, "/git/pull");
pub(crate) const CREATE_BRANCH: Route = (Method::Post, "/git/branches");
pub(crate) const DELETE_BRANCH: Route = (Method::Delete, "/git/branches");
pub(crate) const CHECKOUT: Route = (Method::Post, "/git/checkout");
pub(crate) const RESET: Route = (Method::Post, "/git/reset");
pub(crate) const RESTORE: Route = (Method::Post, "/git/restore");
pub(crate) const REMOTE_ADD: Route = (Method::Post, "/git/remotes");
pub(crate) const SET_CONFIG: Route = (Method::Post, "/git/config");
pub(crate) const CONFIGURE_USER: Route = (Method::Post, "/git/config/user");
pub(crate) const AUTHENTICATE: Route = (Method::Post, "/git/credentials");

/// The git API of one sandbox (cheap to clone). Paths are repository directories, relative
/// to the sandbox's work dir unless absolute.
#[derive(Clone, Debug)]
pub struct Git {
    toolbox: Toolbox,
}

impl Git {
    pub(crate) fn new(toolbox: Toolbox) -> Self {
        Self { toolbox }
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let pairs: Vec<(String, String)> = query.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self.toolbox.url(path, &pairs)
    }

    fn call<T>(&self, method: Method, path: &str, query: &[(&str, &str)]) -> Call<T> {
        Call::new(&self.toolbox.client, method, self.url(path, query))
    }

    /// A call of `route` (see [`Toolbox::route`]).
    pub(crate) fn route<T>(&self, route: Route) -> Call<T> {
        self.toolbox.route(route)
    }

    /// A call of `route` with `body`, whose answer is not read.
    fn send(&self, route: Route, body: &(impl Serialize + ?Sized)) -> Call<()> {
        self.route(route).unanswered().body(body)
    }

    /// Clones `req.url` into `req.path` (credentials used for this clone only).
    pub fn clone_repository(&self, req: &GitCloneRequest) -> Call<()> {
        self.send(CLONE, req)
    }

    /// Creates a repository (`bare`, `initial_branch` optional).
    pub fn init(&self, req: &GitInitRequest) -> Call<()> {
        self.send(INIT, req)
    }

    /// Stages `files` (`.` for everything).
    pub fn add(&self, path: &str, files: Vec<String>) -> Call<()> {
        self.send(ADD, &GitAddRequest { path: path.into(), files })
    }

    /// Commits what is staged; the answer's `hash` is the new commit.
    pub fn commit(&self, req: &GitCommitRequest) -> Call<GitCommitResponse> {
        self.route(COMMIT).body(req)
    }

    /// Pushes (the current branch to `origin` unless `req` says otherwise).
    pub fn push(&self, req: &GitPushRequest) -> Call<()> {
        self.send(PUSH, req)
    }

    /// Pulls (the current branch's upstream unless `req` says otherwise).
    pub fn pull(&self, req: &GitPullRequest) -> Call<()> {
        self.send(PULL, req)
    }

    /// Branch, ahead/behind its upstream, and every changed file.
    pub fn status(&self, path: &str) -> Call<GitStatus> {
        self.call(Method::Get, "/git/status", &[("path", path)])
    }

    /// The commits reachable from HEAD, newest first.
    pub fn history(&self, path: &str) -> Call<Vec<GitCommitInfo>> {
        self.call(Method::Get, "/git/history", &[("path", path)])
    }

    /// The bytes of `file` (relative to the repository's root) as they are at HEAD or in the
    /// index, to diff against the working tree: daytona-local's `GET /git/show`, not Daytona's.
    /// A file not there (a new one, or any before the first commit at HEAD) fails with code
    /// `FILE_NOT_FOUND`, one over 16 MiB or a directory with `BAD_REQUEST` / `INVALID_FILE_PATH`.
    pub async fn show(&self, path: &str, file: &str, source: GitShowSource) -> Result<Vec<u8>, DaytonaError> {
        let url = self.url("/git/show", &[("path", path), ("file", file), ("source", source.as_str())]);
        self.toolbox.client.http.bytes(Method::Get, &url, &CallOptions::default()).await
    }

    /// The local branches and the current one.
    pub fn branches(&self, path: &str) -> Call<ListBranchResponse> {
        self.call(Method::Get, "/git/branches", &[("path", path)])
    }

    /// Creates branch `name` at HEAD.
    pub fn create_branch(&self, path: &str, name: &str) -> Call<()> {
        self.send(CREATE_BRANCH, &GitBranchRequest { path: path.into(), name: name.into() })
    }

    /// Deletes branch `name`.
    pub fn delete_branch(&self, path: &str, name: &str) -> Call<()> {
        self.send(DELETE_BRANCH, &GitBranchRequest { path: path.into(), name: name.into() })
    }

    /// Checks out `branch` (or a revision, detached).
    pub fn checkout_branch(&self, path: &str, branch: &str) -> Call<()> {
        self.send(CHECKOUT, &GitCheckoutRequest { path: path.into(), branch: branch.into() })
    }

    /// Resets HEAD, the index or the working tree (`mode`: soft, mixed, hard, merge, keep).
    pub fn reset(&self, req: &GitResetRequest) -> Call<()> {
        self.send(RESET, req)
    }

    /// Restores files from the index or a revision, or unstages them.
    pub fn restore(&self, req: &GitRestoreRequest) -> Call<()> {
        self.send(RESTORE, req)
    }

    /// Adds (or with `overwrite` replaces) a remote, fetching it if asked.
    pub fn remote_add(&self, req: &GitAddRemoteRequest) -> Call<()> {
        self.send(REMOTE_ADD, req)
    }

    /// The remotes and their URLs.
    pub fn remotes(&self, path: &str) -> Call<ListRemotesResponse> {
        self.call(Method::Get, "/git/remotes", &[("path", path)])
    }

    /// Sets a config value (`scope` global by default; `local` needs `path`).
    pub fn set_config(&self, req: &GitSetConfigRequest) -> Call<()> {
        self.send(SET_CONFIG, req)
    }

    /// A config value (`value` is `None` when unset).
    pub fn get_config(&self, key: &str, scope: Option<&str>, path: Option<&str>) -> Call<GitConfigResponse> {
        let mut query = vec![("key", key)];
        query.extend(scope.map(|s| ("scope", s)));
        query.extend(path.map(|p| ("path", p)));
        self.call(Method::Get, "/git/config", &query)
    }

    /// Sets `user.name` and `user.email`.
    pub fn configure_user(&self, req: &GitConfigureUserRequest) -> Call<()> {
        self.send(CONFIGURE_USER, req)
    }

    /// Stores credentials in the sandbox user's git credential store (plain text on disk).
    pub fn dangerously_authenticate(&self, req: &GitAuthenticateRequest) -> Call<()> {
        self.send(AUTHENTICATE, req)
    }
}
