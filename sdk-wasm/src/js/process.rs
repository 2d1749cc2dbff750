use std::collections::BTreeMap;

use wasm_bindgen::prelude::*;

use super::{from_js, promise, to_js};
use crate::Process;

/// Process execution in a sandbox (`sandbox.process`).
#[wasm_bindgen(js_name = Process)]
pub struct JsProcess {
    inner: Process,
}

impl From<Process> for JsProcess {
    fn from(inner: Process) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen(js_class = Process)]
impl JsProcess {
    /// Runs a shell command; resolves to `{ exitCode, result, artifacts }`.
    /// `timeout` is in seconds and kills the command's process group.
    #[wasm_bindgen(js_name = executeCommand, unchecked_return_type = "Promise<ExecuteResponse>")]
    pub fn execute_command(
        &self,
        command: String,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] cwd: Option<String>,
        #[wasm_bindgen(unchecked_optional_param_type = "Record<string, string>")] env: Option<js_sys::Object>,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] timeout: Option<f64>,
    ) -> Result<js_sys::Promise, JsValue> {
        let env: Option<BTreeMap<String, String>> = match env {
            Some(obj) => Some(from_js("env", obj.into())?),
            None => None,
        };
        let inner = self.inner.clone();
        let timeout = timeout.filter(|t| *t > 0.0).map(|t| t.ceil() as u64);
        Ok(promise(async move {
            let resp = inner.exec(&command, cwd.as_deref(), env, timeout).await?;
            to_js(&resp)
        }))
    }
}
