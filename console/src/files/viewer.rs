//! Showing one file: text in the code editor (kept open in the sandbox's workspace, a line
//! can be marked), markdown rendered (or edited), images. Everything from the file is escaped.

use daytona_wasm::models::FileInfo;
use daytona_wasm::{DaytonaError, FileSystem};
use js_sys::Array;
use leptos::html::Div;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use web_sys::{Blob, BlobPropertyBag, Url};

use crate::code::outline::Outline;
use crate::code::workspace::{use_workspace, LspStatus, OpenDoc};
use crate::components::error_alert::ErrorAlert;
use crate::components::relative_time::RelativeTime;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::files::context::use_files;
use crate::files::format::human_size;
use crate::files::location::FilesView;
use crate::files::path;
use crate::files::text::blob_utf8;
use crate::markdown;

/// Largest text file opened (the editor draws only what is in view).
const MAX_TEXT: u64 = 16 << 20;
/// Largest image previewed.
const MAX_IMAGE: u64 = 20 << 20;

/// How a file is previewed, by its name.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Image(&'static str),
    Markdown,
    Text,
}

fn kind_of(name: &str) -> Kind {
    match path::extension(name).as_deref() {
        Some("png") => Kind::Image("image/png"),
        Some("jpg" | "jpeg") => Kind::Image("image/jpeg"),
        Some("gif") => Kind::Image("image/gif"),
        Some("webp") => Kind::Image("image/webp"),
        Some("bmp") => Kind::Image("image/bmp"),
        Some("ico") => Kind::Image("image/x-icon"),
        Some("svg") => Kind::Image("image/svg+xml"),
        Some("md" | "markdown") => Kind::Markdown,
        _ => Kind::Text,
    }
}

/// What was loaded.
#[derive(Clone, PartialEq)]
enum Content {
    /// Markdown text, shown rendered.
    Text(String),
    /// Open in the workspace's editor.
    Open,
    /// An object URL of the image.
    Image(String),
    Binary,
    TooLarge,
}

/// Whether decoded `text` looks like it came from a binary file.
fn looks_binary(text: &str) -> bool {
    let replaced = text.chars().filter(|&c| c == char::REPLACEMENT_CHARACTER).count();
    text.contains('\0') || replaced * 20 > text.chars().count().max(1)
}

fn js_error(e: wasm_bindgen::JsValue) -> DaytonaError {
    DaytonaError::Decode(format!("{e:?}"))
}

/// Downloads `remote` and prepares it for showing as `kind`.
async fn load(fs: &FileSystem, remote: &str, kind: Kind, size: u64) -> Result<Content, DaytonaError> {
    let limit = if matches!(kind, Kind::Image(_)) { MAX_IMAGE } else { MAX_TEXT };
    if size > limit {
        return Ok(Content::TooLarge);
    }
    let blob = fs.download_file(remote, &Default::default()).await?;
    if let Kind::Image(mime) = kind {
        // Served as octet-stream; an <img> needs the type (SVG especially).
        let bag = BlobPropertyBag::new();
        bag.set_type(mime);
        let typed = Blob::new_with_blob_sequence_and_options(&Array::of1(&blob), &bag).map_err(js_error)?;
        return Ok(Content::Image(Url::create_object_url_with_blob(&typed).map_err(js_error)?));
    }
    // Only valid UTF-8 opens as text: the editor writes back what it shows, and a lossy decode
    // would change the file's other bytes on save.
    Ok(match blob_utf8(&blob).await? {
        Some(text) if !looks_binary(&text) => Content::Text(text),
        _ => Content::Binary,
    })
}

