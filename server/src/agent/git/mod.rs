//! Toolbox git (`/git/*`), on the real `git` CLI run as the sandbox user: the user's own
//! config, hooks and credential helpers apply, and every transport git speaks works.
//! Answers and error codes follow Daytona's daemon (see the wire-protocol reference §4.4).

mod cli;
mod status;

pub use cli::install_askpass;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use daytona_models::{
    GitAddRemoteRequest, GitAddRequest, GitAuthenticateRequest, GitBranchRequest, GitCheckoutRequest, GitCloneRequest,
    GitCommitInfo, GitCommitRequest, GitCommitResponse, GitConfigQuery, GitConfigResponse, GitConfigureUserRequest,
    GitErrorCode, GitInitRequest, GitPullRequest, GitPushRequest, GitRemote, GitRepoQuery, GitResetRequest,
    GitRestoreRequest, GitSetConfigRequest, GitShowQuery, GitShowSource, GitStatus, ListBranchResponse,
    ListRemotesResponse,
};

use self::cli::{not_option, Auth, Git};
use super::error::ToolboxError;
use super::extract::{ToolboxJson, ToolboxQuery};
use super::Agent;

/// The `/git` routes.
pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/git/clone", post(clone))
        .route("/git/init", post(init))
        .route("/git/add", post(add))
        .route("/git/commit", post(commit))
        .route("/git/push", post(push))
        .route("/git/pull", post(pull))
        .route("/git/status", get(status))
        .route("/git/history", get(history))
        .route("/git/show", get(show))
        .route("/git/branches", get(branches).post(create_branch).delete(delete_branch))
        .route("/git/checkout", post(checkout))
        .route("/git/reset", post(reset))
        .route("/git/restore", post(restore))
        .route("/git/remotes", get(remotes).post(add_remote))
        .route("/git/config", get(get_config).post(set_config))
        .route("/git/config/user", post(configure_user))
        .route("/git/credentials", post(authenticate))
}

type Answer<T> = Result<T, ToolboxError>;

/// An existing directory to run git in (404 `GIT_REPO_NOT_FOUND` otherwise).
fn repo(agent: &Agent, path: &str) -> Answer<PathBuf> {
    let dir = agent.resolve(path)?;
    match dir.is_dir() {
        true => Ok(dir),
        false => Err(ToolboxError::Git(GitErrorCode::RepoNotFound, format!("no repository at {path}"))),
    }
}

/// Handler of `POST /git/clone`.
async fn clone(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<GitCloneRequest>) -> Answer<()> {
    let dest = agent.resolve(&req.path)?;
    if req.url.is_empty() {
        return Err(ToolboxError::BadRequest("url is required".into()));
    }
    let parent = dest.parent().unwrap_or(&agent.home).to_path_buf();
    std::fs::create_dir_all(&parent).map_err(|e| ToolboxError::io(e, &req.path))?;
    let commit = match req.commit_id.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(not_option("commit_id", c)?),
        None => None,
    };
    let auth = Auth::from_request(req.username.as_deref(), req.password.as_deref());
    let mut git = Git::new(&parent, &[]);
    if req.insecure_skip_tls == Some(true) {
        git = git.args(["-c", "http.sslVerify=false"]);
    }
    git = git.args(["clone", "--quiet"]);
    if let Some(branch) = req.branch.as_deref().filter(|b| !b.is_empty()) {
        git = git.args([format!("--branch={}", not_option("branch", branch)?)]);
    }
    if let Some(depth) = req.depth.filter(|&d| d > 0) {
        git = git.args([format!("--depth={depth}")]);
    }
    let dest_arg = dest.to_string_lossy().into_owned();
    git.args(["--", req.url.as_str(), dest_arg.as_str()]).auth(auth, &agent.git_askpass).run().await?;
    if let Some(commit) = commit {
        Git::new(&dest, &["checkout", "--quiet", "--detach", commit, "--"]).run().await?;
    }
    Ok(())
}

