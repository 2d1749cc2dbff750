//! xterm.js 6 and its fit addon, bound directly and loaded when the first terminal opens.
//!
//! `scripts/build-console.sh` bundles `@xterm/xterm` and `@xterm/addon-fit` from
//! `node_modules` into `/xterm.js` next to the console's `index.html`; it is imported (with its
//! stylesheet) on first use (`crate::lazy`), so pages without a terminal never download it. The
//! raw bindings stay private; [`Xterm`] is the safe face.

use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

mod sys {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        pub type Terminal;

        #[wasm_bindgen(method)]
        pub fn open(this: &Terminal, parent: &web_sys::HtmlElement);
        #[wasm_bindgen(method)]
        pub fn write(this: &Terminal, data: &js_sys::Uint8Array);
        #[wasm_bindgen(method, js_name = onData)]
        pub fn on_data(this: &Terminal, listener: &js_sys::Function) -> Disposable;
        #[wasm_bindgen(method, js_name = onResize)]
        pub fn on_resize(this: &Terminal, listener: &js_sys::Function) -> Disposable;
        #[wasm_bindgen(method, js_name = attachCustomKeyEventHandler)]
        pub fn attach_custom_key_event_handler(this: &Terminal, handler: &js_sys::Function);
        #[wasm_bindgen(method, js_name = loadAddon)]
        pub fn load_addon(this: &Terminal, addon: &FitAddon);
        #[wasm_bindgen(method, getter)]
        pub fn options(this: &Terminal) -> js_sys::Object;
        #[wasm_bindgen(method, getter)]
        pub fn cols(this: &Terminal) -> u32;
        #[wasm_bindgen(method, getter)]
        pub fn rows(this: &Terminal) -> u32;
        #[wasm_bindgen(method, js_name = getSelection)]
        pub fn get_selection(this: &Terminal) -> String;
        #[wasm_bindgen(method)]
        pub fn paste(this: &Terminal, data: &str);
        #[wasm_bindgen(method)]
        pub fn focus(this: &Terminal);
        #[wasm_bindgen(method)]
        pub fn dispose(this: &Terminal);

        pub type Disposable;

        #[wasm_bindgen(method)]
        pub fn dispose(this: &Disposable);
    }

    #[wasm_bindgen]
    extern "C" {
        pub type FitAddon;

        #[wasm_bindgen(method)]
        pub fn fit(this: &FitAddon);
    }
}

/// Font stack of the terminal (monospace fonts commonly installed, then the generic one).
const FONT_FAMILY: &str = "ui-monospace, 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace";
/// Lines kept above the screen.
const SCROLLBACK: u32 = 5000;
/// Colours matching the console's dark output panes.
const THEME: [(&str, &str); 5] = [
    ("background", "#0f172a"),
    ("foreground", "#e5e7eb"),
    ("cursor", "#e5e7eb"),
    ("cursorAccent", "#0f172a"),
    ("selectionBackground", "#334155"),
];

/// A terminal emulator drawn into an element, sized to it by the fit addon. Dropping it
/// removes its listeners and disposes of the terminal.
pub struct Xterm {
    term: sys::Terminal,
    fit: sys::FitAddon,
    listeners: Vec<sys::Disposable>,
    closures: Vec<Closure<dyn FnMut(JsValue) -> JsValue>>,
}

/// Sets `key` on a JS object (cannot fail on a plain object).
fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}

