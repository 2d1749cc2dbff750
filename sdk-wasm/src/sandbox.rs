//! `Sandbox`: one sandbox's data, lifecycle, settings, pre-signed URLs, and its toolbox areas.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use daytona_models::{
    DirResponse, MetricsResponse, NetworkSettings, PortPreviewUrl, ResizeSandbox, Sandbox as SandboxDto, SandboxLabels,
    SandboxMetrics, SandboxState, SignedPortPreviewUrl, SshAccess, SshAccessValidation, SystemMetrics,
    SANDBOX_METRIC_NAMES,
};

use futures::future::LocalBoxFuture;

use crate::client::Client;
use crate::http::{encode, Method};
use crate::toolbox::Toolbox;
use crate::wait::{wait_for, Until};
use crate::{Call, DaytonaError, FileSystem, Process};

/// A lifecycle step of a sandbox (a call, then maybe a wait): every one is this one boxed
/// future type, so the JS face compiles one promise for all of them.
pub type Step = LocalBoxFuture<'static, Result<(), DaytonaError>>;

/// A step refused before it starts.
fn refused(why: &str) -> Step {
    Box::pin(std::future::ready(Err(DaytonaError::InvalidArgument(why.into()))))
}

/// Default time to wait for start/stop transitions.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// A handle on one sandbox: its last known data plus lifecycle and toolbox operations.
/// Clones share the same data, which every call refreshes.
#[derive(Clone, Debug)]
pub struct Sandbox {
    client: Rc<Client>,
    data: Rc<RefCell<SandboxDto>>,
    /// Signing key of pre-signed file URLs and when it was fetched (ms), cached 15 s.
    signing_key: Rc<RefCell<Option<(String, f64)>>>,
    /// The sandbox's toolbox (sharing `data`), handed to its `FileSystem` and `Process`.
    toolbox: Toolbox,
}

/// `GET /sandbox/ssh-access/validate?token=` (on `Daytona` and `Sandbox`, as the official SDKs).
pub(crate) fn validate_ssh_access(client: &Rc<Client>, token: &str) -> Call<SshAccessValidation> {
    Call::new(client, Method::Get, format!("{}?token={}", client.api("/sandbox/ssh-access/validate"), encode(token)))
}

/// How long a fetched signing key is reused (as the official SDKs do).
const SIGNING_KEY_CACHE_MS: f64 = 15_000.0;
/// Default lifetime of a pre-signed URL.
const DEFAULT_URL_TTL_SECS: i64 = 3600;

impl Sandbox {
    pub(crate) fn new(client: Rc<Client>, dto: SandboxDto) -> Self {
        let data = Rc::new(RefCell::new(dto));
        let toolbox = Toolbox::new(Rc::clone(&client), Rc::clone(&data));
        Self { client, data, signing_key: Rc::default(), toolbox }
    }

    /// The last known data (as `GET /sandbox/{id}` returned it).
    pub fn data(&self) -> SandboxDto {
        self.data.borrow().clone()
    }

