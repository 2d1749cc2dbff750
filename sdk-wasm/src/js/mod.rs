//! The JS/TS face (wasm-bindgen exports), named after `@daytonaio/sdk`. This module is the
//! only place that converts between Rust and JS values; errors become typed JS `Error`s here.

mod computer_use;
mod daytona;
mod error;
mod events;
mod fs;
mod git;
mod interpreter;
mod list;
mod lsp;
mod posted;
mod process;
mod pty;
mod sandbox;
mod services;

use std::future::Future;
use std::time::Duration;

use wasm_bindgen::prelude::*;

pub use computer_use::{JsComputerUse, JsDisplay, JsKeyboard, JsMouse, JsRecordingService, JsScreenshot};
pub use daytona::JsDaytona;
pub use events::JsSandboxEvents;
pub use fs::JsFileSystem;
pub use git::JsGit;
pub use interpreter::JsCodeInterpreter;
pub use list::JsSandboxIterator;
pub use lsp::JsLspServer;
pub use process::JsProcess;
pub use sandbox::JsSandbox;
pub use services::{JsSnapshotService, JsVolumeService};

use posted::Answer;

/// The npm package's allocator: talc, 2 KB (gzip) smaller in wasm than the default dlmalloc.
/// Only with the JS face (the package is a binary of its own); Rust users keep their choice.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: the wasm global allocator, set once for the package; wasm here is single-threaded.
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

/// A value a `Promise` of the JS face resolves to.
pub(crate) trait Resolve {
    /// The JS value (`undefined` for `()`).
    fn resolve(self) -> JsValue;
}

impl Resolve for () {
    fn resolve(self) -> JsValue {
        JsValue::UNDEFINED
    }
}

impl Resolve for String {
    fn resolve(self) -> JsValue {
        self.into()
    }
}

impl Resolve for JsValue {
    fn resolve(self) -> JsValue {
        self
    }
}

impl Resolve for JsSandbox {
    fn resolve(self) -> JsValue {
        self.into()
    }
}

/// Runs `fut` as a JS `Promise`, converting its error into a typed Daytona error.
pub(crate) fn promise<F, T>(fut: F) -> js_sys::Promise
where
    F: Future<Output = Result<T, crate::DaytonaError>> + 'static,
    T: Resolve,
{
    spawn_promise(Box::pin(async move { fut.await.map(Resolve::resolve).map_err(error::to_js) }))
}

/// Sends `call` and resolves to its answer as the browser parsed it (`undefined` for a call
/// answering nothing): no Rust model in between.
pub(crate) fn send<T>(call: crate::Call<T>) -> js_sys::Promise {
    send_request(call.request(), Answer::Whole)
}

/// Sends `call` and resolves to field `key` of its answer (`{ sessions: [...] }` → the list;
/// `undefined` for a null field).
pub(crate) fn send_field<T>(call: crate::Call<T>, key: &'static str) -> js_sys::Promise {
    send_request(call.request(), Answer::Field(key))
}

/// Sends `request` and resolves to what `answer` picks of its answer.
fn send_request(request: crate::call::Request, answer: Answer) -> js_sys::Promise {
    let sent = request.send();
    spawn_promise(Box::pin(async move {
        let got = sent.await.map_err(error::to_js)?;
        Ok(match answer {
            Answer::Whole | Answer::Nothing => got,
            // A field that is null (git's unset config value) resolves to `undefined`.
            Answer::Field(key) => Some(option(&got, key)).filter(|v| !v.is_null()).unwrap_or(JsValue::UNDEFINED),
            Answer::Renamed(from, to) => object(&[(to, &option(&got, from))]),
        })
    }))
}

/// The one instance of `future_to_promise` (boxing keeps it from being copied for every
/// exported method, which made up much of the wasm size).
pub(crate) fn spawn_promise(fut: std::pin::Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(fut)
}

/// A timeout in seconds from JS (`0` means no limit, `undefined` the default).
pub(crate) fn seconds(t: Option<f64>) -> Option<Duration> {
    match t {
        None => None,
        Some(s) if s <= 0.0 || !s.is_finite() => Some(Duration::MAX),
        // Milliseconds through a saturating cast: no panicking float conversion in the wasm.
        Some(s) => Some(Duration::from_millis((s * 1000.0) as u64)),
    }
}

/// Converts a Rust value for JS with maps as plain objects.
pub(crate) fn to_js<T: serde::Serialize>(v: &T) -> Result<JsValue, crate::DaytonaError> {
    crate::json::to_js(v).map_err(crate::DaytonaError::Decode)
}

/// Field `key` of a JS options object (`undefined` when absent or not an object).
pub(crate) fn option(options: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Sets field `key` of a JS object (cannot fail on a plain object).
pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

/// A JS object of `fields`, leaving out those `undefined` or `null` (a request body built
/// from the JS values a method was given).
pub(crate) fn object(fields: &[(&str, &JsValue)]) -> JsValue {
    let target = js_sys::Object::new();
    for (key, value) in fields {
        if !value.is_undefined() && !value.is_null() {
            set(&target, key, value);
        }
    }
    target.into()
}

/// A `DaytonaInvalidArgumentError` with `message`, as a JS value.
pub(crate) fn invalid(message: &str) -> JsValue {
    error::to_js(crate::DaytonaError::InvalidArgument(message.into()))
}

/// The optional callback `options[name]` (`options.NAME must be a function` otherwise).
pub(crate) fn optional_function(options: &JsValue, name: &str) -> Result<Option<js_sys::Function>, JsValue> {
    use wasm_bindgen::JsCast;
    match option(options, name) {
        f if f.is_undefined() || f.is_null() => Ok(None),
        f => f.dyn_into().map(Some).map_err(|_| invalid(&format!("options.{name} must be a function"))),
    }
}

/// The optional `options.signal`.
pub(crate) fn optional_signal(options: &JsValue) -> Result<Option<web_sys::AbortSignal>, JsValue> {
    use wasm_bindgen::JsCast;
    match option(options, "signal") {
        s if s.is_undefined() || s.is_null() => Ok(None),
        s => s.dyn_into().map(Some).map_err(|_| invalid("options.signal must be an AbortSignal")),
    }
}

/// Refuses a key of the JS object `v` that is none of `fields`, naming it (`{what} has no field
/// "key"{hint}`): the decoders read only the fields they know, so a misspelt or unsupported one
/// (an official SDK's option this package does not send) would otherwise be dropped without a
/// word. A key whose value is `undefined` is no request and passes.
pub(crate) fn refuse_unknown_keys(v: &JsValue, fields: &[&str], what: &str, hint: &str) -> Result<(), JsValue> {
    use wasm_bindgen::JsCast;
    let Some(object) = v.dyn_ref::<js_sys::Object>() else { return Ok(()) };
    for key in js_sys::Object::keys(object).iter().filter_map(|k| k.as_string()) {
        if !fields.contains(&key.as_str()) && !option(v, &key).is_undefined() {
            return Err(invalid(&format!("{what} has no field {}{hint}", daytona_models::Quoted(&key))));
        }
    }
    Ok(())
}

/// Reads a JS argument into a Rust value (a type error rejects with `DaytonaInvalidArgumentError`).
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(what: &str, v: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(v)
        .map_err(|e| error::to_js(crate::DaytonaError::InvalidArgument(format!("{what}: {e}"))))
}
