//! The code editor: CodeMirror 6 with its LSP client and merge view, bound from Rust.
//!
//! `scripts/build-console.sh` bundles `codemirror.js` (beside this file) into `/cm/` next to
//! the console's `index.html`, a core and a chunk per language; `loader.js` imports it when
//! the first editor or diff opens, so other pages never download it. The raw bindings stay
//! private; [`CodeEditor`], [`LspLink`] and [`Diff`] are the safe faces. [`workspace`] keeps
//! the open files of a sandbox.

pub mod outline;
pub mod tabs;
pub mod workspace;

use std::cell::RefCell;
use std::rc::Rc;

use daytona_wasm::{LspServer, LspSocket};
use futures::future::{select, Either};
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

mod sys {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/src/code/loader.js")]
    extern "C" {
        #[wasm_bindgen(js_name = openEditor)]
        pub fn open_editor(parent: &web_sys::HtmlElement, opts: &js_sys::Object) -> js_sys::Promise;
        #[wasm_bindgen(js_name = connectLsp)]
        pub fn connect_lsp(send: &js_sys::Function, root_uri: &str, display_file: &js_sys::Function)
            -> js_sys::Promise;
        #[wasm_bindgen(js_name = openDiff)]
        pub fn open_diff(
            parent: &web_sys::HtmlElement,
            original: &str,
            modified: &str,
            path: &str,
            side_by_side: bool,
        ) -> js_sys::Promise;
    }

    #[wasm_bindgen]
    extern "C" {
        pub type Editor;

        #[wasm_bindgen(method)]
        pub fn text(this: &Editor) -> String;
        #[wasm_bindgen(method)]
        pub fn saved(this: &Editor, text: &str);
        #[wasm_bindgen(method)]
        pub fn replace(this: &Editor, text: &str);
        #[wasm_bindgen(method)]
        pub fn goto(this: &Editor, line: u32, column: u32);
        #[wasm_bindgen(method)]
        pub fn focus(this: &Editor);
        #[wasm_bindgen(method)]
        pub fn remeasure(this: &Editor);
        #[wasm_bindgen(method)]
        pub fn symbols(this: &Editor) -> js_sys::Promise;
        #[wasm_bindgen(method)]
        pub fn destroy(this: &Editor);

        pub type Lsp;

        #[wasm_bindgen(method)]
        pub fn receive(this: &Lsp, message: &str);
        #[wasm_bindgen(method)]
        pub fn close(this: &Lsp);

        pub type Diff;

        #[wasm_bindgen(method)]
        pub fn destroy(this: &Diff);
    }
}

/// The LSP language of a file, by its name: the server to run (`python` or `typescript`,
/// which serves JavaScript too) and the document's language id.
pub fn lsp_language(path: &str) -> Option<(&'static str, &'static str)> {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "py" | "pyi" => ("python", "python"),
        "ts" | "mts" | "cts" => ("typescript", "typescript"),
        "tsx" => ("typescript", "typescriptreact"),
        "js" | "mjs" | "cjs" => ("typescript", "javascript"),
        "jsx" => ("typescript", "javascriptreact"),
        _ => return None,
    })
}

/// The `file://` URI of a sandbox path (as the SDKs and language servers spell it).
pub fn file_uri(path: &str) -> String {
    let encoded: String =
        path.split('/').map(|seg| String::from(js_sys::encode_uri_component(seg))).collect::<Vec<_>>().join("/");
    format!("file://{encoded}")
}

/// The sandbox path of a `file://` URI, if it is one.
pub fn uri_path(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("file://")?;
    js_sys::decode_uri_component(rest).ok().map(String::from)
}

fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}

/// What an editor reports back.
pub struct EditorEvents {
    /// The text started (`true`) or stopped differing from the saved text.
    pub on_dirty: Box<dyn Fn(bool)>,
    /// Any edit.
    pub on_change: Box<dyn Fn()>,
    /// Ctrl/Cmd+S.
    pub on_save: Box<dyn Fn()>,
}

/// A CodeMirror editor of one file, drawn into an element. Dropping it destroys the editor
/// (and closes the file in its language server).
pub struct CodeEditor {
    inner: sys::Editor,
    _closures: Vec<Closure<dyn Fn(JsValue)>>,
}

impl CodeEditor {
    /// Opens an editor of `doc` (file `path`) in `parent`, with language intelligence from
    /// `lsp` when given, once CodeMirror has loaded (an error if it cannot be).
    pub async fn open(
        parent: &HtmlElement,
        path: &str,
        doc: &str,
        lsp: Option<&LspLink>,
        events: EditorEvents,
    ) -> Result<Self, JsValue> {
        let EditorEvents { on_dirty, on_change, on_save } = events;
        let closures = vec![
            Closure::<dyn Fn(JsValue)>::new(move |v: JsValue| on_dirty(v.is_truthy())),
            Closure::<dyn Fn(JsValue)>::new(move |_| on_change()),
            Closure::<dyn Fn(JsValue)>::new(move |_| on_save()),
        ];
        let opts = Object::new();
        set(&opts, "doc", &doc.into());
        set(&opts, "path", &path.into());
        for (name, c) in ["onDirty", "onChange", "onSave"].iter().zip(&closures) {
            set(&opts, name, c.as_ref());
        }
        if let (Some(link), Some((_, language_id))) = (lsp, lsp_language(path)) {
            set(&opts, "lsp", &link.inner);
            set(&opts, "uri", &file_uri(path).into());
            set(&opts, "languageId", &language_id.into());
        }
        let inner = JsFuture::from(sys::open_editor(parent, &opts)).await?.unchecked_into();
        Ok(Self { inner, _closures: closures })
    }

