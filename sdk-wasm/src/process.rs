//! `Process`: commands, code runs, sessions with streamed logs, and PTYs, through the toolbox.

use std::collections::BTreeMap;
use std::time::Duration;

use daytona_models::{
    Chart, CodeRunRequest, CodeRunResponse, Command, CreateSessionRequest, ExecuteArtifacts, ExecuteRequest,
    ExecuteResponse, Session, SessionCommandLogsResponse, SessionExecuteRequest, SessionExecuteResponse,
    SessionSendInputRequest,
};

use crate::demux::{Channel, Demux};
use crate::http::encode;
use crate::http::Method;
use crate::toolbox::Toolbox;
use crate::ws::WsEvent;
use crate::{Call, DaytonaError};

/// Options of `code_run`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, tsify::Tsify)]
#[tsify(hashmap_as_object)]
pub struct CodeRunParams {
    /// Command-line arguments of the program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub argv: Option<Vec<String>>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub env: Option<BTreeMap<String, String>>,
}

/// Extra time the HTTP call gets beyond a command's own timeout (as the official SDKs do).
const TIMEOUT_MARGIN: Duration = Duration::from_secs(5);

/// Runs processes in a sandbox (`sandbox.process`).
#[derive(Clone, Debug)]
pub struct Process {
    pub(crate) toolbox: Toolbox,
}

impl Process {
    pub(crate) fn new(toolbox: Toolbox) -> Self {
        Self { toolbox }
    }

    /// Runs `command` through the sandbox's shell and returns its exit code and combined output.
    /// `timeout` (seconds) kills the command's whole process group (→ `DaytonaError` 408).
    pub async fn exec(
        &self,
        command: &str,
        cwd: Option<&str>,
        env: Option<BTreeMap<String, String>>,
        timeout: Option<u64>,
    ) -> Result<ExecuteResponse, DaytonaError> {
        let mut resp = self.execute(command, cwd, env, timeout).await?;
        resp.artifacts = Some(ExecuteArtifacts { stdout: resp.result.clone(), charts: Vec::new() });
        Ok(resp)
    }

    /// `POST /process/execute` as the toolbox answers it (no `artifacts`), as a [`Call`] to
    /// await (e.g. with a [`Call::signal`] to cancel it).
    pub fn execute(
        &self,
        command: &str,
        cwd: Option<&str>,
        envs: Option<BTreeMap<String, String>>,
        timeout: Option<u64>,
    ) -> Call<ExecuteResponse> {
        let timeout = timeout.filter(|&t| t > 0);
        let req = ExecuteRequest { command: command.to_owned(), cwd: cwd.map(str::to_owned), envs, timeout };
        self.request(Method::Post, "/process/execute").body(&req).timeout(with_margin(timeout))
    }
}

/// The HTTP timeout of a command with a `timeout` (seconds) of its own.
fn with_margin(timeout: Option<u64>) -> Option<Duration> {
    timeout.map(|t| Duration::from_secs(t) + TIMEOUT_MARGIN)
}

impl Process {
    /// A call to toolbox `path` answering JSON that reads as `T`.
    pub(crate) fn request<T>(&self, method: Method, path: &str) -> Call<T> {
        Call::new(&self.toolbox.client, method, self.toolbox.url(path, &[]))
    }

    /// A call to toolbox `path` whose answer is not read.
    pub(crate) fn request_done(&self, method: Method, path: &str) -> Call<()> {
        Call::done(&self.toolbox.client, method, self.toolbox.url(path, &[]))
    }

    /// Runs `code` in the sandbox's language (its `code-toolbox-language` label, default
    /// python); matplotlib figures come back as typed charts in `artifacts.charts`.
    pub async fn code_run(
        &self,
        code: &str,
        params: CodeRunParams,
        timeout: Option<u64>,
    ) -> Result<ExecuteResponse, DaytonaError> {
        let resp = self.code_run_call(code, params, timeout).await?;
        let charts: Vec<Chart> = resp.artifacts.and_then(|a| a.charts).unwrap_or_default();
        Ok(ExecuteResponse {
            exit_code: resp.exit_code,
            artifacts: Some(ExecuteArtifacts { stdout: resp.result.clone(), charts }),
            result: resp.result,
        })
    }

    /// `POST /process/code-run` as the toolbox answers it (charts, if any, in `artifacts`).
    pub(crate) fn code_run_call(
        &self,
        code: &str,
        params: CodeRunParams,
        timeout: Option<u64>,
    ) -> Call<CodeRunResponse> {
        let language =
            self.toolbox.label(crate::params::CODE_TOOLBOX_LANGUAGE_LABEL).unwrap_or_else(|| "python".into());
        let timeout = timeout.filter(|&t| t > 0);
        let req = CodeRunRequest { code: code.into(), language, argv: params.argv, envs: params.env, timeout };
        self.request(Method::Post, "/process/code-run").body(&req).timeout(with_margin(timeout))
    }

    /// Creates a session: a long-lived shell whose state (cwd, variables) persists between commands.
    pub fn create_session(&self, session_id: &str) -> Call<()> {
        let body = CreateSessionRequest { session_id: session_id.into() };
        self.request_done(Method::Post, "/process/session").body(&body)
    }

