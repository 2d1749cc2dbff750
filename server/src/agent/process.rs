//! `POST /process/execute`: one command fed to the sandbox shell through stdin, in its own
//! process group (killed whole on timeout), stdout and stderr combined.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::Json;
use daytona_models::{ExecuteRequest, ExecuteResponse};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::error::ToolboxError;
use super::extract::ToolboxJson;
use super::ready_shell;
use super::Agent;

/// How long to keep reading output after the shell exits (background jobs may hold the pipe).
const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(100);

/// The first of zsh, bash, sh listed in /etc/shells (as Daytona's daemon picks it).
fn shell() -> &'static str {
    static SHELL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SHELL.get_or_init(|| {
        let listed = std::fs::read_to_string("/etc/shells").unwrap_or_default();
        ["zsh", "bash", "sh"]
            .iter()
            .find_map(|name| {
                listed
                    .lines()
                    .map(str::trim)
                    .find(|l| l.rsplit('/').next() == Some(name) && Path::new(l).exists())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "/bin/sh".into())
    })
}

/// bash if the sandbox has it (sessions and terminals are bash on Daytona), else the shell
/// [`shell`] picks (an image without bash, e.g. busybox's `sh`).
pub(super) fn bash_or_shell() -> &'static str {
    static BASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BASH.get_or_init(|| {
        ["/bin/bash", "/usr/bin/bash"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .map_or_else(|| shell().to_owned(), str::to_owned)
    })
}

/// `s` as one single-quoted shell word.
pub(super) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Checks environment variable names (`^[A-Za-z_][A-Za-z0-9_]*$`).
pub fn check_env_names(envs: &BTreeMap<String, String>) -> Result<(), ToolboxError> {
    match envs.keys().find(|k| !daytona_models::is_env_name(k)) {
        Some(k) => Err(ToolboxError::BadRequest(format!("invalid environment variable name: {k:?}"))),
        None => Ok(()),
    }
}

/// Resolves a request's `cwd` (relative paths start at the work dir).
pub(super) fn resolve_cwd(agent: &Agent, cwd: Option<&str>) -> PathBuf {
    match cwd.filter(|c| !c.is_empty()) {
        Some(c) => agent.work_dir.join(c),
        None => agent.work_dir.clone(),
    }
}

/// Handler of `POST /process/execute`.
pub async fn execute(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<ExecuteRequest>,
) -> Result<Json<ExecuteResponse>, ToolboxError> {
    let envs = req.envs.unwrap_or_default();
    check_env_names(&envs)?;
    let cwd = resolve_cwd(&agent, req.cwd.as_deref());
    let (exit_code, result) = run_in_shell(&agent, &req.command, &cwd, &envs, req.timeout).await?;
    Ok(Json(ExecuteResponse { exit_code, result, artifacts: None }))
}

/// Runs `command` in the sandbox shell as `/process/execute` does: (exit code, combined
/// output); (-1, reason) if it cannot start; 408 after `timeout_secs` (0 or None = no limit).
pub(super) async fn run_in_shell(
    agent: &Agent,
    command: &str,
    cwd: &Path,
    envs: &BTreeMap<String, String>,
    timeout_secs: Option<u64>,
) -> Result<(i32, String), ToolboxError> {
    let timeout = timeout_secs.filter(|&t| t > 0).map(Duration::from_secs);
    match run(agent, command, cwd, envs, timeout).await {
        Ok(done) => Ok(done),
        Err(RunError::Timeout) => Err(ToolboxError::Timeout(format!(
            "command timed out after {} seconds",
            timeout.map_or(0, |t| t.as_secs())
        ))),
        Err(RunError::Start(e)) => Ok((-1, e)),
    }
}

enum RunError {
    Timeout,
    Start(String),
}

/// Kills a command's process group when dropped (disarmed with `mem::forget` on success).
pub(super) struct GroupGuard(pub(super) Option<i32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            // SAFETY: kill(2) on the process group created for this command.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
    }
}

/// Starts the shell of the next command in the defaults when dropped: once the command that
/// took the last one is over, however it ended (so it never competes with that command).
struct Refill<'a>(&'a Agent);

impl Drop for Refill<'_> {
    fn drop(&mut self) {
        start_next(self.0);
    }
}

/// Starts the shell of the next command in the defaults in the background (see
/// [`ready_shell`]), unless one is there.
pub(super) fn start_next(agent: &Agent) {
    agent.ready_shell.refill(shell(), agent.work_dir.clone());
}

async fn run(
    agent: &Agent,
    command: &str,
    cwd: &Path,
    envs: &BTreeMap<String, String>,
    timeout: Option<Duration>,
) -> Result<(i32, String), RunError> {
    let defaults = envs.is_empty() && cwd == agent.work_dir;
    let _refill = defaults.then(|| Refill(agent));
    let ready = match defaults {
        true => agent.ready_shell.take(cwd).await,
        false => None,
    };
    let ready_shell::Shell { mut child, mut stdin, mut output, .. } = match ready {
        Some(shell) => shell,
        None => ready_shell::start(shell(), cwd, envs)
            .await
            .map_err(|e| RunError::Start(format!("failed to start command in {}: {e}", cwd.display())))?,
    };
    // Until the command has finished normally, its whole process group dies with this future
    // (a timeout, or the client going away mid-run): nothing is left running unobserved.
    let group = GroupGuard(child.id().map(|p| p as i32));
    let script = format!("{command}\n");
    let feed = async move {
        let _ = stdin.write_all(script.as_bytes()).await;
    };
    let mut buf = Vec::new();
    let work = async {
        let (_, status) = tokio::join!(feed, async {
            let mut chunk = [0u8; 16 * 1024];
            let status = loop {
                tokio::select! {
                    n = output.read(&mut chunk) => match n {
                        Ok(0) | Err(_) => break child.wait().await,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    },
                    status = child.wait() => break status,
                }
            };
            // Collect what is still in the pipe without waiting on background jobs.
            let _ = tokio::time::timeout(DRAIN_AFTER_EXIT, async {
                while let Ok(n) = output.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
            })
            .await;
            status
        });
        status
    };
    let status = match timeout {
        Some(t) => match tokio::time::timeout(t, work).await {
            Ok(s) => s,
            Err(_) => return Err(RunError::Timeout),
        },
        None => work.await,
    };
    std::mem::forget(group);
    let code = status.map_err(|e| RunError::Start(e.to_string()))?.code().unwrap_or(-1);
    Ok((code, String::from_utf8_lossy(&buf).into_owned()))
}
