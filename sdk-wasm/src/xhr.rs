//! Uploads through `XMLHttpRequest`: unlike `fetch`, it reports upload progress, and the
//! browser streams `Blob`/`File` parts of a `FormData` body from disk. Also the object
//! storage's requests, whose answers' `ETag` headers it reads.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{FormData, XmlHttpRequest};

use crate::http::{js_message, AbortGuard};
use crate::transfer::TransferOptions;
use crate::DaytonaError;

/// How the request ended.
enum Outcome {
    Loaded,
    Failed,
}

/// POSTs `form` to `url` with `headers`; resolves to the response body on a 2xx status.
pub(crate) async fn post_form(
    url: &str,
    headers: &[(String, String)],
    form: &FormData,
    opts: &TransferOptions,
) -> Result<String, DaytonaError> {
    send("POST", url, headers, Body::Form(form), opts).await.map(|answer| answer.body)
}

/// What a request sends.
pub(crate) enum Body<'a> {
    /// Nothing.
    None,
    /// A multipart form.
    Form(&'a FormData),
    /// A blob (sent by the browser from where it is).
    Blob(&'a web_sys::Blob),
    /// Text.
    Text(&'a str),
}

/// A 2xx answer.
pub(crate) struct Answer {
    /// Its body.
    pub body: String,
    /// Its `ETag` header, if it has one the page may read.
    pub etag: Option<String>,
}

/// Sends `body` to `url` with `method` and `headers`, reporting upload progress to `opts`;
/// resolves to the answer on a 2xx status.
pub(crate) async fn send(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Body<'_>,
    opts: &TransferOptions,
) -> Result<Answer, DaytonaError> {
    let what = format!("{method} {url}");
    let guard = AbortGuard::new(opts.signal.as_ref(), Some(opts.timeout()))?;
    let xhr = XmlHttpRequest::new().map_err(|e| DaytonaError::Connection(js_message(&e)))?;
    xhr.open_with_async(method, url, true).map_err(|e| DaytonaError::InvalidArgument(js_message(&e)))?;
    for (k, v) in headers {
        xhr.set_request_header(k, v).map_err(|e| DaytonaError::InvalidArgument(js_message(&e)))?;
    }

    let (tx, rx) = oneshot::channel::<Outcome>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let finish = |outcome: fn() -> Outcome| {
        let tx = Rc::clone(&tx);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(outcome());
            }
        })
    };
    let on_load = finish(|| Outcome::Loaded);
    let on_fail = finish(|| Outcome::Failed);
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_fail.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_fail.as_ref().unchecked_ref()));

    let progress = opts.js_progress();
    let on_progress = progress.map(|report| {
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
            let total = if ev.length_computable() { JsValue::from(ev.total()) } else { JsValue::UNDEFINED };
            let _ = report.call2(&JsValue::NULL, &JsValue::from(ev.loaded()), &total);
        })
    });
    if let (Some(cb), Ok(upload)) = (&on_progress, xhr.upload()) {
        upload.set_onprogress(Some(cb.as_ref().unchecked_ref()));
    }
    let abort_xhr = {
        let xhr = xhr.clone();
        Closure::<dyn FnMut()>::new(move || {
            let _ = xhr.abort();
        })
    };
    guard
        .signal
        .add_event_listener_with_callback("abort", abort_xhr.as_ref().unchecked_ref())
        .map_err(|e| DaytonaError::Connection(js_message(&e)))?;

    let sent = match body {
        Body::None => xhr.send(),
        Body::Form(form) => xhr.send_with_opt_form_data(Some(form)),
        Body::Blob(blob) => xhr.send_with_opt_blob(Some(blob)),
        Body::Text(text) => xhr.send_with_opt_str(Some(text)),
    };
    sent.map_err(|e| DaytonaError::Connection(js_message(&e)))?;
    let outcome = rx.await.unwrap_or(Outcome::Failed);
    let _ = guard.signal.remove_event_listener_with_callback("abort", abort_xhr.as_ref().unchecked_ref());
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(None);
    }
    xhr.set_onload(None);
    xhr.set_onerror(None);
    xhr.set_onabort(None);

    if let Outcome::Failed = outcome {
        return Err(guard.error(&what, &JsValue::from_str("network error")));
    }
    let status = xhr.status().unwrap_or(0);
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        Ok(Answer { body, etag: xhr.get_response_header("ETag").ok().flatten() })
    } else {
        Err(DaytonaError::from_response(status, &body))
    }
}
