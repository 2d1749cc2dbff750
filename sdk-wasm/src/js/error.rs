//! Rust errors into the JS error classes of `js/errors.js`, in one place.

use wasm_bindgen::prelude::*;

use crate::DaytonaError;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = createDaytonaError)]
    fn create_daytona_error(
        class_name: &str,
        message: &str,
        status_code: Option<u16>,
        code: Option<String>,
        source: Option<String>,
    ) -> JsValue;
}

/// The JS error for `e`: an instance of the matching `Daytona…Error` class with
/// `statusCode`, `code` and `source`.
pub(crate) fn to_js(e: DaytonaError) -> JsValue {
    let source = match &e {
        DaytonaError::Api { origin, .. } => origin.clone(),
        _ => None,
    };
    create_daytona_error(e.kind().class_name(), &e.to_string(), e.status_code(), e.code().map(str::to_owned), source)
}
