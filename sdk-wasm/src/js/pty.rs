//! The JS face of PTYs: `PtyHandle` with its data and state callbacks.

use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::lazy::{self, u16_arg, lazy_area, lazy_methods, Task};
use super::{from_js, invalid, option, optional_function, set, task, to_js, JsProcess};
use crate::{Process, PtyCreateOptions, PtyDataFn, PtyHandle, PtyState, PtyStateFn};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Connection state of a PtyHandle. */
export type PtyConnectionState = "connecting" | "connected" | "reconnecting" | "exited" | "disconnected" | "failed";
/** Callbacks of a PTY connection. */
export interface PtyConnectOptions {
  /** Terminal output, byte-exact. */
  onData: (data: Uint8Array) => void;
  /** State changes (`attempt` counts reconnects). */
  onStateChange?: (state: PtyConnectionState, detail: { attempt?: number; exitCode?: number; error?: string }) => void;
}
/** Options of `createPty`. */
export interface PtyCreateOptions extends PtyConnectOptions {
  id?: string;
  cwd?: string;
  envs?: Record<string, string>;
  cols?: number;
  rows?: number;
}
/** How a PTY ended. */
export interface PtyResult { exitCode: number; error?: string }
export interface PtyHandle {
  /** Sends keystrokes (a string is sent as UTF-8). */
  sendInput(data: string | Uint8Array): Promise<void>;
  /** Resizes the terminal. */
  resize(cols: number, rows: number): Promise<PtySessionInfo>;
  /** Resolves once connected. */
  waitForConnection(): Promise<void>;
  /** Resolves with `{ exitCode, error? }` when the shell exits. */
  wait(): Promise<PtyResult>;
  /** Kills the shell. */
  kill(): Promise<void>;
}
"#;

/// Reads `onData` and `onStateChange` from JS options.
fn callbacks(options: &JsValue) -> Result<(PtyDataFn, Option<PtyStateFn>), JsValue> {
    let on_data: js_sys::Function =
        option(options, "onData").dyn_into().map_err(|_| invalid("options.onData must be a function"))?;
    let data: PtyDataFn = Rc::new(move |bytes: &js_sys::Uint8Array| {
        let _ = on_data.call1(&JsValue::NULL, bytes);
    });
    let state = match optional_function(options, "onStateChange")? {
        None => None,
        Some(f) => {
            let cb: PtyStateFn = Rc::new(move |s: &PtyState| {
                let detail = js_sys::Object::new();
                match s {
                    PtyState::Reconnecting(n) => set(&detail, "attempt", &(*n).into()),
                    PtyState::Exited(c) => set(&detail, "exitCode", &(*c).into()),
                    PtyState::Failed(e) => set(&detail, "error", &e.as_str().into()),
                    _ => {}
                }
                let _ = f.call2(&JsValue::NULL, &s.as_str().into(), &detail);
            });
            Some(cb)
        }
    };
    Ok((data, state))
}

/// Opening a PTY, run by the PTY's module (see `lazy`; a handle's methods are rows of its
/// table run there too).
enum Pty {
    Create(Process, PtyCreateOptions, PtyDataFn, Option<PtyStateFn>),
    Connect(Process, String, PtyDataFn, Option<PtyStateFn>),
}

lazy_area!(streams: pty(Pty) = start_pty);

/// Starts `call`.
fn start_pty(call: Pty) -> Task {
    let handle = |inner| JsValue::from(JsPtyHandle { inner });
    match call {
        Pty::Create(process, opts, on_data, on_state) => {
            task(async move { process.create_pty(opts, on_data, on_state).await.map(handle) })
        }
        Pty::Connect(process, id, on_data, on_state) => {
            task(async move { process.connect_pty(&id, on_data, on_state).await.map(handle) })
        }
    }
}

/// A connection to a PTY session; reconnects by itself while the PTY lives.
#[wasm_bindgen(js_name = PtyHandle)]
pub struct JsPtyHandle {
    inner: PtyHandle,
}

