//! The JS face of `CodeInterpreter` (`sandbox.codeInterpreter`): `runCode` with streaming
//! callbacks, as in `@daytonaio/sdk`, plus rich outputs, `input()` answers and an
//! `AbortSignal` that interrupts; contexts created, listed, inspected, interrupted,
//! restarted and deleted.

use std::collections::BTreeMap;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::lazy::{self, lazy_area, lazy_methods, optional_string_arg, Task};
use super::{error, from_js, invalid, option, optional_function, optional_signal, sending, sending_field, set};
use crate::{CodeInterpreter, ExecutionError, ExecutionResult, Output, RichOutput, RunCodeOptions};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Representations of one output by MIME type (images base64, `application/json` as JSON text). */
export type MimeBundle = Record<string, string>;
/** An exception the code raised. */
export interface ExecutionError { name: string; value: string; traceback: string }
/** A rich output: the value of the last expression (`result`) or a `display()`. */
export interface RichOutput {
  type: "result" | "display";
  /** Every representation by MIME type. */
  data: MimeBundle;
  /** `text/plain`. */
  text?: string;
  /** `text/html`. */
  html?: string;
  /** `text/markdown`. */
  markdown?: string;
  /** `image/png`, base64. */
  png?: string;
  /** `image/jpeg`, base64. */
  jpeg?: string;
  /** `image/svg+xml`. */
  svg?: string;
  /** `application/json`, as JSON text. */
  json?: string;
  /** `text/latex`. */
  latex?: string;
  /** The id given to `display(..., display_id=)`. */
  displayId?: string;
  /** True when it replaces what was shown under `displayId`. */
  update?: boolean;
  /** For a result: the execution's number in its context. */
  executionCount?: number;
}
/** What a run produced. */
export interface ExecutionResult {
  stdout: string;
  stderr: string;
  /** The exception the code raised, if any. */
  error?: ExecutionError;
  /** Rich outputs in order (only with rich outputs asked for). */
  results: RichOutput[];
  /** The run's number in its context (daytona-local). */
  executionCount?: number;
  /** Files the code opened for writing, absolute paths (rich outputs only). */
  files: string[];
}
/** A chunk of output (`{ output }`, as in `@daytonaio/sdk`). */
export interface OutputMessage { output: string }
/** Options of `runCode`. */
export interface RunCodeOptions {
  /** The context to run in (default: the sandbox's default context). */
  context?: InterpreterContext | string;
  /** Environment variables of this run only. */
  envs?: Record<string, string>;
  /** Seconds before the code is interrupted and the run rejects with DaytonaTimeoutError (0 = none; default 600). */
  timeout?: number;
  onStdout?: (message: OutputMessage) => void;
  onStderr?: (message: OutputMessage) => void;
  onError?: (error: ExecutionError) => void;
  /** Rich outputs (the last expression's value, display()); asks the server for them. */
  onResult?: (output: RichOutput) => void;
  /** clear_output(): clear now, or when the next output arrives (`wait`). Asks for rich outputs. */
  onClear?: (wait: boolean) => void;
  /** Files the code opened for writing (absolute paths); asks for rich outputs. */
  onFiles?: (paths: string[]) => void;
  /** Answers input() (and getpass); asks for rich outputs. Without it input() raises EOFError. */
  onInput?: (prompt: string, password: boolean) => string | Promise<string>;
  /** Ask for rich outputs without callbacks (they are in the result's `results`). */
  rich?: boolean;
  /** Interrupts the code (KeyboardInterrupt; the context keeps its state); the run rejects with DaytonaAbortError. */
  signal?: AbortSignal;
}
export interface CodeInterpreter {
  /** Creates a context: its own Python process (in `cwd`, default the work dir). */
  createContext(cwd?: string): Promise<InterpreterContext>;
  /** The contexts created with `createContext` (not the default one). */
  listContexts(): Promise<InterpreterContext[]>;
  /** Deletes a context and ends its process. */
  deleteContext(context: InterpreterContext | string): Promise<void>;
  /** A context with its `state` (`idle`/`busy`) and `executionCount` (default: the default context). */
  getContext(context?: InterpreterContext | string): Promise<InterpreterContext>;
  /** Interrupts the code running in a context (KeyboardInterrupt); it keeps its state. */
  interruptContext(context?: InterpreterContext | string): Promise<InterpreterContext>;
  /** Gives a context a fresh process: its variables are gone. */
  restartContext(context?: InterpreterContext | string): Promise<InterpreterContext>;
}
"#;

