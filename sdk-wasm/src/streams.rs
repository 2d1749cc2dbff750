//! Bindings to the byte-stream helpers in `js/streams.js`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/streams.js")]
extern "C" {
    /// Any upload source as a `Blob` (rejects with a `TypeError` for unsupported values).
    #[wasm_bindgen(js_name = toBlob, catch)]
    pub(crate) async fn to_blob(source: &JsValue) -> Result<JsValue, JsValue>;

    /// `stream` with a progress callback `(loaded, total)` after each chunk.
    #[wasm_bindgen(js_name = withProgress)]
    pub(crate) fn with_progress(
        stream: &web_sys::ReadableStream,
        total: Option<f64>,
        on_progress: &js_sys::Function,
    ) -> web_sys::ReadableStream;

    /// Collects a byte stream into a `Blob`.
    #[wasm_bindgen(js_name = streamToBlob, catch)]
    pub(crate) async fn stream_to_blob(
        stream: &web_sys::ReadableStream,
        content_type: Option<String>,
    ) -> Result<JsValue, JsValue>;

    /// Calls `on_line` with each line of a text stream as it comes; resolves at its end.
    #[wasm_bindgen(js_name = eachLine, catch)]
    pub(crate) async fn each_line(
        stream: &web_sys::ReadableStream,
        on_line: &js_sys::Function,
    ) -> Result<JsValue, JsValue>;
}
