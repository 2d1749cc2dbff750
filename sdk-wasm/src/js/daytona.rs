//! The JS face of `Daytona` (`new Daytona(config)`), named and shaped as `@daytonaio/sdk`.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use daytona_models::{ListSandboxesQuery, SandboxSortField, SandboxState, SortOrder};
use tsify::Ts;
use wasm_bindgen::prelude::*;

use super::build::{log_fn, JsBuild};
use super::events::{events, Events};
use super::lazy;
use crate::build::left;
use super::{
    bool_field, check_object, error, from_js, int_field, invalid, map_field, option, promise, seconds, spawn_promise,
    string_field, u32_field, JsSandbox, JsSandboxIterator,
};
use crate::{CreateSandboxParams, Daytona, DaytonaConfig, Resources, DEFAULT_BUILD_TIMEOUT};

/// Client of a Daytona control plane (`new Daytona({ apiUrl, apiKey })`).
#[wasm_bindgen(js_name = Daytona)]
pub struct JsDaytona {
    inner: Daytona,
    /// The event streams it opened (`close()` ends them), and how many times it was closed
    /// (a stream still connecting at a `close()` is closed as it arrives).
    streams: Rc<RefCell<Streams>>,
}

/// The event streams a client opened.
#[derive(Default)]
pub(crate) struct Streams {
    /// The streams, while they last.
    pub(crate) open: Vec<Weak<RefCell<super::events::Slot>>>,
    /// How many times the client was closed.
    pub(crate) closes: u32,
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
import type { Image } from './daytona_image.js';
/** A sandbox on an image built first (`@daytonaio/sdk`'s `CreateSandboxFromImageParams`). */
export type CreateSandboxFromImageParams = Omit<CreateSandboxParams, 'snapshot'> & {
  /**
   * An image name (built as `FROM name`) or an `Image` of `daytona-wasm/image` (its local files
   * uploaded first); an identical earlier build is reused.
   */
  image: string | Image;
};
/** Query of `Daytona.findOne`. */
export interface FindOneParams {
  /** Sandbox id or name. */
  id?: string;
  /** Labels the sandbox must carry. */
  labels?: Record<string, string>;
}
/** Options of `Daytona.create`. */
export interface CreateOptions {
  /**
   * Seconds to wait for the sandbox to start (default 60; with an image, for the upload, build
   * and start, default 1800; 0 = no limit).
   */
  timeout?: number;
  /** Called with the image build's log lines as they come. */
  onSnapshotCreateLogs?: (chunk: string) => void;
  /** Progress of the upload of the image's local files. */
  onProgress?: (progress: TransferProgress) => void;
  /** Cancels the upload of the image's local files. */
  signal?: AbortSignal;
}
/** One numbered page of sandboxes (`daytona.list(query, page, limit)`). */
export interface NumberedSandboxPage {
  items: Sandbox[];
  /** How many sandboxes match in all. */
  total: number;
  /** This page's number, from 1. */
  page: number;
  /** How many pages there are. */
  totalPages: number;
}
"#;

#[wasm_bindgen(js_class = Daytona)]
impl JsDaytona {
    /// Creates a client; throws `DaytonaInvalidArgumentError` without credentials.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "DaytonaConfig")] config: JsValue,
    ) -> Result<JsDaytona, JsValue> {
        let c = &config;
        check_object(c, "config", false, None, "")?;
        let config = DaytonaConfig {
            api_key: string_field(c, "apiKey", "config")?,
            jwt_token: string_field(c, "jwtToken", "config")?,
            organization_id: string_field(c, "organizationId", "config")?,
            api_url: string_field(c, "apiUrl", "config")?,
            target: string_field(c, "target", "config")?,
            request_timeout_ms: u32_field(c, "requestTimeoutMs", "config")?,
        };
        Ok(Self { inner: Daytona::new(config).map_err(error::to_js)?, streams: Rc::default() })
    }

    /// The classes whose methods are table rows, and the rows' names, for init.js (`posted`).
    #[wasm_bindgen(js_name = "_posted", skip_typescript)]
    pub fn posted() -> js_sys::Array {
        super::posted::posted()
    }

    /// The control-plane URL in use.
    #[wasm_bindgen(getter, js_name = apiUrl)]
    pub fn api_url(&self) -> String {
        self.inner.api_url().to_owned()
    }

    /// Snapshots: list, get, create from an image, delete, activate.
    #[wasm_bindgen(getter)]
    pub fn snapshot(&self) -> super::JsSnapshotService {
        self.inner.snapshot().into()
    }

    /// Volumes: list, get (or create) by name, create, delete.
    #[wasm_bindgen(getter)]
    pub fn volume(&self) -> super::JsVolumeService {
        self.inner.volume().into()
    }

