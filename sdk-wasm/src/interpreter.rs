//! `CodeInterpreter`: stateful Python contexts in a sandbox (`/process/interpreter/*`). Code
//! runs over a WebSocket whose frames reach the caller as they arrive; daytona-local's rich
//! outputs (MIME bundles, `input()`) when asked for.

use std::collections::BTreeMap;

use daytona_models::{
    CreateContextRequest, InterpreterClientFrame, InterpreterContext, InterpreterExecuteRequest, InterpreterFrame,
    ListContextsResponse, MimeBundle, INTERPRETER_TIMEOUT_CLOSE_CODE,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, WebSocket};

use crate::http::{encode, Method};
use crate::toolbox::Toolbox;
use crate::ws::WsEvent;
use crate::{Call, DaytonaError};

/// The interpreter's contexts route.
const CONTEXTS: &str = "/process/interpreter/context";

/// Options of [`CodeInterpreter::run_code`].
#[derive(Clone, Debug, Default)]
pub struct RunCodeOptions {
    /// The context id (default: the sandbox's default context).
    pub context: Option<String>,
    /// Environment variables of this run only.
    pub envs: Option<BTreeMap<String, String>>,
    /// Seconds before the code is interrupted (→ [`DaytonaError::Timeout`]); `Some(0)` = none,
    /// `None` = the server's default (10 minutes).
    pub timeout: Option<u64>,
    /// Ask for rich outputs (results and displays as MIME bundles, `input()` requests).
    pub rich_outputs: bool,
    /// Interrupts the code when it fires (the context keeps its state).
    pub signal: Option<AbortSignal>,
}

/// An exception the code raised.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExecutionError {
    /// Its class (`NameError`, `KeyboardInterrupt`, …).
    pub name: String,
    /// Its message.
    pub value: String,
    /// The formatted traceback.
    pub traceback: String,
}

/// A rich output: the value of the last expression (`result`) or a `display()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RichOutput {
    /// `result` or `display`.
    pub kind: String,
    /// Every representation, by MIME type (`image/png` and `image/jpeg` base64,
    /// `application/json` as JSON text).
    pub data: MimeBundle,
    /// The id given to `display(..., display_id=)`.
    pub display_id: Option<String>,
    /// True when it replaces what was shown under `display_id`.
    pub update: Option<bool>,
    /// For a result: the execution's number in its context.
    pub execution_count: Option<u64>,
}

impl RichOutput {
    fn from_frame(frame: InterpreterFrame) -> Self {
        Self {
            kind: frame.kind,
            data: frame.data.unwrap_or_default(),
            display_id: frame.display_id,
            update: frame.update,
            execution_count: frame.execution_count,
        }
    }

    fn mime(&self, mime: &str) -> Option<&str> {
        self.data.get(mime).map(String::as_str)
    }

    /// `text/plain`.
    pub fn text(&self) -> Option<&str> {
        self.mime("text/plain")
    }

    /// `text/html`.
    pub fn html(&self) -> Option<&str> {
        self.mime("text/html")
    }

    /// `text/markdown`.
    pub fn markdown(&self) -> Option<&str> {
        self.mime("text/markdown")
    }

    /// `image/png`, base64.
    pub fn png(&self) -> Option<&str> {
        self.mime("image/png")
    }

    /// `image/jpeg`, base64.
    pub fn jpeg(&self) -> Option<&str> {
        self.mime("image/jpeg")
    }

    /// `image/svg+xml`.
    pub fn svg(&self) -> Option<&str> {
        self.mime("image/svg+xml")
    }

    /// `application/json`, as JSON text.
    pub fn json(&self) -> Option<&str> {
        self.mime("application/json")
    }

    /// `text/latex`.
    pub fn latex(&self) -> Option<&str> {
        self.mime("text/latex")
    }
}

/// What a run produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExecutionResult {
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
    /// The exception the code raised, if any.
    pub error: Option<ExecutionError>,
    /// Rich outputs in order (only with rich outputs asked for).
    pub results: Vec<RichOutput>,
    /// The run's number in its context (daytona-local).
    pub execution_count: Option<u64>,
    /// Files the code opened for writing, absolute paths (rich outputs only).
    pub files: Vec<String>,
}

