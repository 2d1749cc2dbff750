//! `POST /process/code-run`: runs a Python, JavaScript or TypeScript snippet like
//! `/process/execute` runs a command (its own process group, killed whole on timeout →
//! 408), and returns the matplotlib figures a Python snippet drew as typed charts.
//!
//! The code goes to a file in a fresh private directory, next to a small runner: `wrapper.py`
//! (Debian's python3 with matplotlib on Agg, charts printed as artifact lines) or
//! `runner.cjs` (node; TypeScript transpiled with the global `typescript@5`).

mod charts;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use daytona_models::{CodeRunArtifacts, CodeRunRequest, CodeRunResponse};

use super::error::ToolboxError;
use super::extract::ToolboxJson;
use super::process::{check_env_names, quote, run_in_shell};
use super::Agent;

/// A language `code-run` supports.
#[derive(Clone, Copy)]
enum Language {
    Python,
    JavaScript,
    TypeScript,
}

impl Language {
    fn parse(name: &str) -> Result<Self, ToolboxError> {
        match name.to_ascii_lowercase().as_str() {
            "python" => Ok(Self::Python),
            "javascript" => Ok(Self::JavaScript),
            "typescript" => Ok(Self::TypeScript),
            other => Err(ToolboxError::BadRequest(format!(
                "unsupported language {other:?} (python, javascript or typescript)"
            ))),
        }
    }

    /// (runner file name, runner source, interpreter command).
    fn runner(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Python => ("wrapper.py", include_str!("wrapper.py"), "python3 -u"),
            Self::JavaScript | Self::TypeScript => ("runner.cjs", include_str!("runner.cjs"), "node"),
        }
    }

    /// Name of the code file (its extension tells the node runner to transpile).
    fn code_file(self) -> &'static str {
        match self {
            Self::Python => "code.py",
            Self::JavaScript => "code.js",
            Self::TypeScript => "code.ts",
        }
    }
}

/// A private directory for one run, removed when dropped.
struct RunDir(PathBuf);

impl RunDir {
    fn create(scratch: &Path) -> Result<Self, ToolboxError> {
        use std::os::unix::fs::DirBuilderExt;
        let dir = scratch.join(format!("run-{}", uuid::Uuid::new_v4()));
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| ToolboxError::Io(format!("creating {}: {e}", dir.display())))?;
        Ok(Self(dir))
    }

    /// Writes `contents` to `name` in the directory; returns its path.
    fn write(&self, name: &str, contents: &str) -> Result<String, ToolboxError> {
        let path = self.0.join(name);
        std::fs::write(&path, contents).map_err(|e| ToolboxError::Io(format!("writing {}: {e}", path.display())))?;
        Ok(path.to_string_lossy().into_owned())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Handler of `POST /process/code-run`.
pub async fn code_run(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<CodeRunRequest>,
) -> Result<Json<CodeRunResponse>, ToolboxError> {
    let language = Language::parse(&req.language)?;
    let envs = req.envs.unwrap_or_default();
    check_env_names(&envs)?;
    let dir = RunDir::create(&agent.scratch)?;
    let (runner_name, runner_source, interpreter) = language.runner();
    let runner = dir.write(runner_name, runner_source)?;
    let code = dir.write(language.code_file(), &req.code)?;
    let mut command = format!("exec {interpreter} {} {}", quote(&runner), quote(&code));
    for arg in req.argv.iter().flatten() {
        command.push(' ');
        command.push_str(&quote(arg));
    }
    let (exit_code, output) = run_in_shell(&agent, &command, &agent.work_dir, &envs, req.timeout).await?;
    let (result, charts) = charts::extract(&output);
    let artifacts = (!charts.is_empty()).then_some(CodeRunArtifacts { charts: Some(charts) });
    Ok(Json(CodeRunResponse { exit_code, result, artifacts }))
}
