//! The JS face of `Process`: commands, code runs, sessions and PTYs.

use std::collections::BTreeMap;

use wasm_bindgen::prelude::*;

use daytona_models::SessionExecuteRequest;

use wasm_bindgen::JsCast;

use super::lazy::{self, u16_arg, lazy_methods, string_arg, Task};
use super::{
    bool_field, check_object, from_js, invalid, map_field, option, promise, send, sending, sending_field, set,
    string_field, strings, task,
};
use crate::call::Request;
use crate::{CodeRunParams, Process};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
export interface Process {
  /** Creates a session (a shell whose cwd and variables persist between commands). */
  createSession(sessionId: string): Promise<void>;
  /** A session and its commands. */
  getSession(sessionId: string): Promise<Session>;
  /** Every session. */
  listSessions(): Promise<Session[]>;
  /** Deletes a session and kills its processes. */
  deleteSession(sessionId: string): Promise<void>;
  /** A command of a session (`exitCode` is absent while it runs). */
  getSessionCommand(sessionId: string, commandId: string): Promise<Command>;
  /**
   * Without callbacks: the logs so far (`{ output, stdout, stderr }`). With `onStdout` and
   * `onStderr`: streams the logs live over a WebSocket and resolves when the command exits.
   */
  getSessionCommandLogs(sessionId: string, commandId: string, onStdout?: (chunk: string) => void, onStderr?: (chunk: string) => void): Promise<SessionCommandLogsResponse | void>;
  /** Sends `data` to a running command's stdin. */
  sendSessionCommandInput(sessionId: string, commandId: string, data: string): Promise<void>;
  /** The entrypoint session: the snapshot's entrypoint, run as the sandbox starts. */
  getEntrypointSession(): Promise<Session>;
  /**
   * The entrypoint's logs, as `getSessionCommandLogs` gives a command's: so far, or streamed
   * live to `onStdout` and `onStderr` until it exits.
   */
  getEntrypointLogs(onStdout?: (chunk: string) => void, onStderr?: (chunk: string) => void): Promise<SessionCommandLogsResponse | void>;
  /** Every PTY session. */
  listPtySessions(): Promise<PtySessionInfo[]>;
  /** One PTY session. */
  getPtySessionInfo(sessionId: string): Promise<PtySessionInfo>;
  /** Kills a PTY session. */
  killPtySession(sessionId: string): Promise<void>;
  /** Resizes a PTY session. */
  resizePtySession(sessionId: string, cols: number, rows: number): Promise<PtySessionInfo>;
}
"#;

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

    /// Method `index` of [`LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(session_methods((self.inner.clone(), index, args)))
    }
}

/// Whose logs [`logs`] reads.
#[derive(Clone)]
enum Logs {
    /// A command of a session: (session id, command id).
    Command(String, String),
    /// The entrypoint session's.
    Entrypoint,
}

/// `getSessionCommandLogs(sessionId, commandId, onStdout?, onStderr?)` and
/// `getEntrypointLogs(onStdout?, onStderr?)`: without callbacks the logs so far, with them the
/// logs followed to the command's end, each chunk to its callback (the arguments from `at`).
fn logs(process: &Process, args: &js_sys::Array, which: Logs, at: u32) -> Result<Task, JsValue> {
    let callback = |i: u32, name: &str| match args.get(i) {
        f if f.is_undefined() || f.is_null() => Ok(None),
        f => f.dyn_into::<js_sys::Function>().map(Some).map_err(|_| invalid(&format!("{name} must be a function"))),
    };
    let (on_stdout, on_stderr) = (callback(at, "onStdout")?, callback(at + 1, "onStderr")?);
    if on_stdout.is_none() && on_stderr.is_none() {
        return Ok(sending(match &which {
            Logs::Command(session, command) => process.get_session_command_logs(session, command),
            Logs::Entrypoint => process.get_entrypoint_logs(),
        }));
    }
    let call = |f: &Option<js_sys::Function>, text: &str| {
        if let Some(f) = f {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_str(text));
        }
    };
    let process = process.clone();
    Ok(task(async move {
        let (out, err) = (|t: &str| call(&on_stdout, t), |t: &str| call(&on_stderr, t));
        match which {
            Logs::Command(session, command) => process.stream_session_command_logs(&session, &command, out, err).await,
            Logs::Entrypoint => process.stream_entrypoint_logs(out, err).await,
        }
    }))
}

lazy_methods!(streams: LAZY, session_methods(Process) = [
    "createSession" => |p, args| Ok(sending(p.create_session(&string_arg(args, 0, "sessionId")?))),
    "getSession" => |p, args| Ok(sending(p.get_session(&string_arg(args, 0, "sessionId")?))),
    "listSessions" => |p, _| Ok(sending(p.list_sessions())),
    "deleteSession" => |p, args| Ok(sending(p.delete_session(&string_arg(args, 0, "sessionId")?))),
    "getSessionCommand" => |p, args| {
        Ok(sending(p.get_session_command(&string_arg(args, 0, "sessionId")?, &string_arg(args, 1, "commandId")?)))
    },
    "getSessionCommandLogs" => |p, args| {
        let which = Logs::Command(string_arg(args, 0, "sessionId")?, string_arg(args, 1, "commandId")?);
        logs(p, args, which, 2)
    },
    "sendSessionCommandInput" => |p, args| {
        let (session, command) = (string_arg(args, 0, "sessionId")?, string_arg(args, 1, "commandId")?);
        Ok(sending(p.send_session_command_input(&session, &command, &string_arg(args, 2, "data")?)))
    },
    "getEntrypointSession" => |p, _| Ok(sending(p.get_entrypoint_session())),
    "getEntrypointLogs" => |p, args| logs(p, args, Logs::Entrypoint, 0),
    "listPtySessions" => |p, _| Ok(sending_field(p.pty_sessions(), "sessions")),
    "getPtySessionInfo" => |p, args| Ok(sending(p.get_pty_session_info(&string_arg(args, 0, "sessionId")?))),
    "killPtySession" => |p, args| Ok(sending(p.kill_pty_session(&string_arg(args, 0, "sessionId")?))),
    "resizePtySession" => |p, args| {
        let (cols, rows) = (u16_arg(args, 1, "cols")?, u16_arg(args, 2, "rows")?);
        Ok(sending(p.resize_pty_session(&string_arg(args, 0, "sessionId")?, cols, rows)))
    },
]);