/// One output of a run, as it arrives.
#[derive(Debug)]
pub enum Output<'a> {
    /// Text on stdout.
    Stdout(&'a str),
    /// Text on stderr.
    Stderr(&'a str),
    /// The exception the code raised.
    Error(&'a ExecutionError),
    /// A result or a display.
    Rich(&'a RichOutput),
    /// `clear_output()`: clear now, or (`wait`) when the next output arrives.
    Clear {
        /// Clear when the next output arrives.
        wait: bool,
    },
    /// Files the code opened for writing (absolute paths).
    Files(&'a [String]),
    /// `input()`: answer with [`Execution::send_input`].
    Input {
        /// The prompt.
        prompt: &'a str,
        /// A password prompt (do not echo).
        password: bool,
    },
}

/// The running code, for answers from the output callback.
#[derive(Clone)]
pub struct Execution {
    ws: WebSocket,
}

impl Execution {
    fn send(&self, kind: &str, value: Option<&str>) {
        let frame = InterpreterClientFrame { kind: kind.into(), value: value.map(str::to_owned) };
        if let Ok(text) = crate::json::to_string(&frame) {
            let _ = self.ws.send_with_str(&text);
        }
    }

    /// Answers an [`Output::Input`] request.
    pub fn send_input(&self, value: &str) {
        self.send("input", Some(value));
    }

    /// Interrupts the code (KeyboardInterrupt); the context keeps its state.
    pub fn interrupt(&self) {
        self.send("interrupt", None);
    }
}

/// Stateful code interpreter of a sandbox (`sandbox.code_interpreter()`).
#[derive(Clone, Debug)]
pub struct CodeInterpreter {
    toolbox: Toolbox,
}

impl CodeInterpreter {
    pub(crate) fn new(toolbox: Toolbox) -> Self {
        Self { toolbox }
    }

    /// A call to the contexts route (`path` after it).
    fn contexts<T>(&self, method: Method, path: &str) -> Call<T> {
        Call::new(&self.toolbox.client, method, self.toolbox.url(&format!("{CONTEXTS}{path}"), &[]))
    }

    /// Runs `code`, calling `on_output` as output arrives. Resolves when the code has
    /// finished (an exception is in [`ExecutionResult::error`]); its timeout is
    /// [`DaytonaError::Timeout`], after which the context still has its state.
    pub async fn run_code(
        &self,
        code: &str,
        options: RunCodeOptions,
        mut on_output: impl FnMut(Output<'_>, &Execution),
    ) -> Result<ExecutionResult, DaytonaError> {
        let key = options.context.clone().unwrap_or_default();
        let request = InterpreterExecuteRequest {
            code: code.into(),
            context_id: options.context,
            envs: options.envs,
            timeout: options.timeout.map(|t| t.min(i64::MAX as u64) as i64),
            rich_outputs: options.rich_outputs.then_some(true),
            keep_open: Some(true),
        };
        let text = crate::json::to_string(&request).map_err(DaytonaError::InvalidArgument)?;
        // The context's socket from its last run when there is one (daytona-local keeps it open
        // for the next request); a socket the server closed meanwhile is replaced once.
        let kept = self.toolbox.idle.take(&key);
        let mut retry = kept.is_some();
        let mut socket = match kept {
            Some(s) => s,
            None => self.toolbox.socket("/process/interpreter/execute", &[], &[]).await?,
        };
        // A failed send shows as the socket's close below, and is retried there.
        let _ = socket.raw().send_with_str(&text);
        let mut execution = Execution { ws: socket.raw() };
        // An abort interrupts the code; the run then ends as the server reports it.
        let on_abort = options.signal.as_ref().map(|signal| {
            let ws = execution.ws.clone();
            let interrupt = Closure::<dyn FnMut()>::new(move || {
                let _ = ws.send_with_str(r#"{"type":"interrupt"}"#);
            });
            let _ = signal.add_event_listener_with_callback("abort", interrupt.as_ref().unchecked_ref());
            (signal.clone(), interrupt)
        });
        let mut result = ExecutionResult::default();
        let outcome = loop {
            let frame = match socket.next().await {
                Some(WsEvent::Text(text)) => text,
                Some(WsEvent::Binary(bytes)) => String::from_utf8_lossy(&bytes.to_vec()).into_owned(),
                // A kept socket the server closed as the request went out: the request was not
                // taken (the server only closes between requests), so it goes on a new socket.
                Some(WsEvent::Closed { .. }) | None if retry => {
                    retry = false;
                    socket = self.toolbox.socket("/process/interpreter/execute", &[], &[]).await?;
                    execution.ws = socket.raw();
                    if execution.ws.send_with_str(&text).is_err() {
                        break Err(DaytonaError::Connection("the interpreter socket closed at once".into()));
                    }
                    continue;
                }
                Some(WsEvent::Closed { code: 1000 | 1005, .. }) | None => break Ok(false),
                Some(WsEvent::Closed { code: INTERPRETER_TIMEOUT_CLOSE_CODE, reason }) => {
                    break Err(DaytonaError::Timeout(format!("code execution timed out: {reason}")))
                }
                Some(WsEvent::Closed { code, reason }) => {
                    break Err(DaytonaError::Connection(format!("code execution failed ({code}): {reason}")))
                }
            };
            retry = false;
            let Ok(frame) = crate::json::from_str::<InterpreterFrame>(&frame) else { continue };
            match frame.kind.as_str() {
                "stdout" => {
                    on_output(Output::Stdout(&frame.text), &execution);
                    result.stdout.push_str(&frame.text);
                }
                "stderr" => {
                    on_output(Output::Stderr(&frame.text), &execution);
                    result.stderr.push_str(&frame.text);
                }
                "error" => {
                    let error = ExecutionError { name: frame.name, value: frame.value, traceback: frame.traceback };
                    on_output(Output::Error(&error), &execution);
                    result.error = Some(error);
                }
                "result" | "display" => {
                    let rich = RichOutput::from_frame(frame);
                    on_output(Output::Rich(&rich), &execution);
                    result.results.push(rich);
                }
                "clear" => on_output(Output::Clear { wait: frame.wait == Some(true) }, &execution),
                "files" => {
                    let files = frame.files.unwrap_or_default();
                    on_output(Output::Files(&files), &execution);
                    result.files.extend(files);
                }
                "input" => {
                    on_output(Output::Input { prompt: &frame.text, password: frame.wait == Some(true) }, &execution)
                }
                // The run is over; the socket stays open for the context's next one.
                "control" => {
                    result.execution_count = frame.execution_count;
                    break Ok(true);
                }
                _ => {}
            }
        };
        if let Some((signal, interrupt)) = on_abort {
            let _ = signal.remove_event_listener_with_callback("abort", interrupt.as_ref().unchecked_ref());
            if signal.aborted() && outcome.is_ok() {
                return Err(DaytonaError::Aborted("code execution interrupted".into()));
            }
        }
        if outcome? {
            self.toolbox.idle.put(key, socket);
        }
        Ok(result)
    }

    /// Creates a context: its own Python process (in `cwd`, default the work dir) whose
    /// state no other context sees.
    pub fn create_context(&self, cwd: Option<&str>) -> Call<InterpreterContext> {
        let body = CreateContextRequest { cwd: cwd.map(str::to_owned), language: None };
        self.contexts(Method::Post, "").body(&body)
    }

    /// The contexts created with [`Self::create_context`] (not the default one).
    pub async fn list_contexts(&self) -> Result<Vec<InterpreterContext>, DaytonaError> {
        Ok(self.context_list().await?.contexts)
    }

    /// `GET /process/interpreter/context` as the toolbox answers it (`{ contexts }`).
    pub(crate) fn context_list(&self) -> Call<ListContextsResponse> {
        self.contexts(Method::Get, "")
    }

    /// Deletes a context and ends its process.
    pub fn delete_context(&self, id: &str) -> Call<()> {
        Call::done(&self.toolbox.client, Method::Delete, self.toolbox.url(&format!("{CONTEXTS}/{}", encode(id)), &[]))
    }

    /// A context with its state (`idle`/`busy`) and execution count (`default` works too).
    pub fn get_context(&self, id: &str) -> Call<InterpreterContext> {
        self.context_action(id, "")
    }

    /// Interrupts the code running in a context (KeyboardInterrupt); it keeps its state.
    pub fn interrupt_context(&self, id: &str) -> Call<InterpreterContext> {
        self.context_action(id, "/interrupt")
    }

    /// Gives a context a fresh process (its variables are gone).
    pub fn restart_context(&self, id: &str) -> Call<InterpreterContext> {
        self.context_action(id, "/restart")
    }

    /// `GET .../context/{id}` (`action` empty) or `POST .../context/{id}{action}`.
    pub(crate) fn context_action(&self, id: &str, action: &str) -> Call<InterpreterContext> {
        let method = if action.is_empty() { Method::Get } else { Method::Post };
        self.contexts(method, &format!("/{}{action}", encode(id)))
    }
}
