//! The JS face of `daytona.snapshot` and `daytona.volume`, named and shaped as in
//! `@daytonaio/sdk`. Answers stay the JS values the browser parsed (no Rust model decoded);
//! `snapshot.create` waits until the snapshot is active as the official SDK does.

use std::time::Duration;

use wasm_bindgen::prelude::*;

use super::build::{log_fn, JsBuild};
use super::lazy::{self, lazy_area, lazy_methods, string_arg, Task};
use super::{error, invalid, object, option, seconds, sending, set, to_js};
use crate::{DaytonaError, LogFn, SnapshotService, VolumeService, DEFAULT_BUILD_TIMEOUT};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A snapshot (`@daytonaio/sdk`'s name for the control plane's `SnapshotDto`). */
export type Snapshot = SnapshotDto;
/** A volume (`@daytonaio/sdk`'s name for the control plane's `VolumeDto`). */
export type Volume = VolumeDto;
/** What `daytona.snapshot.create` makes: a snapshot of an image from a registry, or built. */
export interface SnapshotService {
  /** One page of snapshots (`page` from 1, `limit` per page, default 100). */
  list(page?: number, limit?: number): Promise<PaginatedSnapshots>;
  /** The snapshot with this id or name (rejects with `DaytonaNotFoundError`). */
  get(idOrName: string): Promise<Snapshot>;
  /** Deletes a snapshot (refused while a sandbox runs on it). */
  delete(snapshot: Snapshot | string): Promise<void>;
  /** Offers an inactive snapshot again. */
  activate(snapshot: Snapshot | string): Promise<Snapshot>;
}
export interface VolumeService {
  /** Every volume. */
  list(): Promise<Volume[]>;
  /** The volume named `name`; with `create`, made if there is none (else rejects with `DaytonaNotFoundError`). */
  get(name: string, create?: boolean): Promise<Volume>;
  /** Makes a volume named `name`. */
  create(name: string): Promise<Volume>;
  /** Deletes a volume (refused with `DaytonaConflictError` while a sandbox mounts it). */
  delete(volume: Volume | string): Promise<void>;
}
export interface CreateSnapshotParams {
  /** The snapshot's name (what `daytona.create({ snapshot })` names). */
  name: string;
  /**
   * The image: a name pulled from its registry, e.g. `python:3.12-slim` or
   * `registry.example.com/team/app:1`, or an `Image` of `daytona-wasm/image`, built (its local
   * files uploaded first).
   */
  image: string | Image;
  /** Default resources of sandboxes made from it. */
  resources?: { cpu?: number; memory?: number; disk?: number };
  /** The image's entrypoint, replaced. */
  entrypoint?: string[];
}
/** Options of `daytona.snapshot.create`. */
export interface CreateSnapshotOptions {
  /** Seconds to wait until it is active (default 600; for an `Image`, 1800; 0 = no limit). */
  timeout?: number;
  /** Called with an `Image` build's log lines as they come. */
  onLogs?: (chunk: string) => void;
  /** Progress of the upload of an `Image`'s local files. */
  onProgress?: (progress: TransferProgress) => void;
  /** Cancels the upload of an `Image`'s local files. */
  signal?: AbortSignal;
}
"#;

/// Default wait of `snapshot.create`: pulls of big images take minutes.
const DEFAULT_SNAPSHOT_WAIT: Duration = Duration::from_secs(600);

/// The id (or name) a JS argument names: a string as is, else its `key` field.
fn named(v: &JsValue, key: &str, what: &str) -> Result<String, JsValue> {
    v.as_string()
        .or_else(|| option(v, key).as_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(&format!("{what} must be a {what} object or its {key}")))
}

/// Snapshots: the images sandboxes run on (`daytona.snapshot`).
#[wasm_bindgen(js_name = SnapshotService)]
pub struct JsSnapshotService {
    inner: SnapshotService,
}

impl From<SnapshotService> for JsSnapshotService {
    fn from(inner: SnapshotService) -> Self {
        Self { inner }
    }
}

/// A `snapshot.create` call, its arguments checked (run by the snapshot module: see `lazy`).
struct SnapshotCreate {
    service: SnapshotService,
    name: String,
    body: JsValue,
    built: Option<JsBuild>,
    options: JsValue,
    on_logs: Option<LogFn>,
    wait: Duration,
}

lazy_area!(manage: snapshot(SnapshotCreate) = start_snapshot);

/// Creates the snapshot and waits until it is active, following its build's log.
fn start_snapshot(create: SnapshotCreate) -> Task {
    let SnapshotCreate { service, name, body, built, options, on_logs, wait } = create;
    Box::pin(async move {
            let until = js_sys::Date::now() + wait.as_millis().min(u64::MAX as u128) as f64;
            let building = built.is_some();
            if let Some(build) = built {
                let info = build.info(service.client(), &options).await?;
                set(&body, "buildInfo", &to_js(&info).map_err(error::to_js)?);
            }
            let mut snapshot = sending(service.create_call().js_body(&body)).await?;
            // An identical image built before answers its active snapshot: no log to follow.
            let active = option(&snapshot, "state").as_string().as_deref() == Some("active");
            if let (true, false, Some(on_logs)) = (building, active, &on_logs) {
                let id = option(&snapshot, "id").as_string().unwrap_or_default();
                if id.is_empty() {
                    return Err(error::to_js(DaytonaError::Decode("the new snapshot has no id".into())));
                }
                let left = Duration::from_millis((until - js_sys::Date::now()).max(0.0) as u64);
                service.follow_build_logs(&id, on_logs, left).await.map_err(error::to_js)?;
            }
            loop {
                let failed = match option(&snapshot, "state").as_string().as_deref() {
                    Some("active") => return Ok(snapshot),
                    Some("error" | "build_failed") => option(&snapshot, "errorReason").as_string(),
                    _ if js_sys::Date::now() >= until => {
                        let why = format!("snapshot {name} was not active within {} s", wait.as_secs());
                        return Err(error::to_js(DaytonaError::Timeout(why)));
                    }
                    _ => None,
                };
                if let Some(why) = failed {
                    return Err(error::to_js(DaytonaError::SandboxFailed(format!("snapshot {name}: {why}"))));
                }
                gloo_timers::future::sleep(Duration::from_millis(500)).await;
                snapshot = sending(service.get(&name)).await?;
            }
    })
}