#[wasm_bindgen(js_class = PtyHandle)]
impl JsPtyHandle {
    /// The PTY session id.
    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.inner.session_id().to_owned()
    }

    /// The exit code, once the shell has exited.
    #[wasm_bindgen(getter, js_name = exitCode)]
    pub fn exit_code(&self) -> Option<i32> {
        self.inner.exit_code()
    }

    /// Why the shell ended or the connection failed.
    #[wasm_bindgen(getter)]
    pub fn error(&self) -> Option<String> {
        self.inner.error()
    }

    /// The connection state.
    #[wasm_bindgen(getter, unchecked_return_type = "PtyConnectionState")]
    pub fn state(&self) -> String {
        self.inner.state().as_str().to_owned()
    }

    /// Whether output is flowing.
    #[wasm_bindgen(js_name = isConnected)]
    pub fn is_connected(&self) -> bool {
        self.inner.state() == PtyState::Connected
    }

    /// Method `index` of [`HANDLE_LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(handle_methods((self.inner.clone(), index, args)))
    }

    /// Closes this connection; the PTY keeps running.
    pub fn disconnect(&self) {
        self.inner.disconnect();
    }
}

#[wasm_bindgen(js_class = Process)]
impl JsProcess {
    /// Creates a PTY session and connects to it; resolves once connected.
    #[wasm_bindgen(js_name = createPty, unchecked_return_type = "Promise<PtyHandle>")]
    pub fn create_pty(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PtyCreateOptions")] options: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let (on_data, on_state) = callbacks(&options)?;
        let envs: Option<BTreeMap<String, String>> = match option(&options, "envs") {
            e if e.is_undefined() || e.is_null() => None,
            e => Some(from_js("options.envs", e)?),
        };
        let size = |k: &str| option(&options, k).as_f64().map(|v| v as u16);
        let opts = PtyCreateOptions {
            id: option(&options, "id").as_string(),
            cwd: option(&options, "cwd").as_string(),
            envs,
            cols: size("cols"),
            rows: size("rows"),
        };
        Ok(lazy::run(pty(Pty::Create(self.process(), opts, on_data, on_state))))
    }

    /// Connects to an existing PTY session (its scrollback is replayed first).
    #[wasm_bindgen(js_name = connectPty, unchecked_return_type = "Promise<PtyHandle>")]
    pub fn connect_pty(
        &self,
        #[wasm_bindgen(js_name = "sessionId")] session_id: String,
        #[wasm_bindgen(unchecked_param_type = "PtyConnectOptions")] options: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let (on_data, on_state) = callbacks(&options)?;
        Ok(lazy::run(pty(Pty::Connect(self.process(), session_id, on_data, on_state))))
    }
}

/// `sendInput(data)`: keystrokes (a string is sent as UTF-8).
fn send_input(h: &PtyHandle, args: &js_sys::Array) -> Result<Task, JsValue> {
    let data = args.get(0);
    let bytes = match data.as_string() {
        Some(s) => s.into_bytes(),
        None if data.is_object() => js_sys::Uint8Array::new(&data).to_vec(),
        None => return Err(invalid("data must be a string or a Uint8Array")),
    };
    let h = h.clone();
    Ok(task(async move { h.send_input(&bytes).await }))
}

/// `wait()`: `{ exitCode, error? }` when the shell exits.
fn wait(h: &PtyHandle, _: &js_sys::Array) -> Result<Task, JsValue> {
    let h = h.clone();
    Ok(task(async move {
        let code = h.wait().await?;
        let out = js_sys::Object::new();
        set(&out, "exitCode", &code.into());
        if let Some(e) = h.error() {
            set(&out, "error", &e.into());
        }
        Ok(JsValue::from(out))
    }))
}

lazy_methods!(streams: HANDLE_LAZY, handle_methods(PtyHandle) = [
    "sendInput" => send_input,
    "resize" => |h, args| {
        let (h, cols, rows) = (h.clone(), u16_arg(args, 0, "cols")?, u16_arg(args, 1, "rows")?);
        Ok(task(async move { to_js(&h.resize(cols, rows).await?) }))
    },
    "waitForConnection" => |h, _| {
        let h = h.clone();
        Ok(task(async move { h.wait_for_connection().await }))
    },
    "wait" => wait,
    "kill" => |h, _| {
        let h = h.clone();
        Ok(task(async move { h.kill().await }))
    },
]);
