//! The one place that talks to the network: JSON calls (by `XMLHttpRequest` where there is
//! one, see `js/call.js`) and `fetch` for the rest, with auth headers, timeouts, cancellation
//! and Daytona's error envelope.

use std::time::Duration;

use futures::future::LocalBoxFuture;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestInit, Response};

use crate::error::DaytonaError;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (works in windows and workers alike).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> js_sys::Promise;

    /// `JSON.parse` of a JS string (not copied into wasm memory on the way).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(module = "/js/call.js")]
extern "C" {
    /// Sends a JSON call; resolves to its [`CallAnswer`] whatever its status.
    #[wasm_bindgen(js_name = call)]
    fn send_call(
        method: &str,
        url: &str,
        headers: &js_sys::Object,
        body: Option<&str>,
        signal: Option<&AbortSignal>,
        keepalive: bool,
    ) -> js_sys::Promise;

    /// A call's answer: an `XMLHttpRequest` done, or `{ status, responseText }`.
    type CallAnswer;
    #[wasm_bindgen(method, getter)]
    fn status(this: &CallAnswer) -> u16;
    #[wasm_bindgen(method, getter, js_name = responseText)]
    fn text(this: &CallAnswer) -> JsValue;
}

/// Per-call options: a timeout and a caller's `AbortSignal`.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Give up after this long (`DaytonaError::Timeout`).
    pub timeout: Option<Duration>,
    /// Cancel when this signal fires (`DaytonaError::Aborted`).
    pub signal: Option<AbortSignal>,
    /// Outlive the page: the browser sends the request even if the page is being unloaded
    /// (fetch's `keepalive`; for small requests made as a page goes, such as deleting what it
    /// made). Honoured by JSON calls ([`Http::call`]), the only ones that ask for it.
    pub keepalive: bool,
}

impl CallOptions {
    /// Options with only a timeout.
    pub fn timeout(timeout: Option<Duration>) -> Self {
        Self { timeout, ..Self::default() }
    }
}

/// HTTP methods the SDK uses.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// What a request sends.
enum Payload {
    /// JSON text, or why the value could not be written as JSON.
    Json(Result<String, String>),
    /// A multipart form.
    Form(web_sys::FormData),
}

/// Sends requests with the SDK's headers.
#[derive(Clone, Debug)]
pub(crate) struct Http {
    headers: Vec<(String, String)>,
    /// The headers as the JS object every request takes, without and with the JSON body's
    /// `Content-Type` (made once: no header crosses from the wasm per request).
    plain: js_sys::Object,
    json: js_sys::Object,
    default_timeout: Option<Duration>,
}

/// The message of a JS error value.
pub(crate) fn js_message(v: &JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        // Anything else as JSON (`Debug` is compiled out of the npm package).
        .or_else(|| js_sys::JSON::stringify(v).ok().map(String::from))
        .unwrap_or_else(|| "unknown error".into())
}

impl Http {
    /// A client sending `headers` on every request.
    pub fn new(headers: Vec<(String, String)>, default_timeout: Option<Duration>) -> Self {
        let object = |extra: Option<(&str, &str)>| {
            let o = js_sys::Object::new();
            for (k, v) in headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(extra) {
                let _ = js_sys::Reflect::set(&o, &k.into(), &v.into());
            }
            o
        };
        let (plain, json) = (object(None), object(Some(("Content-Type", "application/json"))));
        Self { headers, plain, json, default_timeout }
    }

