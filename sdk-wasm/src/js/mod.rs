//! The JS/TS face (wasm-bindgen exports), named after `@daytonaio/sdk`. This module is the
//! only place that converts between Rust and JS values; errors become typed JS `Error`s here.
//!
//! Two WebAssembly modules are built from it: the package's main one (feature `js`: every
//! class but `Image`) and `daytona-wasm/image` (feature `js-image`: the `Image` builder and the
//! uploads of its local files, see `image`), which only pages that build images download.

// The helpers here serve both modules; a build of one leaves some unused.
#![cfg_attr(not(all(feature = "js", feature = "js-image")), allow(dead_code))]

/// The main module's classes and their helpers (feature `js`).
macro_rules! main_module {
    ($($m:ident),*) => {
        $(#[cfg(feature = "js")] mod $m;)*
    };
}
main_module!(
    build,
    computer_use,
    daytona,
    events,
    fs,
    git,
    interpreter,
    lazy,
    list,
    lsp,
    posted,
    process,
    pty,
    sandbox,
    services
);
mod error;
#[cfg(feature = "js-image")]
mod image;

use std::future::Future;
use std::time::Duration;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[cfg(feature = "js-image")]
pub use image::JsImage;
#[cfg(feature = "js")]
use posted::Answer;
#[cfg(feature = "js")]
pub use {
    computer_use::{JsComputerUse, JsDisplay, JsKeyboard, JsMouse, JsRecordingService, JsScreenshot},
    daytona::JsDaytona,
    events::JsSandboxEvents,
    fs::JsFileSystem,
    git::JsGit,
    interpreter::JsCodeInterpreter,
    list::JsSandboxIterator,
    lsp::JsLspServer,
    process::JsProcess,
    sandbox::JsSandbox,
    services::{JsSnapshotService, JsVolumeService},
};

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

#[cfg(feature = "js")]
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
    spawn_promise(task(fut))
}

/// A started JS call: resolves to the JS value its promise resolves to (or rejects with).
pub(crate) type Task = std::pin::Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// `fut` boxed as a JS call: its value resolved for JS, its error a typed Daytona error.
pub(crate) fn task<F, T>(fut: F) -> Task
where
    F: Future<Output = Result<T, crate::DaytonaError>> + 'static,
    T: Resolve,
{
    Box::pin(async move { fut.await.map(Resolve::resolve).map_err(error::to_js) })
}

#[cfg(feature = "js")]
/// Sends `call` and resolves to its answer as the browser parsed it (`undefined` for a call
/// answering nothing): no Rust model in between.
pub(crate) fn send<T>(call: crate::Call<T>) -> js_sys::Promise {
    spawn_promise(sending(call))
}

#[cfg(feature = "js")]
/// Sends `call` and resolves to field `key` of its answer (`{ sessions: [...] }` → the list;
/// `undefined` for a null field).
pub(crate) fn send_field<T>(call: crate::Call<T>, key: &'static str) -> js_sys::Promise {
    spawn_promise(sending_field(call, key))
}

#[cfg(feature = "js")]
/// Sends `request` and resolves to what `answer` picks of its answer.
fn send_request(request: crate::call::Request, answer: Answer) -> js_sys::Promise {
    spawn_promise(request_task(request, answer))
}

#[cfg(feature = "js")]
/// Sends `call` as a started JS call (see `task`) resolving to its answer as the browser parsed
/// it: [`send`] for the methods run by an area's module.
pub(crate) fn sending<T>(call: crate::Call<T>) -> Task {
    request_task(call.request(), Answer::Whole)
}

#[cfg(feature = "js")]
/// [`sending`] resolving to field `key` of the answer (see [`send_field`]).
pub(crate) fn sending_field<T>(call: crate::Call<T>, key: &'static str) -> Task {
    request_task(call.request(), Answer::Field(key))
}

#[cfg(feature = "js")]
/// Sends `request`; what `answer` picks of its answer.
fn request_task(request: crate::call::Request, answer: Answer) -> Task {
    let sent = request.send();
    Box::pin(async move {
        let got = sent.await.map_err(error::to_js)?;
        Ok(match answer {
            Answer::Whole | Answer::Nothing => got,
            // A field that is null (git's unset config value) resolves to `undefined`.
            Answer::Field(key) => Some(option(&got, key)).filter(|v| !v.is_null()).unwrap_or(JsValue::UNDEFINED),
            Answer::Renamed(from, to) => object(&[(to, &option(&got, from))]),
        })
    })
}

/// The one instance of `future_to_promise` (boxing keeps it from being copied for every
/// exported method, which made up much of the wasm size).
pub(crate) fn spawn_promise(fut: Task) -> js_sys::Promise {
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
///
/// Only objects are asked: `Reflect.get` throws on anything else, and a thrown error costs
/// ~0.1 ms (its stack captured), a fifth of a short call's own time in the browser.
pub(crate) fn option(options: &JsValue, key: &str) -> JsValue {
    match options.is_object() || options.is_function() {
        true => js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED),
        false => JsValue::UNDEFINED,
    }
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
    match option(options, name) {
        f if f.is_undefined() || f.is_null() => Ok(None),
        f => f.dyn_into().map(Some).map_err(|_| invalid(&format!("options.{name} must be a function"))),
    }
}

