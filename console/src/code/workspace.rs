//! The files open in a sandbox's code editor, kept while the user moves between files and
//! tabs of the sandbox page: one CodeMirror editor per file (its element is moved into the
//! page where the file is shown and out again, so its text, undo history and cursor stay),
//! and one language server per language and project, shared by the project's files.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::IntoFuture;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::code::{lsp_language, CodeEditor, EditorEvents, LspLink};
use crate::current_sandbox::{use_current_sandbox, CurrentSandbox};
use crate::files::location::FilesView;
use crate::files::path;
use crate::files::text::write_text;

/// Files whose presence makes a directory a project root for its language server.
const PROJECT_MARKERS: [&str; 8] = [
    ".git",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "package.json",
    "tsconfig.json",
    "jsconfig.json",
];
/// How many directories up a project root is looked for.
const ROOT_SEARCH_DEPTH: usize = 8;

/// Where a file's language intelligence stands.
#[derive(Clone, Debug, PartialEq)]
pub enum LspStatus {
    /// No language server for this kind of file.
    None,
    /// Being connected.
    Starting,
    /// Connected: the server's language and its project directory.
    Ready(&'static str, String),
    /// It could not be started (the editor works without it).
    Failed(String),
}

/// One open file, as the page shows it. Copy it freely.
#[derive(Clone, Copy)]
pub struct OpenDoc {
    /// The file.
    pub path: StoredValue<String>,
    /// Whether it differs from what was saved.
    pub dirty: RwSignal<bool>,
    /// Counts edits (for things that follow the text, such as the outline).
    pub edits: RwSignal<u32>,
    /// Whether the editor is there yet.
    pub ready: RwSignal<bool>,
    /// Whether a save is under way.
    pub saving: RwSignal<bool>,
    /// Counts the saves that succeeded.
    pub saves: RwSignal<u32>,
    /// The last failure (opening or saving).
    pub error: RwSignal<Option<String>>,
    /// Its language server.
    pub lsp: RwSignal<LspStatus>,
}

impl OpenDoc {
    /// Frees its signals (the file was closed).
    fn dispose(self) {
        self.path.dispose();
        self.dirty.dispose();
        self.edits.dispose();
        self.ready.dispose();
        self.saving.dispose();
        self.saves.dispose();
        self.error.dispose();
        self.lsp.dispose();
    }
}

/// What is kept of an open file beside its signals.
struct DocState {
    host: HtmlElement,
    editor: RefCell<Option<CodeEditor>>,
    /// A line to go to once the editor is there.
    pending_line: Cell<Option<u32>>,
}

type SharedLink = Shared<LocalBoxFuture<'static, Result<Rc<LspLink>, String>>>;
/// Goes to a URL of the console.
type Navigate = Rc<dyn Fn(&str)>;

/// The sandbox's open files. Copy it freely.
#[derive(Clone, Copy)]
pub struct Workspace {
    current: CurrentSandbox,
    docs: RwSignal<Vec<OpenDoc>>,
    states: StoredValue<HashMap<String, Rc<DocState>>, LocalStorage>,
    servers: StoredValue<HashMap<(&'static str, String), SharedLink>, LocalStorage>,
    navigate: StoredValue<Navigate, LocalStorage>,
    /// The sandbox page's owner: open files' signals live under it (not under whichever
    /// component or handler opened them) until the file is closed.
    owner: StoredValue<Owner>,
    /// Whether the sandbox's pages hold other unsaved work (its notebooks), which the same
    /// questions guard.
    unsaved_elsewhere: StoredValue<Option<Rc<dyn Fn() -> bool>>, LocalStorage>,
}

impl Workspace {
    /// New and empty, provided to the sandbox page's components. Closing the page, or
    /// following a link out of the sandbox's pages, while a file (or a notebook:
    /// [`Self::guard_also`]) has unsaved changes asks first.
    pub fn provide() -> Self {
        let navigate = leptos_router::hooks::use_navigate();
        let this = Self {
            current: use_current_sandbox(),
            docs: RwSignal::new(Vec::new()),
            states: StoredValue::new_local(HashMap::new()),
            servers: StoredValue::new_local(HashMap::new()),
            navigate: StoredValue::new_local(Rc::new(move |to: &str| navigate(to, Default::default()))),
            owner: StoredValue::new(Owner::current().expect("Workspace::provide runs in a component")),
            unsaved_elsewhere: StoredValue::new_local(None),
        };
        // Closing or reloading the page with unsaved changes: the browser asks.
        let unload = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
            if this.any_unsaved() {
                ev.prevent_default();
                if let Some(ev) = ev.dyn_ref::<web_sys::BeforeUnloadEvent>() {
                    ev.set_return_value("unsaved");
                }
            }
        });
        // Leaving this sandbox's pages (the open files go with them) with unsaved changes: we
        // ask, for a link before the router sees the click (it leaves a click whose default was
        // prevented alone), for Back and Forward through the leave guard.
        let may_leave = move |to: &str| {
            let Some(id) = this.current.id.try_get_untracked() else { return true };
            let page = format!("/sandboxes/{id}");
            if to == page || to.starts_with(&format!("{page}/")) || !this.any_unsaved() {
                return true;
            }
            let ask = "This sandbox's open files or notebooks have unsaved changes. Leave it and lose them?";
            window().confirm_with_message(ask).unwrap_or(false)
        };
        let leave = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
            let link = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("a[href]").ok().flatten())
                .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
            // Only a link this page follows itself: not one opening a new tab or window, a
            // download, or another site.
            let stays = |link: &web_sys::HtmlAnchorElement| {
                let plain = ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key());
                let here = window().location().origin().is_ok_and(|o| o == link.origin());
                plain && here && matches!(link.target().as_str(), "" | "_self") && !link.has_attribute("download")
            };
            if link.is_some_and(|link| stays(&link) && !may_leave(&link.pathname())) {
                ev.prevent_default();
            }
        });
        let guard: crate::leave_guard::Guard = Rc::new(may_leave);
        crate::leave_guard::set(Rc::clone(&guard));
        let _ = window().add_event_listener_with_callback("beforeunload", unload.as_ref().unchecked_ref());
        let _ = document().add_event_listener_with_callback_and_bool("click", leave.as_ref().unchecked_ref(), true);
        let guards = StoredValue::new_local(Some((unload, leave)));
        let guard = StoredValue::new_local(guard);
        on_cleanup(move || {
            if let Some(guard) = guard.try_get_value() {
                crate::leave_guard::clear(&guard);
            }
            if let Some(Some((unload, leave))) = guards.try_update_value(Option::take) {
                let _ = window().remove_event_listener_with_callback("beforeunload", unload.as_ref().unchecked_ref());
                let _ = document().remove_event_listener_with_callback_and_bool(
                    "click",
                    leave.as_ref().unchecked_ref(),
                    true,
                );
            }
        });
        provide_context(this);
        this
    }

    /// The open files, in the order they were opened.
    pub fn docs(&self) -> Vec<OpenDoc> {
        self.docs.get()
    }

    /// The open file `path`, if it is open.
    pub fn doc(&self, path: &str) -> Option<OpenDoc> {
        self.docs.with(|d| d.iter().find(|d| d.path.with_value(|p| p == path)).copied())
    }

    /// Also guards the work `unsaved` says is unsaved (the sandbox's notebooks): closing the
    /// page or leaving the sandbox's pages asks while it says so.
    pub fn guard_also(&self, unsaved: impl Fn() -> bool + 'static) {
        self.unsaved_elsewhere.set_value(Some(Rc::new(unsaved)));
    }

    /// Whether the sandbox's pages hold unsaved work: an open file or what
    /// [`Self::guard_also`] guards.
    fn any_unsaved(&self) -> bool {
        self.any_dirty() || self.unsaved_elsewhere.try_with_value(|f| f.as_ref().is_some_and(|f| f())).unwrap_or(false)
    }

    /// Whether any open file has unsaved changes.
    pub fn any_dirty(&self) -> bool {
        // A closed file's flag may be gone before it leaves the list (a page unload then
        // asks this from the browser's `beforeunload`): gone counts as clean.
        self.docs.try_with_untracked(|d| d.iter().any(|d| d.dirty.try_get_untracked() == Some(true))).unwrap_or(false)
    }

    fn state(&self, path: &str) -> Option<Rc<DocState>> {
        self.states.try_with_value(|s| s.get(path).cloned()).flatten()
    }

    /// Opens `path` with text `text` (a no-op if it is open): its editor and, for Python and
    /// TypeScript/JavaScript, its project's language server come up in the background.
    pub fn open(&self, path: &str, text: String) {
        if self.state(path).is_some() {
            return;
        }
        let host: HtmlElement = document().create_element("div").unwrap_throw().unchecked_into();
        host.set_class_name("code-host");
        let state = Rc::new(DocState { host, editor: RefCell::new(None), pending_line: Cell::new(None) });
        let Some(owner) = self.owner.try_get_value() else {
            return;
        };
        let doc = owner.with(|| OpenDoc {
            path: StoredValue::new(path.to_owned()),
            dirty: RwSignal::new(false),
            edits: RwSignal::new(0),
            ready: RwSignal::new(false),
            saving: RwSignal::new(false),
            saves: RwSignal::new(0),
            error: RwSignal::new(None),
            lsp: RwSignal::new(LspStatus::None),
        });
        self.states.update_value(|s| {
            s.insert(path.to_owned(), state.clone());
        });
        self.docs.update(|d| d.push(doc));

        let this = *self;
        let path = path.to_owned();
        spawn_local(async move {
            let link = match lsp_language(&path) {
                Some((server, _)) => {
                    doc.lsp.set(LspStatus::Starting);
                    match this.link(server, &path::parent(&path)).await {
                        Ok(link) => {
                            doc.lsp.set(LspStatus::Ready(server, link.1));
                            Some(link.0)
                        }
                        Err(e) => {
                            doc.lsp.set(LspStatus::Failed(e));
                            None
                        }
                    }
                }
                None => None,
            };
            let saver = path.clone();
            let events = EditorEvents {
                on_dirty: Box::new(move |d| doc.dirty.set(d)),
                on_change: Box::new(move || doc.edits.update(|n| *n += 1)),
                on_save: Box::new(move || this.save(&saver)),
            };
            match CodeEditor::open(&state.host, &path, &text, link.as_deref(), events).await {
                // Closed meanwhile: the editor goes again.
                Ok(_) if this.state(&path).is_none_or(|s| !Rc::ptr_eq(&s, &state)) => {}
                Ok(editor) => {
                    if let Some(line) = state.pending_line.take() {
                        editor.goto(line);
                    }
                    *state.editor.borrow_mut() = Some(editor);
                    doc.ready.set(true);
                }
                Err(e) => doc.error.set(Some(format!("The editor could not be loaded: {e:?}"))),
            }
        });
    }

    /// The language server `server` for the project holding directory `dir` (started when
    /// none runs for that project), with the project's directory.
    async fn link(&self, server: &'static str, dir: &str) -> Result<(Rc<LspLink>, String), String> {
        let sandbox = self.current.sandbox().map_err(|e| crate::errors::describe(&e))?;
        let root = project_root(&sandbox.fs(), dir).await;
        // The page may have gone, or moved to another sandbox, meanwhile.
        if self.current.id.try_get_untracked() != Some(sandbox.id()) {
            return Err("the sandbox page changed".into());
        }
        let key = (server, root.clone());
        let known = self.servers.try_with_value(|s| s.get(&key).cloned()).ok_or("the sandbox page closed")?;
        let shared = match known {
            Some(shared) if shared.peek().is_none_or(|r| r.as_ref().is_ok_and(|l| l.alive.get())) => shared,
            _ => {
                let this = *self;
                let lsp = sandbox.create_lsp_server(server, &root);
                let connecting: LocalBoxFuture<'static, Result<Rc<LspLink>, String>> =
                    async move { LspLink::connect(&lsp, move |path| this.display(path)).await.map(Rc::new) }
                        .boxed_local();
                let shared = connecting.shared();
                self.servers.try_update_value(|s| s.insert(key, shared.clone()));
                shared
            }
        };
        Ok((shared.await?, root))
    }

    /// Shows file `path` for a jump into it (opening it if needed): a promise of its editor's
    /// view, or null if it could not be opened in time.
    fn display(&self, path: String) -> js_sys::Promise {
        let this = *self;
        wasm_bindgen_futures::future_to_promise(async move {
            let Some(id) = this.current.id.try_get_untracked() else {
                return Ok(JsValue::NULL);
            };
            this.navigate.try_with_value(|n| n(&FilesView::File { path: path.clone(), line: None }.href(&id)));
            for _ in 0..300 {
                if let Some(view) = this.state(&path).and_then(|s| s.editor.borrow().as_ref().map(CodeEditor::view)) {
                    return Ok(view);
                }
                gloo_timers::future::TimeoutFuture::new(50).await;
            }
            Ok(JsValue::NULL)
        })
    }

    /// Writes file `path`'s text to the sandbox.
    pub fn save(&self, path: &str) {
        let (Some(state), Some(doc)) = (self.state(path), self.doc(path)) else {
            return;
        };
        let Some(text) = state.editor.borrow().as_ref().map(CodeEditor::text) else {
            return;
        };
        if doc.saving.get_untracked() {
            return;
        }
        doc.saving.set(true);
        let current = self.current;
        let path = path.to_owned();
        spawn_local(async move {
            let written = async { write_text(&current.sandbox()?.fs(), &path, &text).await }.await;
            match written {
                Ok(()) => {
                    if let Some(editor) = state.editor.borrow().as_ref() {
                        editor.mark_saved(&text);
                    }
                    doc.error.set(None);
                    doc.saves.update(|n| *n += 1);
                }
                Err(e) => doc.error.set(Some(format!("Saving failed: {}", crate::errors::describe(&e)))),
            }
            doc.saving.set(false);
        });
    }

    /// Puts file `path`'s editor into `slot` (moving it out of wherever it was), at `line` if
    /// given.
    pub fn attach(&self, path: &str, slot: &HtmlElement, line: Option<u32>) {
        let Some(state) = self.state(path) else {
            return;
        };
        let _ = slot.append_child(&state.host);
        match state.editor.borrow().as_ref() {
            Some(editor) => {
                editor.remeasure();
                match line {
                    Some(l) => editor.goto(l),
                    None => editor.focus(),
                }
            }
            None => state.pending_line.set(line),
        };
    }

    /// Moves file `path`'s cursor to `line` (1-based).
    pub fn goto(&self, path: &str, line: u32) {
        if let Some(state) = self.state(path) {
            if let Some(editor) = state.editor.borrow().as_ref() {
                editor.goto(line);
            }
        }
    }

    /// Where open file `path` stands (its edits and saves), to tell later whether it moved.
    pub fn mark(&self, path: &str) -> Option<(u32, u32)> {
        self.doc(path).map(|d| (d.edits.get_untracked(), d.saves.get_untracked()))
    }

    /// Refreshes open file `path` with `text` as the sandbox had it at `mark`, unless it has
    /// unsaved changes (they are kept) or was edited or saved since (the text is older).
    pub fn reload(&self, path: &str, text: &str, mark: Option<(u32, u32)>) {
        let (Some(state), Some(doc)) = (self.state(path), self.doc(path)) else {
            return;
        };
        if doc.dirty.get_untracked() || self.mark(path) != mark {
            return;
        }
        if let Some(editor) = state.editor.borrow().as_ref() {
            if editor.text() != text {
                editor.replace(text);
            }
        };
    }

    /// Takes file `path`'s editor out of the page (it stays open).
    pub fn detach(&self, path: &str) {
        if let Some(state) = self.state(path) {
            state.host.remove();
        }
    }

    /// The outline of file `path` from its language server.
    pub async fn symbols(&self, path: &str) -> Result<Vec<crate::code::Symbol>, String> {
        let state = self.state(path).ok_or_else(|| "not open".to_owned())?;
        let pending = state.editor.borrow().as_ref().map(CodeEditor::symbols);
        match pending {
            Some(call) => call.await.map_err(|e| format!("{e:?}")),
            None => Ok(Vec::new()),
        }
    }

    /// Closes file `path`, after asking when it has unsaved changes; `false` if the user kept
    /// it open.
    pub fn close(&self, path: &str) -> bool {
        if self.doc(path).is_some_and(|d| d.dirty.get_untracked()) {
            let ask = format!("{} has unsaved changes. Close it and lose them?", path::base_name(path));
            if !window().confirm_with_message(&ask).unwrap_or(false) {
                return false;
            }
        }
        let closed = self.doc(path);
        self.docs.update(|d| d.retain(|d| d.path.with_value(|p| p != path)));
        let gone = self.states.try_update_value(|s| s.remove(path)).flatten();
        if let Some(state) = gone {
            state.host.remove();
        }
        if let Some(doc) = closed {
            doc.dispose();
        }
        true
    }

    /// Closes every file and language server (for another sandbox).
    pub fn clear(&self) {
        for doc in self.docs.try_update(std::mem::take).unwrap_or_default() {
            doc.dispose();
        }
        for (_, state) in self.states.try_update_value(std::mem::take).unwrap_or_default() {
            state.host.remove();
        }
        self.servers.update_value(HashMap::clear);
    }
}

/// The project directory of `dir` for a language server: the nearest directory, from `dir`
/// up, that holds a project file ([`PROJECT_MARKERS`]); `dir` itself if none does. The
/// directories are listed at once.
async fn project_root(fs: &daytona_wasm::FileSystem, dir: &str) -> String {
    let mut candidates = Vec::new();
    let mut at = dir.to_owned();
    while at != "/" && !at.is_empty() && candidates.len() < ROOT_SEARCH_DEPTH {
        candidates.push(at.clone());
        at = path::parent(&at);
    }
    let listings = futures::future::join_all(candidates.iter().map(|d| fs.list_files(d).into_future())).await;
    candidates
        .iter()
        .zip(listings)
        .find(|(_, listed)| {
            listed.as_ref().is_ok_and(|files| files.iter().any(|f| PROJECT_MARKERS.contains(&f.name.as_str())))
        })
        .map(|(d, _)| d.clone())
        .unwrap_or_else(|| dir.to_owned())
}

/// The sandbox page's open files.
pub fn use_workspace() -> Workspace {
    expect_context()
}
