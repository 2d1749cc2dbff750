//! The JS face of `Daytona` (`new Daytona(config)`), named and shaped as `@daytonaio/sdk`.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use daytona_models::ListSandboxesQuery;
use serde::Deserialize;
use tsify::Ts;
use wasm_bindgen::prelude::*;

use super::{error, from_js, promise, refuse_unknown_keys, seconds, JsSandbox, JsSandboxIterator};
use crate::{CreateSandboxParams, Daytona, DaytonaConfig};

/// Options of `Daytona.create`.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, tsify::Tsify)]
pub struct CreateOptions {
    /// Seconds to wait for the sandbox to start (default 60, 0 = no limit).
    #[serde(default)]
    #[tsify(optional)]
    pub timeout: Option<f64>,
}

/// Query of `Daytona.findOne`.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, tsify::Tsify)]
#[tsify(hashmap_as_object)]
pub struct FindOneParams {
    /// Sandbox id or name.
    #[serde(default)]
    #[tsify(optional)]
    pub id: Option<String>,
    /// Labels the sandbox must carry.
    #[serde(default)]
    #[tsify(optional)]
    pub labels: Option<std::collections::BTreeMap<String, String>>,
}

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
struct Streams {
    open: Vec<Weak<RefCell<super::events::Slot>>>,
    closes: u32,
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
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
    pub fn new(config: Option<Ts<DaytonaConfig>>) -> Result<JsDaytona, JsValue> {
        let config = match config {
            Some(c) => c.to_rust().map_err(|e| error::to_js(crate::DaytonaError::InvalidArgument(e.to_string())))?,
            None => DaytonaConfig::default(),
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

    /// Creates a sandbox and resolves once it is started.
    #[wasm_bindgen(unchecked_return_type = "Promise<Sandbox>")]
    pub fn create(
        &self,
        params: Option<Ts<CreateSandboxParams>>,
        options: Option<Ts<CreateOptions>>,
    ) -> Result<js_sys::Promise, JsValue> {
        let params = match params {
            Some(p) => {
                let p = p.js_value();
                if !super::option(&p, "image").is_undefined() {
                    return Err(super::invalid(
                        "params.image: the npm package does not build images yet; make a snapshot of the image \
                         (daytona.snapshot.create({ name, image })) and create({ snapshot: name })",
                    ));
                }
                refuse_unknown_keys(&p, &CreateSandboxParams::FIELDS, "params", "")?;
                from_js("params", p)?
            }
            None => CreateSandboxParams::default(),
        };
        let options: CreateOptions = match options {
            Some(o) => from_js("options", o.js_value())?,
            None => CreateOptions::default(),
        };
        let inner = self.inner.clone();
        Ok(promise(async move { inner.create(params, seconds(options.timeout)).await.map(JsSandbox::from) }))
    }

    /// Opens the control plane's event socket: sandbox creations and state changes as they
    /// happen.
    #[wasm_bindgen(unchecked_return_type = "Promise<SandboxEventStream>")]
    pub fn events(&self) -> js_sys::Promise {
        let daytona = self.inner.clone();
        let streams = Rc::clone(&self.streams);
        let closes = streams.borrow().closes;
        promise(async move {
            let events = super::JsSandboxEvents::new(daytona.events().await?);
            let mut streams = streams.borrow_mut();
            match streams.closes == closes {
                true => {
                    streams.open.retain(|s| s.strong_count() > 0);
                    streams.open.push(events.slot());
                }
                false => events.close(),
            }
            Ok(events)
        })
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
    pub fn find_one(&self, params: Ts<FindOneParams>) -> Result<js_sys::Promise, JsValue> {
        let p: FindOneParams = from_js("params", params.js_value())?;
        let inner = self.inner.clone();
        Ok(promise(async move { inner.find_one(p.id.as_deref(), p.labels).await.map(JsSandbox::from) }))
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

/// A listing's query from JS. A key that is none of its fields is refused, naming it: the
/// older SDKs' `list(labels, page, limit)` passed the labels themselves, which would otherwise
/// list every sandbox.
fn list_query(query: Option<Ts<ListSandboxesQuery>>) -> Result<ListSandboxesQuery, JsValue> {
    let Some(query) = query else { return Ok(ListSandboxesQuery::default()) };
    let value = query.js_value();
    refuse_unknown_keys(&value, &ListSandboxesQuery::FIELDS, "query", " (labels go in query.labels)")?;
    from_js("query", value)
}
