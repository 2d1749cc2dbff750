//! Sandbox lifecycle: the state machine of Daytona (`creating → started`,
//! `stopping → stopped`, `archiving → archived`, `destroying → destroyed`) over real jails.

use std::collections::BTreeMap;
use std::sync::Arc;

use daytona_models::{
    CreateSandbox, CreateSandboxSnapshot, ForkSandbox, NetworkSettings, ResizeSandbox, Sandbox, SandboxDesiredState,
    SandboxState, Snapshot, SnapshotState,
};

use crate::app::error::ApiError;
use crate::app::state::{AppState, ORGANIZATION_ID};
use crate::jail::firewall::AllowList;
use crate::jail::images::ImageRun;
use crate::jail::JailError;
use crate::store::record::SandboxRecord;

/// Default and maximum resources of a local sandbox.
/// The one snapshot daytona-local has: its host's userland.
pub const DEFAULT_SNAPSHOT: &str = "daytona-local";
/// In the image store's directory of a snapshot made from a sandbox: the id of the snapshot
/// that sandbox ran on.
const SNAPSHOT_BASE: &str = "base";
/// CPU cores of a sandbox that names none.
pub const DEFAULT_CPU: i64 = 1;
/// Memory (GiB) of a sandbox that names none.
pub const DEFAULT_MEMORY_GIB: i64 = 1;
/// The default `disk` (GiB), also the size of the disks kept ready.
pub const DEFAULT_DISK_GIB: i64 = 3;
/// Most CPU cores of one sandbox.
pub const MAX_CPU: i64 = 16;
/// Most memory (GiB) of one sandbox.
pub const MAX_MEMORY_GIB: i64 = 64;
/// Most disk (GiB) of one sandbox.
pub const MAX_DISK_GIB: i64 = 100;
/// Daytona's default intervals (minutes).
const DEFAULT_AUTO_STOP: i64 = 15;
const DEFAULT_AUTO_ARCHIVE: i64 = 7 * 24 * 60;
/// The largest auto-archive interval (0 means this).
pub const MAX_AUTO_ARCHIVE: i64 = 30 * 24 * 60;

/// `v` if it is within `min..=max`, else a 400 naming `what`.
pub fn check_range(what: &str, v: i64, min: i64, max: i64) -> Result<i64, ApiError> {
    if (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(ApiError::BadRequest(format!("{what} must be between {min} and {max}, got {v}")))
    }
}

fn check_name(name: &str) -> Result<(), ApiError> {
    let ok =
        !name.is_empty() && name.len() <= 63 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!("Invalid sandbox name {name:?}: use 1-63 letters, digits, '-', '_' or '.'")))
    }
}

fn check_env(env: &BTreeMap<String, String>) -> Result<(), ApiError> {
    match env.keys().find(|k| !daytona_models::is_env_name(k)) {
        Some(k) => Err(ApiError::BadRequest(format!("Invalid environment variable name {k:?}"))),
        None => Ok(()),
    }
}

/// Most labels on one sandbox. Daytona's API documents no limits on labels (any string map);
/// these are conservative ones that no ordinary use comes near (the SDKs add one label,
/// `code-toolbox-language`), and keep records and list answers small.
pub const MAX_LABELS: usize = 64;
/// Longest label key, in bytes (keys must not be empty).
pub const MAX_LABEL_KEY_BYTES: usize = 256;
/// Longest label value, in bytes.
pub const MAX_LABEL_VALUE_BYTES: usize = 1024;

/// Validates a sandbox's labels against [`MAX_LABELS`], [`MAX_LABEL_KEY_BYTES`] and
/// [`MAX_LABEL_VALUE_BYTES`]. Any characters are allowed, as on Daytona.
pub fn check_labels(labels: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if labels.len() > MAX_LABELS {
        return Err(ApiError::BadRequest(format!(
            "A sandbox can have at most {MAX_LABELS} labels, got {}",
            labels.len()
        )));
    }
    for (key, value) in labels {
        if key.is_empty() {
            return Err(ApiError::BadRequest("Label keys must not be empty".into()));
        }
        if key.len() > MAX_LABEL_KEY_BYTES {
            let start: String = key.chars().take(40).collect();
            return Err(ApiError::BadRequest(format!(
                "Label key {start:?}… is {} bytes long; at most {MAX_LABEL_KEY_BYTES} are allowed",
                key.len()
            )));
        }
        if value.len() > MAX_LABEL_VALUE_BYTES {
            return Err(ApiError::BadRequest(format!(
                "The value of label {key:?} is {} bytes long; at most {MAX_LABEL_VALUE_BYTES} are allowed",
                value.len()
            )));
        }
    }
    Ok(())
}

/// The longest auto-stop, auto-archive or auto-delete interval accepted, in minutes: 100
/// years. Daytona documents no maximum; this one keeps every interval far from overflowing
/// when it is turned into milliseconds. Larger values are answered with 400.
pub const MAX_INTERVAL_MINUTES: i64 = 100 * 365 * 24 * 60;

/// Validates an auto-stop/auto-archive/auto-delete interval (minutes, 0 to
/// [`MAX_INTERVAL_MINUTES`]).
pub fn check_interval(what: &str, minutes: i64) -> Result<i64, ApiError> {
    if minutes < 0 {
        return Err(ApiError::BadRequest(format!("{what} must be a non-negative number of minutes")));
    }
    if minutes > MAX_INTERVAL_MINUTES {
        return Err(ApiError::BadRequest(format!(
            "{what} must be at most {MAX_INTERVAL_MINUTES} minutes (100 years), got {minutes}"
        )));
    }
    Ok(minutes)
}