    /// The current text.
    pub fn text(&self) -> String {
        self.inner.text()
    }

    /// Marks `text` (what was just written) as the saved text.
    pub fn mark_saved(&self, text: &str) {
        self.inner.saved(text);
    }

    /// Replaces the text (reloaded from the file) and marks it saved.
    pub fn replace(&self, text: &str) {
        self.inner.replace(text);
    }

    /// Puts the cursor on `line` (1-based), scrolled to the middle, and focuses the editor.
    pub fn goto(&self, line: u32) {
        self.inner.goto(line, 1);
    }

    /// Focuses the editor.
    pub fn focus(&self) {
        self.inner.focus();
    }

    /// Lets the editor measure itself again (after its element moved).
    pub fn remeasure(&self) {
        self.inner.remeasure();
    }

    /// The document's symbols from its language server, as a flat outline (asked now; the
    /// answer does not hold on to the editor).
    pub fn symbols(&self) -> impl std::future::Future<Output = Result<Vec<Symbol>, JsValue>> + 'static {
        let asked = JsFuture::from(self.inner.symbols());
        async move { Ok(read_symbols(&asked.await?)) }
    }

    /// The editor's CodeMirror view (what the LSP client wants back for a jump to this file).
    pub fn view(&self) -> JsValue {
        Reflect::get(&self.inner, &"view".into()).unwrap_or(JsValue::NULL)
    }
}

impl Drop for CodeEditor {
    fn drop(&mut self) {
        self.inner.destroy();
    }
}

/// The outline `symbols()` of codemirror.js answered.
fn read_symbols(list: &JsValue) -> Vec<Symbol> {
    let read = |o: &JsValue, k: &str| Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED);
    js_sys::Array::from(list)
        .iter()
        .map(|s| Symbol {
            name: read(&s, "name").as_string().unwrap_or_default(),
            kind: read(&s, "kind").as_f64().unwrap_or(0.0) as u32,
            line: read(&s, "line").as_f64().unwrap_or(1.0) as u32,
            depth: read(&s, "depth").as_f64().unwrap_or(0.0) as u32,
        })
        .collect()
}

/// One symbol of a document outline.
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    /// Its name.
    pub name: String,
    /// The LSP `SymbolKind`.
    pub kind: u32,
    /// 1-based line.
    pub line: u32,
    /// Nesting depth (0 at the top).
    pub depth: u32,
}

/// A CodeMirror LSP client speaking to a language server of the sandbox over its JSON-RPC
/// socket. Dropping it disconnects (the server stops with the socket).
pub struct LspLink {
    inner: sys::Lsp,
    stop: RefCell<Option<futures::channel::oneshot::Sender<()>>>,
    /// Whether the socket is still open.
    pub alive: Rc<std::cell::Cell<bool>>,
    _send: Closure<dyn Fn(JsValue)>,
    _display: Closure<dyn Fn(JsValue) -> Promise>,
}

impl LspLink {
    /// Connects `server` (a language and a project) over its socket. `display_file(path)`
    /// opens another file of the sandbox for a jump into it and resolves to its editor's view.
    pub async fn connect(
        server: &LspServer,
        display_file: impl Fn(String) -> Promise + 'static,
    ) -> Result<Self, String> {
        let mut socket: LspSocket = server.connect().await.map_err(|e| crate::errors::describe(&e))?;
        let sender = socket.sender();
        let send = Closure::<dyn Fn(JsValue)>::new(move |m: JsValue| {
            let _ = sender.send(&m.as_string().unwrap_or_default());
        });
        let display = Closure::<dyn Fn(JsValue) -> Promise>::new(move |uri: JsValue| {
            match uri.as_string().as_deref().and_then(uri_path) {
                Some(path) => display_file(path),
                None => Promise::resolve(&JsValue::NULL),
            }
        });
        let root = file_uri(server.path_to_project());
        let inner: sys::Lsp = JsFuture::from(sys::connect_lsp(
            send.as_ref().unchecked_ref::<Function>(),
            &root,
            display.as_ref().unchecked_ref::<Function>(),
        ))
        .await
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
        let (stop_tx, stop_rx) = futures::channel::oneshot::channel::<()>();
        let alive = Rc::new(std::cell::Cell::new(true));
        let reader = inner.clone().unchecked_into::<sys::Lsp>();
        let still = alive.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mut stop = stop_rx;
            while let Either::Left((Some(message), pending_stop)) = select(Box::pin(socket.next()), stop).await {
                reader.receive(&message);
                stop = pending_stop;
            }
            still.set(false);
        });
        Ok(Self { inner, stop: RefCell::new(Some(stop_tx)), alive, _send: send, _display: display })
    }
}

impl Drop for LspLink {
    fn drop(&mut self) {
        self.inner.close();
        if let Some(stop) = self.stop.borrow_mut().take() {
            let _ = stop.send(());
        }
    }
}

/// A read-only diff of two texts drawn into an element; dropping it removes it.
pub struct Diff(sys::Diff);

impl Diff {
    /// Shows `original` against `modified` (file `path`, for highlighting) in `parent`, side
    /// by side or inline.
    pub async fn open(
        parent: &HtmlElement,
        original: &str,
        modified: &str,
        path: &str,
        side_by_side: bool,
    ) -> Result<Self, JsValue> {
        let diff = JsFuture::from(sys::open_diff(parent, original, modified, path, side_by_side)).await?;
        Ok(Self(diff.unchecked_into()))
    }
}

impl Drop for Diff {
    fn drop(&mut self) {
        self.0.destroy();
    }
}
