//! The JS face of `Sandbox`: data getters and operations.

use std::collections::BTreeMap;

use daytona_models::{ResizeSandbox, Sandbox as SandboxDto};
use tsify::Ts;
use wasm_bindgen::prelude::*;

use wasm_bindgen_futures::JsFuture;

use super::lazy::{self, lazy_methods, number_arg, optional_number_arg, optional_string_arg, string_arg, u16_arg, Task};
use super::{
    check_object, error, from_js, int_field, promise, seconds, send, sending, string_field, task, to_js, JsFileSystem,
    JsProcess,
};
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
  /** The networks it may reach (comma-separated CIDRs), if limited. */
  readonly networkAllowList: string | undefined;
  /** Whether it has KVM. */
  readonly kvm: boolean;
  /** The state it is moving towards. */
  readonly desiredState: SandboxDesiredState | undefined;
  /** Whether an errored sandbox can be recovered. */
  readonly recoverable: boolean | undefined;
  /** Its backup's state. */
  readonly backupState: string | undefined;
  /** The volumes it mounts. */
  readonly volumes: SandboxVolume[] | undefined;
  /** Its class (`container`). */
  readonly sandboxClass: string | undefined;
  /** Its toolbox daemon's version. */
  readonly daemonVersion: string | undefined;
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
  /** Auto-pause interval in minutes (0 = never). */
  readonly autoPauseInterval: number | undefined;
  /** Auto-archive interval in minutes. */
  readonly autoArchiveInterval: number | undefined;
  /** Auto-delete interval in minutes. */
  readonly autoDeleteInterval: number | undefined;
  /** When the sandbox is destroyed whatever its state (ISO-8601), if a TTL is set. */
  readonly autoDestroyAt: string | undefined;
  /** Creation time (ISO-8601). */
  readonly createdAt: string | undefined;
  /** Last update time (ISO-8601). */
  readonly updatedAt: string | undefined;
  /** Last activity time (ISO-8601). */
  readonly lastActivityAt: string | undefined;
  /** Base URL of the toolbox proxy. */
  readonly toolboxProxyUrl: string;
  /**
   * Pauses the sandbox: everything it runs is frozen where it is (memory kept, no CPU used, its
   * toolbox answering nothing) until `start()` resumes it; resolves once paused (`timeout` in
   * seconds).
   */
  pause(timeout?: number): Promise<void>;
  /**
   * Forks the sandbox: a new sandbox, named `params.name` (else by its id), with a copy of this one's
   * files and settings (nothing it runs); resolves to it once started (`timeout` in seconds).
   */
  fork(params?: { name?: string }, timeout?: number): Promise<Sandbox>;
  /**
   * Makes snapshot `name` of the sandbox's files (started or stopped; it goes on as it was):
   * sandboxes created with `snapshot: name` start with a copy of them. Resolves once the
   * sandbox is done with it (`timeout` in seconds, default 60).
   */
  createSnapshot(name: string, timeout?: number): Promise<void>;
  /** Archives a stopped sandbox. */
  archive(): Promise<void>;
  /** Recovers a sandbox from the `error` state; resolves once started (`timeout` in seconds). */
  recover(timeout?: number): Promise<void>;
  /** Changes `{ cpu, memory, disk }` (cores, GiB); resolves once resized. */
  resize(resources: ResizeSandbox, timeout?: number): Promise<void>;
  /** Resolves once a resize under way is done (at once if none is; `timeout` in seconds). */
  waitForResizeComplete(timeout?: number): Promise<void>;
  /**
   * Changes the environment of what the sandbox starts from now on (commands, sessions,
   * terminals, interpreter contexts): `options.unset` removed, then `env` set; what runs keeps
   * its own.
   */
  updateEnv(env: Record<string, string>, options?: { unset?: string[] }): Promise<void>;
  /** Replaces all labels; resolves to the stored labels. */
  setLabels(labels: Record<string, string>): Promise<Record<string, string>>;
  /** Minutes of inactivity before auto-stop (0 = never). */
  setAutostopInterval(interval: number): Promise<void>;
  /**
   * Minutes of inactivity before auto-pause (0 = never; daytona-local refuses any other
   * value: pause a sandbox with `pause()`).
   */
  setAutoPauseInterval(interval: number): Promise<void>;
  /** Minutes stopped before auto-archive (0 = the maximum). */
  setAutoArchiveInterval(interval: number): Promise<void>;
  /** Minutes stopped before auto-delete (negative = never, 0 = on stop). */
  setAutoDeleteInterval(interval: number): Promise<void>;
  /**
   * Destroys the sandbox `ttlMinutes` minutes from now, whatever its state (0 = no TTL);
   * `autoDestroyAt` says when.
   */
  setTtl(ttlMinutes: number): Promise<void>;
  /**
   * `{ id, sandboxId, token, expiresAt, createdAt, updatedAt, sshCommand }`: a token that logs
   * into the sandbox (`sshCommand`, `ssh -p <port> <token>@<host>`) for `expiresInMinutes`
   * (default 60).
   */
  createSshAccess(expiresInMinutes?: number): Promise<SshAccessDto>;
  /** Revokes the SSH access of `token` (every one of the sandbox's without a token). */
  revokeSshAccess(token?: string): Promise<void>;
  /** `{ valid, sandboxId }`: whether SSH access `token` opens a sandbox now. */
  validateSshAccess(token: string): Promise<SshAccessValidationDto>;
  /** Makes the sandbox's previews open to anyone (`true`) or only with its token. */
  setPublic(isPublic: boolean): Promise<void>;
  /** Changes `{ networkBlockAll?, networkAllowList? }`, at once in a running sandbox. */
  updateNetworkSettings(settings: NetworkSettings): Promise<void>;
  /** The sandbox's CPU, memory and disk use now (CPU averaged since the previous call). */
  getMetricsLatest(): Promise<SystemMetrics>;
  /**
   * The resource-use history from `start` (default: the sandbox's creation) to `end`
   * (default: now): one sample per time, oldest first.
   */
  getMetrics(start?: Date | string, end?: Date | string): Promise<SandboxMetrics[]>;
  /** Resets the auto-stop timer. */
  refreshActivity(): Promise<void>;
  /** The sandbox user's home directory. */
  getUserHomeDir(): Promise<string>;
  /** `getUserHomeDir()`'s old name in `@daytonaio/sdk`. */
  getUserRootDir(): Promise<string>;
  /** The default working directory. */
  getWorkDir(): Promise<string>;
  /** A URL that downloads `path` with no credentials (`ttlSeconds` default 3600, `<= 0` never expires). */
  downloadUrl(path: string, ttlSeconds?: number): Promise<string>;
  /** A URL accepting a `POST` of the file (multipart field `file`) to `path` with no credentials. */
  uploadUrl(path: string, ttlSeconds?: number): Promise<string>;
  /** Replaces the signing key, invalidating every signed URL. */
  rotateSigningKey(): Promise<void>;
  /**
   * `{ sandboxId, port, token, url }`: a URL that opens `port` alone with no other credential
   * (its host carries the token) for `expiresInSeconds` (1 s to a day; default 60): the link
   * to share.
   */
  getSignedPreviewUrl(port: number, expiresInSeconds?: number): Promise<SignedPortPreviewUrl>;
  /** Ends the signed preview URL of `port` with `token` before its time. */
  expireSignedPreviewUrl(port: number, token: string): Promise<void>;
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

    /// Starts the sandbox (a paused one resumes where it was); resolves once started
    /// (`timeout` in seconds, 0 = none).
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

    /// `{ sandboxId, url, token }` for reaching `port`.
    #[wasm_bindgen(js_name = getPreviewLink, unchecked_return_type = "Promise<PortPreviewUrl>")]
    pub fn get_preview_link(&self, port: u16) -> js_sys::Promise {
        send(self.inner.get_preview_link(port))
    }

    /// Method `index` of [`LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(settings_methods((self.inner.clone(), index, args)))
    }
}