/// A context argument: an `InterpreterContext` (its `id`) or an id.
fn context_id(v: &JsValue) -> Result<String, JsValue> {
    v.as_string()
        .or_else(|| option(v, "id").as_string())
        .ok_or_else(|| invalid("context must be an InterpreterContext or its id"))
}

/// The JS callbacks of one run.
#[derive(Default)]
struct Callbacks {
    stdout: Option<js_sys::Function>,
    stderr: Option<js_sys::Function>,
    error: Option<js_sys::Function>,
    result: Option<js_sys::Function>,
    clear: Option<js_sys::Function>,
    input: Option<js_sys::Function>,
    files: Option<js_sys::Function>,
}

fn read_options(options: &JsValue) -> Result<(RunCodeOptions, Callbacks), JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(Default::default());
    }
    let callbacks = Callbacks {
        stdout: optional_function(options, "onStdout")?,
        stderr: optional_function(options, "onStderr")?,
        error: optional_function(options, "onError")?,
        result: optional_function(options, "onResult")?,
        clear: optional_function(options, "onClear")?,
        input: optional_function(options, "onInput")?,
        files: optional_function(options, "onFiles")?,
    };
    let context = match option(options, "context") {
        c if c.is_undefined() || c.is_null() => None,
        c => Some(context_id(&c)?),
    };
    let envs: Option<BTreeMap<String, String>> = match option(options, "envs") {
        e if e.is_undefined() || e.is_null() => None,
        e => Some(from_js("options.envs", e)?),
    };
    let timeout = match option(options, "timeout").as_f64() {
        Some(t) if t < 0.0 || !t.is_finite() => return Err(invalid("options.timeout must be 0 or more seconds")),
        Some(t) => Some(t.ceil() as u64),
        None => None,
    };
    let signal = optional_signal(options)?;
    let rich_outputs = option(options, "rich").is_truthy()
        || callbacks.result.is_some()
        || callbacks.clear.is_some()
        || callbacks.input.is_some()
        || callbacks.files.is_some();
    Ok((RunCodeOptions { context, envs, timeout, rich_outputs, signal }, callbacks))
}

/// The typed accessors of a `RichOutput` in JS: (name, MIME type).
const RICH_ACCESSORS: [(&str, &str); 8] = [
    ("text", "text/plain"),
    ("html", "text/html"),
    ("markdown", "text/markdown"),
    ("png", "image/png"),
    ("jpeg", "image/jpeg"),
    ("svg", "image/svg+xml"),
    ("json", "application/json"),
    ("latex", "text/latex"),
];

fn message(text: &str) -> JsValue {
    let out = js_sys::Object::new();
    set(&out, "output", &text.into());
    out.into()
}

/// `{ name, value, traceback }`.
fn error_js(e: &ExecutionError) -> JsValue {
    let out = js_sys::Object::new();
    set(&out, "name", &e.name.as_str().into());
    set(&out, "value", &e.value.as_str().into());
    set(&out, "traceback", &e.traceback.as_str().into());
    out.into()
}

/// A `RichOutput` with its typed accessors filled from the bundle.
fn rich_js(r: &RichOutput) -> JsValue {
    let out = js_sys::Object::new();
    let data = js_sys::Object::new();
    set(&out, "type", &r.kind.as_str().into());
    for (mime, value) in &r.data {
        let value = JsValue::from_str(value);
        set(&data, mime, &value);
        if let Some((name, _)) = RICH_ACCESSORS.iter().find(|(_, m)| m == mime) {
            set(&out, name, &value);
        }
    }
    set(&out, "data", &data);
    if let Some(id) = &r.display_id {
        set(&out, "displayId", &id.as_str().into());
    }
    if let Some(update) = r.update {
        set(&out, "update", &update.into());
    }
    if let Some(count) = r.execution_count {
        set(&out, "executionCount", &(count as f64).into());
    }
    out.into()
}

/// `{ stdout, stderr, error?, results }`.
fn result_js(r: &ExecutionResult) -> JsValue {
    let out = js_sys::Object::new();
    set(&out, "stdout", &r.stdout.as_str().into());
    set(&out, "stderr", &r.stderr.as_str().into());
    if let Some(e) = &r.error {
        set(&out, "error", &error_js(e));
    }
    set(&out, "results", &r.results.iter().map(rich_js).collect::<js_sys::Array>());
    if let Some(count) = r.execution_count {
        set(&out, "executionCount", &(count as f64).into());
    }
    set(&out, "files", &strings(&r.files));
    out.into()
}