#[wasm_bindgen(js_class = SnapshotService)]
impl JsSnapshotService {
    /// Method `index` of [`SNAPSHOT_LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(snapshot_methods((self.inner.clone(), index, args)))
    }

    /// Makes a snapshot of an image (a name, pulled) or of an `Image` of `daytona-wasm/image`
    /// (its local files uploaded, then built, the build's log to `options.onLogs`), and resolves
    /// once it is active (rejects with the server's reason if the pull or build fails,
    /// `DaytonaTimeoutError` after `options.timeout`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Snapshot>")]
    pub fn create(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateSnapshotParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateSnapshotOptions")] options: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let name = option(&params, "name").as_string().filter(|n| !n.is_empty());
        let name = name.ok_or_else(|| invalid("params.name is required"))?;
        let (image, entrypoint) = (option(&params, "image"), option(&params, "entrypoint"));
        // A name is pulled (its entrypoint sent as is); an Image is built, its entrypoint set in
        // its Dockerfile, as the official SDK does.
        let built = match image.as_string() {
            Some(_) => None,
            None if image.is_undefined() || image.is_null() => {
                return Err(invalid("params.image is required: an image name or an Image"))
            }
            None => Some(JsBuild::of(&image, "params.image")?.with_entrypoint(&entrypoint)?),
        };
        let resources = option(&params, "resources");
        let pulled = |v: JsValue| if built.is_none() { v } else { JsValue::UNDEFINED };
        let body = object(&[
            ("name", &JsValue::from_str(&name)),
            ("imageName", &pulled(image)),
            ("entrypoint", &pulled(entrypoint)),
            ("cpu", &option(&resources, "cpu")),
            ("memory", &option(&resources, "memory")),
            ("disk", &option(&resources, "disk")),
        ]);
        let default_wait = if built.is_some() { DEFAULT_BUILD_TIMEOUT } else { DEFAULT_SNAPSHOT_WAIT };
        let wait = seconds(option(&options, "timeout").as_f64()).unwrap_or(default_wait);
        let on_logs = log_fn(&options, "onLogs")?;
        let create = SnapshotCreate { service: self.inner.clone(), name, body, built, options, on_logs, wait };
        Ok(lazy::run(snapshot(create)))
    }
}

/// Volumes: storage that outlives sandboxes and is shared between them (`daytona.volume`).
#[wasm_bindgen(js_name = VolumeService)]
pub struct JsVolumeService {
    inner: VolumeService,
}

impl From<VolumeService> for JsVolumeService {
    fn from(inner: VolumeService) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen(js_class = VolumeService)]
impl JsVolumeService {
    /// Method `index` of [`VOLUME_LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(volume_methods((self.inner.clone(), index, args)))
    }
}

/// A page number or size argument (`None` when absent).
fn count_arg(args: &js_sys::Array, i: u32, name: &str) -> Result<Option<u32>, JsValue> {
    match args.get(i) {
        v if v.is_undefined() || v.is_null() => Ok(None),
        v => match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (1.0..=4294967295.0).contains(&n) => Ok(Some(n as u32)),
            _ => Err(invalid(&format!("{name} must be a positive integer"))),
        },
    }
}

lazy_methods!(manage: SNAPSHOT_LAZY, snapshot_methods(SnapshotService) = [
    "list" => |s, args| Ok(sending(s.list(count_arg(args, 0, "page")?.unwrap_or(1), count_arg(args, 1, "limit")?.unwrap_or(100)))),
    "get" => |s, args| Ok(sending(s.get(&string_arg(args, 0, "idOrName")?))),
    "delete" => |s, args| Ok(sending(s.delete_id(&named(&args.get(0), "id", "snapshot")?))),
    "activate" => |s, args| Ok(sending(s.activate_id(&named(&args.get(0), "id", "snapshot")?))),
]);

/// `volume.get(name, create?)`: with `create`, made if there is none.
fn volume_get(volumes: &VolumeService, args: &js_sys::Array) -> Result<Task, JsValue> {
    let name = string_arg(args, 0, "name")?;
    let found = sending(volumes.by_name(&name));
    if !args.get(1).is_truthy() {
        return Ok(found);
    }
    let volumes = volumes.clone();
    Ok(Box::pin(async move {
        match found.await {
            Err(e) if option(&e, "statusCode").as_f64() == Some(404.0) => sending(volumes.create(&name)).await,
            other => other,
        }
    }))
}

lazy_methods!(manage: VOLUME_LAZY, volume_methods(VolumeService) = [
    "list" => |v, _| Ok(sending(v.list())),
    "get" => volume_get,
    "create" => |v, args| Ok(sending(v.create(&string_arg(args, 0, "name")?))),
    "delete" => |v, args| Ok(sending(v.delete_id(&named(&args.get(0), "id", "volume")?))),
]);
