//! Methods of the JS face that are a table row each: a method that sends its positional
//! arguments as the JSON body of one toolbox route is described by a [`Posted`], and its class
//! has a single export (`_post(index, args)`) for all of them. init.js defines the methods on
//! the classes' prototypes from [`posted`] once the wasm is loaded, and the .d.ts declares them
//! on an interface merged with each class (a test holds the two lists together).
//!
//! Size: an exported method costs its wasm-bindgen shim (every argument through the externref
//! table), an async state machine and a JS wrapper, 0.5–1 KB of wasm each; a row costs its
//! strings. Git, the mouse, the keyboard, recordings and the LSP are sent this way.

use wasm_bindgen::prelude::*;

use super::{invalid, send_request, set};
use crate::toolbox::Route;
use crate::Call;

/// What a method's promise resolves to.
#[derive(Clone, Copy)]
pub(crate) enum Answer {
    /// Nothing (the answer is not read).
    Nothing,
    /// The answer as the browser parsed it.
    Whole,
    /// Field `key` of the answer (`undefined` for a null field).
    Field(&'static str),
    /// `{ [to]: answer[from] }` (`{ hash }` → `{ sha }`, as `@daytonaio/sdk` names it).
    Renamed(&'static str, &'static str),
}

/// One method: its JS name, its route, the body's wire name of each positional argument in
/// order, and what it resolves to.
pub(crate) struct Posted {
    pub(crate) name: &'static str,
    pub(crate) route: Route,
    pub(crate) fields: &'static [&'static str],
    pub(crate) answer: Answer,
}

/// Sends method `index` of `table` with the positional `args`: a body of `first` and of each
/// argument under its wire name (those `undefined` or `null` left out), on the call `call`
/// makes of the method's route.
pub(crate) fn post(
    table: &[Posted],
    index: usize,
    args: &js_sys::Array,
    first: &[(&str, &JsValue)],
    call: impl FnOnce(Route) -> Call<()>,
) -> js_sys::Promise {
    let Some(method) = table.get(index) else {
        return js_sys::Promise::reject(&invalid("no such method"));
    };
    let body = js_sys::Object::new();
    let given = method.fields.iter().enumerate().map(|(i, field)| (*field, args.get(i as u32)));
    for (field, value) in first.iter().map(|(f, v)| (*f, (*v).clone())).chain(given) {
        if !value.is_undefined() && !value.is_null() {
            set(&body, field, &value);
        }
    }
    let call = call(method.route).js_body(&body.into());
    match method.answer {
        Answer::Nothing => send_request(call.unanswered().request(), Answer::Whole),
        answer => send_request(call.request(), answer),
    }
}

/// The classes with table methods: their `Posted` rows, then the methods their area's module
/// runs (see `lazy::lazy_methods`), each class's `_post(index, args)` taking both in this order.
pub(crate) const CLASSES: [(&str, &[Posted], &[&str]); 16] = [
    ("Git", &super::git::POSTED, super::git::LAZY),
    ("Accessibility", &super::computer_use::ACCESSIBILITY, super::computer_use::ACCESSIBILITY_LAZY),
    ("Mouse", &super::computer_use::MOUSE, super::computer_use::MOUSE_LAZY),
    ("Keyboard", &super::computer_use::KEYBOARD, &[]),
    ("RecordingService", &super::computer_use::RECORDING, super::computer_use::RECORDING_LAZY),
    ("LspServer", &super::lsp::POSTED, super::lsp::LAZY),
    ("ComputerUse", &[], super::computer_use::COMPUTER_USE_LAZY),
    ("Display", &[], super::computer_use::DISPLAY_LAZY),
    ("Screenshot", &[], super::computer_use::SCREENSHOT_LAZY),
    ("Process", &[], super::process::LAZY),
    ("Sandbox", &[], super::sandbox::LAZY),
    ("FileSystem", &[], super::fs::LAZY),
    ("CodeInterpreter", &[], super::interpreter::LAZY),
    ("SnapshotService", &[], super::services::SNAPSHOT_LAZY),
    ("VolumeService", &[], super::services::VOLUME_LAZY),
    ("PtyHandle", &[], super::pty::HANDLE_LAZY),
];

/// `[[class, "name name …"], …]` for init.js, which defines each name on the class's
/// prototype as a call of `_post(index, args)`.
pub(crate) fn posted() -> js_sys::Array {
    CLASSES
        .iter()
        .map(|(class, table, lazy)| {
            let names = table.iter().map(|m| m.name).chain(lazy.iter().copied()).collect::<Vec<_>>().join(" ");
            js_sys::Array::of2(&JsValue::from_str(class), &JsValue::from_str(&names))
        })
        .collect()
}

/// Method `index` of a class's rows: `table`'s (sent by `post` with `first` on the call `call`
/// makes), or past them one of those its area's module runs (`lazy`, with `this`).
pub(crate) fn post_or_run<T>(
    table: &[Posted],
    index: usize,
    args: js_sys::Array,
    first: &[(&str, &JsValue)],
    call: impl FnOnce(Route) -> Call<()>,
    lazy: fn((T, usize, js_sys::Array)) -> super::lazy::Loading,
    this: impl FnOnce() -> T,
) -> js_sys::Promise {
    match index.checked_sub(table.len()) {
        None => post(table, index, &args, first, call),
        Some(index) => super::lazy::run(lazy((this(), index, args))),
    }
}
