//! [`Call`]: one JSON request of the SDK. A method builds it; awaiting it sends it and reads
//! the answer as a Rust value. The JS face sends the same request and hands the browser's
//! parsed answer on as it is, so no Rust model is decoded and encoded again on its way to JS
//! (and the npm package carries no per-model code for it). Routes are written once, here in
//! the Rust face, for both faces.

use std::future::IntoFuture;
use std::marker::PhantomData;
use std::rc::Rc;
use std::time::Duration;

use futures::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::client::Client;
use crate::http::{CallOptions, Method};
use crate::DaytonaError;

/// A request ready to send: `.await` it for the typed answer.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T> {
    request: Request,
    /// The Rust type the answer reads as (only awaiting reads it, so the JS face, which never
    /// awaits a call, carries no decoder).
    answer: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Call({} {})", self.request.method.as_str(), self.request.url)
    }
}

/// The untyped part of a [`Call`]: what to send. One non-generic sender serves every call.
pub(crate) struct Request {
    client: Rc<Client>,
    method: Method,
    url: String,
    body: Option<Result<String, String>>,
    opts: CallOptions,
    /// Whether the answer is left unread (calls whose answer carries nothing).
    void: bool,
}

impl Request {
    /// Sends the request; the answer as the browser parsed it (`undefined` for a void call).
    pub(crate) fn send(self) -> LocalBoxFuture<'static, Result<JsValue, DaytonaError>> {
        Box::pin(async move {
            let http = &self.client.http;
            http.call(self.method, &self.url, self.body, &self.opts, self.void).await
        })
    }
}

/// Reads the JSON answer of `url` into `T`.
fn decode<T: DeserializeOwned>(url: &str, v: JsValue) -> Result<T, DaytonaError> {
    crate::json::from_js(v).map_err(|e| DaytonaError::Decode(format!("{url}: {e}")))
}

impl Call<()> {
    /// A call whose answer is not read.
    pub(crate) fn done(client: &Rc<Client>, method: Method, url: String) -> Self {
        let mut call = Self::new(client, method, url);
        call.request.void = true;
        call
    }
}

impl<T> Call<T> {
    /// A call answering JSON that reads as `T`.
    pub(crate) fn new(client: &Rc<Client>, method: Method, url: String) -> Self {
        let request =
            Request { client: Rc::clone(client), method, url, body: None, opts: CallOptions::default(), void: false };
        Self { request, answer: PhantomData }
    }

    /// Sends `body` as JSON.
    pub(crate) fn body(mut self, body: &(impl Serialize + ?Sized)) -> Self {
        self.request.body = Some(crate::json::to_string(body));
        self
    }

    /// Sends `body`, a JS value, as JSON (the JS face's bodies: what the caller passed, with
    /// no Rust model in between).
    pub(crate) fn js_body(mut self, body: &JsValue) -> Self {
        self.request.body = Some(crate::json::stringify(body));
        self
    }

    /// Reads the answer as `U` instead of `T`: a model naming only the fields a caller needs
    /// (the others are skipped), so its program carries the code that reads those alone.
    pub fn read_as<U>(self) -> Call<U> {
        Call { request: self.request, answer: PhantomData }
    }

    /// Leaves the answer unread (the call resolves to nothing).
    pub(crate) fn unanswered(mut self) -> Self {
        self.request.void = true;
        self
    }

    /// Gives up after `timeout` instead of the client's default.
    pub(crate) fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request.opts.timeout = timeout;
        self
    }

    /// Cancels the request when `signal` fires (the call ends with `DaytonaError::Aborted`;
    /// the toolbox ends a command whose request went away).
    pub fn signal(mut self, signal: web_sys::AbortSignal) -> Self {
        self.request.opts.signal = Some(signal);
        self
    }

    /// Sent even if the page is being unloaded meanwhile (fetch's `keepalive`): for a small
    /// request made as a page goes, such as deleting what it made.
    pub fn keepalive(mut self) -> Self {
        self.request.opts.keepalive = true;
        self
    }

    /// The request, for the JS face (which hands the answer on undecoded).
    #[cfg_attr(not(feature = "js"), allow(dead_code))]
    pub(crate) fn request(self) -> Request {
        self.request
    }
}

impl<T: DeserializeOwned + 'static> IntoFuture for Call<T> {
    type Output = Result<T, DaytonaError>;
    type IntoFuture = LocalBoxFuture<'static, Result<T, DaytonaError>>;

    fn into_future(self) -> Self::IntoFuture {
        let url = self.request.url.clone();
        let sent = self.request.send();
        Box::pin(async move { decode(&url, sent.await?) })
    }
}