/// File `path`, with `line` marked and scrolled to.
#[component]
pub fn FileViewer(path: String, line: Option<u32>) -> impl IntoView {
    let current = use_current_sandbox();
    let files = use_files();
    let workspace = use_workspace();
    let navigate = use_navigate();
    let kind = kind_of(&path);
    let info = RwSignal::new(None::<FileInfo>);
    let content = RwSignal::new(workspace.doc(&path).map(|_| Content::Open));
    let error = RwSignal::new(None::<String>);
    let object_url = StoredValue::new(None::<String>);
    let path = StoredValue::new(path);
    let revoke = move || {
        if let Some(Some(url)) = object_url.try_update_value(Option::take) {
            let _ = Url::revoke_object_url(&url);
        }
    };
    on_cleanup(revoke);

    let remote = path.get_value();
    let started_in = current.id.get_untracked();
    let mark = workspace.mark(&remote);
    leptos::task::spawn_local(async move {
        let loaded = async {
            let fs = current.sandbox()?.fs();
            let details = fs.get_file_details(&remote).await?;
            // An open file with changes keeps them; one without is refreshed from the sandbox.
            let keep = workspace.doc(&remote).is_some_and(|d| d.dirty.get_untracked());
            let body = if details.is_dir || keep {
                None
            } else {
                Some(load(&fs, &remote, kind, details.size.max(0) as u64).await?)
            };
            Ok::<_, DaytonaError>((details, body))
        }
        .await;
        // Gone meanwhile, or another sandbox's page now: this file is not for it.
        if content.try_get_untracked().is_none() || current.id.try_get_untracked() != Some(started_in) {
            return;
        }
        match loaded {
            Ok((details, None)) if details.is_dir => {
                let to = FilesView::Dir(remote).href(&current.id.get_untracked());
                navigate(&to, NavigateOptions { replace: true, ..Default::default() });
            }
            Ok((details, body)) => {
                if let Some(Content::Image(url)) = &body {
                    // If the viewer has gone meanwhile, nobody will show the URL.
                    if object_url.try_set_value(Some(url.clone())).is_some() {
                        let _ = Url::revoke_object_url(url);
                    }
                }
                info.set(Some(details));
                match body {
                    Some(Content::Text(text)) if workspace.doc(&remote).is_some() => {
                        workspace.reload(&remote, &text, mark);
                        content.set(Some(Content::Open));
                    }
                    Some(Content::Text(text)) if kind != Kind::Markdown => {
                        workspace.open(&remote, text);
                        content.set(Some(Content::Open));
                    }
                    None => content.set(Some(Content::Open)),
                    body => content.set(body),
                }
            }
            Err(e) => error.set(Some(crate::errors::describe(&e))),
        }
    });

    // A save changes the file's size and time: read them again.
    Effect::new(move |seen: Option<u32>| {
        let saves = workspace.doc(&path.get_value()).map_or(0, |d| d.saves.get());
        if seen.is_some_and(|s| s != saves) {
            let remote = path.get_value();
            leptos::task::spawn_local(async move {
                if let Ok(details) = async { current.sandbox()?.fs().get_file_details(&remote).await }.await {
                    let _ = info.try_set(Some(details));
                }
            });
        }
        saves
    });

    let name = path::base_name(&path.get_value());
    let close_href = FilesView::Dir(path::parent(&path.get_value())).href(&current.id.get_untracked());
    // Notebooks open in the Notebook tab.
    let notebook_href = path.get_value().ends_with(".ipynb").then(|| {
        format!(
            "/sandboxes/{}/notebook?path={}",
            current.id.get_untracked(),
            String::from(js_sys::encode_uri_component(&path.get_value()))
        )
    });
    let edit_markdown = move |_| {
        if let Some(Content::Text(text)) = content.get_untracked() {
            workspace.open(&path.get_value(), text);
            content.set(Some(Content::Open));
        }
    };
    // Other files opening or closing leave this one's editor in place.
    let is_open = Memo::new(move |_| workspace.doc(&path.get_value()).is_some());
    let body = move || {
        let shown = content.get()?;
        Some(match shown {
            Content::Open => match is_open.get().then(|| untrack(|| workspace.doc(&path.get_value()))).flatten() {
                Some(doc) => view! { <EditorPane doc line/> }.into_any(),
                None => view! { <p class="viewer-note">"This file was closed."</p> }.into_any(),
            },
            Content::Text(text) => {
                view! { <article class="markdown" inner_html=markdown::render(&text).into_string()></article> }
                    .into_any()
            }
            Content::Image(url) => view! {
                <div class="image-preview"><img src=url alt=path::base_name(&path.get_value())/></div>
            }
            .into_any(),
            Content::Binary => {
                view! { <p class="viewer-note">"This is not UTF-8 text (a binary file, or another encoding). Download it to open it."</p> }.into_any()
            }
            Content::TooLarge => {
                view! { <p class="viewer-note">"Too large to open here. Download it to open it."</p> }.into_any()
            }
        })
    };

    view! {
        <section class="card viewer" data-path=path.get_value()>
            <header class="viewer-head">
                <div class="viewer-title">
                    <h2 class="mono">{name}</h2>
                    {move || info.get().map(|f| view! {
                        <span class="muted">
                            {human_size(f.size.max(0) as u64)} " · " {f.mode.clone()} " · modified " <RelativeTime iso=f.modified_at.clone()/>
                        </span>
                    })}
                </div>
                <span class="spacer"></span>
                <Show when=move || matches!(content.get(), Some(Content::Text(_)))>
                    <button type="button" class="btn btn-small" on:click=edit_markdown>"Edit"</button>
                </Show>
                {notebook_href.map(|href| view! { <a class="btn btn-small btn-primary" href=href>"Open in notebook"</a> })}
                <button type="button" class="btn btn-small" on:click=move |_| files.download(path.get_value(), false)>"Download"</button>
                <a class="btn btn-small btn-ghost" href=close_href>"Close"</a>
            </header>
            <ErrorAlert error=error/>
            <Show when=move || content.with(Option::is_none) && error.with(Option::is_none)>
                <div class="empty-table"><Spinner/>" Loading…"</div>
            </Show>
            {body}
        </section>
    }
}