/// Handler of `POST /git/init` (201).
async fn init(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<GitInitRequest>) -> Answer<StatusCode> {
    let dir = agent.resolve(&req.path)?;
    std::fs::create_dir_all(&dir).map_err(|e| ToolboxError::io(e, &req.path))?;
    let mut git = Git::new(&dir, &["init", "--quiet"]);
    if req.bare == Some(true) {
        git = git.args(["--bare"]);
    }
    if let Some(branch) = req.initial_branch.as_deref().filter(|b| !b.is_empty()) {
        git = git.args([format!("--initial-branch={branch}")]);
    }
    git.run().await?;
    Ok(StatusCode::CREATED)
}

/// Handler of `POST /git/add`.
async fn add(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<GitAddRequest>) -> Answer<()> {
    let dir = repo(&agent, &req.path)?;
    if req.files.is_empty() {
        return Err(ToolboxError::BadRequest("files is empty (use \".\" for everything)".into()));
    }
    Git::new(&dir, &["add", "--all", "--"]).args(req.files).run().await.map(drop)
}

/// Handler of `POST /git/commit`: the author is also the committer.
async fn commit(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<GitCommitRequest>,
) -> Answer<Json<GitCommitResponse>> {
    let dir = repo(&agent, &req.path)?;
    if req.author.trim().is_empty() || req.email.trim().is_empty() {
        return Err(ToolboxError::BadRequest("author and email are required".into()));
    }
    let mut git = Git::new(&dir, &["commit", "--quiet", "--file=-"])
        .env("GIT_AUTHOR_NAME", &req.author)
        .env("GIT_AUTHOR_EMAIL", &req.email)
        .env("GIT_COMMITTER_NAME", &req.author)
        .env("GIT_COMMITTER_EMAIL", &req.email)
        .stdin(req.message.into_bytes());
    if req.allow_empty == Some(true) {
        git = git.args(["--allow-empty", "--allow-empty-message"]);
    }
    git.run().await?;
    let hash = Git::new(&dir, &["rev-parse", "HEAD"]).run().await?;
    Ok(Json(GitCommitResponse { hash: hash.trim().to_owned() }))
}

/// Handler of `POST /git/push`: the current branch to `origin` unless told otherwise.
async fn push(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<GitPushRequest>) -> Answer<()> {
    let dir = repo(&agent, &req.path)?;
    let auth = Auth::from_request(req.username.as_deref(), req.password.as_deref());
    let remote = not_option("remote", req.remote.as_deref().filter(|r| !r.is_empty()).unwrap_or("origin"))?;
    let branch = not_option("branch", req.branch.as_deref().filter(|b| !b.is_empty()).unwrap_or("HEAD"))?;
    let mut git = Git::new(&dir, &["push", "--quiet"]);
    if req.set_upstream == Some(true) {
        git = git.args(["--set-upstream"]);
    }
    git.args(["--", remote, branch]).auth(auth, &agent.git_askpass).run().await.map(drop)
}

/// Handler of `POST /git/pull`: merges (unless the user configured rebasing).
async fn pull(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<GitPullRequest>) -> Answer<()> {
    let dir = repo(&agent, &req.path)?;
    let auth = Auth::from_request(req.username.as_deref(), req.password.as_deref());
    let mut git = Git::new(&dir, &["pull", "--quiet"]);
    // git refuses to pull divergent branches until told how: merge, as Daytona's daemon does,
    // unless the user chose for themselves.
    let (configured, _, _) = Git::new(&dir, &["config", "--get", "pull.rebase"]).run_raw().await?;
    if configured != 0 {
        git = git.args(["--no-rebase"]);
    }
    let remote = req.remote.as_deref().filter(|r| !r.is_empty());
    let branch = req.branch.as_deref().filter(|b| !b.is_empty());
    if remote.is_some() || branch.is_some() {
        git = git.args(["--", not_option("remote", remote.unwrap_or("origin"))?]);
        if let Some(branch) = branch {
            git = git.args([not_option("branch", branch)?]);
        }
    }
    git.auth(auth, &agent.git_askpass).run().await.map(drop)
}

