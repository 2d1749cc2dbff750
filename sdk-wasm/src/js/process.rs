//! The JS face of `Process`: commands, code runs, sessions and PTYs.

use std::collections::BTreeMap;

use wasm_bindgen::prelude::*;

use daytona_models::SessionExecuteRequest;

use super::lazy::{self, lazy_area, Task};
use super::{
    bool_field, check_object, from_js, invalid, map_field, option, promise, send, set, string_field, strings, task,
};
use crate::call::Request;
use crate::{CodeRunParams, Process};

/// Process execution in a sandbox (`sandbox.process`).
#[wasm_bindgen(js_name = Process)]
pub struct JsProcess {
    inner: Process,
}

impl From<Process> for JsProcess {
    fn from(inner: Process) -> Self {
        Self { inner }
    }
}

impl JsProcess {
    /// The Rust handle (shared with the PTY methods in `pty.rs`).
    pub(crate) fn process(&self) -> Process {
        self.inner.clone()
    }
}

/// Sends a command or code run and resolves to the toolbox's answer with `artifacts:
/// { stdout, charts }` added, as `@daytonaio/sdk` gives it (charts as the toolbox sent them).
fn with_artifacts(request: Request) -> js_sys::Promise {
    let sent = request.send();
    promise(async move {
        let answer = sent.await?;
        let charts = match option(&option(&answer, "artifacts"), "charts") {
            c if c.is_undefined() || c.is_null() => js_sys::Array::new().into(),
            c => c,
        };
        let artifacts = js_sys::Object::new();
        set(&artifacts, "stdout", &option(&answer, "result"));
        set(&artifacts, "charts", &charts);
        set(&answer, "artifacts", &artifacts);
        Ok(answer)
    })
}

/// A session command's logs followed to their end, each chunk to its callback (run by the
/// log stream's module: see `lazy`).
struct Logs {
    process: Process,
    session_id: String,
    command_id: String,
    on_stdout: Option<js_sys::Function>,
    on_stderr: Option<js_sys::Function>,
}

lazy_area!(logs: logs(Logs) = start_logs);

/// Starts following `logs`.
fn start_logs(logs: Logs) -> Task {
    let call = |f: &Option<js_sys::Function>, text: &str| {
        if let Some(f) = f {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_str(text));
        }
    };
    task(async move {
        let Logs { process, session_id, command_id, on_stdout, on_stderr } = logs;
        process.stream_session_command_logs(&session_id, &command_id, |t| call(&on_stdout, t), |t| call(&on_stderr, t)).await
    })
}

