//! Turning SDK errors into sentences for the UI.

use daytona_wasm::{DaytonaError, ErrorKind};

/// A readable one-line description of `err`, with a hint where one helps.
pub fn describe(err: &DaytonaError) -> String {
    // Git's codes first: a 401 from a git server is not the API key's.
    let git = match err.code() {
        Some("GIT_AUTH_FAILED") => {
            Some("The git server refused the credentials, or wants some: enter a user and a password or token")
        }
        Some("GIT_PUSH_REJECTED") => {
            Some("Push rejected: the remote has commits this branch lacks. Pull first, then push")
        }
        Some("GIT_DIRTY_WORKTREE") => Some("Local changes would be overwritten: commit or discard them first"),
        Some("GIT_MERGE_CONFLICT") => Some("The merge stopped on conflicts: fix the files, stage them and commit"),
        Some("GIT_REMOTE_REJECTED") => Some("The git server refused the update (a hook or a protected branch)"),
        Some("GIT_TRANSPORT_FAILED") => Some("The git server could not be reached"),
        Some("GIT_REPO_NOT_FOUND") => Some("No repository there"),
        Some("GIT_BRANCH_NOT_FOUND") => Some("No such branch"),
        Some("GIT_BRANCH_EXISTS") => Some("That branch exists already"),
        _ => None,
    };
    if let Some(what) = git {
        return format!("{what}. ({err})");
    }
    match err.kind() {
        ErrorKind::Authentication => format!("The API key was rejected ({err}). Check Settings."),
        ErrorKind::Connection => {
            format!("Cannot reach the control plane: {err}. Check the API URL in Settings.")
        }
        _ => match err.status_code() {
            Some(status) => format!("{err} (HTTP {status})"),
            None => err.to_string(),
        },
    }
}