/// Validates an auto-delete interval: any negative value means "never" (stored as -1), else as
/// [`check_interval`].
pub fn check_auto_delete(minutes: i64) -> Result<i64, ApiError> {
    match minutes < 0 {
        true => Ok(-1),
        false => check_interval("autoDeleteInterval", minutes),
    }
}

/// Why an auto-pause interval is refused (at create and by `POST …/autopause/{minutes}`).
pub const AUTO_PAUSE_REFUSED: &str =
    "automatic pausing is not supported by daytona-local: pause a sandbox yourself (POST /sandbox/{id}/pause), or use autoStopInterval";

/// Fields of Daytona's `CreateSandbox` that daytona-local cannot honour, and why: each is
/// refused unless it asks for nothing (absent, null, false, 0 or empty).
const NOT_HONOURED: [(&str, &str); 8] = [
    ("domainAllowList", "domain allow lists are not enforced by daytona-local: use networkAllowList (CIDR networks)"),
    ("spot", "spot sandboxes do not exist on daytona-local"),
    ("gpuType", "GPUs are not available on daytona-local"),
    ("autoPauseInterval", AUTO_PAUSE_REFUSED),
    ("secrets", "secrets are not supported by daytona-local: pass env"),
    ("outboundProxyUrl", "outbound proxies are not supported by daytona-local"),
    ("otelEndpointOverride", "daytona-local exports no telemetry"),
    ("linkedSandbox", "linked sandboxes are not supported by daytona-local"),
];

/// Fields of `CreateSandbox` that are metadata here (there is no queue): accepted as sent.
const METADATA_ONLY: [&str; 1] = ["queueTimeout"];

/// Whether a JSON value asks for nothing (a default a client may send without meaning it).
fn asks_for_nothing(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(true) => false,
    }
}

/// Refuses a create body that asks for what daytona-local cannot honour (a field of
/// [`NOT_HONOURED`], or one it does not know) instead of dropping it.
pub fn check_create_fields(body: &serde_json::Value) -> Result<(), ApiError> {
    const KNOWN: [&str; 20] = [
        "name",
        "snapshot",
        "user",
        "env",
        "labels",
        "public",
        "networkBlockAll",
        "networkAllowList",
        "kvm",
        "target",
        "cpu",
        "gpu",
        "memory",
        "disk",
        "autoStopInterval",
        "autoArchiveInterval",
        "autoDeleteInterval",
        "ttlMinutes",
        "volumes",
        "buildInfo",
    ];
    let Some(fields) = body.as_object() else { return Ok(()) };
    for (key, value) in fields {
        if KNOWN.contains(&key.as_str()) || METADATA_ONLY.contains(&key.as_str()) || asks_for_nothing(value) {
            continue;
        }
        if key == "sandboxClass" {
            if value == "container" {
                continue;
            }
            return Err(ApiError::BadRequest(format!("daytona-local sandboxes are containers, not {value}")));
        }
        let why = NOT_HONOURED.iter().find(|(k, _)| k == key).map(|(_, why)| (*why).to_owned());
        return Err(ApiError::BadRequest(why.unwrap_or_else(|| format!("unknown field {key:?}"))));
    }
    Ok(())
}

fn wrong_state(rec: &SandboxRecord, action: &str) -> ApiError {
    ApiError::BadRequest(format!("Sandbox {} cannot be {action} in state {}", rec.dto.id, rec.state().as_str()))
}

