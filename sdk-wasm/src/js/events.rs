//! The JS face of the event socket: `daytona.events()` resolves to a `SandboxEventStream`, an
//! async iterator of sandbox creations and state changes as the control plane pushes them.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::daytona::Streams;
use super::lazy::{self, lazy_area, Task};
use super::{task, to_js, Resolve};
use crate::{Daytona, SandboxEvent, SandboxEvents};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** One event of `daytona.events()`. */
export interface SandboxEventData {
  /** `sandbox.created` or `sandbox.state.updated`. */
  type: 'sandbox.created' | 'sandbox.state.updated';
  /** The sandbox as it is now. */
  sandbox: SandboxDto;
  /** Its state before (state changes only). */
  oldState?: SandboxState;
  /** Its state now (state changes only). */
  newState?: SandboxState;
}
"#;

/// Sandbox events as they happen (`for await (const e of await daytona.events())`); one
/// `next()` at a time. `close()` disconnects, as does closing the `Daytona` that opened it.
#[wasm_bindgen(js_name = SandboxEventStream)]
pub struct JsSandboxEvents {
    slot: Rc<RefCell<Slot>>,
}

/// What a stream shares with the client that opened it: its socket while no `next()` holds
/// it, a way to close the socket while one does, and whether it was closed.
pub(crate) struct Slot {
    events: Option<SandboxEvents>,
    socket: web_sys::WebSocket,
    closed: bool,
}

impl Slot {
    /// Disconnects: a pending `next()` resolves with what it was waiting for, or `done` once
    /// the socket's close arrives; later ones are `done` at once.
    pub(crate) fn close(&mut self) {
        self.closed = true;
        self.events = None;
        let _ = self.socket.close_with_code(1000);
    }
}

impl JsSandboxEvents {
    pub(crate) fn new(events: SandboxEvents) -> Self {
        let socket = events.raw_socket();
        Self { slot: Rc::new(RefCell::new(Slot { events: Some(events), socket, closed: false })) }
    }

    /// The stream's shared state, for the client that opened it.
    pub(crate) fn slot(&self) -> std::rc::Weak<RefCell<Slot>> {
        Rc::downgrade(&self.slot)
    }
}

impl Resolve for JsSandboxEvents {
    fn resolve(self) -> JsValue {
        self.into()
    }
}

/// `{ value, done }` of an async iterator.
fn step(value: Option<JsValue>) -> JsValue {
    let out = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&out, &"done".into(), &value.is_none().into());
    let _ = js_sys::Reflect::set(&out, &"value".into(), &value.unwrap_or(JsValue::UNDEFINED));
    out.into()
}

fn event_data(event: &SandboxEvent) -> Result<JsValue, crate::DaytonaError> {
    let out = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&out, &k.into(), v).map(drop);
    let r = match event {
        SandboxEvent::Created(sandbox) => {
            set("type", &daytona_models::SANDBOX_CREATED_EVENT.into()).and(set("sandbox", &to_js(sandbox)?))
        }
        SandboxEvent::StateUpdated { sandbox, old_state, new_state } => {
            set("type", &daytona_models::SANDBOX_STATE_UPDATED_EVENT.into())
                .and(set("sandbox", &to_js(sandbox)?))
                .and(set("oldState", &to_js(old_state)?))
                .and(set("newState", &to_js(new_state)?))
        }
        SandboxEvent::Other(name) => set("type", &name.into()),
    };
    r.map_err(|e| crate::DaytonaError::Decode(crate::http::js_message(&e)))?;
    Ok(out.into())
}

/// The event socket's calls, run by its module (see `lazy`): opening one for a client (with
/// its streams and how many times it was closed then), the next event of a stream.
pub(crate) enum Events {
    Open(Daytona, Rc<RefCell<Streams>>, u32),
    Next(Rc<RefCell<Slot>>),
}

lazy_area!(streams: pub(crate) events(Events) = start_events);

/// Starts `call`.
fn start_events(call: Events) -> Task {
    match call {
        Events::Open(daytona, streams, closes) => task(async move {
            let events = JsSandboxEvents::new(daytona.events().await?);
            let mut streams = streams.borrow_mut();
            match streams.closes == closes {
                true => {
                    streams.open.retain(|s| s.strong_count() > 0);
                    streams.open.push(events.slot());
                }
                false => events.close(),
            }
            Ok(events)
        }),
        Events::Next(slot) => task(async move {
            // Taken out for the wait (no borrow held across it), put back unless closed meanwhile.
            let Some(mut events) = slot.borrow_mut().events.take() else { return Ok(step(None)) };
            // Sandbox events only, as @daytonaio/sdk streams them.
            let event = loop {
                match events.next().await {
                    Some(SandboxEvent::Other(_)) => continue,
                    event => break event,
                }
            };
            match event {
                Some(event) => {
                    let data = event_data(&event)?;
                    let mut slot = slot.borrow_mut();
                    if !slot.closed {
                        slot.events = Some(events);
                    }
                    Ok(step(Some(data)))
                }
                None => Ok(step(None)),
            }
        }),
    }
}

#[wasm_bindgen(js_class = SandboxEventStream)]
impl JsSandboxEvents {
    /// The next event: `{ value, done }` (`done` once the socket has closed).
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<SandboxEventData, undefined>>")]
    pub fn next(&self) -> js_sys::Promise {
        lazy::run(events(Events::Next(Rc::clone(&self.slot))))
    }

    /// Disconnects; a pending `next()` resolves with what it was waiting for, or `done`.
    pub fn close(&self) {
        self.slot.borrow_mut().close();
    }
}