fn strings(items: &[String]) -> js_sys::Array {
    items.iter().map(|s| JsValue::from_str(s)).collect()
}

/// A `runCode` call, its options read (the interpreter's module runs it: see `lazy`).
struct Run {
    interpreter: CodeInterpreter,
    code: String,
    options: RunCodeOptions,
    callbacks: Callbacks,
}

lazy_area!(streams: interpreter(Run) = start_run);

/// Runs `run`, its outputs to its callbacks as they come.
fn start_run(run: Run) -> Task {
    Box::pin(async move {
                let call = |f: &Option<js_sys::Function>, arg: &JsValue| {
                    if let Some(f) = f {
                        let _ = f.call1(&JsValue::NULL, arg);
                    }
                };
                let result = run.interpreter
                    .run_code(&run.code, run.options, |output, execution| match output {
                        Output::Stdout(text) => call(&run.callbacks.stdout, &message(text)),
                        Output::Stderr(text) => call(&run.callbacks.stderr, &message(text)),
                        Output::Error(e) => call(&run.callbacks.error, &error_js(e)),
                        Output::Rich(r) => call(&run.callbacks.result, &rich_js(r)),
                        Output::Clear { wait } => call(&run.callbacks.clear, &wait.into()),
                        Output::Files(paths) => call(&run.callbacks.files, &strings(paths)),
                        Output::Input { prompt, password } => {
                            let Some(f) = &run.callbacks.input else { return };
                            let answer = f.call2(&JsValue::NULL, &prompt.into(), &password.into()).unwrap_or(JsValue::NULL);
                            match answer.dyn_into::<js_sys::Promise>() {
                                Ok(pending) => {
                                    let execution = execution.clone();
                                    wasm_bindgen_futures::spawn_local(async move {
                                        let value = wasm_bindgen_futures::JsFuture::from(pending).await;
                                        execution.send_input(&value.ok().and_then(|v| v.as_string()).unwrap_or_default());
                                    });
                                }
                                Err(value) => execution.send_input(&value.as_string().unwrap_or_default()),
                            }
                        }
                    })
                    .await
                    .map_err(error::to_js)?;
        Ok(result_js(&result))
    })
}

/// The stateful code interpreter of a sandbox (`sandbox.codeInterpreter`).
#[wasm_bindgen(js_name = CodeInterpreter)]
pub struct JsCodeInterpreter {
    inner: CodeInterpreter,
}

impl From<CodeInterpreter> for JsCodeInterpreter {
    fn from(inner: CodeInterpreter) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen(js_class = CodeInterpreter)]
impl JsCodeInterpreter {
    /// Runs Python code in a context (variables, imports and functions persist there);
    /// callbacks fire as output arrives. Resolves to `{ stdout, stderr, error?, results }`.
    #[wasm_bindgen(js_name = runCode, unchecked_return_type = "Promise<ExecutionResult>")]
    pub fn run_code(
        &self,
        code: String,
        #[wasm_bindgen(unchecked_optional_param_type = "RunCodeOptions")] options: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let (options, callbacks) = read_options(&options)?;
        Ok(lazy::run(interpreter(Run { interpreter: self.inner.clone(), code, options, callbacks })))
    }

    /// Method `index` of [`LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(interpreter_methods((self.inner.clone(), index, args)))
    }
}

/// `action` (`""` = get, `/interrupt`, `/restart`) on the context named by argument 0 (absent:
/// `default`), resolving to the context.
fn context_call(interpreter: &CodeInterpreter, args: &js_sys::Array, action: &'static str) -> Result<Task, JsValue> {
    let context = args.get(0);
    let id = match context.is_undefined() || context.is_null() {
        true => "default".to_owned(),
        false => context_id(&context)?,
    };
    Ok(sending(interpreter.context_action(&id, action)))
}

lazy_methods!(streams: LAZY, interpreter_methods(CodeInterpreter) = [
    "createContext" => |ci, args| Ok(sending(ci.create_context(optional_string_arg(args, 0, "cwd")?.as_deref()))),
    "listContexts" => |ci, _| Ok(sending_field(ci.context_list(), "contexts")),
    "deleteContext" => |ci, args| Ok(sending(ci.delete_context(&context_id(&args.get(0))?))),
    "getContext" => |ci, args| context_call(ci, args, ""),
    "interruptContext" => |ci, args| context_call(ci, args, "/interrupt"),
    "restartContext" => |ci, args| context_call(ci, args, "/restart"),
]);