    /// The headers sent on every request (auth and SDK identification).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Sends a request; non-2xx answers become [`DaytonaError::Api`].
    ///
    /// Only the body's serialization is generic; the request itself is one boxed future for
    /// every call, so its state machine is compiled once rather than into each method.
    pub fn send<'a>(
        &'a self,
        method: Method,
        url: &'a str,
        body: Option<&(impl Serialize + ?Sized)>,
        opts: &'a CallOptions,
    ) -> LocalBoxFuture<'a, Result<Response, DaytonaError>> {
        self.fetch(method, url, body.map(crate::json::to_string), opts)
    }

    /// Sends a request with a JSON body (or none); see [`Http::send`].
    pub(crate) fn fetch<'a>(
        &'a self,
        method: Method,
        url: &'a str,
        body: Option<Result<String, String>>,
        opts: &'a CallOptions,
    ) -> LocalBoxFuture<'a, Result<Response, DaytonaError>> {
        self.request(method, url, body.map(Payload::Json), opts)
    }

    /// POSTs a multipart form (its files sent by the browser from where they are, with the
    /// boundary it writes in the `Content-Type`). Faster than `XMLHttpRequest` (0.82–0.92× a
    /// `fetch` of the same form in Chromium, 256 MiB), which uploads use only for progress.
    pub(crate) fn post_form<'a>(
        &'a self,
        url: &'a str,
        form: web_sys::FormData,
        opts: &'a CallOptions,
    ) -> LocalBoxFuture<'a, Result<Response, DaytonaError>> {
        self.request(Method::Post, url, Some(Payload::Form(form)), opts)
    }

    /// The signal of a call with `opts`: only when there is something to cancel with (none
    /// is the common case).
    fn guard(&self, opts: &CallOptions) -> Result<Option<AbortGuard>, DaytonaError> {
        match (&opts.signal, opts.timeout.or(self.default_timeout)) {
            (None, None) => Ok(None),
            (signal, timeout) => AbortGuard::new(signal.as_ref(), timeout).map(Some),
        }
    }

    fn request<'a>(
        &'a self,
        method: Method,
        url: &'a str,
        body: Option<Payload>,
        opts: &'a CallOptions,
    ) -> LocalBoxFuture<'a, Result<Response, DaytonaError>> {
        Box::pin(async move {
            let init = RequestInit::new();
            init.set_method(method.as_str());
            match body {
                Some(Payload::Json(json)) => {
                    init.set_body(&JsValue::from_str(&json.map_err(DaytonaError::InvalidArgument)?));
                    init.set_headers(&self.json);
                }
                Some(Payload::Form(form)) => {
                    init.set_body(&form);
                    init.set_headers(&self.plain);
                }
                None => init.set_headers(&self.plain),
            }
            let guard = self.guard(opts)?;
            if let Some(guard) = &guard {
                init.set_signal(Some(&guard.signal));
            }
            let resp: Response = match JsFuture::from(global_fetch(url, &init)).await {
                Ok(v) => v.unchecked_into(),
                Err(e) => {
                    return Err(send_error(method, url, guard.as_ref(), &e));
                }
            };
            if resp.ok() {
                return Ok(resp);
            }
            let status = resp.status();
            let body = text(&resp).await.unwrap_or_default();
            Err(DaytonaError::from_response(status, &body))
        })
    }

    /// Sends a JSON call (`js/call.js`: by `XMLHttpRequest` where there is one; a 429 that
    /// says when to come back, within a minute, is sent again then, up to three times, within
    /// the call's timeout and signal) and reads its JSON answer as a JS value, or leaves it
    /// unread (`void`: `undefined`); non-2xx answers become [`DaytonaError::Api`]. One boxed
    /// future for every call.
    pub(crate) fn call<'a>(
        &'a self,
        method: Method,
        url: &'a str,
        body: Option<Result<String, String>>,
        opts: &'a CallOptions,
        void: bool,
    ) -> LocalBoxFuture<'a, Result<JsValue, DaytonaError>> {
        Box::pin(async move {
            let body = body.transpose().map_err(DaytonaError::InvalidArgument)?;
            let headers = if body.is_some() { &self.json } else { &self.plain };
            let guard = self.guard(opts)?;
            let signal = guard.as_ref().map(|g| &g.signal);
            let sent = send_call(method.as_str(), url, headers, body.as_deref(), signal, opts.keepalive);
            let answer: CallAnswer = match JsFuture::from(sent).await {
                Ok(v) => v.unchecked_into(),
                Err(e) => {
                    return Err(send_error(method, url, guard.as_ref(), &e));
                }
            };
            let (status, text) = (answer.status(), answer.text());
            if !(200..300).contains(&status) {
                return Err(DaytonaError::from_response(status, &text.as_string().unwrap_or_default()));
            }
            match void {
                true => Ok(JsValue::UNDEFINED),
                false => json_parse(&text).map_err(|e| DaytonaError::Decode(format!("{url}: {}", js_message(&e)))),
            }
        })
    }

    /// The whole answer as bytes (one boxed future for every caller, as `fetch`); the call's
    /// timeout and signal govern the body too.
    pub(crate) fn bytes<'a>(
        &'a self,
        method: Method,
        url: &'a str,
        opts: &'a CallOptions,
    ) -> LocalBoxFuture<'a, Result<Vec<u8>, DaytonaError>> {
        Box::pin(async move {
            let resp = self.fetch(method, url, None, opts).await?;
            let promise =
                resp.array_buffer().map_err(|e| DaytonaError::Decode(format!("{url}: {}", js_message(&e))))?;
            let buffer = JsFuture::from(promise).await.map_err(|e| body_error(url, &e))?;
            Ok(js_sys::Uint8Array::new(&buffer).to_vec())
        })
    }
}

