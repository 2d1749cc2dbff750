//! Runs the `git` CLI as the sandbox user, in the workload cgroup, with arguments passed as
//! an argv (never through a shell), and turns its failures into the daemon's `GIT_*` codes.
//!
//! Credentials given with a request reach git through `GIT_ASKPASS` (a helper script in the
//! agent's private directory that prints them from the environment of that one git process):
//! never in an argv, a URL, the repository's config or a credential helper's store (the
//! user's helpers are switched off for that operation, so none can store them either), and
//! they are scrubbed from any message git writes.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use daytona_models::GitErrorCode;
use tokio::io::AsyncWriteExt;

use super::super::error::ToolboxError;
use super::super::process::GroupGuard;

/// How long a git operation may run (a clone of a large repository over a slow link).
const LIMIT: Duration = Duration::from_secs(30 * 60);

/// How much of git's messages an error keeps (the end, where the reason is).
const MESSAGE_TAIL: usize = 4096;

/// The askpass helper: git calls it with a prompt (`Username for …`, `Password for …`).
const ASKPASS: &str = "#!/bin/sh\ncase \"$1\" in\n  Username*) printf '%s\\n' \"$DAYTONA_GIT_USERNAME\" ;;\n  *) printf '%s\\n' \"$DAYTONA_GIT_PASSWORD\" ;;\nesac\n";

/// Credentials for one operation.
#[derive(Clone, Default)]
pub struct Auth {
    username: String,
    password: String,
}

impl Auth {
    /// The request's credentials, if it gave any (a password alone is a token: git hosts
    /// take any user name with it).
    pub fn from_request(username: Option<&str>, password: Option<&str>) -> Option<Self> {
        match (username.filter(|u| !u.is_empty()), password.filter(|p| !p.is_empty())) {
            (None, None) => None,
            (u, p) => Some(Self { username: u.unwrap_or("git").to_owned(), password: p.unwrap_or("").to_owned() }),
        }
    }

    /// `text` with the credentials replaced by `***`.
    fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in [&self.password, &self.username] {
            if secret.len() >= 3 {
                text = text.replace(secret.as_str(), "***");
            }
        }
        text
    }
}

/// One git invocation.
pub struct Git<'a> {
    dir: &'a Path,
    args: Vec<String>,
    envs: Vec<(&'static str, String)>,
    stdin: Option<Vec<u8>>,
    auth: Option<Auth>,
    askpass: Option<&'a Path>,
}

/// What a successful run wrote on its standard output.
pub type Output = String;

impl<'a> Git<'a> {
    /// `git <args…>` run in `dir`.
    pub fn new(dir: &'a Path, args: &[&str]) -> Self {
        Self {
            dir,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            envs: Vec::new(),
            stdin: None,
            auth: None,
            askpass: None,
        }
    }

    /// Appends arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable of the git process.
    pub fn env(mut self, key: &'static str, value: &str) -> Self {
        self.envs.push((key, value.to_owned()));
        self
    }

    /// Feeds `data` on standard input.
    pub fn stdin(mut self, data: Vec<u8>) -> Self {
        self.stdin = Some(data);
        self
    }

    /// Authenticates with `auth` (if any) through the askpass helper at `askpass`.
    pub fn auth(mut self, auth: Option<Auth>, askpass: &'a Path) -> Self {
        self.auth = auth;
        self.askpass = Some(askpass);
        self
    }

    /// Runs git: its standard output, or the classified failure.
    pub async fn run(self) -> Result<Output, ToolboxError> {
        let (code, stdout, stderr) = self.run_raw().await?;
        match code {
            0 => Ok(stdout),
            _ => Err(classify(&stderr, &stdout)),
        }
    }

    /// Runs git: (exit code, stdout, stderr with credentials scrubbed).
    pub async fn run_raw(self) -> Result<(i32, String, String), ToolboxError> {
        let (code, stdout, stderr) = self.run_bytes().await?;
        Ok((code, String::from_utf8_lossy(&stdout).into_owned(), stderr))
    }

