//! The strip of open files above the Files tab's file: one tab per file, with a dot while it
//! has unsaved changes and a close button.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::code::workspace::use_workspace;
use crate::current_sandbox::use_current_sandbox;
use crate::files::location::FilesView;
use crate::files::path;

/// The open files; `shown` is the file on screen (if any).
#[component]
pub fn OpenFiles(#[prop(into)] shown: Signal<Option<String>>) -> impl IntoView {
    let workspace = use_workspace();
    let current = use_current_sandbox();
    let navigate = use_navigate();
    let href = move |p: &str| FilesView::File { path: p.to_owned(), line: None }.href(&current.id.get_untracked());

    let close = Callback::new(move |p: String| {
        let docs = workspace.docs();
        let at = docs.iter().position(|d| d.path.with_value(|x| *x == p));
        if !workspace.close(&p) || shown.get_untracked().as_deref() != Some(p.as_str()) {
            return;
        }
        // The file on screen closed: show its neighbour, or its folder.
        let rest: Vec<String> = workspace.docs().iter().map(|d| d.path.get_value()).collect();
        let next = at.and_then(|i| rest.get(i.min(rest.len().saturating_sub(1))).cloned());
        let to = match next {
            Some(n) => href(&n),
            None => FilesView::Dir(path::parent(&p)).href(&current.id.get_untracked()),
        };
        navigate(&to, Default::default());
    });

    view! {
        <Show when=move || !workspace.docs().is_empty()>
            <nav class="open-files" aria-label="Open files">
                <For each=move || workspace.docs() key=|d| d.path.get_value() let:doc>
                    {
                        let p = doc.path.get_value();
                        let name = path::base_name(&p);
                        let active = {
                            let p = p.clone();
                            Signal::derive(move || shown.with(|s| s.as_deref() == Some(p.as_str())))
                        };
                        let label = format!("Close {name}");
                        let closing = p.clone();
                        view! {
                            <span class="open-file" class:active=active title=p.clone()>
                                <a
                                    href=href(&p)
                                    aria-current=move || active.get().then_some("page")
                                >
                                    <span class="mono">{name}</span>
                                    <Show when=move || doc.dirty.get()>
                                        <span class="dirty-dot" title="Unsaved changes" aria-label="unsaved changes">"●"</span>
                                    </Show>
                                </a>
                                <button
                                    type="button"
                                    class="open-file-close"
                                    aria-label=label
                                    on:click=move |_| close.run(closing.clone())
                                >
                                    "×"
                                </button>
                            </span>
                        }
                    }
                </For>
            </nav>
        </Show>
    }
}