/// The editor of open file `doc` (put at `line`), with its save state, language server and
/// outline.
#[component]
fn EditorPane(doc: OpenDoc, line: Option<u32>) -> impl IntoView {
    let workspace = use_workspace();
    let slot = NodeRef::<Div>::new();
    let path = doc.path.get_value();
    let outline = RwSignal::new(true);
    Effect::new({
        let path = path.clone();
        move |_| {
            if let Some(el) = slot.get() {
                workspace.attach(&path, &el, line);
            }
        }
    });
    on_cleanup({
        let path = path.clone();
        move || workspace.detach(&path)
    });
    let has_lsp = move || matches!(doc.lsp.get(), LspStatus::Ready(..));
    let lsp_note = move || match doc.lsp.get() {
        LspStatus::None => None,
        LspStatus::Starting => Some("Starting the language server…".to_owned()),
        LspStatus::Ready(server, root) => {
            Some(format!("{} language server · {root}", if server == "python" { "Python" } else { "TypeScript" }))
        }
        LspStatus::Failed(e) => Some(format!("No language server: {e}")),
    };
    let save_path = path.clone();
    let pick_path = path.clone();

    view! {
        <div class="code-pane">
            <div class="editor-bar">
                <span class="muted" aria-live="polite">
                    {move || if doc.saving.get() { "Saving…" } else if doc.dirty.get() { "Modified" } else { "Saved" }}
                </span>
                <span class="muted lsp-note">{lsp_note}</span>
                <span class="spacer"></span>
                <Show when=has_lsp>
                    <button type="button" class="btn btn-small" aria-pressed=move || outline.get().to_string() on:click=move |_| outline.update(|o| *o = !*o)>
                        "Outline"
                    </button>
                </Show>
                <button
                    type="button"
                    class="btn btn-small btn-primary"
                    title="Save (Ctrl+S)"
                    disabled=move || doc.saving.get() || !doc.dirty.get()
                    on:click=move |_| workspace.save(&save_path)
                >
                    {move || doc.saving.get().then(|| view! { <Spinner/> })}
                    "Save"
                </button>
            </div>
            <ErrorAlert error=Signal::derive(move || doc.error.get())/>
            <div class="code-layout">
                <Show when=move || !doc.ready.get() && doc.error.with(Option::is_none)>
                    <div class="empty-table"><Spinner/>" Opening the editor…"</div>
                </Show>
                <div class="code-slot" node_ref=slot></div>
                <Show when=move || has_lsp() && outline.get()>
                    <Outline doc on_pick=Callback::new({
                        let path = pick_path.clone();
                        move |l| workspace.goto(&path, l)
                    })/>
                </Show>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_previews() {
        assert!(kind_of("/a/b.PNG") == Kind::Image("image/png"));
        assert!(kind_of("README.md") == Kind::Markdown);
        assert!(kind_of("main.rs") == Kind::Text);
        assert!(looks_binary("a\0b"));
        assert!(!looks_binary("plain text ü"));
    }
}