impl AppState {
    /// `POST /sandbox`: validates, records `creating`, starts the jail → `started` (or `error`).
    pub async fn create_sandbox(self: &Arc<Self>, req: CreateSandbox) -> Result<SandboxRecord, ApiError> {
        let id = uuid::Uuid::new_v4().to_string();
        let name = req.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| id.clone());
        check_name(&name)?;
        let env = req.env.unwrap_or_default();
        check_env(&env)?;
        let labels = req.labels.unwrap_or_default();
        check_labels(&labels)?;
        // The snapshot first: its resources are the defaults of sandboxes made on it. One from
        // an image (buildInfo) runs on the snapshot of that build, which may still be building.
        let wanted = req.snapshot.as_deref().filter(|s| !s.is_empty());
        let snapshot = match (wanted, req.build_info.clone()) {
            (Some(_), Some(_)) => {
                return Err(ApiError::BadRequest("Name a snapshot or an image to build (buildInfo), not both".into()))
            }
            // A build is refused before it starts where sandboxes could not run on it (builds
            // need root, as sandboxes on images do).
            (None, Some(info)) => {
                self.check_build(&info)?;
                self.snapshot_for_build(info)?
            }
            (None, None) => self.default_snapshot(),
            (Some(wanted), None) => self.find_snapshot(wanted).map_err(|_| {
                ApiError::BadRequest(format!(
                    "Snapshot {wanted} not found: pull it first (POST /snapshots), or use the default snapshot \
                     {DEFAULT_SNAPSHOT:?} (the host's userland)"
                ))
            })?,
        };
        // What it runs on: the snapshot's image, or for a snapshot made from a sandbox, what
        // that sandbox ran on (with a copy of its files).
        // (One still being made is refused below, as any snapshot not active.)
        let base = match snapshot.state {
            SnapshotState::Active => self.base_of(snapshot.clone())?,
            _ => snapshot.clone(),
        };
        if let (false, Some(why)) = (base.general, self.runtime.identities_unavailable()) {
            return Err(ApiError::BadRequest(format!(
                "Sandboxes on images need daytona-local to run as root (overlay and idmapped mounts): {why}"
            )));
        }
        // Only the snapshot of a build may be on its way; the sandbox then waits for it.
        let building = snapshot.state != SnapshotState::Active;
        if building && req.build_info.is_none() {
            let state = serde_json::to_string(&snapshot.state).unwrap_or_default();
            return Err(ApiError::BadRequest(format!("Snapshot {} is not active (state {state})", snapshot.name)));
        }
        let cpu = check_range("cpu", req.cpu.unwrap_or(snapshot.cpu as i64), 1, MAX_CPU)?;
        let memory = check_range("memory", req.memory.unwrap_or(snapshot.mem as i64), 1, MAX_MEMORY_GIB)?;
        let disk = check_range("disk", req.disk.unwrap_or(snapshot.disk as i64), 1, MAX_DISK_GIB)?;
        // A snapshot made from a sandbox holds a disk of that sandbox's size: never less.
        let kept = snapshot.source_sandbox_id.as_ref().map(|_| self.runtime.images.path(&snapshot.id));
        let kept_gib = kept.as_deref().and_then(crate::jail::disk::Disks::kept_gib);
        if let Some(gib) = kept_gib.filter(|&gib| disk < gib) {
            return Err(ApiError::BadRequest(format!(
                "Sandboxes on snapshot {} have a disk of at least {gib} GiB (that of the sandbox it was made from)",
                snapshot.name
            )));
        }
        if let (Some(_), Some(why)) = (req.disk, self.runtime.disks.unavailable()) {
            return Err(ApiError::BadRequest(format!("disk limits cannot be enforced here: {why}")));
        }
        if req.gpu.unwrap_or(0) > 0 {
            return Err(ApiError::BadRequest("GPUs are not available on daytona-local".into()));
        }
        // What daytona-local cannot honour is refused, not dropped.
        if req.kvm == Some(true) {
            return Err(ApiError::BadRequest("KVM is not available in daytona-local sandboxes".into()));
        }
        let auto_stop = check_interval("autoStopInterval", req.auto_stop_interval.unwrap_or(DEFAULT_AUTO_STOP))?;
        let auto_archive =
            check_interval("autoArchiveInterval", req.auto_archive_interval.unwrap_or(DEFAULT_AUTO_ARCHIVE))?;
        let auto_delete = check_auto_delete(req.auto_delete_interval.unwrap_or(-1))?;
        let ttl = check_interval("ttlMinutes", req.ttl_minutes.unwrap_or(0))?;
        AllowList::parse(req.network_allow_list.as_deref()).map_err(ApiError::BadRequest)?;
        if self.find(&name).is_ok() {
            return Err(ApiError::Conflict(format!("Sandbox with name {name} already exists")));
        }
        // Who it runs as: `daytona` on the default snapshot, its image's USER on another (known
        // once the image is there: a sandbox on a build takes it when it starts).
        let runs_as = match base.general {
            true => Some("daytona".to_owned()),
            false if building => None,
            // (An image that cannot be read fails its start, with the reason.)
            false => self.image_user(&base.id),
        };
        let user = match (req.user.filter(|u| !u.is_empty()), runs_as) {
            (None, Some(runs_as)) => runs_as,
            (Some(asked), Some(runs_as)) if asked == runs_as => asked,
            (None, None) => "root".into(),
            (Some(asked), runs_as) => {
                return Err(ApiError::BadRequest(format!(
                    "Sandboxes on snapshot {} run as {}, not {asked:?}: daytona-local cannot run them as another \
                     user",
                    snapshot.name,
                    runs_as.map_or_else(|| "the user its image names".into(), |u| format!("user {u:?}"))
                )))
            }
        };
        // Its disk (or the copy of a snapshot's files, as many bytes as they were measured when
        // kept: its `size`, in GB) must leave the host's reserve free.
        let need = kept.as_ref().and(snapshot.size).map_or(0, |gb| (gb * 1e9) as u64);
        self.runtime.disks.check_room(need, "a new sandbox").map_err(ApiError::BadRequest)?;
        let now = crate::time::now_ms();
        let dto = Sandbox {
            id: id.clone(),
            organization_id: ORGANIZATION_ID.into(),
            name,
            snapshot: Some(snapshot.name.clone()),
            user,
            env,
            labels,
            public: req.public.unwrap_or(false),
            network_block_all: req.network_block_all.unwrap_or(false),
            kvm: false,
            network_allow_list: req.network_allow_list,
            target: req.target.unwrap_or_else(|| "local".into()),
            cpu,
            gpu: 0,
            memory,
            disk,
            state: Some(if building { SandboxState::PendingBuild } else { SandboxState::Creating }),
            desired_state: Some(SandboxDesiredState::Started),
            error_reason: None,
            recoverable: None,
            backup_state: Some("None".into()),
            auto_stop_interval: Some(auto_stop),
            auto_pause_interval: None,
            auto_archive_interval: Some(auto_archive),
            auto_delete_interval: Some(auto_delete),
            auto_destroy_at: None,
            volumes: Some(Vec::new()),
            created_at: Some(crate::time::iso(now)),
            updated_at: Some(crate::time::iso(now)),
            last_activity_at: Some(crate::time::iso(now)),
            sandbox_class: Some("container".into()),
            daemon_version: Some(env!("CARGO_PKG_VERSION").into()),
            toolbox_proxy_url: String::new(),
        };
        let lock = self.op_lock(&id);
        let _guard = lock.lock().await;
        self.record_new(dto, now, ttl, req.volumes.unwrap_or_default())?;
        if building {
            // Started once its snapshot is built (and marked used then).
            tokio::spawn(Arc::clone(self).boot_after_build(id.clone()));
            return self.find(&id);
        }
        if let Some(kept) = kept {
            let restored = async {
                self.runtime.restore_files(&kept, &id).await?;
                match kept_gib.filter(|&gib| disk > gib) {
                    Some(_) => self.runtime.disks.grow(&id, disk, false).await,
                    None => Ok(()),
                }
            };
            if let Err(e) = restored.await {
                tracing::error!("sandbox {id}: the files of snapshot {}: {e}", snapshot.name);
                return Err(self.discard_new(&id, e).await);
            }
        }
        if let Err(e) = self.mark_snapshot_used(snapshot) {
            tracing::warn!("sandbox {id}: marking its snapshot used: {e}");
        }
        self.boot(&id).await
    }

    /// Records a new sandbox made at `now` (ms) with fresh credentials (its token and signing
    /// key; no previews or SSH accesses yet), a TTL of `ttl_minutes` (0 = none) and volume
    /// `mounts`, checked under the volume lock so that no volume it mounts is deleted between
    /// the check and the record.
    fn record_new(
        &self,
        dto: Sandbox,
        now: i64,
        ttl_minutes: i64,
        mounts: Vec<daytona_models::SandboxVolume>,
    ) -> Result<(), ApiError> {
        let _volumes = self.volume_lock.lock();
        let volumes = self.check_volume_mounts(mounts)?;
        let mut rec = SandboxRecord {
            dto: Sandbox { volumes: Some(volumes), ..dto },
            token: crate::app::auth::random_token(32).to_lowercase(),
            created_ms: now,
            last_activity_ms: now,
            signing_key: crate::app::signing::new_key(),
            stopped_ms: None,
            signed_previews: Vec::new(),
            ssh_accesses: Vec::new(),
            destroy_ms: None,
        };
        rec.set_ttl(now, ttl_minutes, self.minute_ms);
        self.put(rec).map(drop)
    }

    /// Undoes new sandbox `id` whose files could not be given it (`why`): its files removed,
    /// its record forgotten; the error to answer.
    async fn discard_new(&self, id: &str, why: JailError) -> ApiError {
        self.runtime.remove_files(id).await;
        if let Err(e) = self.forget(id) {
            tracing::error!("forgetting the failed sandbox {id}: {e}");
        }
        why.into()
    }

    /// Starts the jail of `id` and records `started`, or `error` with the reason.
    pub(super) async fn boot(&self, id: &str) -> Result<SandboxRecord, ApiError> {
        let rec = self.find(id)?;
        // A sandbox on a pulled image names its snapshot; the default one is the host's userland.
        // (One made from a sandbox runs on what that sandbox ran on.)
        let image = match rec.dto.snapshot.as_deref() {
            Some(name) if name != DEFAULT_SNAPSHOT => {
                let snap = self.find_snapshot(name)?;
                let entrypoint = snap.entrypoint.clone().unwrap_or_default();
                let base = self.base_of(snap)?;
                (!base.general).then_some(ImageRun { id: base.id, entrypoint })
            }
            _ => None,
        };
        // Named after its image's user (a sandbox made while its image was being built
        // learns it here).
        let user = image.as_ref().and_then(|run| self.image_user(&run.id));
        match self.runtime.start(&rec.dto, image.as_ref()).await {
            Ok(()) => self.update(id, |r| {
                if let Some(user) = user {
                    r.dto.user = user;
                }
                r.set_state(SandboxState::Started);
                r.dto.desired_state = Some(SandboxDesiredState::Started);
                r.dto.error_reason = None;
                r.dto.recoverable = None;
                r.touch();
            }),
            Err(reason) => {
                tracing::error!("sandbox {id} failed to start: {reason}");
                self.update(id, |r| {
                    r.set_state(SandboxState::Error);
                    r.dto.error_reason = Some(reason.to_string());
                    r.dto.recoverable = Some(true);
                })
            }
        }
    }

    /// The name of the user snapshot `id`'s image runs as (none while it cannot be read: a
    /// build under way, or a broken image, whose start then fails with the reason).
    fn image_user(&self, id: &str) -> Option<String> {
        self.runtime.images.root_image(id).ok().map(|image| image.user.name)
    }

    /// Marks a `started` (or `paused`) sandbox whose jail is gone as `error` (recoverable), unless a
    /// lifecycle operation is under way on it.
    pub async fn mark_crashed(&self, id: &str) {
        let lock = self.op_lock(id);
        let Ok(_guard) = lock.try_lock() else { return };
        let still_dead = self.find(id).is_ok_and(|r| matches!(r.state(), SandboxState::Started | SandboxState::Paused))
            && !self.runtime.is_running(id);
        // At shutdown the jails are stopped on purpose, records staying `started` so that they
        // start again with the server: that is no crash.
        if still_dead && !self.runtime.is_shutting_down() {
            let reason = match self.runtime.stop(id, true).await {
                Ok(()) => "the sandbox's main process exited unexpectedly".to_owned(),
                Err(e) => format!("the sandbox's main process exited unexpectedly and {e}"),
            };
            self.update_logged(id, |r| {
                r.set_state(SandboxState::Error);
                r.dto.error_reason = Some(reason);
                r.dto.recoverable = Some(true);
            });
        }
    }

    /// `POST /sandbox/{id}/start`: from `stopped`, `archived` (restored) or `paused` (resumed) to
    /// `started`.
    pub async fn start_sandbox(&self, id_or_name: &str) -> Result<SandboxRecord, ApiError> {
        let (_guard, rec) = self.lock_sandbox(id_or_name).await?;
        let id = rec.dto.id.clone();
        match rec.state() {
            SandboxState::Started if self.runtime.is_running(&id) => Ok(rec),
            SandboxState::Paused if self.runtime.is_running(&id) => {
                self.update(&id, |r| {
                    r.set_state(SandboxState::Resuming);
                    r.dto.desired_state = Some(SandboxDesiredState::Started);
                })?;
                match self.runtime.set_frozen(&id, false).await {
                    Ok(()) => self.update(&id, |r| {
                        r.set_state(SandboxState::Started);
                        r.touch();
                    }),
                    Err(e) => Err(self.stop_failed(&id, e)),
                }
            }
            SandboxState::Started
            | SandboxState::Stopped
            | SandboxState::Creating
            | SandboxState::Starting
            | SandboxState::Paused => {
                self.update(&id, |r| {
                    r.set_state(SandboxState::Starting);
                    r.dto.desired_state = Some(SandboxDesiredState::Started);
                })?;
                self.boot(&id).await
            }
            SandboxState::Archived => {
                self.update(&id, |r| {
                    r.set_state(SandboxState::Restoring);
                    r.dto.desired_state = Some(SandboxDesiredState::Started);
                })?;
                self.boot(&id).await
            }
            SandboxState::Error => Err(ApiError::BadRequest(format!(
                "Sandbox {id} is in an error state ({}); recover it first",
                rec.dto.error_reason.unwrap_or_default()
            ))),
            _ => Err(wrong_state(&rec, "started")),
        }
    }

    /// `POST /sandbox/{id}/stop`: `stopping → stopped` (SIGKILL at once when `force`).
    pub async fn stop_sandbox(&self, id_or_name: &str, force: bool) -> Result<SandboxRecord, ApiError> {
        let (_guard, rec) = self.lock_sandbox(id_or_name).await?;
        let id = rec.dto.id.clone();
        match rec.state() {
            SandboxState::Stopped => Ok(rec),
            SandboxState::Started
            | SandboxState::Error
            | SandboxState::Stopping
            | SandboxState::Starting
            | SandboxState::Paused => {
                self.update(&id, |r| {
                    r.set_state(SandboxState::Stopping);
                    r.dto.desired_state = Some(SandboxDesiredState::Stopped);
                })?;
                if rec.state() == SandboxState::Paused {
                    // Thawed first, so that its agent ends its sessions as on any stop (a
                    // frozen one would only wait out the grace period before the kill).
                    if let Err(e) = self.runtime.set_frozen(&id, false).await {
                        tracing::warn!("sandbox {id}: thawing before the stop: {e}");
                    }
                }
                self.runtime.stop(&id, force).await.map_err(|e| self.stop_failed(&id, e))?;
                let rec = self.update(&id, |r| r.set_state(SandboxState::Stopped))?;
                Ok(rec)
            }
            _ => Err(wrong_state(&rec, "stopped")),
        }
    }

    /// `POST /sandbox/{id}/pause`: a started sandbox goes `pausing → paused`, everything it runs
    /// frozen where it is (memory kept, no CPU used; its toolbox answers no calls meanwhile);
    /// `start` resumes it. Refused with the reason where this host cannot freeze it.
    pub async fn pause_sandbox(&self, id_or_name: &str) -> Result<SandboxRecord, ApiError> {
        let (_guard, rec) = self.lock_sandbox(id_or_name).await?;
        let id = rec.dto.id.clone();
        match rec.state() {
            SandboxState::Paused => Ok(rec),
            SandboxState::Started if self.runtime.is_running(&id) => {
                self.update(&id, |r| {
                    r.set_state(SandboxState::Pausing);
                    r.dto.desired_state = Some(SandboxDesiredState::Paused);
                })?;
                match self.runtime.set_frozen(&id, true).await {
                    Ok(()) => self.update(&id, |r| r.set_state(SandboxState::Paused)),
                    Err(e) => {
                        // Whatever froze is thawed again: the sandbox runs on as it was.
                        let _ = self.runtime.set_frozen(&id, false).await;
                        self.update(&id, |r| {
                            r.set_state(SandboxState::Started);
                            r.dto.desired_state = Some(SandboxDesiredState::Started);
                        })?;
                        Err(e.into())
                    }
                }
            }
            _ => Err(wrong_state(&rec, "paused")),
        }
    }

    /// `POST /sandbox/{id}/fork`: a new sandbox, started, with a copy of the source's files and
    /// its settings (snapshot, user, env, labels, resources, network rules, intervals, volumes;
    /// not its tokens, keys or SSH accesses). Nothing it ran is copied: the fork boots afresh.
    /// A started source is held still while its disk is copied (tens of milliseconds for a
    /// small one), then runs on; a stopped or paused one is copied as it is.
    pub async fn fork_sandbox(self: &Arc<Self>, id_or_name: &str, req: ForkSandbox) -> Result<SandboxRecord, ApiError> {
        let (source_guard, source) = self.lock_sandbox(id_or_name).await?;
        let still = match source.state() {
            SandboxState::Started if self.runtime.is_running(&source.dto.id) => true,
            SandboxState::Stopped | SandboxState::Paused => false,
            _ => return Err(wrong_state(&source, "forked")),
        };
        let id = uuid::Uuid::new_v4().to_string();
        let name = req.name.filter(|n| !n.is_empty()).unwrap_or_else(|| id.clone());
        check_name(&name)?;
        if self.find(&name).is_ok() {
            return Err(ApiError::Conflict(format!("Sandbox with name {name} already exists")));
        }
        self.runtime.disks.check_room_to_copy(&source.dto.id).await.map_err(ApiError::BadRequest)?;
        let now = crate::time::now_ms();
        let dto = Sandbox {
            id: id.clone(),
            name,
            state: Some(SandboxState::Creating),
            desired_state: Some(SandboxDesiredState::Started),
            error_reason: None,
            recoverable: None,
            created_at: Some(crate::time::iso(now)),
            updated_at: Some(crate::time::iso(now)),
            last_activity_at: Some(crate::time::iso(now)),
            toolbox_proxy_url: String::new(),
            ..source.dto.clone()
        };
        let lock = self.op_lock(&id);
        let _guard = lock.lock().await;
        // A fork's lifetime is its own: no TTL unless one is set on it.
        self.record_new(dto, now, 0, source.dto.volumes.clone().unwrap_or_default())?;
        if let Err(e) = self.runtime.copy_files(&source.dto.id, &id, still).await {
            tracing::error!("forking sandbox {}: {e}", source.dto.id);
            return Err(self.discard_new(&id, e).await);
        }
        // The source is free again while its fork boots.
        drop(source_guard);
        if let Some(snapshot) = source.dto.snapshot.as_deref().and_then(|s| self.find_snapshot(s).ok()) {
            if let Err(e) = self.mark_snapshot_used(snapshot) {
                tracing::warn!("sandbox {id}: marking its snapshot used: {e}");
            }
        }
        self.boot(&id).await
    }

    /// `POST /sandbox/{id}/snapshot`: a snapshot of the sandbox's files, to make sandboxes
    /// from (`snapshot: name` at create): the sandbox shows `snapshotting` while its disk is
    /// copied (held still meanwhile if it runs), then goes back to `started` or `stopped`; the
    /// snapshot goes `pending → active` (or `error` with the reason). Sandboxes made from it
    /// run on what the source ran on (the host's userland, or its image) with a copy of the
    /// files it had, in their own id range. What it ran is not kept (`includeMemory` is
    /// refused).
    pub async fn snapshot_sandbox(
        self: &Arc<Self>,
        id_or_name: &str,
        req: CreateSandboxSnapshot,
    ) -> Result<SandboxRecord, ApiError> {
        if req.include_memory == Some(true) {
            return Err(ApiError::BadRequest(
                "daytona-local keeps a sandbox's files in a snapshot, not the memory of what it runs \
                 (includeMemory)"
                    .into(),
            ));
        }
        super::snapshots::check_name(&req.name)?;
        let (guard, source) = self.lock_sandbox(id_or_name).await?;
        let id = source.dto.id.clone();
        let (back_to, still) = match source.state() {
            SandboxState::Started if self.runtime.is_running(&id) => (SandboxState::Started, true),
            SandboxState::Stopped => (SandboxState::Stopped, false),
            _ => return Err(wrong_state(&source, "snapshotted")),
        };
        let base = match source.dto.snapshot.as_deref() {
            Some(name) if name != DEFAULT_SNAPSHOT => self.base_of(self.find_snapshot(name)?)?,
            _ => self.default_snapshot(),
        };
        self.runtime.disks.check_room_to_copy(&id).await.map_err(ApiError::BadRequest)?;
        let resources = (source.dto.cpu, source.dto.memory, source.dto.disk);
        let mut snap = super::snapshots::new_snapshot(req.name, SnapshotState::Pending, base.entrypoint, resources);
        snap.source_sandbox_id = Some(id.clone());
        self.insert_snapshot(&snap)?;
        let rec = self.update(&id, |r| r.set_state(SandboxState::Snapshotting))?;
        let st = Arc::clone(self);
        tokio::spawn(async move {
            // The sandbox is held (no stop, delete or other change) until its files are kept.
            let _guard = guard;
            let saved = async {
                let dir = st.runtime.images.make_dir(&snap.id).await?;
                std::fs::write(dir.join(SNAPSHOT_BASE), base.id.as_bytes()).map_err(|e| e.to_string())?;
                st.runtime.save_files(&id, &dir, still).await?;
                Ok::<_, crate::jail::JailError>(crate::jail::images::ImageInfo {
                    size_bytes: crate::jail::images::bytes_on_disk(&dir),
                    command: snap.entrypoint.clone().unwrap_or_default(),
                })
            }
            .await;
            st.update_logged(&id, |r| r.set_state(back_to));
            st.image_done(snap, saved, SnapshotState::Error).await;
        });
        Ok(rec)
    }

    /// What sandboxes on snapshot `snap` run on: `snap` itself (the default snapshot, the
    /// host's userland, or an image's), or for a snapshot made from a sandbox, what that
    /// sandbox ran on.
    pub fn base_of(&self, snap: Snapshot) -> Result<Snapshot, ApiError> {
        if snap.source_sandbox_id.is_none() {
            return Ok(snap);
        }
        match self.noted_base(&snap.id) {
            Some(base) if base == DEFAULT_SNAPSHOT || base.is_empty() => Ok(self.default_snapshot()),
            Some(base) => self.find_snapshot(&base),
            None => Err(ApiError::Internal(format!("snapshot {}: what it was made on is not noted", snap.name))),
        }
    }

    /// The id of the snapshot that snapshot `id`, made from a sandbox, was made on (as noted
    /// beside its files when it was made).
    pub(super) fn noted_base(&self, id: &str) -> Option<String> {
        let noted = std::fs::read_to_string(self.runtime.images.path(id).join(SNAPSHOT_BASE)).ok()?;
        Some(noted.trim().to_owned())
    }

    /// `POST /sandbox/{id}/archive`: a stopped sandbox goes `archiving → archived`.
    pub async fn archive_sandbox(&self, id_or_name: &str) -> Result<SandboxRecord, ApiError> {
        let (_guard, rec) = self.lock_sandbox(id_or_name).await?;
        let id = rec.dto.id.clone();
        match rec.state() {
            SandboxState::Archived => Ok(rec),
            SandboxState::Stopped => {
                self.update(&id, |r| {
                    r.set_state(SandboxState::Archiving);
                    r.dto.desired_state = Some(SandboxDesiredState::Archived);
                })?;
                // Files stay where they are: "archived" only means the sandbox needs a
                // restore (start) before use, as on Daytona.
                self.update(&id, |r| r.set_state(SandboxState::Archived))
            }
            _ => Err(wrong_state(&rec, "archived (stop it first)")),
        }
    }

    /// `POST /sandbox/{id}/recover`: restarts a sandbox in the `error` state.
    pub async fn recover_sandbox(&self, id_or_name: &str, skip_start: bool) -> Result<SandboxRecord, ApiError> {
        let (_guard, rec) = self.lock_sandbox(id_or_name).await?;
        let id = rec.dto.id.clone();
        if rec.state() != SandboxState::Error {
            return Err(wrong_state(&rec, "recovered (only errored sandboxes can)"));
        }
        self.runtime.stop(&id, true).await.map_err(|e| self.stop_failed(&id, e))?;
        if skip_start {
            // Recovered, left stopped: its files are as they were, and `start` boots it.
            return self.update(&id, |r| {
                r.set_state(SandboxState::Stopped);
                r.dto.desired_state = Some(SandboxDesiredState::Stopped);
                r.dto.error_reason = None;
                r.dto.recoverable = None;
            });
        }
        self.update(&id, |r| r.set_state(SandboxState::Starting))?;
        self.boot(&id).await
    }

    /// `DELETE /sandbox/{id}`: answers `destroying`; the jail and files go in the background.
    pub async fn delete_sandbox(self: &Arc<Self>, id_or_name: &str) -> Result<SandboxRecord, ApiError> {
        let id = self.find(id_or_name)?.dto.id;
        let rec = self.update(&id, |r| {
            r.set_state(SandboxState::Destroying);
            r.dto.desired_state = Some(SandboxDesiredState::Destroyed);
        })?;
        let state = Arc::clone(self);
        tokio::spawn(async move { state.finish_delete(&id).await });
        Ok(rec)
    }

    /// Stops the jail, removes the files and forgets the record (`destroyed`).
    pub async fn finish_delete(&self, id: &str) {
        let lock = self.op_lock(id);
        let _guard = lock.lock().await;
        if let Err(e) = self.runtime.stop(id, true).await {
            // Its files stay until nothing of it runs: a later delete tries again.
            self.stop_failed(id, e);
            return;
        }
        self.runtime.remove_files(id).await;
        self.cpu_samples.forget(id);
        self.metrics_history.forget(id);
        if let Err(e) = self.forget(id) {
            tracing::error!("forgetting sandbox {id}: {e}");
        }
    }

    /// Records that sandbox `id` could not be ended (state `error` with the reason, so that
    /// nobody takes it for stopped) and returns the error to answer with.
    fn stop_failed(&self, id: &str, why: JailError) -> ApiError {
        let why = why.to_string();
        tracing::error!("sandbox {id}: {why}");
        let recorded = self.update(id, |r| {
            r.set_state(SandboxState::Error);
            r.dto.error_reason = Some(why.clone());
            r.dto.recoverable = Some(true);
        });
        if let Err(e) = recorded {
            tracing::error!("sandbox {id}: recording the failed stop: {e}");
        }
        ApiError::Internal(why)
    }

    /// `POST /sandbox/{id}/resize`: new CPU/memory applied live as cgroup limits; disk only grows.
    pub async fn resize_sandbox(&self, id_or_name: &str, req: ResizeSandbox) -> Result<SandboxRecord, ApiError> {
        let (_guard, rec) = self.lock_sandbox(id_or_name).await?;
        let id = rec.dto.id.clone();
        if !matches!(rec.state(), SandboxState::Started | SandboxState::Stopped) {
            return Err(wrong_state(&rec, "resized"));
        }
        let cpu = check_range("cpu", req.cpu.unwrap_or(rec.dto.cpu), 1, MAX_CPU)?;
        let memory = check_range("memory", req.memory.unwrap_or(rec.dto.memory), 1, MAX_MEMORY_GIB)?;
        let disk = check_range("disk", req.disk.unwrap_or(rec.dto.disk), 1, MAX_DISK_GIB)?;
        if disk < rec.dto.disk {
            return Err(ApiError::BadRequest("Disk size can only be increased".into()));
        }
        if cpu != rec.dto.cpu || memory != rec.dto.memory {
            self.runtime.resize(&id, cpu, memory)?;
        }
        if disk != rec.dto.disk {
            self.runtime.disks.grow(&id, disk, self.runtime.is_running(&id)).await?;
        }
        self.update(&id, |r| {
            r.dto.cpu = cpu;
            r.dto.memory = memory;
            r.dto.disk = disk;
            r.dto.updated_at = Some(crate::time::now_iso());
        })
    }

    /// `POST /sandbox/{id}/network-settings`: new network rules, loaded into the running
    /// sandbox at once (its firewall), or kept for its next start.
    pub async fn update_network_settings(
        &self,
        id_or_name: &str,
        req: NetworkSettings,
    ) -> Result<SandboxRecord, ApiError> {
        if req.domain_allow_list.as_deref().is_some_and(|d| !d.trim().is_empty()) {
            return Err(ApiError::BadRequest(NOT_HONOURED[0].1.into()));
        }
        AllowList::parse(req.network_allow_list.as_deref()).map_err(ApiError::BadRequest)?;
        let (_guard, rec) = self.lock_sandbox(id_or_name).await?;
        let mut dto = rec.dto.clone();
        if let Some(block) = req.network_block_all {
            dto.network_block_all = block;
        }
        if let Some(list) = req.network_allow_list {
            dto.network_allow_list = Some(list).filter(|l| !l.trim().is_empty());
        }
        self.runtime.apply_network(&dto).await?;
        self.update(&rec.dto.id, |r| {
            r.dto.network_block_all = dto.network_block_all;
            r.dto.network_allow_list = dto.network_allow_list;
            r.dto.updated_at = Some(crate::time::now_iso());
        })
    }

    /// Called before serving after a restart: takes over the jails that survived (a crash of
    /// the server leaves them running), so their sandboxes stay `started` without a break.
    pub async fn adopt_surviving_jails(&self) {
        for rec in self.all() {
            match rec.state() {
                SandboxState::Started if self.runtime.adopt(&rec.dto).await => {
                    tracing::info!("sandbox {} kept running across the restart", rec.dto.id);
                }
                SandboxState::Snapshotting => {
                    // Its files were being kept when the server stopped: it goes on as it was
                    // (thawed, if it was held still); one whose jail did not survive starts
                    // again if it was started (`recover_after_restart`), else stays stopped.
                    let id = rec.dto.id.clone();
                    let adopted = self.runtime.adopt(&rec.dto).await;
                    let running = adopted && self.runtime.set_frozen(&id, false).await.is_ok();
                    let was_started = rec.dto.desired_state == Some(SandboxDesiredState::Started);
                    self.update_logged(&id, |r| match (running, was_started) {
                        (true, _) => r.set_state(SandboxState::Started),
                        (false, true) => r.set_state(SandboxState::Starting),
                        (false, false) => r.set_state(SandboxState::Stopped),
                    });
                }
                SandboxState::Paused | SandboxState::Pausing | SandboxState::Resuming => {
                    // Thawed to be adopted (a frozen agent answers nothing), then frozen again:
                    // a paused sandbox stays paused. One whose jail did not survive has lost
                    // what it held in memory: it is stopped, its files kept.
                    let id = rec.dto.id.clone();
                    let adopted = self.runtime.adopt(&rec.dto).await;
                    let paused = adopted && self.runtime.set_frozen(&id, true).await.is_ok();
                    self.update_logged(&id, |r| match paused {
                        true => r.set_state(SandboxState::Paused),
                        false => {
                            r.set_state(SandboxState::Stopped);
                            r.dto.desired_state = Some(SandboxDesiredState::Stopped);
                        }
                    });
                    if adopted && !paused {
                        if let Err(e) = self.runtime.stop(&id, true).await {
                            tracing::error!("sandbox {id}: ending its jail after a restart: {e}");
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Called before serving after a restart: `started` sandboxes without a live jail show as
    /// `starting` until `recover_after_restart` brings them back (otherwise clients would see
    /// `started` and call a toolbox that is not there).
    pub fn mark_restarting(&self) {
        for rec in self.all() {
            if rec.state() == SandboxState::Started && !self.runtime.is_running(&rec.dto.id) {
                self.update_logged(&rec.dto.id, |r| r.set_state(SandboxState::Starting));
            }
        }
    }

    /// Brings the jails back after a server restart: started sandboxes start again and
    /// interrupted transitions are completed.
    pub async fn recover_after_restart(self: Arc<Self>) {
        for rec in self.all() {
            let id = rec.dto.id.clone();
            match rec.state() {
                SandboxState::Started | SandboxState::Creating | SandboxState::Starting | SandboxState::Restoring => {
                    // Serialized with client operations; skip if one (e.g. a stop) came first.
                    let lock = self.op_lock(&id);
                    let _guard = lock.lock().await;
                    let still_due = self.find(&id).is_ok_and(|r| {
                        matches!(
                            r.state(),
                            SandboxState::Started
                                | SandboxState::Creating
                                | SandboxState::Starting
                                | SandboxState::Restoring
                        ) && !self.runtime.is_running(&id)
                    });
                    if !still_due {
                        continue;
                    }
                    if let Err(e) = self.boot(&id).await {
                        tracing::error!("restarting sandbox {id}: {e}");
                    }
                }
                SandboxState::Stopping => {
                    self.update_logged(&id, |r| r.set_state(SandboxState::Stopped));
                }
                SandboxState::Archiving => {
                    self.update_logged(&id, |r| r.set_state(SandboxState::Archived));
                }
                SandboxState::Destroying => self.finish_delete(&id).await,
                _ => {}
            }
        }
    }
}
