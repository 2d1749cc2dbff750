//! Sandboxes and snapshots from an [`Image`]: its contexts uploaded
//! ([`crate::object_storage`]), `buildInfo` sent, and the build's log streamed as it comes
//! (`…/build-logs?follow=true`, plain text read from the response's stream) until the build
//! ends; then the sandbox started, or the snapshot active.

use std::rc::Rc;
use std::time::Duration;

use daytona_models::{BuildInfo, CreateSnapshot, Sandbox as SandboxDto, SandboxState, Snapshot, SnapshotState};
use wasm_bindgen::prelude::*;

use crate::client::Client;
use crate::daytona::DEFAULT_CREATE_TIMEOUT;
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
async fn build_info(client: &Rc<Client>, image: &Image, upload: &TransferOptions) -> Result<BuildInfo, DaytonaError> {
    let hashes = crate::object_storage::upload_contexts(client, image, upload).await?;
    Ok(BuildInfo {
        dockerfile_content: image.dockerfile().to_owned(),
        context_hashes: (!hashes.is_empty()).then_some(hashes),
    })
}

/// Streams the build log whose URL route `at` gives (`…/build-logs-url`), followed, to
/// `on_logs` line by line until the server ends it.
async fn follow_logs(client: &Rc<Client>, at: String, on_logs: &LogFn, timeout: Duration) -> Result<(), DaytonaError> {
    let got = Call::<()>::new(client, Method::Get, at).request().send().await?;
    let url = js_sys::Reflect::get(&got, &"url".into()).ok().and_then(|u| u.as_string()).filter(|u| !u.is_empty());
    let url = url.ok_or_else(|| DaytonaError::Decode("the build log's URL is missing from the answer".into()))?;
    let url = format!("{url}?follow=true");
    let opts = CallOptions::timeout(Some(timeout));
    let resp = client.http.fetch(Method::Get, &url, None, &opts).await?;
    let Some(body) = resp.body() else { return Ok(()) };
    let on_logs = Rc::clone(on_logs);
    let on_line = Closure::<dyn Fn(String)>::new(move |line: String| on_logs(&line));
    crate::streams::each_line(&body, on_line.as_ref().unchecked_ref())
        .await
        .map_err(|e| DaytonaError::Connection(js_message(&e)))?;
    Ok(())
}

/// The time left of `timeout` since `started` (ms, `Date.now()`).
pub(crate) fn left(timeout: Duration, started: f64) -> Duration {
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
        let timeout = opts.timeout.unwrap_or(DEFAULT_BUILD_TIMEOUT);
        let started = js_sys::Date::now();
        // Checked before anything is uploaded.
        params.to_wire(self.client().target.as_deref())?;
        let info = build_info(self.client(), image, &opts.upload).await?;
        self.create_with(params, Some(info), opts.on_logs.as_ref(), Some(left(timeout, started))).await
    }

    /// Creates a sandbox, on the image `info` builds if there is one (its contexts uploaded;
    /// the build log streamed to `on_logs`), and waits until it is started, all within
    /// `timeout` (default 60 s, or [`DEFAULT_BUILD_TIMEOUT`] for a build).
    pub(crate) async fn create_with(
        &self,
        params: CreateSandboxParams,
        info: Option<BuildInfo>,
        on_logs: Option<&LogFn>,
        timeout: Option<Duration>,
    ) -> Result<Sandbox, DaytonaError> {
        let client = self.client();
        let started = js_sys::Date::now();
        let timeout = timeout.unwrap_or(if info.is_some() { DEFAULT_BUILD_TIMEOUT } else { DEFAULT_CREATE_TIMEOUT });
        let wire = params.to_wire(client.target.as_deref())?;
        let call = Call::new(client, Method::Post, client.api("/sandbox")).timeout(Some(timeout));
        // `buildInfo` joins the body here: the model only reads it (see `CreateSandbox`).
        let call = match &info {
            None => call.body(&wire),
            Some(info) => {
                let body = crate::json::to_js(&wire).map_err(DaytonaError::InvalidArgument)?;
                let info = crate::json::to_js(info).map_err(DaytonaError::InvalidArgument)?;
                let _ = js_sys::Reflect::set(&body, &"buildInfo".into(), &info);
                call.js_body(&body)
            }
        };
        let dto: SandboxDto = call.await?;
        let building = matches!(dto.state, Some(SandboxState::PendingBuild | SandboxState::BuildingSnapshot));
        let sandbox = Sandbox::new(Rc::clone(client), dto);
        if let (true, Some(on_logs)) = (building, on_logs) {
            let at = client.api(&format!("/sandbox/{}/build-logs-url", encode(&sandbox.id())));
            follow_logs(client, at, on_logs, left(timeout, started)).await?;
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
            build_info: Some(build_info(client, image, &opts.upload).await?),
            ..Default::default()
        };
        let mut snapshot = self.create(&request).await?;
        if let Some(on_logs) = &opts.on_logs {
            self.follow_build_logs(&snapshot.id, on_logs, left(timeout, started)).await?;
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

    /// Streams the build log of snapshot `id` to `on_logs` until the build ends.
    pub(crate) async fn follow_build_logs(
        &self,
        id: &str,
        on_logs: &LogFn,
        timeout: Duration,
    ) -> Result<(), DaytonaError> {
        follow_logs(self.client(), self.url(id, "/build-logs-url"), on_logs, timeout).await
    }
}
