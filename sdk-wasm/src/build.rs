//! Sandboxes and snapshots from an [`Image`]: its contexts uploaded
//! ([`crate::object_storage`]), `buildInfo` sent, and the build's log streamed as it comes
//! (`…/build-logs?follow=true`, plain text read from the response's stream) until the build
//! ends; then the sandbox started, or the snapshot active.

use std::rc::Rc;
use std::time::Duration;

use daytona_models::{BuildInfo, CreateSnapshot, Sandbox as SandboxDto, SandboxState, Snapshot, SnapshotState, Url};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::client::Client;
use crate::http::{encode, js_message, CallOptions, Method};
use crate::{Call, CreateSandboxParams, Daytona, DaytonaError, Image, Sandbox, SnapshotService, TransferOptions};

/// Callback receiving build log text as it comes (whole lines, without their newline).
pub type LogFn = Rc<dyn Fn(&str)>;

/// Default time a build (upload, build and start) may take.
pub const DEFAULT_BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Options of creating from an image.
#[derive(Clone, Default)]
pub struct ImageBuildOptions {
    /// Called with the build log's lines as they come.
    pub on_logs: Option<LogFn>,
    /// Progress, cancel and timeout of the context uploads.
    pub upload: TransferOptions,
    /// Gives up after this long (default [`DEFAULT_BUILD_TIMEOUT`]).
    pub timeout: Option<Duration>,
}

impl std::fmt::Debug for ImageBuildOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageBuildOptions")
            .field("on_logs", &self.on_logs.is_some())
            .field("upload", &self.upload)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// `buildInfo` of `image`, its contexts uploaded first.
async fn build_info(client: &Rc<Client>, image: &Image, opts: &ImageBuildOptions) -> Result<BuildInfo, DaytonaError> {
    let hashes = crate::object_storage::upload_contexts(client, image, &opts.upload).await?;
    Ok(BuildInfo {
        dockerfile_content: image.dockerfile().to_owned(),
        context_hashes: (!hashes.is_empty()).then_some(hashes),
    })
}

/// Streams the log at `url` (followed) to `on_logs`, line by line, until the server ends it.
async fn follow_logs(client: &Rc<Client>, url: &str, on_logs: &LogFn, timeout: Duration) -> Result<(), DaytonaError> {
    let url = format!("{url}?follow=true");
    let opts = CallOptions::timeout(Some(timeout));
    let resp = client.http.fetch(Method::Get, &url, None, &opts).await?;
    let Some(body) = resp.body() else { return Ok(()) };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let decoder = web_sys::TextDecoder::new().map_err(|e| DaytonaError::Decode(js_message(&e)))?;
    let stream = web_sys::TextDecodeOptions::new();
    stream.set_stream(true);
    let mut pending = String::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|e| DaytonaError::Connection(js_message(&e)))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true);
        if done {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into()).unwrap_or_default();
        let bytes: js_sys::Uint8Array = value.unchecked_into();
        let text = decoder
            .decode_with_js_u8_array_and_options(&bytes, &stream)
            .map_err(|e| DaytonaError::Decode(js_message(&e)))?;
        pending.push_str(&text);
        while let Some(at) = pending.find('\n') {
            on_logs(pending[..at].trim_end_matches('\r'));
            pending.drain(..=at);
        }
    }
    if !pending.is_empty() {
        on_logs(&pending);
    }
    Ok(())
}

/// The time left of `timeout` since `started` (ms, `Date.now()`).
fn left(timeout: Duration, started: f64) -> Duration {
    timeout.saturating_sub(Duration::from_millis((js_sys::Date::now() - started).max(0.0) as u64))
}

impl Daytona {
    /// Creates a sandbox running `image`: its local contexts uploaded, the image built (or an
    /// identical earlier build reused), the build log streamed to `opts.on_logs`, and waits
    /// until the sandbox is started.
    pub async fn create_from_image(
        &self,
        image: &Image,
        params: CreateSandboxParams,
        opts: ImageBuildOptions,
    ) -> Result<Sandbox, DaytonaError> {
        let client = self.client();
        let timeout = opts.timeout.unwrap_or(DEFAULT_BUILD_TIMEOUT);
        let started = js_sys::Date::now();
        let wire = params.to_wire(client.target.as_deref())?;
        let info = build_info(client, image, &opts).await?;
        let mut body = serde_json::to_value(&wire).map_err(|e| DaytonaError::InvalidArgument(e.to_string()))?;
        body["buildInfo"] = serde_json::to_value(&info).map_err(|e| DaytonaError::InvalidArgument(e.to_string()))?;
        let dto: SandboxDto = Call::new(client, Method::Post, client.api("/sandbox"))
            .body(&body)
            .timeout(Some(left(timeout, started)))
            .await?;
        let building = matches!(dto.state, Some(SandboxState::PendingBuild | SandboxState::BuildingSnapshot));
        let sandbox = Sandbox::new(Rc::clone(client), dto);
        if let (true, Some(on_logs)) = (building, &opts.on_logs) {
            let at = client.api(&format!("/sandbox/{}/build-logs-url", encode(&sandbox.id())));
            let url: Url = Call::new(client, Method::Get, at).await?;
            follow_logs(client, &url.url, on_logs, left(timeout, started)).await?;
        }
        sandbox.wait_until_started(Some(left(timeout, started))).await?;
        Ok(sandbox)
    }
}

impl SnapshotService {
    /// Creates snapshot `name` from `image`: its local contexts uploaded, the image built, the
    /// log streamed to `opts.on_logs`; resolves once it is `active` (an error names the
    /// build's reason).
    pub async fn create_from_image(
        &self,
        name: &str,
        image: &Image,
        opts: ImageBuildOptions,
    ) -> Result<Snapshot, DaytonaError> {
        let client = self.client();
        let timeout = opts.timeout.unwrap_or(DEFAULT_BUILD_TIMEOUT);
        let started = js_sys::Date::now();
        let request = CreateSnapshot {
            name: name.to_owned(),
            build_info: Some(build_info(client, image, &opts).await?),
            ..Default::default()
        };
        let mut snapshot = self.create(&request).await?;
        if let Some(on_logs) = &opts.on_logs {
            let url: Url = Call::new(client, Method::Get, self.url(&snapshot.id, "/build-logs-url")).await?;
            follow_logs(client, &url.url, on_logs, left(timeout, started)).await?;
        }
        loop {
            match snapshot.state {
                SnapshotState::Active => return Ok(snapshot),
                SnapshotState::Error | SnapshotState::BuildFailed => {
                    let why = snapshot.error_reason.unwrap_or_else(|| "the build failed".into());
                    return Err(DaytonaError::SandboxFailed(format!("snapshot {name}: {why}")));
                }
                _ if left(timeout, started).is_zero() => {
                    return Err(DaytonaError::Timeout(format!(
                        "snapshot {name} was not built within {} s",
                        timeout.as_secs()
                    )));
                }
                _ => {}
            }
            gloo_timers::future::sleep(Duration::from_millis(500)).await;
            snapshot = self.get(&snapshot.id).await?;
        }
    }
}