impl Xterm {
    /// Opens a terminal with `font_size` (px) in `parent` and fits it to the element, once
    /// xterm.js has loaded (an error if it cannot be).
    pub async fn open(parent: &HtmlElement, font_size: u16) -> Result<Self, JsValue> {
        // The bundle's module (`Terminal`, `FitAddon`), loaded once.
        let module = crate::lazy::load("/xterm.js", "/xterm.css").await?;
        let create = |name: &str, args: &js_sys::Array| {
            Reflect::get(&module, &name.into())
                .and_then(|c| c.dyn_into::<Function>())
                .and_then(|c| Reflect::construct(&c, args))
        };
        let theme = Object::new();
        for (k, v) in THEME {
            set(&theme, k, &v.into());
        }
        let options = Object::new();
        set(&options, "fontFamily", &FONT_FAMILY.into());
        set(&options, "fontSize", &font_size.into());
        set(&options, "cursorBlink", &true.into());
        set(&options, "scrollback", &SCROLLBACK.into());
        set(&options, "theme", &theme);
        let term: sys::Terminal = create("Terminal", &js_sys::Array::of1(&options))?.unchecked_into();
        let fit: sys::FitAddon = create("FitAddon", &js_sys::Array::new())?.unchecked_into();
        term.load_addon(&fit);
        term.open(parent);
        fit.fit();
        Ok(Self { term, fit, listeners: Vec::new(), closures: Vec::new() })
    }

    /// Keeps `f` alive as long as the terminal and returns it as a JS function.
    fn keep(&mut self, f: impl FnMut(JsValue) -> JsValue + 'static) -> Function {
        let closure = Closure::<dyn FnMut(JsValue) -> JsValue>::new(f);
        let function = closure.as_ref().unchecked_ref::<Function>().clone();
        self.closures.push(closure);
        function
    }

    /// Calls `f` with what the user types or pastes (as text, escape sequences included).
    pub fn on_input(&mut self, f: impl Fn(String) + 'static) {
        let listener = self.keep(move |data| {
            f(data.as_string().unwrap_or_default());
            JsValue::UNDEFINED
        });
        let disposable = self.term.on_data(&listener);
        self.listeners.push(disposable);
    }

    /// Calls `f` with the new size in columns and rows whenever it changes.
    pub fn on_resize(&mut self, f: impl Fn(u16, u16) + 'static) {
        let listener = self.keep(move |size| {
            let read = |k: &str| Reflect::get(&size, &k.into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u16;
            f(read("cols"), read("rows"));
            JsValue::UNDEFINED
        });
        let disposable = self.term.on_resize(&listener);
        self.listeners.push(disposable);
    }

    /// Lets `f` see key presses first; when it returns `true` the terminal ignores the key
    /// (the browser's default action, such as pasting, still happens).
    pub fn intercept_keys(&mut self, f: impl Fn(&KeyboardEvent) -> bool + 'static) {
        let handler = self.keep(move |event| {
            let handled = event.dyn_ref::<KeyboardEvent>().is_some_and(&f);
            JsValue::from_bool(!handled)
        });
        self.term.attach_custom_key_event_handler(&handler);
    }

    /// Writes output (UTF-8 bytes with escape sequences) to the screen.
    pub fn write(&self, data: &Uint8Array) {
        self.term.write(data);
    }

    /// Resizes the terminal to fill its element (fires the resize listener if it changed).
    pub fn fit(&self) {
        self.fit.fit();
    }

    /// The size in columns and rows.
    pub fn size(&self) -> (u16, u16) {
        (self.term.cols() as u16, self.term.rows() as u16)
    }

    /// Changes the font size (px) and refits.
    pub fn set_font_size(&self, px: u16) {
        set(&self.term.options(), "fontSize", &px.into());
        self.fit();
    }

    /// The selected text, if any.
    pub fn selection(&self) -> Option<String> {
        Some(self.term.get_selection()).filter(|s| !s.is_empty())
    }

    /// Types `text` as a paste (bracketed when the program asked for it).
    pub fn paste(&self, text: &str) {
        self.term.paste(text);
    }

    /// Moves keyboard focus to the terminal.
    pub fn focus(&self) {
        self.term.focus();
    }
}

impl Drop for Xterm {
    fn drop(&mut self) {
        for listener in &self.listeners {
            listener.dispose();
        }
        self.term.dispose();
    }
}
