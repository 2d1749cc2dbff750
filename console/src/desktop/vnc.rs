//! noVNC's `RFB` client, loaded when first needed (see `loader.js`) and bound directly: the
//! live view of the sandbox's desktop over its VNC WebSocket (port 6080 through the preview
//! proxy).

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/desktop/loader.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadRfb)]
    fn load_rfb(url: &str) -> js_sys::Promise;
}

#[wasm_bindgen]
extern "C" {
    /// An `RFB` connection (noVNC's class, obtained at run time).
    pub type Rfb;

    #[wasm_bindgen(method)]
    fn disconnect(this: &Rfb);
    #[wasm_bindgen(method, js_name = sendCtrlAltDel)]
    fn send_ctrl_alt_del(this: &Rfb);
    #[wasm_bindgen(method, js_name = clipboardPasteFrom)]
    fn clipboard_paste_from(this: &Rfb, text: &str);
    #[wasm_bindgen(method)]
    fn focus(this: &Rfb);
    #[wasm_bindgen(method, setter = viewOnly)]
    fn set_view_only(this: &Rfb, on: bool);
    #[wasm_bindgen(method, setter = scaleViewport)]
    fn set_scale_viewport(this: &Rfb, on: bool);
    #[wasm_bindgen(method, setter = resizeSession)]
    fn set_resize_session(this: &Rfb, on: bool);
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &Rfb, kind: &str, listener: &Function);
}

thread_local! {
    /// The class, once loaded.
    static RFB_CLASS: std::cell::RefCell<Option<Function>> = const { std::cell::RefCell::new(None) };
}

/// What the live view reports.
pub enum VncEvent {
    /// Connected.
    Connected,
    /// The connection ended; whether cleanly (asked for).
    Disconnected { clean: bool },
    /// The desktop's clipboard changed.
    Clipboard(String),
}

/// A live view of a VNC server in an element; disconnects when dropped (and reports nothing
/// from then on).
pub struct Vnc {
    rfb: Rfb,
    alive: std::rc::Rc<std::cell::Cell<bool>>,
}

async fn class() -> Result<Function, String> {
    if let Some(c) = RFB_CLASS.with_borrow(Clone::clone) {
        return Ok(c);
    }
    // Next to index.html, at the root of the console's origin (wherever the page's route is).
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let url = format!("{origin}/novnc.js");
    let class = JsFuture::from(load_rfb(&url)).await.map_err(|e| format!("loading noVNC: {e:?}"))?;
    let class: Function = class.dyn_into().map_err(|_| "noVNC has no RFB class".to_owned())?;
    RFB_CLASS.set(Some(class.clone()));
    Ok(class)
}

impl Vnc {
    /// Connects to `url` (a `ws://` VNC WebSocket) and shows the screen in `target`, scaled to
    /// fit; `on_event` hears of the connection and the desktop's clipboard.
    pub async fn connect(
        target: &web_sys::HtmlElement,
        url: &str,
        on_event: impl Fn(VncEvent) + 'static,
    ) -> Result<Self, String> {
        let class = class().await?;
        let options = Object::new();
        let _ = Reflect::set(&options, &"shared".into(), &true.into());
        let args = js_sys::Array::of3(target, &url.into(), &options);
        let rfb: Rfb = Reflect::construct(&class, &args).map_err(|e| format!("connecting: {e:?}"))?.unchecked_into();
        rfb.set_scale_viewport(true);
        let on_event = std::rc::Rc::new(on_event);
        let alive = std::rc::Rc::new(std::cell::Cell::new(true));
        for kind in ["connect", "disconnect", "clipboard"] {
            let (on_event, alive) = (std::rc::Rc::clone(&on_event), std::rc::Rc::clone(&alive));
            // Kept by the RFB object itself (its events may come after this view is gone).
            let listener = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
                if !alive.get() {
                    return;
                }
                let detail = e.detail();
                let field = |name: &str| Reflect::get(&detail, &name.into()).unwrap_or(JsValue::UNDEFINED);
                on_event(match kind {
                    "connect" => VncEvent::Connected,
                    "disconnect" => VncEvent::Disconnected { clean: field("clean").as_bool().unwrap_or(false) },
                    _ => VncEvent::Clipboard(field("text").as_string().unwrap_or_default()),
                });
            });
            rfb.add_event_listener(kind, listener.into_js_value().unchecked_ref());
        }
        Ok(Self { rfb, alive })
    }

    /// Whether keyboard and mouse reach the desktop.
    pub fn set_view_only(&self, on: bool) {
        self.rfb.set_view_only(on);
    }

    /// Whether the desktop is resized to the view's size (RFB SetDesktopSize, now and whenever
    /// the view's size changes); otherwise the desktop keeps its size and is scaled to fit.
    pub fn set_resize_remote(&self, on: bool) {
        self.rfb.set_resize_session(on);
    }

    /// Sends Ctrl+Alt+Del.
    pub fn ctrl_alt_del(&self) {
        self.rfb.send_ctrl_alt_del();
    }

    /// Puts `text` on the desktop's clipboard.
    pub fn paste(&self, text: &str) {
        self.rfb.clipboard_paste_from(text);
    }

    /// Gives the view the keyboard focus.
    pub fn focus(&self) {
        self.rfb.focus();
    }
}

impl Drop for Vnc {
    fn drop(&mut self) {
        self.alive.set(false);
        self.rfb.disconnect();
    }
}