/// Why reading a body failed: not JSON (`SyntaxError`), the call's timeout or abort signal
/// firing mid-body, or the connection.
fn body_error(url: &str, e: &JsValue) -> DaytonaError {
    let name = js_sys::Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
    let what = format!("{url}: {}", js_message(e));
    match name.as_str() {
        "SyntaxError" => DaytonaError::Decode(what),
        "TimeoutError" => DaytonaError::Timeout(what),
        "AbortError" => DaytonaError::Aborted(what),
        _ => DaytonaError::Connection(what),
    }
}

/// The whole body as text.
async fn text(resp: &Response) -> Result<String, DaytonaError> {
    let promise = resp.text().map_err(|e| DaytonaError::Decode(js_message(&e)))?;
    let v: JsValue = JsFuture::from(promise).await.map_err(|e| DaytonaError::Connection(js_message(&e)))?;
    Ok(v.as_string().unwrap_or_default())
}

/// The signal of one call: the caller's `AbortSignal` and the timeout combined. It also
/// governs the response body, so a timeout or cancel stops a download mid-stream.
pub(crate) struct AbortGuard {
    /// Combined signal to pass to `fetch`.
    pub signal: AbortSignal,
    user: Option<AbortSignal>,
    timer: Option<(AbortSignal, Duration)>,
}

impl AbortGuard {
    /// Combines `user` and a `timeout`; fails at once if `user` already fired.
    pub fn new(user: Option<&AbortSignal>, timeout: Option<Duration>) -> Result<Self, DaytonaError> {
        if user.is_some_and(AbortSignal::aborted) {
            return Err(DaytonaError::Aborted("the operation was aborted".into()));
        }
        let timer = timeout
            .filter(|t| t.as_millis() < u32::MAX as u128)
            .map(|t| (AbortSignal::timeout_with_u32(t.as_millis() as u32), t));
        let parts = js_sys::Array::new();
        if let Some(u) = user {
            parts.push(u);
        }
        if let Some((t, _)) = &timer {
            parts.push(t);
        }
        let signal = match parts.length() {
            0 => AbortController::new().map_err(|e| DaytonaError::Connection(js_message(&e)))?.signal(),
            _ => AbortSignal::any(&parts),
        };
        Ok(Self { signal, user: user.cloned(), timer })
    }

    /// The error for a failure `e` of `what`: timeout, abort or connection.
    pub fn error(&self, what: &str, e: &JsValue) -> DaytonaError {
        if let Some((t, d)) = &self.timer {
            if t.aborted() {
                return DaytonaError::Timeout(format!("{what} timed out after {} ms", d.as_millis() as u64));
            }
        }
        if self.user.as_ref().is_some_and(AbortSignal::aborted) {
            return DaytonaError::Aborted(format!("{what} was aborted"));
        }
        connection_error(what, e)
    }
}

/// Why request `method url` got no answer (`e`): its timeout, its abort signal (when it had
/// a `guard`), or the connection.
fn send_error(method: Method, url: &str, guard: Option<&AbortGuard>, e: &JsValue) -> DaytonaError {
    let what = format!("{} {url}", method.as_str());
    guard.map_or_else(|| connection_error(&what, e), |g| g.error(&what, e))
}

/// A request `what` that failed for a reason other than its timeout or abort signal.
fn connection_error(what: &str, e: &JsValue) -> DaytonaError {
    DaytonaError::Connection(format!("{what}: {}", js_message(e)))
}

/// Percent-encodes one URL path segment or query value.
pub(crate) fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// `a=b&c=d` from pairs, percent-encoded.
pub(crate) fn query_string(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}
