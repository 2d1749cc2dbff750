//! Areas of the JS face that live in WebAssembly modules of their own, fetched at their first
//! call: a page that never runs code in an interpreter, never opens a PTY or an event stream,
//! never drives a desktop, does not download the code that does. Four modules: `streams` (the
//! interpreter, PTYs, sessions, events: the areas on sockets), `manage` (a sandbox's settings,
//! the rarer file operations, snapshots and volumes), `desktop` and `code` (git and the LSP).
//! Few and coarse on purpose: the splitter puts what several modules share in chunks of its
//! own, one per set of sharers, and ten modules made a first `runCode` wait for eleven files.
//!
//! An area's calls reach it in one of two ways. A method exported as usual reads and checks its
//! arguments in the main module (bad ones throw at once) and hands them, as a value of a call
//! enum, to a dispatcher that starts the call ([`lazy_area!`]). Or the method is a row of its
//! class's table ([`lazy_methods!`]): the class's one `_post(index, args)` export hands the row's
//! index and the positional arguments over, and the area reads them (bad ones reject), so the
//! main module carries no export, JS wrapper or code per method, only its name.
//!
//! Either way the dispatcher is a split point: with feature `split` (the npm package, cut by
//! scripts/build-sdk.sh), everything only it reaches is moved by the splitter into the area's
//! module, which `__wasm_split.js` fetches and instantiates against the main module's memory
//! and table the first time; without it (the tests' builds, Rust users) it is an ordinary
//! call. A new method of a rarely used area belongs in its table: it then costs the main module
//! its name alone.

use std::future::Future;
use std::pin::Pin;

use wasm_bindgen::JsValue;

pub(crate) use super::Task;

/// An area's module could not be fetched or instantiated (the loader logs why to the console).
pub(crate) struct Unloaded;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for Unloaded {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Unloaded
    }
}

/// `$vis fn $name(call: $call) -> Loading`: `$start(call)`, run in module `$area` (see the
/// module docs). Awaiting it loads the module if needed (a failed load is retried by the next
/// call).
macro_rules! lazy_area {
    ($area:ident: $vis:vis $name:ident($call:ty) = $start:expr) => {
        $vis fn $name(call: $call) -> $crate::js::lazy::Loading {
            // (Named as the outer function: the split point's symbols carry its name, unique
            // among an area's split points.)
            #[cfg(feature = "split")]
            #[allow(improper_ctypes, improper_ctypes_definitions)]
            #[wasm_split_helpers::wasm_split($area, fallible)]
            fn $name(call: $call) -> Result<$crate::js::lazy::Task, $crate::js::lazy::Unloaded> {
                Ok(($start)(call))
            }

            #[cfg(not(feature = "split"))]
            async fn $name(call: $call) -> Result<$crate::js::lazy::Task, $crate::js::lazy::Unloaded> {
                Ok(($start)(call))
            }

            Box::pin($name(call))
        }
    };
}
pub(crate) use lazy_area;

/// A method of a class run by an area's module: what it starts with the class's Rust value and
/// its positional arguments (`Err`: a bad argument, which rejects its promise).
pub(crate) type Method<T> = fn(&T, &js_sys::Array) -> Result<Task, JsValue>;

/// A class's methods run by module `$area`, as table rows (see `posted`): `$names`, their JS
/// names (init.js defines them on the class after its `Posted` rows and the .d.ts declares
/// them on the class's interface), and `$dispatch((this, index, args))`, which runs method
/// `index` there. The methods themselves are referenced from the area's module alone: none of
/// their code, nor an export or JS wrapper per method, is in the main module.
macro_rules! lazy_methods {
    ($area:ident: $names:ident, $dispatch:ident($this:ty) = [$($name:literal => $method:expr),* $(,)?]) => {
        /// The JS names of the class's methods run by its area's module, in index order.
        pub(crate) const $names: &[&str] = &[$($name),*];

        $crate::js::lazy::lazy_area!($area: $dispatch(($this, usize, js_sys::Array)) =
            |(this, index, args): ($this, usize, js_sys::Array)| {
                let methods: [$crate::js::lazy::Method<$this>; $names.len()] = [$($method),*];
                match methods.get(index) {
                    Some(method) => method(&this, &args).unwrap_or_else($crate::js::lazy::rejected),
                    None => $crate::js::lazy::rejected($crate::js::invalid("no such method")),
                }
            });
    };
}
pub(crate) use lazy_methods;

/// A call that rejects with `error` at once.
pub(crate) fn rejected(error: JsValue) -> Task {
    Box::pin(std::future::ready(Err(error)))
}

/// Positional argument `i` read by `get` (`{name} must be {kind}` when it cannot be).
fn arg<T>(args: &js_sys::Array, i: u32, name: &str, kind: &str, get: fn(&JsValue) -> Option<T>) -> Result<T, JsValue> {
    get(&args.get(i)).ok_or_else(|| super::invalid(&format!("{name} must be {kind}")))
}

/// `read(args, i, name)` if argument `i` is given (`undefined` or `null`: not given).
fn optional<T>(
    args: &js_sys::Array,
    i: u32,
    name: &str,
    read: fn(&js_sys::Array, u32, &str) -> Result<T, JsValue>,
) -> Result<Option<T>, JsValue> {
    let v = args.get(i);
    (!v.is_undefined() && !v.is_null()).then(|| read(args, i, name)).transpose()
}

/// Positional argument `i`, named `name` in errors, as a string.
pub(crate) fn string_arg(args: &js_sys::Array, i: u32, name: &str) -> Result<String, JsValue> {
    arg(args, i, name, "a string", JsValue::as_string)
}

/// Positional argument `i` as a string, if given.
pub(crate) fn optional_string_arg(args: &js_sys::Array, i: u32, name: &str) -> Result<Option<String>, JsValue> {
    optional(args, i, name, string_arg)
}

/// Positional argument `i` as a number.
pub(crate) fn number_arg(args: &js_sys::Array, i: u32, name: &str) -> Result<f64, JsValue> {
    arg(args, i, name, "a number", JsValue::as_f64)
}

/// Positional argument `i` as a number, if given.
pub(crate) fn optional_number_arg(args: &js_sys::Array, i: u32, name: &str) -> Result<Option<f64>, JsValue> {
    optional(args, i, name, number_arg)
}

/// Positional argument `i` as an integer from 1 to 65535: a port, a terminal's columns or rows.
pub(crate) fn u16_arg(args: &js_sys::Array, i: u32, name: &str) -> Result<u16, JsValue> {
    let in_range = |v: &JsValue| v.as_f64().filter(|n| n.fract() == 0.0 && (1.0..=65535.0).contains(n));
    arg(args, i, name, "an integer from 1 to 65535", in_range).map(|n| n as u16)
}

/// An area's dispatcher called: resolves to the started call once the module is in.
pub(crate) type Loading = Pin<Box<dyn Future<Output = Result<Task, Unloaded>>>>;

/// Runs a call of an area (`loaded`: its dispatcher called, boxed so that one copy of this
/// serves every area) as a JS `Promise`; a module that cannot be loaded rejects it with
/// `DaytonaConnectionError`.
pub(crate) fn run(loaded: Loading) -> js_sys::Promise {
    super::spawn_promise(Box::pin(async move {
        match loaded.await {
            Ok(task) => task.await,
            Err(Unloaded) => Err(super::error::to_js(crate::DaytonaError::Connection(
                "a module of the SDK could not be loaded (the browser's console says why)".into(),
            ))),
        }
    }))
}
