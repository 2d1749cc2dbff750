//! Builds from the main module's JS face: `daytona.create({ image })` and
//! `daytona.snapshot.create({ name, image })` take an image name (built as `FROM name`, as the
//! official SDK does) or an `Image` of `daytona-wasm/image`, a WebAssembly module of its own.
//! This module uses such an image through its `dockerfile`, `_contextCount` and
//! `_uploadContexts(pushAccess, options)`: the push access comes from this module's client (the
//! control plane's credentials never reach the other module), the uploads from the image's.

use std::rc::Rc;

use daytona_models::{BuildInfo, Dockerfile};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{invalid, option, send, strings};
use crate::client::Client;
use crate::http::Method;
use crate::{Call, LogFn};

/// What an `image` parameter is built from.
pub(crate) struct JsBuild {
    /// The Dockerfile.
    dockerfile: String,
    /// The `Image` whose local files are uploaded first (none for a name or an image without).
    uploader: Option<JsValue>,
}

impl JsBuild {
    /// The build of `image`: a name or an `Image` (`what` names the parameter in errors).
    pub(crate) fn of(image: &JsValue, what: &str) -> Result<Self, JsValue> {
        if let Some(name) = image.as_string() {
            return Ok(Self { dockerfile: Dockerfile::base(&name).as_str().to_owned(), uploader: None });
        }
        let dockerfile = option(image, "dockerfile").as_string();
        match (dockerfile, option(image, "_uploadContexts").is_function()) {
            (Some(dockerfile), true) => {
                let files = option(image, "_contextCount").as_f64().unwrap_or(0.0) > 0.0;
                Ok(Self { dockerfile, uploader: files.then(|| image.clone()) })
            }
            _ => Err(invalid(&format!(
                "{what} must be an image name or an Image (import {{ Image }} from 'daytona-wasm/image')"
            ))),
        }
    }

    /// With `entrypoint` (an array of strings; `undefined`: as it is) as the image's
    /// `ENTRYPOINT` (the user's `Image` is left as it is).
    pub(crate) fn with_entrypoint(mut self, entrypoint: &JsValue) -> Result<Self, JsValue> {
        if !entrypoint.is_undefined() && !entrypoint.is_null() {
            let args = strings(entrypoint, "params.entrypoint")?;
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut dockerfile = Dockerfile::from_text(&self.dockerfile);
            dockerfile.entrypoint(&args);
            self.dockerfile = dockerfile.as_str().to_owned();
        }
        Ok(self)
    }

    /// The `buildInfo`, the image's local files uploaded first (`options`: `{ onProgress,
    /// signal, timeout }` of the upload).
    pub(crate) async fn info(self, client: &Rc<Client>, options: &JsValue) -> Result<BuildInfo, JsValue> {
        let context_hashes = match &self.uploader {
            None => None,
            Some(image) => {
                let access = Call::<()>::new(client, Method::Get, client.api("/object-storage/push-access"));
                let access = JsFuture::from(send(access)).await?;
                let upload: js_sys::Function = option(image, "_uploadContexts").unchecked_into();
                let uploaded = js_sys::Promise::resolve(&upload.call2(image, &access, options)?);
                let hashes = JsFuture::from(uploaded).await?;
                Some(strings(&hashes, "the image's uploaded context hashes")?)
            }
        };
        Ok(BuildInfo { dockerfile_content: self.dockerfile, context_hashes })
    }
}

/// The optional log callback `options[name]` as a [`LogFn`].
pub(crate) fn log_fn(options: &JsValue, name: &str) -> Result<Option<LogFn>, JsValue> {
    Ok(super::optional_function(options, name)?.map(|f| {
        let log: LogFn = Rc::new(move |line: &str| {
            let _ = f.call1(&JsValue::NULL, &JsValue::from_str(line));
        });
        log
    }))
}
