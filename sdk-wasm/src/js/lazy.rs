//! Areas of the JS face that live in WebAssembly modules of their own, fetched at their first
//! call: a page that never runs code in an interpreter, never opens a PTY or an event stream,
//! never drives a desktop, does not download the code that does.
//!
//! An area is a call enum (its methods' arguments, read and checked by the main module, so
//! bad arguments still throw at once) and a dispatcher that starts the call. [`lazy_area!`]
//! makes the dispatcher a split point: with feature `split` (the npm package, cut by
//! scripts/build-sdk.sh), everything only it reaches is moved by the splitter into the area's
//! module, which `__wasm_split.js` fetches and instantiates against the main module's memory
//! and table the first time; without it (the tests' builds, Rust users) it is an ordinary
//! call.

use std::future::Future;
use std::pin::Pin;

use wasm_bindgen::JsValue;

/// A started call of an area: resolves to the JS value its promise resolves to.
pub(crate) type Task = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

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
    ($area:ident: $vis:vis $name:ident($call:ty) = $start:path) => {
        $vis fn $name(call: $call) -> $crate::js::lazy::Loading {
            #[cfg(feature = "split")]
            #[allow(improper_ctypes, improper_ctypes_definitions)]
            #[wasm_split_helpers::wasm_split($area, fallible)]
            fn split(call: $call) -> Result<$crate::js::lazy::Task, $crate::js::lazy::Unloaded> {
                Ok($start(call))
            }

            #[cfg(not(feature = "split"))]
            async fn split(call: $call) -> Result<$crate::js::lazy::Task, $crate::js::lazy::Unloaded> {
                Ok($start(call))
            }

            Box::pin(split(call))
        }
    };
}
pub(crate) use lazy_area;

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
