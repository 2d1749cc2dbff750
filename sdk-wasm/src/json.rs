//! JSON through the browser's own `JSON.parse`/`JSON.stringify`, with serde-wasm-bindgen
//! between JS values and Rust types: no JSON parser compiled into the wasm, and one
//! deserializer per model (the JS face needs serde-wasm-bindgen anyway).

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// A Rust value as a JS value, maps as plain objects (what `JSON.stringify` expects).
pub(crate) fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, String> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| e.to_string())
}

/// A JS value as a Rust value.
pub(crate) fn from_js<T: DeserializeOwned>(v: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string())
}

/// `v` as JSON text.
pub(crate) fn to_string<T: Serialize + ?Sized>(v: &T) -> Result<String, String> {
    stringify(&to_js(v)?)
}

/// A JS value as JSON text (not generic: one copy for every body).
#[inline(never)]
pub(crate) fn stringify(js: &JsValue) -> Result<String, String> {
    js_sys::JSON::stringify(js).map(String::from).map_err(|e| crate::http::js_message(&e))
}

/// JSON text parsed into a JS value.
pub(crate) fn parse(text: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(text).map_err(|e| crate::http::js_message(&e))
}

/// JSON text as a Rust value.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    from_js(parse(text)?)
}