    /// Runs git: (exit code, stdout as bytes, stderr with credentials scrubbed).
    pub async fn run_bytes(self) -> Result<(i32, Vec<u8>, String), ToolboxError> {
        let mut cmd = tokio::process::Command::new("git");
        cmd.current_dir(self.dir);
        // Messages in English (they are classified), text in UTF-8; never a prompt.
        cmd.env("LC_ALL", "C.UTF-8").env("GIT_TERMINAL_PROMPT", "0");
        if let (Some(auth), Some(askpass)) = (&self.auth, self.askpass) {
            // The user's credential helpers are off for this one run: none may supply other
            // credentials or store these.
            cmd.arg("-c").arg("credential.helper=");
            cmd.env("GIT_ASKPASS", askpass)
                .env("DAYTONA_GIT_USERNAME", &auth.username)
                .env("DAYTONA_GIT_PASSWORD", &auth.password);
        }
        cmd.args(&self.args).envs(self.envs.iter().map(|(k, v)| (*k, v)));
        cmd.stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = crate::agent::workload::spawn(cmd).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ToolboxError::Unavailable(
                "NOT_FOUND",
                "git is not installed in this sandbox (Debian package git)".into(),
            ),
            _ => ToolboxError::Io(format!("starting git: {e}")),
        })?;
        // A client that goes away, or the time limit, ends git and whatever it started.
        let group = GroupGuard(child.id().map(|p| p as i32));
        if let (Some(data), Some(mut input)) = (self.stdin, child.stdin.take()) {
            tokio::spawn(async move {
                let _ = input.write_all(&data).await;
            });
        }
        let output = match tokio::time::timeout(LIMIT, child.wait_with_output()).await {
            Ok(out) => out.map_err(|e| ToolboxError::Io(format!("running git: {e}")))?,
            Err(_) => {
                return Err(ToolboxError::Timeout(format!("git {} ran over {} s", self.args[0], LIMIT.as_secs())))
            }
        };
        std::mem::forget(group);
        let mut stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if let Some(auth) = &self.auth {
            stderr = auth.redact(&stderr);
        }
        Ok((output.status.code().unwrap_or(-1), output.stdout, stderr))
    }
}

/// Writes the askpass helper into the agent's private directory `dir`.
pub fn install_askpass(dir: &Path) -> Result<std::path::PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("askpass");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o700)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, ASKPASS.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Refuses a value that git would read as an option (`--upload-pack=…`).
pub fn not_option<'s>(what: &str, value: &'s str) -> Result<&'s str, ToolboxError> {
    if value.starts_with('-') {
        return Err(ToolboxError::BadRequest(format!("{what} must not start with '-': {value:?}")));
    }
    if value.contains('\0') {
        return Err(ToolboxError::BadRequest(format!("{what} contains a NUL byte")));
    }
    Ok(value)
}

/// The error for a failed git run, from what it wrote.
pub fn classify(stderr: &str, stdout: &str) -> ToolboxError {
    let text = if stderr.trim().is_empty() { stdout } else { stderr };
    let message = tail(text.trim());
    let s = format!("{stderr}\n{stdout}").to_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| s.contains(n));
    let code = if has(&[
        "authentication failed",
        "invalid username or password",
        "could not read username",
        "could not read password",
        "terminal prompts disabled",
        "returned error: 401",
        "returned error: 403",
    ]) || (s.contains("permission") && s.contains("denied") && s.contains("remote:"))
    {
        Some(GitErrorCode::AuthFailed)
    } else if has(&[
        "repository not found",
        "returned error: 404",
        "remote: not found",
        "does not appear to be a git repository",
        "not a git repository",
    ]) || (s.contains("repository '") && s.contains("' not found"))
    {
        Some(GitErrorCode::RepoNotFound)
    } else if has(&["[remote rejected]", "pre-receive hook declined", "protected branch"]) {
        Some(GitErrorCode::RemoteRejected)
    } else if has(&["non-fast-forward", "fetch first", "updates were rejected", "stale info", "[rejected]"]) {
        Some(GitErrorCode::PushRejected)
    } else if has(&["would be overwritten", "please commit your changes or stash them", "needs merge"]) {
        Some(GitErrorCode::DirtyWorktree)
    } else if has(&["automatic merge failed", "conflict (", "fix conflicts"]) {
        Some(GitErrorCode::MergeConflict)
    } else if s.contains("a branch named") && s.contains("already exists") {
        Some(GitErrorCode::BranchExists)
    } else if has(&[
        "did not match any file(s) known to git",
        "unknown revision",
        "not a valid object name",
        "couldn't find remote ref",
        "invalid reference",
        "not a commit",
        "not found in upstream",
        "you are not currently on a branch",
        "no such branch",
    ]) || (s.contains("src refspec") && s.contains("does not match any"))
        || (s.contains("branch '") && s.contains("' not found"))
    {
        Some(GitErrorCode::BranchNotFound)
    } else if has(&[
        "could not resolve host",
        "failed to connect",
        "connection refused",
        "connection timed out",
        "couldn't connect",
        "ssl certificate problem",
        "unable to access",
        "could not read from remote repository",
        "the remote end hung up",
    ]) {
        Some(GitErrorCode::TransportFailed)
    } else {
        None
    };
    match code {
        Some(code) => ToolboxError::Git(code, message),
        None if has(&["already exists", "checked out at", "cannot delete branch"]) => ToolboxError::Conflict(message),
        None => ToolboxError::BadRequest(if message.is_empty() { "git failed".into() } else { message }),
    }
}

