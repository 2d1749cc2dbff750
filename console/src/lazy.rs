//! Modules bundled next to the console's `index.html` by `scripts/build-console.sh` (xterm.js,
//! KaTeX), imported with their stylesheet when first needed (`lazy.js`): pages that never need
//! one never download it.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/lazy.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadStyled)]
    fn load_styled(module: &str, css: &str) -> js_sys::Promise;
}

/// The module at `module`, once it and the stylesheet `css` have loaded (each once; a failed
/// load is tried again by the next call).
pub async fn load(module: &str, css: &str) -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(load_styled(module, css)).await
}