    /// A session and its commands.
    pub fn get_session(&self, session_id: &str) -> Call<Session> {
        self.request(Method::Get, &format!("/process/session/{}", encode(session_id)))
    }

    /// Every session.
    pub fn list_sessions(&self) -> Call<Vec<Session>> {
        self.request(Method::Get, "/process/session")
    }

    /// Deletes a session and kills its processes.
    pub fn delete_session(&self, session_id: &str) -> Call<()> {
        self.request_done(Method::Delete, &format!("/process/session/{}", encode(session_id)))
    }

    /// Runs a command in a session: waits for it, or with `run_async` returns its id at once.
    /// `timeout` (seconds) bounds the wait.
    pub fn execute_session_command(
        &self,
        session_id: &str,
        req: &SessionExecuteRequest,
        timeout: Option<u64>,
    ) -> Call<SessionExecuteResponse> {
        let path = format!("/process/session/{}/exec", encode(session_id));
        self.request(Method::Post, &path).body(req).timeout(timeout.filter(|&t| t > 0).map(Duration::from_secs))
    }

    /// A command of a session (`exit_code` is `None` while it runs).
    pub fn get_session_command(&self, session_id: &str, command_id: &str) -> Call<Command> {
        self.request(Method::Get, &format!("/process/session/{}/command/{}", encode(session_id), encode(command_id)))
    }

    /// The logs of a command so far, split into stdout and stderr.
    pub fn get_session_command_logs(&self, session_id: &str, command_id: &str) -> Call<SessionCommandLogsResponse> {
        self.request(Method::Get, &command_logs(session_id, command_id))
    }

    /// The entrypoint session: the snapshot's entrypoint, run as the sandbox starts.
    pub fn get_entrypoint_session(&self) -> Call<Session> {
        self.request(Method::Get, ENTRYPOINT)
    }

    /// The entrypoint's logs so far.
    pub fn get_entrypoint_logs(&self) -> Call<SessionCommandLogsResponse> {
        self.request(Method::Get, ENTRYPOINT_LOGS)
    }

    /// Sends `data` to a running command's stdin (a newline is added if missing).
    pub fn send_session_command_input(&self, session_id: &str, command_id: &str, data: &str) -> Call<()> {
        let path = format!("/process/session/{}/command/{}/input", encode(session_id), encode(command_id));
        self.request_done(Method::Post, &path).body(&SessionSendInputRequest { data: data.into() })
    }

    /// Streams a command's logs as they are written, calling `on_stdout`/`on_stderr` with
    /// text; resolves when the command has exited.
    pub async fn stream_session_command_logs(
        &self,
        session_id: &str,
        command_id: &str,
        on_stdout: impl FnMut(&str),
        on_stderr: impl FnMut(&str),
    ) -> Result<(), DaytonaError> {
        self.stream_logs(&command_logs(session_id, command_id), on_stdout, on_stderr).await
    }

    /// Streams the entrypoint's logs as [`Process::stream_session_command_logs`] does a
    /// command's; resolves when the entrypoint has exited.
    pub async fn stream_entrypoint_logs(
        &self,
        on_stdout: impl FnMut(&str),
        on_stderr: impl FnMut(&str),
    ) -> Result<(), DaytonaError> {
        self.stream_logs(ENTRYPOINT_LOGS, on_stdout, on_stderr).await
    }

    /// Follows the logs at `path` (demultiplexed) until their command exits.
    async fn stream_logs(
        &self,
        path: &str,
        mut on_stdout: impl FnMut(&str),
        mut on_stderr: impl FnMut(&str),
    ) -> Result<(), DaytonaError> {
        let mut socket = self.toolbox.socket(path, &[("follow".into(), "true".into())], &[]).await?;
        let mut demux = Demux::default();
        let mut deliver = |parts: Vec<(Channel, String)>| {
            for (channel, text) in parts {
                match channel {
                    Channel::Stdout => on_stdout(&text),
                    Channel::Stderr => on_stderr(&text),
                }
            }
        };
        loop {
            match socket.next().await {
                Some(WsEvent::Binary(bytes)) => deliver(demux.push(&bytes.to_vec())),
                Some(WsEvent::Text(text)) => deliver(demux.push(text.as_bytes())),
                Some(WsEvent::Closed { code: 1000 | 1005, .. }) | None => {
                    deliver(demux.finish());
                    return Ok(());
                }
                Some(WsEvent::Closed { code, reason }) => {
                    deliver(demux.finish());
                    return Err(DaytonaError::Connection(format!("log stream closed with {code}: {reason}")));
                }
            }
        }
    }
}

/// The entrypoint session's route, and its logs'.
const ENTRYPOINT: &str = "/process/session/entrypoint";
const ENTRYPOINT_LOGS: &str = "/process/session/entrypoint/logs";

/// The route of command `command_id`'s logs in session `session_id`.
fn command_logs(session_id: &str, command_id: &str) -> String {
    format!("/process/session/{}/command/{}/logs", encode(session_id), encode(command_id))
}