/// Handler of `GET /git/status`.
async fn status(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<GitRepoQuery>,
) -> Answer<Json<GitStatus>> {
    let dir = repo(&agent, &q.path)?;
    let out = Git::new(&dir, &["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .run()
        .await?;
    Ok(Json(status::parse(&out)))
}

/// Handler of `GET /git/history`: the commits reachable from HEAD, newest first (none in a
/// repository without commits).
async fn history(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<GitRepoQuery>,
) -> Answer<Json<Vec<GitCommitInfo>>> {
    let dir = repo(&agent, &q.path)?;
    let (code, out, err) = Git::new(&dir, &["log", "-z", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%B"]).run_raw().await?;
    if code != 0 {
        if err.contains("does not have any commits yet") {
            return Ok(Json(Vec::new()));
        }
        return Err(cli::classify(&err, &out));
    }
    Ok(Json(status::parse_log(&out)))
}

/// The largest file `GET /git/show` answers with.
const SHOW_LIMIT: u64 = 16 << 20;

/// `file` as a path from the repository's root for `<rev>:<path>` (empty and `.` components
/// dropped); an absolute path, a `..` component or a leading `-` is refused (400).
fn repo_relative(file: &str) -> Answer<String> {
    not_option("file", file)?;
    if file.starts_with('/') {
        return Err(ToolboxError::InvalidPath(format!("file must be relative to the repository's root: {file:?}")));
    }
    let mut parts = Vec::new();
    for part in file.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(ToolboxError::InvalidPath(format!("file must not contain '..': {file:?}"))),
            part => parts.push(part),
        }
    }
    match parts.is_empty() {
        true => Err(ToolboxError::InvalidPath("file is required".into())),
        false => Ok(parts.join("/")),
    }
}

/// Handler of `GET /git/show` (ours): the bytes of one file as they are at HEAD or in the
/// index (`application/octet-stream`), for per-file diffs; 404 `FILE_NOT_FOUND` when it is
/// not there (a new file, or no commit yet), 400 for a directory or a file over 16 MiB.
/// Read with git's plumbing (`cat-file`, as `git show <rev>:<path>` would show a blob, but
/// without the textconv filters of the user's config), never fetching from a promisor remote.
async fn show(State(agent): State<Arc<Agent>>, ToolboxQuery(q): ToolboxQuery<GitShowQuery>) -> Answer<Response> {
    let dir = repo(&agent, &q.path)?;
    let file = repo_relative(&q.file)?;
    let (spec, place) = match q.source {
        GitShowSource::Head => (format!("HEAD:{file}"), "HEAD"),
        GitShowSource::Index => (format!(":{file}"), "the index"),
    };
    let not_there = || ToolboxError::NotFound("FILE_NOT_FOUND", format!("{file} is not in {place}"));
    // The name reaches git on its standard input (NUL-terminated, so any file name works),
    // not in its argv; the blob is then read by its id, so what was measured is what is sent.
    let (code, out, err) =
        Git::new(&dir, &["cat-file", "-z", "--batch-check=%(objecttype) %(objectsize) %(objectname)"])
            .env("GIT_NO_LAZY_FETCH", "1")
            .stdin(format!("{spec}\0").into_bytes())
            .run_raw()
            .await?;
    if code != 0 {
        return Err(cli::classify(&err, ""));
    }
    let line = out.strip_suffix('\n').unwrap_or(&out);
    let found = match line.split(' ').collect::<Vec<_>>()[..] {
        [kind, size, oid] if !oid.is_empty() && oid.bytes().all(|b| b.is_ascii_hexdigit()) => {
            size.parse::<u64>().ok().map(|size| (kind, size, oid))
        }
        _ => None,
    };
    let (size, oid) = match found {
        Some(("blob", size, oid)) => (size, oid),
        Some(("tree", _, _)) => return Err(ToolboxError::InvalidPath(format!("{file} is a directory in {place}"))),
        // A submodule's commit, or nothing of that name.
        Some(_) => return Err(not_there()),
        None if line.ends_with(" missing") || line.ends_with(" ambiguous") => return Err(not_there()),
        None => return Err(ToolboxError::Io(format!("unexpected answer of git cat-file: {line:?}"))),
    };
    if size > SHOW_LIMIT {
        return Err(ToolboxError::BadRequest(format!(
            "{file} is {size} bytes in {place}, over the {} MiB /git/show answers with (download the file instead)",
            SHOW_LIMIT >> 20
        )));
    }
    let (code, bytes, err) =
        Git::new(&dir, &["cat-file", "blob", oid]).env("GIT_NO_LAZY_FETCH", "1").run_bytes().await?;
    if code != 0 {
        return Err(cli::classify(&err, ""));
    }
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

/// Handler of `GET /git/branches`: the local branches.
async fn branches(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<GitRepoQuery>,
) -> Answer<Json<ListBranchResponse>> {
    let dir = repo(&agent, &q.path)?;
    let list = Git::new(&dir, &["for-each-ref", "--format=%(refname:short)", "refs/heads/"]).run().await?;
    let (code, current, err) = Git::new(&dir, &["symbolic-ref", "--quiet", "--short", "HEAD"]).run_raw().await?;
    // 1: HEAD is detached; 128: not a repository.
    if code > 1 {
        return Err(cli::classify(&err, ""));
    }
    Ok(Json(ListBranchResponse {
        branches: list.lines().map(str::to_owned).collect(),
        current: Some(current.trim().to_owned()),
    }))
}

/// Handler of `POST /git/branches` (201): creates the branch at HEAD.
async fn create_branch(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<GitBranchRequest>,
) -> Answer<StatusCode> {
    let dir = repo(&agent, &req.path)?;
    Git::new(&dir, &["branch", "--", not_option("name", &req.name)?]).run().await?;
    Ok(StatusCode::CREATED)
}

/// Handler of `DELETE /git/branches` (204).
async fn delete_branch(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<GitBranchRequest>,
) -> Answer<StatusCode> {
    let dir = repo(&agent, &req.path)?;
    Git::new(&dir, &["branch", "--delete", "--force", "--", not_option("name", &req.name)?]).run().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Handler of `POST /git/checkout`: a branch (a remote's branch of that name is tracked),
/// or any revision, detached.
async fn checkout(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<GitCheckoutRequest>) -> Answer<()> {
    let dir = repo(&agent, &req.path)?;
    let target = not_option("branch", &req.branch)?;
    let (code, _, err) = Git::new(&dir, &["switch", "--quiet", target]).run_raw().await?;
    if code == 0 {
        return Ok(());
    }
    // Not a branch: a commit or tag, checked out detached as `git checkout` would.
    if err.contains("a branch is expected") || err.contains("invalid reference") {
        return Git::new(&dir, &["switch", "--quiet", "--detach", target]).run().await.map(drop);
    }
    Err(cli::classify(&err, ""))
}

/// Handler of `POST /git/reset`.
async fn reset(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<GitResetRequest>) -> Answer<()> {
    let dir = repo(&agent, &req.path)?;
    let files = req.files.unwrap_or_default();
    let mut git = Git::new(&dir, &["reset", "--quiet"]);
    match req.mode.as_deref().filter(|m| !m.is_empty()) {
        None => {}
        Some(mode @ ("soft" | "mixed" | "hard" | "merge" | "keep")) => {
            if !files.is_empty() && mode != "mixed" {
                return Err(ToolboxError::BadRequest(format!("mode {mode} cannot be used with files")));
            }
            if files.is_empty() {
                git = git.args([format!("--{mode}")]);
            }
        }
        Some(other) => {
            return Err(ToolboxError::BadRequest(format!(
                "mode must be soft, mixed, hard, merge or keep, not {other:?}"
            )))
        }
    }
    if let Some(target) = req.target.as_deref().filter(|t| !t.is_empty()) {
        git = git.args([not_option("target", target)?]);
    }
    if !files.is_empty() {
        git = git.args(["--"]).args(files);
    }
    git.run().await.map(drop)
}

/// Handler of `POST /git/restore`.
async fn restore(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<GitRestoreRequest>) -> Answer<()> {
    let dir = repo(&agent, &req.path)?;
    if req.files.is_empty() {
        return Err(ToolboxError::BadRequest("files is empty".into()));
    }
    let mut git = Git::new(&dir, &["restore"]);
    if req.staged == Some(true) {
        git = git.args(["--staged"]);
    }
    if req.worktree == Some(true) {
        git = git.args(["--worktree"]);
    }
    if let Some(source) = req.source.as_deref().filter(|s| !s.is_empty()) {
        git = git.args([format!("--source={}", not_option("source", source)?)]);
    }
    git.args(["--"]).args(req.files).run().await.map(drop)
}

/// Handler of `GET /git/remotes`.
async fn remotes(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<GitRepoQuery>,
) -> Answer<Json<ListRemotesResponse>> {
    let dir = repo(&agent, &q.path)?;
    let (code, out, err) =
        Git::new(&dir, &["config", "--local", "--null", "--get-regexp", r"^remote\..*\.url$"]).run_raw().await?;
    // 1: no remote at all.
    if code > 1 {
        return Err(cli::classify(&err, &out));
    }
    let remotes = out
        .split('\0')
        .filter_map(|entry| {
            let (key, url) = entry.split_once('\n')?;
            let name = key.strip_prefix("remote.")?.strip_suffix(".url")?;
            Some(GitRemote { name: name.to_owned(), url: url.to_owned() })
        })
        .collect();
    Ok(Json(ListRemotesResponse { remotes }))
}

/// Handler of `POST /git/remotes` (201): 409 if the name is taken, unless `overwrite`.
async fn add_remote(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<GitAddRemoteRequest>,
) -> Answer<StatusCode> {
    let dir = repo(&agent, &req.path)?;
    let name = not_option("name", &req.name)?;
    let (exists, _, _) = Git::new(&dir, &["remote", "get-url", "--", name]).run_raw().await?;
    if exists == 0 {
        if req.overwrite != Some(true) {
            return Err(ToolboxError::Conflict(format!("remote {name} already exists")));
        }
        Git::new(&dir, &["remote", "set-url", "--", name, &req.url]).run().await?;
    } else {
        Git::new(&dir, &["remote", "add", "--", name, &req.url]).run().await?;
    }
    if req.fetch == Some(true) {
        Git::new(&dir, &["fetch", "--quiet", "--", name]).run().await?;
    }
    Ok(StatusCode::CREATED)
}

/// The `git config` scope option for `scope` (`--global` by default; `--local` runs in the
/// repository at `path`).
fn config_scope(agent: &Agent, scope: Option<&str>, path: Option<&str>) -> Answer<(PathBuf, &'static str)> {
    match scope.filter(|s| !s.is_empty()).unwrap_or("global") {
        "global" => Ok((agent.home.clone(), "--global")),
        "system" => Ok((agent.home.clone(), "--system")),
        "local" => match path.filter(|p| !p.is_empty()) {
            Some(p) => Ok((repo(agent, p)?, "--local")),
            None => Err(ToolboxError::BadRequest("path is required for the local scope".into())),
        },
        other => Err(ToolboxError::BadRequest(format!("scope must be global, local or system, not {other:?}"))),
    }
}

/// Handler of `GET /git/config`: `{ value: null }` when the key is not set.
async fn get_config(
    State(agent): State<Arc<Agent>>,
    ToolboxQuery(q): ToolboxQuery<GitConfigQuery>,
) -> Answer<Json<GitConfigResponse>> {
    let (dir, scope) = config_scope(&agent, q.scope.as_deref(), q.path.as_deref())?;
    let key = not_option("key", &q.key)?;
    let (code, out, err) = Git::new(&dir, &["config", scope, "--get", "--", key]).run_raw().await?;
    match code {
        0 => Ok(Json(GitConfigResponse { value: Some(out.strip_suffix('\n').unwrap_or(&out).to_owned()) })),
        1 => Ok(Json(GitConfigResponse { value: None })),
        _ => Err(cli::classify(&err, &out)),
    }
}

/// Sets `key` to `value` in `scope`.
async fn write_config(agent: &Agent, scope: Option<&str>, path: Option<&str>, key: &str, value: &str) -> Answer<()> {
    let (dir, scope) = config_scope(agent, scope, path)?;
    Git::new(&dir, &["config", scope, "--", not_option("key", key)?, value]).run().await.map(drop)
}

/// Handler of `POST /git/config`.
async fn set_config(State(agent): State<Arc<Agent>>, ToolboxJson(req): ToolboxJson<GitSetConfigRequest>) -> Answer<()> {
    write_config(&agent, req.scope.as_deref(), req.path.as_deref(), &req.key, &req.value).await
}

/// Handler of `POST /git/config/user`.
async fn configure_user(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<GitConfigureUserRequest>,
) -> Answer<()> {
    let (scope, path) = (req.scope.as_deref(), req.path.as_deref());
    write_config(&agent, scope, path, "user.name", &req.name).await?;
    write_config(&agent, scope, path, "user.email", &req.email).await
}

/// Handler of `POST /git/credentials`: stores the credentials in the sandbox user's git
/// credential store (plain text in `~/.git-credentials`, as Daytona does) and makes `store`
/// a global credential helper.
async fn authenticate(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<GitAuthenticateRequest>,
) -> Answer<()> {
    let host = req.host.as_deref().filter(|h| !h.is_empty()).unwrap_or("github.com");
    let protocol = req.protocol.as_deref().filter(|p| !p.is_empty()).unwrap_or("https");
    // Git's credential protocol is line-based: a newline would smuggle in another attribute.
    for (what, value) in
        [("username", &*req.username), ("password", &*req.password), ("host", host), ("protocol", protocol)]
    {
        if value.contains(['\n', '\r', '\0']) {
            return Err(ToolboxError::BadRequest(format!("{what} must be one line")));
        }
    }
    let helpers = Git::new(&agent.home, &["config", "--global", "--get-all", "credential.helper"]).run_raw().await?.1;
    if !helpers.lines().any(|h| h.trim() == "store") {
        Git::new(&agent.home, &["config", "--global", "--add", "credential.helper", "store"]).run().await?;
    }
    let input = format!("protocol={protocol}\nhost={host}\nusername={}\npassword={}\n\n", req.username, req.password);
    Git::new(&agent.home, &["credential", "approve"]).stdin(input.into_bytes()).run().await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::repo_relative;

    #[test]
    fn show_takes_files_from_the_repository_root_only() {
        assert_eq!(repo_relative("a/b.txt").unwrap(), "a/b.txt");
        assert_eq!(repo_relative("./a//b.txt").unwrap(), "a/b.txt");
        assert_eq!(repo_relative("a/-x").unwrap(), "a/-x");
        for bad in ["", ".", "/etc/passwd", "../x", "a/../../x", "-x", "--output=/tmp/x", "a\0b"] {
            assert!(repo_relative(bad).is_err(), "{bad:?}");
        }
    }
}
