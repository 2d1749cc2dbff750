//! The one place that talks to the network: browser `fetch` with auth headers, timeouts,
//! cancellation and Daytona's error envelope.

use std::time::Duration;

use futures::future::{select, Either};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, Request, RequestInit, Response};

use crate::error::DaytonaError;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (works in windows and workers alike).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(req: &Request) -> js_sys::Promise;
}

/// Per-call options: a timeout and a caller's `AbortSignal`.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Give up after this long (`DaytonaError::Timeout`).
    pub timeout: Option<Duration>,
    /// Cancel when this signal fires (`DaytonaError::Aborted`).
    pub signal: Option<AbortSignal>,
}

impl CallOptions {
    /// Options with only a timeout.
    pub fn timeout(timeout: Option<Duration>) -> Self {
        Self { timeout, signal: None }
    }
}

/// HTTP methods the SDK uses.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

/// Sends requests with the SDK's headers.
#[derive(Clone, Debug)]
pub(crate) struct Http {
    headers: Vec<(String, String)>,
    default_timeout: Option<Duration>,
}

fn js_message(v: &JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| format!("{v:?}"))
}

impl Http {
    /// A client sending `headers` on every request.
    pub fn new(headers: Vec<(String, String)>, default_timeout: Option<Duration>) -> Self {
        Self { headers, default_timeout }
    }

    /// Sends a request; non-2xx answers become [`DaytonaError::Api`].
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&(impl Serialize + ?Sized)>,
        opts: &CallOptions,
    ) -> Result<Response, DaytonaError> {
        let headers = Headers::new().map_err(|e| DaytonaError::InvalidArgument(js_message(&e)))?;
        for (k, v) in &self.headers {
            headers.set(k, v).map_err(|e| DaytonaError::InvalidArgument(js_message(&e)))?;
        }
        let init = RequestInit::new();
        init.set_method(method.as_str());
        if let Some(body) = body {
            let json = serde_json::to_string(body).map_err(|e| DaytonaError::InvalidArgument(e.to_string()))?;
            headers
                .set("Content-Type", "application/json")
                .map_err(|e| DaytonaError::InvalidArgument(js_message(&e)))?;
            init.set_body(&JsValue::from_str(&json));
        }
        init.set_headers(&headers);
        let controller = AbortController::new().map_err(|e| DaytonaError::Connection(js_message(&e)))?;
        init.set_signal(Some(&controller.signal()));
        let request =
            Request::new_with_str_and_init(url, &init).map_err(|e| DaytonaError::InvalidArgument(js_message(&e)))?;

        // Forward the caller's cancellation to our controller for the duration of the call.
        let _forward = match &opts.signal {
            Some(sig) if sig.aborted() => return Err(DaytonaError::Aborted("the operation was aborted".into())),
            Some(sig) => {
                let c = controller.clone();
                let cb = Closure::<dyn FnMut()>::new(move || c.abort());
                sig.add_event_listener_with_callback("abort", cb.as_ref().unchecked_ref())
                    .map_err(|e| DaytonaError::Connection(js_message(&e)))?;
                Some(AbortForward { signal: sig.clone(), cb })
            }
            None => None,
        };

        let fetch = JsFuture::from(global_fetch(&request));
        let timeout = opts.timeout.or(self.default_timeout);
        let result = match timeout {
            Some(t) => {
                let timer = gloo_timers::future::TimeoutFuture::new(t.as_millis().min(u32::MAX as u128) as u32);
                match select(fetch, timer).await {
                    Either::Left((r, _)) => r,
                    Either::Right(_) => {
                        controller.abort();
                        return Err(DaytonaError::Timeout(format!(
                            "{} {url} timed out after {} ms",
                            method.as_str(),
                            t.as_millis()
                        )));
                    }
                }
            }
            None => fetch.await,
        };
        let resp: Response = match result {
            Ok(v) => v.unchecked_into(),
            Err(e) if opts.signal.as_ref().is_some_and(|s| s.aborted()) => {
                return Err(DaytonaError::Aborted(format!("aborted: {}", js_message(&e))))
            }
            Err(e) => return Err(DaytonaError::Connection(format!("{} {url}: {}", method.as_str(), js_message(&e)))),
        };
        if resp.ok() {
            return Ok(resp);
        }
        let status = resp.status();
        let body = text(&resp).await.unwrap_or_default();
        Err(DaytonaError::from_response(status, &body))
    }

    /// Sends a request and decodes a JSON answer.
    pub async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&(impl Serialize + ?Sized)>,
        opts: &CallOptions,
    ) -> Result<T, DaytonaError> {
        let resp = self.send(method, url, body, opts).await?;
        let body = text(&resp).await?;
        serde_json::from_str(&body).map_err(|e| DaytonaError::Decode(format!("{url}: {e}")))
    }
}

/// The whole body as text.
async fn text(resp: &Response) -> Result<String, DaytonaError> {
    let promise = resp.text().map_err(|e| DaytonaError::Decode(js_message(&e)))?;
    let v: JsValue = JsFuture::from(promise).await.map_err(|e| DaytonaError::Connection(js_message(&e)))?;
    Ok(v.as_string().unwrap_or_default())
}

/// Removes the abort forwarding listener when the call ends.
struct AbortForward {
    signal: AbortSignal,
    cb: Closure<dyn FnMut()>,
}

impl Drop for AbortForward {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.cb.as_ref().unchecked_ref());
    }
}

/// Percent-encodes one URL path segment or query value.
pub(crate) fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// `a=b&c=d` from pairs, percent-encoded.
pub(crate) fn query_string(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}