    /// Creates a sandbox and resolves once it is started; with `params.image`, on that image
    /// built first (an `Image`'s local files uploaded, the build's log to
    /// `options.onSnapshotCreateLogs`; an identical earlier build is reused).
    #[wasm_bindgen(unchecked_return_type = "Promise<Sandbox>")]
    pub fn create(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateSandboxParams | CreateSandboxFromImageParams")]
        params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateOptions")] options: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        if option(&params, "_uploadContexts").is_function() {
            return Err(invalid("pass an Image as create({ image })"));
        }
        // `image` is read here, the rest by `create_params`.
        let fields = [&CreateSandboxParams::FIELDS[..], &["image"]].concat();
        check_object(&params, "params", false, Some(&fields), "")?;
        let image = option(&params, "image");
        let params = create_params(&params)?;
        let build = match image.is_undefined() || image.is_null() {
            true => None,
            false if params.snapshot.is_some() => {
                return Err(invalid("params.image and params.snapshot exclude each other"));
            }
            false => Some(JsBuild::of(&image, "params.image")?),
        };
        let on_logs = log_fn(&options, "onSnapshotCreateLogs")?;
        let timeout = seconds(option(&options, "timeout").as_f64());
        let inner = self.inner.clone();
        // Checked before anything is uploaded.
        params.to_wire(inner.client().target.as_deref()).map_err(error::to_js)?;
        let started = js_sys::Date::now();
        Ok(spawn_promise(Box::pin(async move {
            let (info, timeout) = match build {
                // The timeout covers the upload, the build and the start.
                Some(build) => {
                    let info = build.info(inner.client(), &options).await?;
                    (Some(info), Some(left(timeout.unwrap_or(DEFAULT_BUILD_TIMEOUT), started)))
                }
                None => (None, timeout),
            };
            let sandbox = inner.create_with(params, info, on_logs.as_ref(), timeout).await;
            sandbox.map(|s| JsSandbox::from(s).into()).map_err(error::to_js)
        })))
    }

    /// Opens the control plane's event socket: sandbox creations and state changes as they
    /// happen.
    #[wasm_bindgen(unchecked_return_type = "Promise<SandboxEventStream>")]
    pub fn events(&self) -> js_sys::Promise {
        let closes = self.streams.borrow().closes;
        lazy::run(events(Events::Open(self.inner.clone(), Rc::clone(&self.streams), closes)))
    }

    /// Closes what the client keeps open: the event streams of `events()` end (a pending
    /// `next()` resolves `done`). Requests still work afterwards. `await using daytona = new
    /// Daytona(…)` calls it (`Symbol.asyncDispose`), as with `@daytonaio/sdk`.
    pub fn close(&self) {
        let mut streams = self.streams.borrow_mut();
        streams.closes += 1;
        for slot in streams.open.drain(..).filter_map(|s| s.upgrade()) {
            slot.borrow_mut().close();
        }
    }

    /// The sandbox with this id or name (rejects with `DaytonaNotFoundError`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Sandbox>", js_name = get)]
    pub fn get(&self, #[wasm_bindgen(js_name = "sandboxIdOrName")] sandbox_id_or_name: String) -> js_sys::Promise {
        let inner = self.inner.clone();
        promise(async move { inner.get(&sandbox_id_or_name).await.map(JsSandbox::from) })
    }

    /// The sandbox with `id`, else the first one carrying all `labels`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Sandbox>", js_name = findOne)]
    pub fn find_one(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FindOneParams")] params: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        check_object(&params, "params", true, Some(&["id", "labels"]), "")?;
        let id = string_field(&params, "id", "params")?;
        let labels = match option(&params, "labels") {
            l if l.is_undefined() || l.is_null() => None,
            l => Some(from_js("params.labels", l)?),
        };
        let inner = self.inner.clone();
        Ok(promise(async move { inner.find_one(id.as_deref(), labels).await.map(JsSandbox::from) }))
    }

    /// Every sandbox matching `query`, as an async iterator that fetches pages lazily
    /// (`for await (const sb of daytona.list())`); with `page`, that numbered page of `limit`
    /// (default 10) as `{ items, total, page, totalPages }` (`GET /sandbox/paginated`, the
    /// older SDKs' listing). Typed as two overloads in init.d.ts.
    #[wasm_bindgen(skip_typescript)]
    pub fn list(
        &self,
        query: Option<Ts<ListSandboxesQuery>>,
        page: Option<u32>,
        limit: Option<u32>,
    ) -> Result<JsValue, JsValue> {
        let query = list_query(query)?;
        let Some(page) = page else {
            return Ok(JsSandboxIterator::new(self.inner.clone(), query).into());
        };
        // The answer stays the browser's object: only each sandbox is read (no decoder of
        // the page's own model in the package).
        let inner = self.inner.clone();
        let sent = inner.numbered_call(&query, page, limit.unwrap_or(10)).request().send();
        Ok(promise(async move {
            let got = sent.await?;
            let items = js_sys::Array::new();
            for data in js_sys::Array::from(&super::option(&got, "items")).iter() {
                items.push(&JsSandbox::from(inner.sandbox_from_js(data)?).into());
            }
            super::set(&got, "items", &items);
            Ok(got)
        })
        .into())
    }

    /// One page of sandboxes: `{ items, nextCursor }` (pass `nextCursor` as `query.cursor`).
    #[wasm_bindgen(
        js_name = listPage,
        unchecked_return_type = "Promise<{ items: Sandbox[]; nextCursor?: string }>"
    )]
    pub fn list_page(&self, query: Option<Ts<ListSandboxesQuery>>) -> Result<js_sys::Promise, JsValue> {
        let query = list_query(query)?;
        let inner = self.inner.clone();
        Ok(promise(async move {
            let page = inner.list_page(&query).await?;
            let items: js_sys::Array = page.items.into_iter().map(|s| JsValue::from(JsSandbox::from(s))).collect();
            let out = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&out, &"items".into(), &items);
            if let Some(c) = page.next_cursor {
                let _ = js_sys::Reflect::set(&out, &"nextCursor".into(), &c.into());
            }
            Ok(JsValue::from(out))
        }))
    }

    /// Starts `sandbox` and resolves once it is started.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn start(&self, sandbox: &JsSandbox, timeout: Option<f64>) -> js_sys::Promise {
        sandbox.start(timeout)
    }

    /// Stops `sandbox` and resolves once it is stopped.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn stop(&self, sandbox: &JsSandbox, timeout: Option<f64>) -> js_sys::Promise {
        sandbox.stop(timeout, None)
    }

    /// Deletes `sandbox` and resolves once it is gone.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(&self, sandbox: &JsSandbox, timeout: Option<f64>) -> js_sys::Promise {
        sandbox.delete(timeout)
    }
}