/// The optional `options.signal`.
pub(crate) fn optional_signal(options: &JsValue) -> Result<Option<web_sys::AbortSignal>, JsValue> {
    match option(options, "signal") {
        s if s.is_undefined() || s.is_null() => Ok(None),
        s => s.dyn_into().map(Some).map_err(|_| invalid("options.signal must be an AbortSignal")),
    }
}

/// Checks the JS options object `v` (named `what` in errors): `undefined` or `null` only when
/// it is not `required`, never a value of another kind (a string read field by field would
/// read as an empty object), and with `fields`, no key outside them, named in the error
/// (`{what} has no field "key"{hint}`): the readers take only the fields they know, so a
/// misspelt or unsupported one (an official SDK's option this package does not send) would
/// otherwise be dropped without a word. A key whose value is `undefined` is no request.
pub(crate) fn check_object(
    v: &JsValue,
    what: &str,
    required: bool,
    fields: Option<&[&str]>,
    hint: &str,
) -> Result<(), JsValue> {
    if v.is_undefined() || v.is_null() {
        return match required {
            true => Err(invalid(&format!("{what} is required"))),
            false => Ok(()),
        };
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(invalid(&format!("{what} must be an object")));
    }
    let Some(fields) = fields else { return Ok(()) };
    for key in js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>()).iter().filter_map(|k| k.as_string()) {
        if !fields.contains(&key.as_str()) && !option(v, &key).is_undefined() {
            return Err(invalid(&format!("{what} has no field {}{hint}", daytona_models::Quoted(&key))));
        }
    }
    Ok(())
}

/// Reads `{ onProgress, signal, timeout }`.
pub(crate) fn transfer_options(v: &JsValue) -> Result<crate::TransferOptions, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(crate::TransferOptions::default());
    }
    let on_progress = match optional_function(v, "onProgress")? {
        None => None,
        Some(f) => {
            let cb: crate::ProgressFn = std::rc::Rc::new(move |p: crate::TransferProgress| {
                let ev = js_sys::Object::new();
                set(&ev, "loaded", &(p.loaded as f64).into());
                if let Some(t) = p.total {
                    set(&ev, "total", &(t as f64).into());
                }
                let _ = f.call1(&JsValue::NULL, &ev);
            });
            Some(cb)
        }
    };
    let signal = optional_signal(v)?;
    let timeout = seconds(option(v, "timeout").as_f64());
    Ok(crate::TransferOptions { on_progress, signal, timeout })
}

/// `v` as an array of strings.
pub(crate) fn strings(v: &JsValue, what: &str) -> Result<Vec<String>, JsValue> {
    let bad = || invalid(&format!("{what} must be an array of strings"));
    if !js_sys::Array::is_array(v) {
        return Err(bad());
    }
    js_sys::Array::from(v).iter().map(|s| s.as_string().ok_or_else(bad)).collect()
}

/// Field `key` of the JS object `v` read by `get` (`None` when absent, `undefined` or `null`;
/// `{what}.{key} must be {kind}` when `get` cannot read it). The JS face reads small option
/// objects this way: a serde decoder per options type costs ~1 KB of wasm each.
fn field<T>(
    v: &JsValue,
    key: &str,
    what: &str,
    kind: &str,
    get: fn(&JsValue) -> Option<T>,
) -> Result<Option<T>, JsValue> {
    match option(v, key) {
        f if f.is_undefined() || f.is_null() => Ok(None),
        f => get(&f).map(Some).ok_or_else(|| invalid(&format!("{what}.{key} must be {kind}"))),
    }
}

/// Field `key` of `v` as a string (see [`field`]).
pub(crate) fn string_field(v: &JsValue, key: &str, what: &str) -> Result<Option<String>, JsValue> {
    field(v, key, what, "a string", JsValue::as_string)
}

/// Field `key` of `v` as an integer (see [`field`]).
pub(crate) fn int_field(v: &JsValue, key: &str, what: &str) -> Result<Option<i64>, JsValue> {
    field(v, key, what, "an integer", |f| f.as_f64().filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15).map(|n| n as i64))
}

/// Field `key` of `v` as an integer from 0 to 2³²−1 (see [`field`]).
pub(crate) fn u32_field(v: &JsValue, key: &str, what: &str) -> Result<Option<u32>, JsValue> {
    let bad = || invalid(&format!("{what}.{key} must be an integer from 0 to 4294967295"));
    int_field(v, key, what)?.map(|n| u32::try_from(n).map_err(|_| bad())).transpose()
}

/// Field `key` of `v` as a boolean (see [`field`]).
pub(crate) fn bool_field(v: &JsValue, key: &str, what: &str) -> Result<Option<bool>, JsValue> {
    field(v, key, what, "a boolean", JsValue::as_bool)
}

/// Field `key` of `v` as a map of strings (`{what}.{key}: …` when it is not one).
pub(crate) fn map_field(
    v: &JsValue,
    key: &str,
    what: &str,
) -> Result<Option<std::collections::BTreeMap<String, String>>, JsValue> {
    match option(v, key) {
        m if m.is_undefined() || m.is_null() => Ok(None),
        m => from_js(&format!("{what}.{key}"), m).map(Some),
    }
}

/// Reads a JS argument into a Rust value (a type error rejects with `DaytonaInvalidArgumentError`).
pub(crate) fn from_js<T: serde::de::DeserializeOwned>(what: &str, v: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(v)
        .map_err(|e| error::to_js(crate::DaytonaError::InvalidArgument(format!("{what}: {e}"))))
}