    /// The data as last seen, borrowed (for reading a field without copying the rest).
    #[cfg_attr(not(feature = "js"), allow(dead_code))]
    pub(crate) fn dto(&self) -> std::cell::Ref<'_, SandboxDto> {
        self.data.borrow()
    }

    /// Sandbox id.
    pub fn id(&self) -> String {
        self.data.borrow().id.clone()
    }

    /// Sandbox name.
    pub fn name(&self) -> String {
        self.data.borrow().name.clone()
    }

    /// Last known state.
    pub fn state(&self) -> SandboxState {
        self.data.borrow().state.unwrap_or(SandboxState::Unknown)
    }

    /// File operations in this sandbox.
    pub fn fs(&self) -> FileSystem {
        FileSystem::new(self.toolbox.clone())
    }

    /// Process execution in this sandbox.
    pub fn process(&self) -> Process {
        Process::new(self.toolbox.clone())
    }

    /// Computer use: the desktop of this sandbox, its mouse, keyboard, screenshots and
    /// recordings.
    pub fn computer_use(&self) -> crate::ComputerUse {
        crate::ComputerUse::new(self.toolbox.clone())
    }

    /// A language server of this sandbox for `language_id` (`python`, `typescript`,
    /// `javascript`) on the project at `path_to_project`; `start` it first.
    pub fn create_lsp_server(&self, language_id: &str, path_to_project: &str) -> crate::LspServer {
        crate::LspServer::new(self.toolbox.clone(), language_id, path_to_project)
    }

    /// Git in this sandbox.
    pub fn git(&self) -> crate::Git {
        crate::Git::new(self.toolbox.clone())
    }

    /// The stateful code interpreter of this sandbox.
    pub fn code_interpreter(&self) -> crate::CodeInterpreter {
        crate::CodeInterpreter::new(self.toolbox.clone())
    }

    fn url(&self, suffix: &str) -> String {
        self.client.api(&format!("/sandbox/{}{suffix}", encode(&self.id())))
    }

    fn set(&self, dto: SandboxDto) {
        *self.data.borrow_mut() = dto;
    }

    /// Refreshes the data from the listing filtered by its id, marking it destroyed when it is
    /// no longer listed: how a deletion is awaited without a 404 (which browsers log as a failed
    /// request in the console, though it is the expected answer).
    pub(crate) fn refresh_unless_gone(&self) -> Step {
        let (sandbox, id) = (self.clone(), self.id());
        let query = daytona_models::ListSandboxesQuery { id: Some(id.clone()), limit: Some(10), ..Default::default() };
        let listed = crate::daytona::list_call(&self.client, &query);
        Box::pin(async move {
            match listed.await?.items.into_iter().find(|dto| dto.id == id) {
                Some(dto) => sandbox.set(dto),
                None => sandbox.mark_destroyed(),
            }
            Ok(())
        })
    }

    /// Records that the sandbox is gone.
    pub(crate) fn mark_destroyed(&self) {
        self.data.borrow_mut().state = Some(SandboxState::Destroyed);
    }

    /// One lifecycle step: sends `call`, stores the sandbox data it answers, then waits
    /// `until` a state (default 60 s). One boxed future for every step.
    fn step(
        &self,
        call: Call<SandboxDto>,
        until: Option<Until>,
        timeout: Option<Duration>,
    ) -> LocalBoxFuture<'static, Result<(), DaytonaError>> {
        let sandbox = self.clone();
        Box::pin(async move {
            sandbox.set(call.await?);
            match until {
                Some(until) => wait_for(&sandbox, until, Some(timeout.unwrap_or(DEFAULT_WAIT))).await,
                None => Ok(()),
            }
        })
    }

    /// A call to `/sandbox/{id}{suffix}` answering the sandbox's data.
    fn call(&self, method: Method, suffix: &str) -> Call<SandboxDto> {
        Call::new(&self.client, method, self.url(suffix))
    }

    /// Reloads the data from the control plane.
    pub fn refresh_data(&self) -> Step {
        self.step(self.call(Method::Get, ""), None, None)
    }

    /// Starts the sandbox (a paused one resumes where it was) and waits until it is started.
    pub fn start(&self, timeout: Option<Duration>) -> Step {
        self.step(self.call(Method::Post, "/start"), Some(Until::Started), timeout)
    }

    /// Stops the sandbox (SIGKILL at once when `force`) and waits until it is stopped.
    pub fn stop(&self, timeout: Option<Duration>, force: bool) -> Step {
        let suffix = if force { "/stop?force=true" } else { "/stop" };
        self.step(self.call(Method::Post, suffix), Some(Until::Stopped), timeout)
    }

    /// Deletes the sandbox and waits until it is gone (default 60 s).
    pub fn delete(&self, timeout: Option<Duration>) -> Step {
        self.step(self.call(Method::Delete, ""), Some(Until::Destroyed), timeout)
    }

    /// Pauses the sandbox: everything it runs is frozen where it is (memory kept, no CPU used,
    /// its toolbox answering nothing) until [`Sandbox::start`] resumes it; waits until paused.
    pub fn pause(&self, timeout: Option<Duration>) -> Step {
        self.step(self.call(Method::Post, "/pause"), Some(Until::Paused), timeout)
    }

    /// Forks the sandbox: a new sandbox, named `name` (else by its id), with a copy of this
    /// one's files and settings (nothing it runs); resolves to it once started (default 60 s).
    pub async fn fork(&self, name: Option<&str>, timeout: Option<Duration>) -> Result<Sandbox, DaytonaError> {
        let body = daytona_models::ForkSandbox { name: name.map(str::to_owned) };
        let dto: SandboxDto = self.call(Method::Post, "/fork").body(&body).await?;
        let fork = Sandbox::new(Rc::clone(&self.client), dto);
        wait_for(&fork, Until::Started, Some(timeout.unwrap_or(DEFAULT_WAIT))).await?;
        Ok(fork)
    }

    /// Makes snapshot `name` of the sandbox's files (it may be started or stopped; it goes on
    /// as it was): new sandboxes made on it (`snapshot: name`) start with a copy of them.
    /// Waits until the sandbox is done with it (default 60 s); the snapshot is then `active`,
    /// or `error` with the reason.
    pub fn create_snapshot(&self, name: &str, timeout: Option<Duration>) -> Step {
        let body = daytona_models::CreateSandboxSnapshot { name: name.to_owned(), include_memory: None };
        self.step(self.call(Method::Post, "/snapshot").body(&body), Some(Until::Snapshotted), timeout)
    }

    /// Archives a stopped sandbox.
    pub fn archive(&self) -> Step {
        self.step(self.call(Method::Post, "/archive"), None, None)
    }

    /// Recovers a sandbox from the `error` state and waits until it is started.
    pub fn recover(&self, timeout: Option<Duration>) -> Step {
        self.step(self.call(Method::Post, "/recover"), Some(Until::Started), timeout)
    }

    /// Changes CPU (cores), memory and disk (GiB); waits until the resize is done.
    pub fn resize(&self, resources: ResizeSandbox, timeout: Option<Duration>) -> Step {
        self.step(self.call(Method::Post, "/resize").body(&resources), Some(Until::Resized), timeout)
    }

    /// Waits until a resize under way is done (at once if none is; default 60 s).
    pub async fn wait_for_resize_complete(&self, timeout: Option<Duration>) -> Result<(), DaytonaError> {
        wait_for(self, Until::Resized, Some(timeout.unwrap_or(DEFAULT_WAIT))).await
    }

    /// Changes the environment of what the sandbox starts from now on (commands, sessions,
    /// terminals, interpreter contexts): `unset` variables removed, then `set` ones set;
    /// what runs keeps its own.
    pub fn update_env(&self, set: BTreeMap<String, String>, unset: Vec<String>) -> Call<()> {
        let body = daytona_models::UpdateEnvRequest {
            set: Some(set),
            unset: Some(unset).filter(|u| !u.is_empty()),
            ..Default::default()
        };
        Call::done(&self.client, Method::Post, self.toolbox.url("/env", &[])).body(&body)
    }

    /// Makes the sandbox's previews open to anyone (`true`) or only with its token.
    pub fn set_public(&self, public: bool) -> Step {
        self.step(self.call(Method::Post, &format!("/public/{public}")), None, None)
    }

    /// Changes the sandbox's network rules (`networkBlockAll`, `networkAllowList`); a running
    /// sandbox gets them at once where that is possible.
    pub fn update_network_settings(&self, settings: NetworkSettings) -> Step {
        self.step(self.call(Method::Post, "/network-settings").body(&settings), None, None)
    }

    /// [`Sandbox::update_network_settings`] with the body as a JS object (the JS face's).
    #[cfg(feature = "js")]
    pub(crate) fn update_network_settings_js(&self, settings: &wasm_bindgen::JsValue) -> Step {
        self.step(self.call(Method::Post, "/network-settings").js_body(settings), None, None)
    }

    /// Whether SSH access `token` opens a sandbox now, and which (any sandbox's token).
    pub fn validate_ssh_access(&self, token: &str) -> Call<SshAccessValidation> {
        validate_ssh_access(&self.client, token)
    }

    /// An SSH access token valid for `expires_in_minutes` (default 60): its `sshCommand`
    /// (`ssh -p <port> <token>@<host>`) logs into the sandbox.
    pub fn create_ssh_access(&self, expires_in_minutes: Option<u32>) -> Call<SshAccess> {
        let query = expires_in_minutes.map(|m| format!("?expiresInMinutes={m}")).unwrap_or_default();
        Call::new(&self.client, Method::Post, self.url(&format!("/ssh-access{query}")))
    }

    /// Revokes the SSH access of `token`, or every one of the sandbox's (`None`).
    pub fn revoke_ssh_access(&self, token: Option<&str>) -> Step {
        let query = token.map(|t| format!("?token={}", encode(t))).unwrap_or_default();
        self.step(self.call(Method::Delete, &format!("/ssh-access{query}")), None, None)
    }

    /// The sandbox's CPU, memory and disk use now (CPU averaged since the previous call).
    pub fn get_metrics_latest(&self) -> Call<SystemMetrics> {
        Call::new(&self.client, Method::Get, self.toolbox.url("/system/metrics", &[]))
    }

    /// The sandbox's resource-use history from `start` (default: its creation) to `end`
    /// (default: now), ISO 8601 times: one sample per time, oldest first.
    pub async fn get_metrics(
        &self,
        start: Option<&str>,
        end: Option<&str>,
    ) -> Result<Vec<SandboxMetrics>, DaytonaError> {
        let response: MetricsResponse = self.metrics_call(start, end).await?;
        Ok(response.samples())
    }

    /// The telemetry request of [`Sandbox::get_metrics`] (the JS face turns its series into
    /// samples itself).
    pub(crate) fn metrics_call(&self, start: Option<&str>, end: Option<&str>) -> Call<MetricsResponse> {
        let end = end.map_or_else(|| String::from(js_sys::Date::new_0().to_iso_string()), str::to_owned);
        let start = start.map(str::to_owned).or_else(|| self.dto().created_at.clone()).unwrap_or_else(|| end.clone());
        let mut query = format!("/telemetry/metrics?from={}&to={}", encode(&start), encode(&end));
        for name in SANDBOX_METRIC_NAMES {
            query.push_str("&metricNames=");
            query.push_str(name);
        }
        Call::new(&self.client, Method::Get, self.url(&query))
    }

    /// Replaces all labels; returns the stored set.
    pub async fn set_labels(&self, labels: BTreeMap<String, String>) -> Result<BTreeMap<String, String>, DaytonaError> {
        let body = SandboxLabels { labels };
        let out: SandboxLabels = Call::new(&self.client, Method::Put, self.url("/labels")).body(&body).await?;
        self.data.borrow_mut().labels = out.labels.clone();
        Ok(out.labels)
    }

    /// [`Sandbox::interval`] for one that takes no negative value (`name` on the wire).
    fn whole_minutes(&self, kind: &str, name: &str, minutes: i64) -> Step {
        match minutes < 0 {
            true => refused(&format!("{name} must be a non-negative integer")),
            false => self.interval(kind, minutes),
        }
    }

    /// Sets interval `kind` and reloads the data (one boxed future for the five setters).
    fn interval(&self, kind: &str, minutes: i64) -> Step {
        let set = Call::done(&self.client, Method::Post, self.url(&format!("/{kind}/{minutes}")));
        let sandbox = self.clone();
        Box::pin(async move {
            set.await?;
            sandbox.refresh_data().await
        })
    }

    /// Minutes of inactivity before the sandbox stops by itself (0 = never).
    pub fn set_autostop_interval(&self, minutes: i64) -> Step {
        self.whole_minutes("autostop", "autoStopInterval", minutes)
    }

    /// Minutes of inactivity before the sandbox pauses by itself (0 = never; daytona-local
    /// refuses any other value, pausing only when asked).
    pub fn set_auto_pause_interval(&self, minutes: i64) -> Step {
        self.whole_minutes("autopause", "autoPauseInterval", minutes)
    }

    /// Minutes stopped before the sandbox is archived (0 = the maximum).
    pub fn set_auto_archive_interval(&self, minutes: i64) -> Step {
        self.whole_minutes("autoarchive", "autoArchiveInterval", minutes)
    }

    /// Minutes stopped before the sandbox is deleted (negative = never, 0 = on stop).
    pub fn set_auto_delete_interval(&self, minutes: i64) -> Step {
        self.interval("autodelete", minutes)
    }

    /// Destroys the sandbox `minutes` from now whatever its state (0 = no TTL); its
    /// `auto_destroy_at` says when.
    pub fn set_ttl(&self, minutes: i64) -> Step {
        self.whole_minutes("ttl", "ttlMinutes", minutes)
    }

    /// Tells the control plane the sandbox is in use (resets the auto-stop timer).
    pub fn refresh_activity(&self) -> Call<()> {
        Call::done(&self.client, Method::Post, self.url("/last-activity"))
    }

    /// Waits until the state is `started` (default 60 s).
    pub fn wait_until_started(&self, timeout: Option<Duration>) -> Step {
        let sandbox = self.clone();
        Box::pin(async move { wait_for(&sandbox, Until::Started, Some(timeout.unwrap_or(DEFAULT_WAIT))).await })
    }

    /// Waits until the state is `stopped` (or `destroyed`) (default 60 s).
    pub fn wait_until_stopped(&self, timeout: Option<Duration>) -> Step {
        let sandbox = self.clone();
        Box::pin(async move { wait_for(&sandbox, Until::Stopped, Some(timeout.unwrap_or(DEFAULT_WAIT))).await })
    }

    /// The URL and token for reaching `port` of the sandbox.
    pub fn get_preview_link(&self, port: u16) -> Call<PortPreviewUrl> {
        Call::new(&self.client, Method::Get, self.url(&format!("/ports/{port}/preview-url")))
    }

    /// A preview URL of `port` that opens it with no other credential (its host carries a
    /// token) for `expires_in_seconds` (1 s to a day; default 60): the link to share.
    pub fn create_signed_preview_url(&self, port: u16, expires_in_seconds: Option<u32>) -> Call<SignedPortPreviewUrl> {
        let query = expires_in_seconds.map(|s| format!("?expiresInSeconds={s}")).unwrap_or_default();
        Call::new(&self.client, Method::Get, self.url(&format!("/ports/{port}/signed-preview-url{query}")))
    }

    /// Ends the signed preview URL of `port` with `token` before its time.
    pub fn expire_signed_preview_url(&self, port: u16, token: &str) -> Call<()> {
        Call::done(
            &self.client,
            Method::Post,
            self.url(&format!("/ports/{port}/signed-preview-url/{}/expire", encode(token))),
        )
    }

    async fn signing_key(&self) -> Result<String, DaytonaError> {
        if let Some((key, at)) = self.signing_key.borrow().clone() {
            if js_sys::Date::now() - at < SIGNING_KEY_CACHE_MS {
                return Ok(key);
            }
        }
        let key: String = Call::new(&self.client, Method::Get, self.url("/signing-key")).await?;
        *self.signing_key.borrow_mut() = Some((key.clone(), js_sys::Date::now()));
        Ok(key)
    }

    async fn signed_url(
        &self,
        operation: &str,
        method: &str,
        path: &str,
        ttl_secs: Option<i64>,
    ) -> Result<String, DaytonaError> {
        let key = self.signing_key().await?;
        let expires = match ttl_secs.unwrap_or(DEFAULT_URL_TTL_SECS) {
            t if t <= 0 => 0,
            t => (js_sys::Date::now() / 1000.0) as i64 + t,
        };
        let signature = daytona_models::sign_file_url(&key, method, path, expires);
        let query = crate::http::query_string(&[
            ("path".into(), path.into()),
            ("expires".into(), expires.to_string()),
            ("signature".into(), signature),
        ]);
        Ok(format!("{}{operation}?{query}", self.toolbox.base()))
    }

    /// A URL that downloads `path` with no credentials (default lifetime 1 h; `<= 0` = never expires).
    pub async fn download_url(&self, path: &str, ttl_secs: Option<i64>) -> Result<String, DaytonaError> {
        self.signed_url("/files/download", "GET", path, ttl_secs).await
    }

    /// A URL that accepts a `POST` (multipart field `file`, or the raw body) to `path` with no credentials.
    pub async fn upload_url(&self, path: &str, ttl_secs: Option<i64>) -> Result<String, DaytonaError> {
        self.signed_url("/files/upload-v2", "POST", path, ttl_secs).await
    }

    /// Replaces the signing key: every URL signed before stops working.
    pub async fn rotate_signing_key(&self) -> Result<(), DaytonaError> {
        let key: String = Call::new(&self.client, Method::Post, self.url("/signing-key/rotate")).await?;
        *self.signing_key.borrow_mut() = Some((key, js_sys::Date::now()));
        Ok(())
    }

    async fn toolbox_dir(&self, path: &str) -> Result<String, DaytonaError> {
        let dir: DirResponse = Call::new(&self.client, Method::Get, self.toolbox.url(path, &[])).await?;
        Ok(dir.dir)
    }

    /// The sandbox user's home directory.
    pub async fn get_user_home_dir(&self) -> Result<String, DaytonaError> {
        self.toolbox_dir("/user-home-dir").await
    }

    /// The default working directory of commands.
    pub async fn get_work_dir(&self) -> Result<String, DaytonaError> {
        self.toolbox_dir("/work-dir").await
    }
}