/// The last [`MESSAGE_TAIL`] bytes of `text` (on a character boundary).
fn tail(text: &str) -> String {
    let mut start = text.len().saturating_sub(MESSAGE_TAIL);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    text[start..].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(stderr: &str) -> Option<GitErrorCode> {
        match classify(stderr, "") {
            ToolboxError::Git(code, _) => Some(code),
            _ => None,
        }
    }

    #[test]
    fn git_messages_map_to_the_daemon_codes() {
        use GitErrorCode as C;
        let cases = [
            ("fatal: Authentication failed for 'http://127.0.0.1:9/r.git/'", C::AuthFailed),
            ("fatal: could not read Username for 'https://x': terminal prompts disabled", C::AuthFailed),
            ("fatal: repository 'http://h/nope.git/' not found", C::RepoNotFound),
            ("fatal: not a git repository (or any of the parent directories): .git", C::RepoNotFound),
            (" ! [rejected]        main -> main (fetch first)\nerror: failed to push some refs", C::PushRejected),
            (" ! [remote rejected] main -> main (pre-receive hook declined)", C::RemoteRejected),
            ("error: Your local changes to the following files would be overwritten by merge:", C::DirtyWorktree),
            ("CONFLICT (content): Merge conflict in a.txt\nAutomatic merge failed; fix conflicts", C::MergeConflict),
            ("fatal: a branch named 'feature' already exists", C::BranchExists),
            ("error: pathspec 'nope' did not match any file(s) known to git", C::BranchNotFound),
            ("warning: Could not find remote branch nope to clone.\nfatal: Remote branch nope not found in upstream origin", C::BranchNotFound),
            ("error: branch 'nope' not found", C::BranchNotFound),
            ("fatal: unable to access 'http://10.9.9.9/': Failed to connect to 10.9.9.9 port 80", C::TransportFailed),
            ("fatal: unable to access 'https://nohost.invalid/': Could not resolve host: nohost.invalid", C::TransportFailed),
        ];
        for (stderr, want) in cases {
            assert_eq!(code(stderr), Some(want), "{stderr}");
        }
        assert!(matches!(
            classify("fatal: destination path 'r' already exists and is not an empty directory.", ""),
            ToolboxError::Conflict(_)
        ));
        assert!(matches!(
            classify("error: cannot delete branch 'main' used by worktree at '/x'", ""),
            ToolboxError::Conflict(_)
        ));
        assert!(matches!(classify("nothing to commit, working tree clean", ""), ToolboxError::BadRequest(_)));
    }

    #[test]
    fn credentials_are_scrubbed_from_messages() {
        let auth = Auth::from_request(Some("alice"), Some("s3cret-token")).unwrap();
        assert_eq!(
            auth.redact("fatal: Authentication failed for 'http://alice:s3cret-token@h/'"),
            "fatal: Authentication failed for 'http://***:***@h/'"
        );
        assert!(Auth::from_request(None, Some("")).is_none());
        assert_eq!(Auth::from_request(None, Some("tok")).unwrap().username, "git");
    }

    #[test]
    fn values_that_git_would_read_as_options_are_refused() {
        assert!(not_option("branch", "--upload-pack=touch /tmp/x").is_err());
        assert!(not_option("branch", "-b").is_err());
        assert_eq!(not_option("branch", "feature/-x").unwrap(), "feature/-x");
    }
}
