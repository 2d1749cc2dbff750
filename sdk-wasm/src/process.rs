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
use crate::http::{CallOptions, Method};
use crate::toolbox::Toolbox;
use crate::ws::WsEvent;
use crate::DaytonaError;

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
        let req = ExecuteRequest {
            command: command.to_owned(),
            cwd: cwd.map(str::to_owned),
            envs: env,
            timeout: timeout.filter(|&t| t > 0),
        };
        let opts = CallOptions::timeout(req.timeout.map(|t| Duration::from_secs(t) + TIMEOUT_MARGIN));
        let mut resp: ExecuteResponse = self
            .toolbox
            .client
            .http
            .json(Method::Post, &self.toolbox.url("/process/execute", &[]), Some(&req), &opts)
            .await?;
        resp.artifacts = Some(ExecuteArtifacts { stdout: resp.result.clone(), charts: Vec::new() });
        Ok(resp)
    }
}

impl Process {
    /// A JSON call to this sandbox's toolbox.
    pub(crate) async fn toolbox<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl serde::Serialize + ?Sized)>,
    ) -> Result<T, DaytonaError> {
        self.call(method, path, body, &CallOptions::default()).await
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl serde::Serialize + ?Sized)>,
        opts: &CallOptions,
    ) -> Result<T, DaytonaError> {
        self.toolbox.client.http.json(method, &self.toolbox.url(path, &[]), body, opts).await
    }

    /// Runs `code` in the sandbox's language (its `code-toolbox-language` label, default
    /// python); matplotlib figures come back as typed charts in `artifacts.charts`.
    pub async fn code_run(
        &self,
        code: &str,
        params: CodeRunParams,
        timeout: Option<u64>,
    ) -> Result<ExecuteResponse, DaytonaError> {
        let language =
            self.toolbox.label(crate::params::CODE_TOOLBOX_LANGUAGE_LABEL).unwrap_or_else(|| "python".into());
        let req = CodeRunRequest {
            code: code.into(),
            language,
            argv: params.argv,
            envs: params.env,
            timeout: timeout.filter(|&t| t > 0),
        };
        let opts = CallOptions::timeout(req.timeout.map(|t| Duration::from_secs(t) + TIMEOUT_MARGIN));
        let resp: CodeRunResponse = self.call(Method::Post, "/process/code-run", Some(&req), &opts).await?;
        let charts: Vec<Chart> = resp.artifacts.and_then(|a| a.charts).unwrap_or_default();
        Ok(ExecuteResponse {
            exit_code: resp.exit_code,
            artifacts: Some(ExecuteArtifacts { stdout: resp.result.clone(), charts }),
            result: resp.result,
        })
    }

    /// Creates a session: a long-lived shell whose state (cwd, variables) persists between commands.
    pub async fn create_session(&self, session_id: &str) -> Result<(), DaytonaError> {
        let body = CreateSessionRequest { session_id: session_id.into() };
        let url = self.toolbox.url("/process/session", &[]);
        self.toolbox.client.http.send(Method::Post, &url, Some(&body), &CallOptions::default()).await?;
        Ok(())
    }

    /// A session and its commands.
    pub async fn get_session(&self, session_id: &str) -> Result<Session, DaytonaError> {
        self.call(
            Method::Get,
            &format!("/process/session/{}", encode(session_id)),
            None::<&()>,
            &CallOptions::default(),
        )
        .await
    }

    /// Every session.
    pub async fn list_sessions(&self) -> Result<Vec<Session>, DaytonaError> {
        self.call(Method::Get, "/process/session", None::<&()>, &CallOptions::default()).await
    }

    /// Deletes a session and kills its processes.
    pub async fn delete_session(&self, session_id: &str) -> Result<(), DaytonaError> {
        let path = format!("/process/session/{}", encode(session_id));
        let url = self.toolbox.url(&path, &[]);
        self.toolbox.client.http.send(Method::Delete, &url, None::<&()>, &CallOptions::default()).await?;
        Ok(())
    }

    /// Runs a command in a session: waits for it, or with `run_async` returns its id at once.
    pub async fn execute_session_command(
        &self,
        session_id: &str,
        req: &SessionExecuteRequest,
        timeout: Option<u64>,
    ) -> Result<SessionExecuteResponse, DaytonaError> {
        let opts = CallOptions::timeout(timeout.filter(|&t| t > 0).map(Duration::from_secs));
        self.call(Method::Post, &format!("/process/session/{}/exec", encode(session_id)), Some(req), &opts).await
    }

    /// A command of a session (`exit_code` is `None` while it runs).
    pub async fn get_session_command(&self, session_id: &str, command_id: &str) -> Result<Command, DaytonaError> {
        let path = format!("/process/session/{}/command/{}", encode(session_id), encode(command_id));
        self.call(Method::Get, &path, None::<&()>, &CallOptions::default()).await
    }

    /// The logs of a command so far, split into stdout and stderr.
    pub async fn get_session_command_logs(
        &self,
        session_id: &str,
        command_id: &str,
    ) -> Result<SessionCommandLogsResponse, DaytonaError> {
        let path = format!("/process/session/{}/command/{}/logs", encode(session_id), encode(command_id));
        self.call(Method::Get, &path, None::<&()>, &CallOptions::default()).await
    }

    /// Sends `data` to a running command's stdin (a newline is added if missing).
    pub async fn send_session_command_input(
        &self,
        session_id: &str,
        command_id: &str,
        data: &str,
    ) -> Result<(), DaytonaError> {
        let path = format!("/process/session/{}/command/{}/input", encode(session_id), encode(command_id));
        let body = SessionSendInputRequest { data: data.into() };
        let url = self.toolbox.url(&path, &[]);
        self.toolbox.client.http.send(Method::Post, &url, Some(&body), &CallOptions::default()).await?;
        Ok(())
    }

    /// Streams a command's logs as they are written, calling `on_stdout`/`on_stderr` with
    /// text; resolves when the command has exited.
    pub async fn stream_session_command_logs(
        &self,
        session_id: &str,
        command_id: &str,
        mut on_stdout: impl FnMut(&str),
        mut on_stderr: impl FnMut(&str),
    ) -> Result<(), DaytonaError> {
        let path = format!("/process/session/{}/command/{}/logs", encode(session_id), encode(command_id));
        let mut socket = self.toolbox.socket(&path, &[("follow".into(), "true".into())], &[]).await?;
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