#[wasm_bindgen(js_class = Process)]
impl JsProcess {
    /// Runs a shell command; resolves to `{ exitCode, result, artifacts }`.
    /// `timeout` is in seconds and kills the command's process group.
    #[wasm_bindgen(js_name = executeCommand, unchecked_return_type = "Promise<ExecuteResponse>")]
    pub fn execute_command(
        &self,
        command: String,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] cwd: Option<String>,
        #[wasm_bindgen(unchecked_optional_param_type = "Record<string, string>")] env: Option<js_sys::Object>,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] timeout: Option<f64>,
    ) -> Result<js_sys::Promise, JsValue> {
        let env: Option<BTreeMap<String, String>> = match env {
            Some(obj) => Some(from_js("env", obj.into())?),
            None => None,
        };
        let timeout = timeout.filter(|t| *t > 0.0).map(|t| t.ceil() as u64);
        Ok(with_artifacts(self.inner.execute(&command, cwd.as_deref(), env, timeout).request()))
    }

    /// Runs code in the sandbox's language; charts arrive in `artifacts.charts`.
    #[wasm_bindgen(js_name = codeRun, unchecked_return_type = "Promise<ExecuteResponse>")]
    pub fn code_run(
        &self,
        code: String,
        #[wasm_bindgen(unchecked_optional_param_type = "CodeRunParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] timeout: Option<f64>,
    ) -> Result<js_sys::Promise, JsValue> {
        check_object(&params, "params", false, Some(&["argv", "env"]), "")?;
        let argv = option(&params, "argv");
        let params = CodeRunParams {
            argv: (!argv.is_undefined() && !argv.is_null()).then(|| strings(&argv, "params.argv")).transpose()?,
            env: map_field(&params, "env", "params")?,
        };
        let timeout = timeout.filter(|t| *t > 0.0).map(|t| t.ceil() as u64);
        Ok(with_artifacts(self.inner.code_run_call(&code, params, timeout).request()))
    }

    /// Creates a session (a shell whose cwd and variables persist between commands).
    #[wasm_bindgen(js_name = createSession, unchecked_return_type = "Promise<void>")]
    pub fn create_session(&self, #[wasm_bindgen(js_name = "sessionId")] session_id: String) -> js_sys::Promise {
        send(self.inner.create_session(&session_id))
    }

    /// A session and its commands.
    #[wasm_bindgen(js_name = getSession, unchecked_return_type = "Promise<Session>")]
    pub fn get_session(&self, #[wasm_bindgen(js_name = "sessionId")] session_id: String) -> js_sys::Promise {
        send(self.inner.get_session(&session_id))
    }

    /// Every session.
    #[wasm_bindgen(js_name = listSessions, unchecked_return_type = "Promise<Session[]>")]
    pub fn list_sessions(&self) -> js_sys::Promise {
        send(self.inner.list_sessions())
    }

    /// Deletes a session and kills its processes.
    #[wasm_bindgen(js_name = deleteSession, unchecked_return_type = "Promise<void>")]
    pub fn delete_session(&self, #[wasm_bindgen(js_name = "sessionId")] session_id: String) -> js_sys::Promise {
        send(self.inner.delete_session(&session_id))
    }

    /// Runs `{ command, runAsync?, suppressInputEcho? }` in a session.
    #[wasm_bindgen(js_name = executeSessionCommand, unchecked_return_type = "Promise<SessionExecuteResponse>")]
    pub fn execute_session_command(
        &self,
        #[wasm_bindgen(js_name = "sessionId")] session_id: String,
        #[wasm_bindgen(unchecked_param_type = "SessionExecuteRequest")] req: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] timeout: Option<f64>,
    ) -> Result<js_sys::Promise, JsValue> {
        check_object(&req, "req", true, Some(&["command", "runAsync", "async", "suppressInputEcho"]), "")?;
        let req = SessionExecuteRequest {
            command: string_field(&req, "command", "req")?.ok_or_else(|| invalid("req.command is required"))?,
            run_async: bool_field(&req, "runAsync", "req")?,
            is_async: bool_field(&req, "async", "req")?,
            suppress_input_echo: bool_field(&req, "suppressInputEcho", "req")?,
        };
        let timeout = timeout.filter(|t| *t > 0.0).map(|t| t.ceil() as u64);
        Ok(send(self.inner.execute_session_command(&session_id, &req, timeout)))
    }

    /// A command of a session (`exitCode` is absent while it runs).
    #[wasm_bindgen(js_name = getSessionCommand, unchecked_return_type = "Promise<Command>")]
    pub fn get_session_command(
        &self,
        #[wasm_bindgen(js_name = "sessionId")] session_id: String,
        #[wasm_bindgen(js_name = "commandId")] command_id: String,
    ) -> js_sys::Promise {
        send(self.inner.get_session_command(&session_id, &command_id))
    }

    /// Without callbacks: the logs so far (`{ output, stdout, stderr }`). With `onStdout` and
    /// `onStderr`: streams the logs live over a WebSocket and resolves when the command exits.
    #[wasm_bindgen(
        js_name = getSessionCommandLogs,
        unchecked_return_type = "Promise<SessionCommandLogsResponse | void>"
    )]
    pub fn get_session_command_logs(
        &self,
        #[wasm_bindgen(js_name = "sessionId")] session_id: String,
        #[wasm_bindgen(js_name = "commandId")] command_id: String,
        #[wasm_bindgen(js_name = "onStdout", unchecked_optional_param_type = "(chunk: string) => void")]
        on_stdout: Option<js_sys::Function>,
        #[wasm_bindgen(js_name = "onStderr", unchecked_optional_param_type = "(chunk: string) => void")]
        on_stderr: Option<js_sys::Function>,
    ) -> js_sys::Promise {
        if on_stdout.is_none() && on_stderr.is_none() {
            return send(self.inner.get_session_command_logs(&session_id, &command_id));
        }
        lazy::run(logs(Logs { process: self.inner.clone(), session_id, command_id, on_stdout, on_stderr }))
    }

    /// Sends `data` to a running command's stdin.
    #[wasm_bindgen(js_name = sendSessionCommandInput, unchecked_return_type = "Promise<void>")]
    pub fn send_session_command_input(
        &self,
        #[wasm_bindgen(js_name = "sessionId")] session_id: String,
        #[wasm_bindgen(js_name = "commandId")] command_id: String,
        data: String,
    ) -> js_sys::Promise {
        send(self.inner.send_session_command_input(&session_id, &command_id, &data))
    }
}