/// `create`'s parameters from JS (a field of the wrong type is refused, naming it).
fn create_params(p: &JsValue) -> Result<CreateSandboxParams, JsValue> {
    let what = "params";
    let resources = option(p, "resources");
    check_object(&resources, "params.resources", false, Some(&["cpu", "memory", "disk"]), "")?;
    let resources = match resources.is_undefined() || resources.is_null() {
        true => None,
        false => Some(Resources {
            cpu: int_field(&resources, "cpu", "params.resources")?,
            memory: int_field(&resources, "memory", "params.resources")?,
            disk: int_field(&resources, "disk", "params.resources")?,
        }),
    };
    Ok(CreateSandboxParams {
        name: string_field(p, "name", what)?,
        user: string_field(p, "user", what)?,
        language: string_field(p, "language", what)?,
        env_vars: map_field(p, "envVars", what)?,
        labels: map_field(p, "labels", what)?,
        public: bool_field(p, "public", what)?,
        auto_stop_interval: int_field(p, "autoStopInterval", what)?,
        auto_archive_interval: int_field(p, "autoArchiveInterval", what)?,
        auto_delete_interval: int_field(p, "autoDeleteInterval", what)?,
        ttl_minutes: int_field(p, "ttlMinutes", what)?,
        volumes: match option(p, "volumes") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(from_js("params.volumes", v)?),
        },
        network_block_all: bool_field(p, "networkBlockAll", what)?,
        network_allow_list: string_field(p, "networkAllowList", what)?,
        ephemeral: bool_field(p, "ephemeral", what)?,
        snapshot: string_field(p, "snapshot", what)?,
        resources,
    })
}

/// A listing's query from JS. A key that is none of its fields is refused, naming it: the
/// older SDKs' `list(labels, page, limit)` passed the labels themselves, which would otherwise
/// list every sandbox.
fn list_query(query: Option<Ts<ListSandboxesQuery>>) -> Result<ListSandboxesQuery, JsValue> {
    let Some(query) = query else { return Ok(ListSandboxesQuery::default()) };
    let value = query.js_value();
    check_object(&value, "query", false, Some(&ListSandboxesQuery::FIELDS), " (labels go in query.labels)")?;
    let q = &value;
    let what = "query";
    // A spelling of `parse`'s (sort, order, each state), else refused naming the field.
    fn spelled<T>(s: String, key: &str, parse: fn(&str) -> Option<T>) -> Result<T, JsValue> {
        parse(&s).ok_or_else(|| invalid(&format!("query.{key}: unknown value {}", daytona_models::Quoted(&s))))
    }
    let states = match option(q, "states") {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(
            super::strings(&v, "query.states")?
                .into_iter()
                .map(|s| spelled(s, "states", SandboxState::parse))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    Ok(ListSandboxesQuery {
        cursor: string_field(q, "cursor", what)?,
        limit: u32_field(q, "limit", what)?,
        id: string_field(q, "id", what)?,
        name: string_field(q, "name", what)?,
        labels: map_field(q, "labels", what)?,
        states,
        sort: string_field(q, "sort", what)?.map(|s| spelled(s, "sort", SandboxSortField::parse)).transpose()?,
        order: string_field(q, "order", what)?.map(|s| spelled(s, "order", SortOrder::parse)).transpose()?,
    })
}