/// Argument `i` as a timeout in seconds (see `seconds`).
fn timeout_arg(args: &js_sys::Array, i: u32) -> Result<Option<std::time::Duration>, JsValue> {
    Ok(seconds(optional_number_arg(args, i, "timeout")?))
}

/// `resize(resources, timeout?)`.
fn resize(sandbox: &Sandbox, args: &js_sys::Array) -> Result<Task, JsValue> {
    let v = &args.get(0);
    check_object(v, "resources", true, Some(&["cpu", "memory", "disk"]), "")?;
    let r = ResizeSandbox {
        cpu: int_field(v, "cpu", "resources")?,
        memory: int_field(v, "memory", "resources")?,
        disk: int_field(v, "disk", "resources")?,
    };
    Ok(task(sandbox.resize(r, timeout_arg(args, 1)?)))
}

/// `setLabels(labels)`: resolves to the stored labels.
fn set_labels(sandbox: &Sandbox, args: &js_sys::Array) -> Result<Task, JsValue> {
    let labels: BTreeMap<String, String> = from_js("labels", args.get(0))?;
    let sandbox = sandbox.clone();
    Ok(task(async move { to_js(&sandbox.set_labels(labels).await?) }))
}

/// `downloadUrl(path, ttlSeconds?)` and `uploadUrl(…)`: a signed file URL (the signing key
/// fetched first if the sandbox has none yet).
fn signed_url(sandbox: &Sandbox, args: &js_sys::Array, upload: bool) -> Result<Task, JsValue> {
    let (path, ttl) = (string_arg(args, 0, "path")?, optional_number_arg(args, 1, "ttlSeconds")?);
    let (sandbox, ttl) = (sandbox.clone(), ttl.map(|t| t as i64));
    Ok(task(async move {
        match upload {
            true => sandbox.upload_url(&path, ttl).await,
            false => sandbox.download_url(&path, ttl).await,
        }
    }))
}

