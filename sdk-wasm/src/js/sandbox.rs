//! The JS face of `Sandbox`: data getters and operations.

use std::collections::BTreeMap;

use daytona_models::{ResizeSandbox, Sandbox as SandboxDto};
use tsify::Ts;
use wasm_bindgen::prelude::*;

use super::lazy::{self, lazy_area, Task};
use super::{check_object, error, from_js, int_field, promise, seconds, send, task, to_js, JsFileSystem, JsProcess};
use crate::Sandbox;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** An SSH access token and the command that logs in with it (`@daytonaio/sdk`'s name). */
export type SshAccessDto = SshAccess;
/** Whether an SSH access token opens a sandbox now (`@daytonaio/sdk`'s name). */
export type SshAccessValidationDto = SshAccessValidation;
/** The sandbox's data as last seen (each read from `data`: the package's init.js defines them). */
export interface Sandbox {
  /** Organization id. */
  readonly organizationId: string;
  /** Snapshot it was created from. */
  readonly snapshot: string | undefined;
  /** OS user. */
  readonly user: string;
  /** Region. */
  readonly target: string;
  /** Labels. */
  readonly labels: Record<string, string>;
  /** Environment variables. */
  readonly env: Record<string, string>;
  /** Whether preview URLs are public. */
  readonly public: boolean;
  /** Whether all network access is blocked. */
  readonly networkBlockAll: boolean;
  /** CPU cores. */
  readonly cpu: number;
  /** GPUs. */
  readonly gpu: number;
  /** Memory in GiB. */
  readonly memory: number;
  /** Disk in GiB. */
  readonly disk: number;
  /** Why the sandbox is in the `error` state. */
  readonly errorReason: string | undefined;
  /** Auto-stop interval in minutes. */
  readonly autoStopInterval: number | undefined;
  /** Auto-archive interval in minutes. */
  readonly autoArchiveInterval: number | undefined;
  /** Auto-delete interval in minutes. */
  readonly autoDeleteInterval: number | undefined;
  /** Creation time (ISO-8601). */
  readonly createdAt: string | undefined;
  /** Last update time (ISO-8601). */
  readonly updatedAt: string | undefined;
  /** Last activity time (ISO-8601). */
  readonly lastActivityAt: string | undefined;
  /** Base URL of the toolbox proxy. */
  readonly toolboxProxyUrl: string;
}
"#;

/// One sandbox: its data (refreshed by every call) and its operations.
#[wasm_bindgen(js_name = Sandbox)]
pub struct JsSandbox {
    inner: Sandbox,
}

impl From<Sandbox> for JsSandbox {
    fn from(inner: Sandbox) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen(module = "/js/telemetry.js")]
extern "C" {
    /// The samples of (a promise of) a telemetry answer's series.
    #[wasm_bindgen(js_name = metricSamples)]
    fn metric_samples(answer: js_sys::Promise) -> js_sys::Promise;
}

/// A time argument as ISO 8601: a string as given, a `Date` (or epoch ms) converted; `None`
/// when absent. An invalid date is sent as it reads, for the server to refuse.
fn iso_time(v: &JsValue) -> Option<String> {
    if v.is_undefined() || v.is_null() {
        return None;
    }
    v.as_string().or_else(|| {
        let date = js_sys::Date::new(v);
        Some(match date.get_time().is_nan() {
            true => "Invalid Date".to_owned(),
            false => date.to_iso_string().into(),
        })
    })
}

/// A signed file URL, made by the signing module (its HMAC-SHA256 stays out of the main
/// module: see `lazy`).
struct SignedUrl {
    sandbox: Sandbox,
    path: String,
    ttl: Option<f64>,
    upload: bool,
}

lazy_area!(signing: signed_url(SignedUrl) = start_signed_url);

/// Makes `url` (the signing key fetched first if the sandbox has none yet).
fn start_signed_url(url: SignedUrl) -> Task {
    let SignedUrl { sandbox, path, ttl, upload } = url;
    let ttl = ttl.map(|t| t as i64);
    task(async move {
        match upload {
            true => sandbox.upload_url(&path, ttl).await,
            false => sandbox.download_url(&path, ttl).await,
        }
    })
}

#[wasm_bindgen(js_class = Sandbox)]
impl JsSandbox {
    /// Sandbox id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id()
    }

    /// Sandbox name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name()
    }

    /// Current state (`started`, `stopped`, …) as last seen.
    #[wasm_bindgen(getter, unchecked_return_type = "SandboxState")]
    pub fn state(&self) -> String {
        self.inner.state().as_str().to_owned()
    }

    /// Every field as the control plane sent it.
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> Result<Ts<SandboxDto>, JsValue> {
        Ts::from_rust(&self.inner.data()).map_err(|e| error::to_js(crate::DaytonaError::Decode(e.to_string())))
    }

    /// File operations in this sandbox.
    #[wasm_bindgen(getter)]
    pub fn fs(&self) -> JsFileSystem {
        JsFileSystem::from(self.inner.fs())
    }

    /// Process execution in this sandbox.
    #[wasm_bindgen(getter)]
    pub fn process(&self) -> JsProcess {
        JsProcess::from(self.inner.process())
    }

    /// A language server for `languageId` (`python`, `typescript`, `javascript`) on the
    /// project at `pathToProject`; resolves at once (as `@daytonaio/sdk`'s, a promise).
    #[wasm_bindgen(js_name = createLspServer, unchecked_return_type = "Promise<LspServer>")]
    pub fn create_lsp_server(
        &self,
        #[wasm_bindgen(js_name = languageId)] language_id: String,
        #[wasm_bindgen(js_name = pathToProject)] path_to_project: String,
    ) -> js_sys::Promise {
        let server = super::JsLspServer::new(self.inner.create_lsp_server(&language_id, &path_to_project));
        js_sys::Promise::resolve(&JsValue::from(server))
    }

    /// Git in this sandbox.
    #[wasm_bindgen(getter)]
    pub fn git(&self) -> super::JsGit {
        super::JsGit::from(self.inner.git())
    }

    /// The stateful code interpreter of this sandbox.
    #[wasm_bindgen(getter, js_name = codeInterpreter)]
    pub fn code_interpreter(&self) -> super::JsCodeInterpreter {
        super::JsCodeInterpreter::from(self.inner.code_interpreter())
    }

    /// The desktop of this sandbox: mouse, keyboard, screenshots, displays, recordings.
    #[wasm_bindgen(getter, js_name = computerUse)]
    pub fn computer_use(&self) -> super::JsComputerUse {
        super::JsComputerUse::from(self.inner.computer_use())
    }

    /// Reloads the data from the control plane.
    #[wasm_bindgen(js_name = refreshData, unchecked_return_type = "Promise<void>")]
    pub fn refresh_data(&self) -> js_sys::Promise {
        promise(self.inner.refresh_data())
    }

    /// Starts the sandbox; resolves once started (`timeout` in seconds, 0 = none).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn start(&self, timeout: Option<f64>) -> js_sys::Promise {
        promise(self.inner.start(seconds(timeout)))
    }

    /// Stops the sandbox (`force` kills at once); resolves once stopped.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn stop(&self, timeout: Option<f64>, force: Option<bool>) -> js_sys::Promise {
        promise(self.inner.stop(seconds(timeout), force.unwrap_or(false)))
    }

    /// Deletes the sandbox; resolves once it is gone.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(&self, timeout: Option<f64>) -> js_sys::Promise {
        promise(self.inner.delete(seconds(timeout)))
    }

    /// Archives a stopped sandbox.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn archive(&self) -> js_sys::Promise {
        promise(self.inner.archive())
    }

    /// Recovers a sandbox from the `error` state.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn recover(&self, timeout: Option<f64>) -> js_sys::Promise {
        promise(self.inner.recover(seconds(timeout)))
    }

    /// Changes `{ cpu, memory, disk }` (cores, GiB).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn resize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ResizeSandbox")] resources: JsValue,
        timeout: Option<f64>,
    ) -> Result<js_sys::Promise, JsValue> {
        let v = &resources;
        check_object(v, "resources", true, Some(&["cpu", "memory", "disk"]), "")?;
        let r = ResizeSandbox {
            cpu: int_field(v, "cpu", "resources")?,
            memory: int_field(v, "memory", "resources")?,
            disk: int_field(v, "disk", "resources")?,
        };
        Ok(promise(self.inner.resize(r, seconds(timeout))))
    }

    /// Replaces all labels; resolves to the stored labels.
    #[wasm_bindgen(js_name = setLabels, unchecked_return_type = "Promise<Record<string, string>>")]
    pub fn set_labels(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] labels: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let labels: BTreeMap<String, String> = from_js("labels", labels)?;
        let s = self.inner.clone();
        Ok(promise(async move { to_js(&s.set_labels(labels).await?) }))
    }

    /// Minutes of inactivity before auto-stop (0 = never).
    #[wasm_bindgen(js_name = setAutostopInterval, unchecked_return_type = "Promise<void>")]
    pub fn set_autostop_interval(&self, interval: f64) -> js_sys::Promise {
        promise(self.inner.set_autostop_interval(interval as i64))
    }

    /// Minutes stopped before auto-archive (0 = the maximum).
    #[wasm_bindgen(js_name = setAutoArchiveInterval, unchecked_return_type = "Promise<void>")]
    pub fn set_auto_archive_interval(&self, interval: f64) -> js_sys::Promise {
        promise(self.inner.set_auto_archive_interval(interval as i64))
    }

    /// Minutes stopped before auto-delete (negative = never, 0 = on stop).
    #[wasm_bindgen(js_name = setAutoDeleteInterval, unchecked_return_type = "Promise<void>")]
    pub fn set_auto_delete_interval(&self, interval: f64) -> js_sys::Promise {
        promise(self.inner.set_auto_delete_interval(interval as i64))
    }

    /// `{ id, sandboxId, token, expiresAt, createdAt, updatedAt, sshCommand }`: a token that
    /// logs into the sandbox (`sshCommand`, `ssh -p <port> <token>@<host>`) for
    /// `expiresInMinutes` (default 60).
    #[wasm_bindgen(js_name = createSshAccess, unchecked_return_type = "Promise<SshAccessDto>")]
    pub fn create_ssh_access(
        &self,
        #[wasm_bindgen(js_name = expiresInMinutes, unchecked_optional_param_type = "number")] minutes: Option<f64>,
    ) -> js_sys::Promise {
        send(self.inner.create_ssh_access(minutes.map(|m| m as u32)))
    }

    /// Revokes the SSH access of `token` (every one of the sandbox's without a token).
    #[wasm_bindgen(js_name = revokeSshAccess, unchecked_return_type = "Promise<void>")]
    pub fn revoke_ssh_access(&self, token: Option<String>) -> js_sys::Promise {
        promise(self.inner.revoke_ssh_access(token.as_deref()))
    }

    /// `{ valid, sandboxId }`: whether SSH access `token` opens a sandbox now.
    #[wasm_bindgen(js_name = validateSshAccess, unchecked_return_type = "Promise<SshAccessValidationDto>")]
    pub fn validate_ssh_access(&self, token: &str) -> js_sys::Promise {
        send(self.inner.validate_ssh_access(token))
    }

    /// Makes the sandbox's previews open to anyone (`true`) or only with its token.
    #[wasm_bindgen(js_name = setPublic, unchecked_return_type = "Promise<void>")]
    pub fn set_public(&self, public: bool) -> js_sys::Promise {
        promise(self.inner.set_public(public))
    }

    /// Changes `{ networkBlockAll?, networkAllowList? }`, at once in a running sandbox.
    #[wasm_bindgen(js_name = updateNetworkSettings, unchecked_return_type = "Promise<void>")]
    pub fn update_network_settings(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NetworkSettings")] settings: JsValue,
    ) -> js_sys::Promise {
        promise(self.inner.update_network_settings_js(&settings))
    }

    /// The sandbox's CPU, memory and disk use now (CPU averaged since the previous call).
    #[wasm_bindgen(js_name = getMetricsLatest, unchecked_return_type = "Promise<SystemMetrics>")]
    pub fn get_metrics_latest(&self) -> js_sys::Promise {
        send(self.inner.get_metrics_latest())
    }

    /// The resource-use history from `start` (default: the sandbox's creation) to `end`
    /// (default: now): one sample per time, oldest first.
    #[wasm_bindgen(js_name = getMetrics, unchecked_return_type = "Promise<SandboxMetrics[]>")]
    pub fn get_metrics(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Date | string")] start: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Date | string")] end: JsValue,
    ) -> js_sys::Promise {
        let call = self.inner.metrics_call(iso_time(&start).as_deref(), iso_time(&end).as_deref());
        metric_samples(send(call))
    }

    /// Resets the auto-stop timer.
    #[wasm_bindgen(js_name = refreshActivity, unchecked_return_type = "Promise<void>")]
    pub fn refresh_activity(&self) -> js_sys::Promise {
        send(self.inner.refresh_activity())
    }

    /// Resolves once the sandbox is started.
    #[wasm_bindgen(js_name = waitUntilStarted, unchecked_return_type = "Promise<void>")]
    pub fn wait_until_started(&self, timeout: Option<f64>) -> js_sys::Promise {
        promise(self.inner.wait_until_started(seconds(timeout)))
    }

    /// Resolves once the sandbox is stopped.
    #[wasm_bindgen(js_name = waitUntilStopped, unchecked_return_type = "Promise<void>")]
    pub fn wait_until_stopped(&self, timeout: Option<f64>) -> js_sys::Promise {
        promise(self.inner.wait_until_stopped(seconds(timeout)))
    }

    /// The sandbox user's home directory.
    #[wasm_bindgen(js_name = getUserHomeDir, unchecked_return_type = "Promise<string>")]
    pub fn get_user_home_dir(&self) -> js_sys::Promise {
        let s = self.inner.clone();
        promise(async move { s.get_user_home_dir().await })
    }

    /// The default working directory.
    #[wasm_bindgen(js_name = getWorkDir, unchecked_return_type = "Promise<string>")]
    pub fn get_work_dir(&self) -> js_sys::Promise {
        let s = self.inner.clone();
        promise(async move { s.get_work_dir().await })
    }

    /// A URL that downloads `path` with no credentials (`ttlSeconds` default 3600, `<= 0` never expires).
    #[wasm_bindgen(js_name = downloadUrl, unchecked_return_type = "Promise<string>")]
    pub fn download_url(
        &self,
        path: String,
        #[wasm_bindgen(js_name = "ttlSeconds")] ttl_seconds: Option<f64>,
    ) -> js_sys::Promise {
        lazy::run(signed_url(SignedUrl { sandbox: self.inner.clone(), path, ttl: ttl_seconds, upload: false }))
    }

    /// A URL accepting a `POST` of the file (multipart field `file`) to `path` with no credentials.
    #[wasm_bindgen(js_name = uploadUrl, unchecked_return_type = "Promise<string>")]
    pub fn upload_url(
        &self,
        path: String,
        #[wasm_bindgen(js_name = "ttlSeconds")] ttl_seconds: Option<f64>,
    ) -> js_sys::Promise {
        lazy::run(signed_url(SignedUrl { sandbox: self.inner.clone(), path, ttl: ttl_seconds, upload: true }))
    }

    /// Replaces the signing key, invalidating every signed URL.
    #[wasm_bindgen(js_name = rotateSigningKey, unchecked_return_type = "Promise<void>")]
    pub fn rotate_signing_key(&self) -> js_sys::Promise {
        let s = self.inner.clone();
        promise(async move { s.rotate_signing_key().await })
    }

    /// `{ sandboxId, url, token }` for reaching `port`.
    #[wasm_bindgen(js_name = getPreviewLink, unchecked_return_type = "Promise<PortPreviewUrl>")]
    pub fn get_preview_link(&self, port: u16) -> js_sys::Promise {
        send(self.inner.get_preview_link(port))
    }

    /// `{ sandboxId, port, token, url }`: a URL that opens `port` alone with no other
    /// credential (its host carries the token) for `expiresInSeconds` (1 s to a day; default
    /// 60): the link to share.
    #[wasm_bindgen(js_name = getSignedPreviewUrl, unchecked_return_type = "Promise<SignedPortPreviewUrl>")]
    pub fn get_signed_preview_url(
        &self,
        port: u16,
        #[wasm_bindgen(js_name = expiresInSeconds, unchecked_optional_param_type = "number")] expires: Option<f64>,
    ) -> js_sys::Promise {
        send(self.inner.create_signed_preview_url(port, expires.map(|s| s as u32)))
    }

    /// Ends the signed preview URL of `port` with `token` before its time.
    #[wasm_bindgen(js_name = expireSignedPreviewUrl, unchecked_return_type = "Promise<void>")]
    pub fn expire_signed_preview_url(&self, port: u16, token: String) -> js_sys::Promise {
        send(self.inner.expire_signed_preview_url(port, &token))
    }
}
