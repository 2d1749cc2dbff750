//! Browser WebSockets to the toolbox: raw `web_sys::WebSocket` with `arraybuffer` frames,
//! authenticated the way browsers must (query token + `X-Daytona-SDK-Version~` subprotocol).

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::http::js_message;
use crate::{DaytonaError, COMPATIBLE_SDK_VERSION};

/// One event of a socket.
#[derive(Debug)]
pub(crate) enum WsEvent {
    /// A binary frame (kept as the browser's array: no copy into wasm memory).
    Binary(js_sys::Uint8Array),
    /// A text frame.
    Text(String),
    /// The socket closed.
    Closed { code: u16, reason: String },
}

/// An open socket and the stream of its events. Closing (or dropping) it detaches the handlers.
pub(crate) struct Socket {
    ws: WebSocket,
    events: mpsc::UnboundedReceiver<WsEvent>,
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

/// The subprotocols browsers offer: the SDK version first, then `extra`.
pub(crate) fn protocols(extra: &[String]) -> js_sys::Array {
    let all = js_sys::Array::new();
    all.push(&format!("{}{COMPATIBLE_SDK_VERSION}", daytona_models::SDK_VERSION_SUBPROTOCOL).into());
    for p in extra {
        all.push(&p.into());
    }
    all
}

impl Socket {
    /// Opens `url` offering `protocols`, and waits until it is open (or fails).
    pub async fn connect(url: &str, protocols: &js_sys::Array) -> Result<Self, DaytonaError> {
        let ws = WebSocket::new_with_str_sequence(url, protocols)
            .map_err(|e| DaytonaError::Connection(format!("WebSocket {url}: {}", js_message(&e))))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let (tx, mut rx) = mpsc::unbounded::<WsEvent>();
        let opened = Rc::new(RefCell::new(None::<futures::channel::oneshot::Sender<bool>>));
        let (open_tx, open_rx) = futures::channel::oneshot::channel();
        *opened.borrow_mut() = Some(open_tx);

        let on_message = {
            let tx = tx.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
                let data = ev.unchecked_into::<MessageEvent>().data();
                let event = match data.as_string() {
                    Some(text) => WsEvent::Text(text),
                    None => WsEvent::Binary(js_sys::Uint8Array::new(&data)),
                };
                let _ = tx.unbounded_send(event);
            })
        };
        let on_open = {
            let opened = Rc::clone(&opened);
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                if let Some(o) = opened.borrow_mut().take() {
                    let _ = o.send(true);
                }
            })
        };
        let on_close = {
            let opened = Rc::clone(&opened);
            Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
                let ev = ev.unchecked_into::<CloseEvent>();
                if let Some(o) = opened.borrow_mut().take() {
                    let _ = o.send(false);
                }
                let _ = tx.unbounded_send(WsEvent::Closed { code: ev.code(), reason: ev.reason() });
            })
        };
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let handlers = vec![on_message, on_open, on_close];
        if !open_rx.await.unwrap_or(false) {
            let detail = match rx.next().await {
                Some(WsEvent::Closed { code, reason }) => format!("closed with {code} {reason}"),
                _ => "connection failed".into(),
            };
            return Err(DaytonaError::Connection(format!("WebSocket {url}: {detail}")));
        }
        Ok(Self { ws, events: rx, _handlers: handlers })
    }

    /// The next event (`None` once closed and drained).
    pub async fn next(&mut self) -> Option<WsEvent> {
        self.events.next().await
    }
}

impl Socket {
    /// Whether an idle socket can take another request: still open, with nothing received
    /// since its last use (a close the server sent meanwhile would be waiting here).
    pub fn reusable(&mut self) -> bool {
        self.ws.ready_state() == WebSocket::OPEN && self.events.try_recv().is_err_and(|e| e.is_empty())
    }

    /// The browser socket (to send from other tasks, and to read `bufferedAmount`).
    pub fn raw(&self) -> WebSocket {
        self.ws.clone()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onmessage(None);
        self.ws.set_onopen(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close_with_code(1000);
    }
}

/// Sockets kept open for the next request, by key (one each; the toolbox's areas that may
/// reuse a socket, such as the interpreter's contexts, keep theirs here).
#[derive(Default)]
pub(crate) struct IdleSockets(RefCell<Vec<(String, Socket)>>);

impl IdleSockets {
    /// The idle socket of `key`, if it can take a request.
    pub fn take(&self, key: &str) -> Option<Socket> {
        let mut idle = self.0.borrow_mut();
        let at = idle.iter().position(|(k, _)| k == key)?;
        let (_, mut socket) = idle.swap_remove(at);
        socket.reusable().then_some(socket)
    }

    /// Keeps `socket` for `key` (an older one there is closed).
    pub fn put(&self, key: String, socket: Socket) {
        let mut idle = self.0.borrow_mut();
        idle.retain(|(k, _)| *k != key);
        idle.push((key, socket));
    }
}

impl std::fmt::Debug for IdleSockets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("IdleSockets").field(&self.0.borrow().len()).finish()
    }
}