/// `getUserHomeDir()` (and its old name, `getUserRootDir()`).
fn user_home_dir(s: &Sandbox, _: &js_sys::Array) -> Result<Task, JsValue> {
    let s = s.clone();
    Ok(task(async move { s.get_user_home_dir().await }))
}

/// `updateEnv(env, options?)`.
fn update_env(sandbox: &Sandbox, args: &js_sys::Array) -> Result<Task, JsValue> {
    check_object(&args.get(1), "options", false, Some(&["unset"]), "")?;
    let set: BTreeMap<String, String> = from_js("env", args.get(0))?;
    let unset = match super::option(&args.get(1), "unset") {
        u if u.is_undefined() || u.is_null() => Vec::new(),
        u => from_js("options.unset", u)?,
    };
    Ok(sending(sandbox.update_env(set, unset)))
}

/// An interval setter's argument: whole minutes.
fn minutes_arg(args: &js_sys::Array) -> Result<i64, JsValue> {
    Ok(number_arg(args, 0, "interval")? as i64)
}

lazy_methods!(manage: LAZY, settings_methods(Sandbox) = [
    "archive" => |s, _| Ok(task(s.archive())),
    "pause" => |s, args| Ok(task(s.pause(timeout_arg(args, 0)?))),
    "fork" => |s, args| {
        check_object(&args.get(0), "params", false, Some(&["name"]), "")?;
        let (s, name, timeout) = (s.clone(), string_field(&args.get(0), "name", "params")?, timeout_arg(args, 1)?);
        Ok(task(async move { s.fork(name.as_deref(), timeout).await.map(JsSandbox::from) }))
    },
    "createSnapshot" => |s, args| Ok(task(s.create_snapshot(&string_arg(args, 0, "name")?, timeout_arg(args, 1)?))),
    "recover" => |s, args| Ok(task(s.recover(timeout_arg(args, 0)?))),
    "resize" => resize,
    "waitForResizeComplete" => |s, args| {
        let (s, timeout) = (s.clone(), timeout_arg(args, 0)?);
        Ok(task(async move { s.wait_for_resize_complete(timeout).await }))
    },
    "updateEnv" => update_env,
    "setLabels" => set_labels,
    "setAutostopInterval" => |s, args| Ok(task(s.set_autostop_interval(minutes_arg(args)?))),
    "setAutoPauseInterval" => |s, args| Ok(task(s.set_auto_pause_interval(minutes_arg(args)?))),
    "setAutoArchiveInterval" => |s, args| Ok(task(s.set_auto_archive_interval(minutes_arg(args)?))),
    "setAutoDeleteInterval" => |s, args| Ok(task(s.set_auto_delete_interval(minutes_arg(args)?))),
    "setTtl" => |s, args| Ok(task(s.set_ttl(minutes_arg(args)?))),
    "createSshAccess" => |s, args| {
        let minutes = optional_number_arg(args, 0, "expiresInMinutes")?;
        Ok(sending(s.create_ssh_access(minutes.map(|m| m as u32))))
    },
    "revokeSshAccess" => |s, args| Ok(task(s.revoke_ssh_access(optional_string_arg(args, 0, "token")?.as_deref()))),
    "validateSshAccess" => |s, args| Ok(sending(s.validate_ssh_access(&string_arg(args, 0, "token")?))),
    "setPublic" => |s, args| Ok(task(s.set_public(args.get(0).is_truthy()))),
    "updateNetworkSettings" => |s, args| {
        check_object(&args.get(0), "settings", true, None, "")?;
        Ok(task(s.update_network_settings_js(&args.get(0))))
    },
    "getMetricsLatest" => |s, _| Ok(sending(s.get_metrics_latest())),
    "getMetrics" => |s, args| {
        let call = s.metrics_call(iso_time(&args.get(0)).as_deref(), iso_time(&args.get(1)).as_deref());
        Ok(Box::pin(JsFuture::from(metric_samples(send(call)))))
    },
    "refreshActivity" => |s, _| Ok(sending(s.refresh_activity())),
    "getUserHomeDir" => user_home_dir,
    "getUserRootDir" => user_home_dir,
    "getWorkDir" => |s, _| {
        let s = s.clone();
        Ok(task(async move { s.get_work_dir().await }))
    },
    "downloadUrl" => |s, args| signed_url(s, args, false),
    "uploadUrl" => |s, args| signed_url(s, args, true),
    "rotateSigningKey" => |s, _| {
        let s = s.clone();
        Ok(task(async move { s.rotate_signing_key().await }))
    },
    "getSignedPreviewUrl" => |s, args| {
        let expires = optional_number_arg(args, 1, "expiresInSeconds")?;
        Ok(sending(s.create_signed_preview_url(u16_arg(args, 0, "port")?, expires.map(|e| e as u32))))
    },
    "expireSignedPreviewUrl" => |s, args| {
        Ok(sending(s.expire_signed_preview_url(u16_arg(args, 0, "port")?, &string_arg(args, 1, "token")?)))
    },
]);
