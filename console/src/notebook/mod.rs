//! The Notebook tab: Jupyter-like code and Markdown cells run in an interpreter context of
//! the sandbox, with streamed and rich outputs, saved as `.ipynb` in the sandbox; several
//! notebooks open side by side in a strip, each with a context of its own (`notebooks`).

pub mod ipynb;
mod model;
mod notebooks;
mod output;

pub use notebooks::Notebooks;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::components::error_alert::Alert;
use crate::components::requires_started::RequiresStarted;
use crate::highlight::{highlight, syntax_for};
use ipynb::CellKind;
use model::{Cell, Notebook, Status};
use notebooks::use_notebooks;
use output::Outputs;

/// The Notebook tab.
#[component]
pub fn NotebookTab() -> impl IntoView {
    view! {
        <RequiresStarted feature="The notebook">
            <NotebookView/>
        </RequiresStarted>
    }
}

#[component]
fn NotebookView() -> impl IntoView {
    let notebooks = use_notebooks();
    // `?path=` (from the Files tab) opens that file, or shows it if it is open; otherwise the
    // notebooks stay as they were left, and a first visit gets an empty one.
    let query = use_query_map();
    if let Some(path) = query.with_untracked(|q| q.get("path")).filter(|p| !p.is_empty()) {
        notebooks.open_path(&path, true);
    }
    // Never an empty strip: on a first visit, after the last one closed, or after the page
    // moved to another sandbox (which closes them all), an empty notebook.
    Effect::new(move |_| {
        if notebooks.open.with(Vec::is_empty) {
            notebooks.add();
        }
    });
    // The body is drawn again only when another notebook is shown.
    let shown = Memo::new(move |_| notebooks.shown().map(|(key, _)| key));
    let body = move || {
        let key = shown.get()?;
        let nb = notebooks.open.with_untracked(|open| open.iter().find(|(k, _)| *k == key).map(|(_, nb)| *nb))?;
        Some(view! { <NotebookBody nb/> })
    };
    let name = |nb: Notebook| move || nb.path.with(|p| p.rsplit('/').next().unwrap_or(p).to_owned());
    view! {
        <nav class="nb-tabs" aria-label="Open notebooks">
            <For each=move || notebooks.open.get() key=|(key, _)| *key let:open>
                {
                    let (key, nb) = open;
                    let shown = move || notebooks.active.get() == Some(key);
                    view! {
                        <span class="nb-tab" class:active=shown>
                            <button type="button" class="nb-tab-name mono" aria-current=move || shown().then_some("true")
                                title=move || nb.path.get() on:click=move |_| notebooks.active.set(Some(key))>
                                {name(nb)}
                                // Unsaved changes (said by the Save state beside the file's path).
                                <span class="nb-dirty" aria-hidden="true">{move || nb.dirty.get().then_some(" •")}</span>
                            </button>
                            <button type="button" class="nb-tab-close" aria-label=move || format!("Close notebook {}", name(nb)())
                                title="Close (its context and variables go; save first to keep the cells)"
                                on:click=move |_| notebooks.close(key)>"×"</button>
                        </span>
                    }
                }
            </For>
            <button type="button" class="btn btn-small" on:click=move |_| {
                notebooks.add();
            }>"+ Notebook"</button>
        </nav>
        {body}
    }
}

/// One notebook: its toolbar and cells (it saves itself: `Notebook::new`).
#[component]
fn NotebookBody(nb: Notebook) -> impl IntoView {
    let selected_or_first = move || nb.selected.get_untracked().or_else(|| nb.keys(None, true).first().copied());
    let save_keys = move |ev: KeyboardEvent| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("s") {
            ev.prevent_default();
            spawn_local(nb.save());
        }
    };

    view! {
        <section class="card notebook" on:keydown=save_keys>
            <div class="nb-toolbar">
                <label class="nb-path">
                    <span class="muted">"File"</span>
                    <input class="mono" aria-label="Notebook path" bind:value=nb.path/>
                </label>
                <button type="button" class="btn btn-small" on:click=move |_| spawn_local(nb.open())>"Open"</button>
                <button type="button" class="btn btn-small" on:click=move |_| spawn_local(nb.save())>"Save"</button>
                <span class="nb-saved muted" aria-live="polite">
                    {move || match (nb.dirty.get(), nb.has_file.get()) {
                        (true, _) => "Unsaved changes",
                        (false, true) => "Saved",
                        (false, false) => "",
                    }}
                </span>
                <span class="nb-spacer"></span>
                <button type="button" class="btn btn-small btn-primary" title="Run all cells"
                    on:click=move |_| nb.run(nb.keys(None, true))>"Run all"</button>
                <button type="button" class="btn btn-small" title="Run this cell and those above"
                    on:click=move |_| nb.run(nb.keys(selected_or_first(), false))>"Run above"</button>
                <button type="button" class="btn btn-small" title="Run this cell and those below"
                    on:click=move |_| nb.run(nb.keys(selected_or_first(), true))>"Run below"</button>
                <button type="button" class="btn btn-small" disabled=move || !nb.running.get()
                    on:click=move |_| nb.interrupt()>"Interrupt"</button>
                <button type="button" class="btn btn-small" disabled=move || nb.context.get().is_none()
                    on:click=move |_| nb.restart()>"Restart"</button>
                <button type="button" class="btn btn-small" on:click=move |_| nb.clear_outputs()>"Clear outputs"</button>
            </div>
            {move || nb.error.get().map(|e| view! { <Alert message=e/> })}
            <div class="nb-cells">
                <For each=move || nb.cells.get() key=|c| c.key let:cell>
                    <CellView nb cell/>
                </For>
            </div>
            <div class="nb-add">
                <button type="button" class="btn btn-small" on:click=move |_| focus(nb.insert(usize::MAX, CellKind::Code))>"+ Code"</button>
                <button type="button" class="btn btn-small" on:click=move |_| {
                    let cell = nb.insert(usize::MAX, CellKind::Markdown);
                    cell.editing.set(true);
                    focus(cell);
                }>"+ Markdown"</button>
                <span class="muted nb-keys">"Shift+Enter run and advance · Ctrl+Enter run · Alt+Enter run and insert · Esc then A/B insert, DD delete, M/Y Markdown/code, ↑/↓ select"</span>
            </div>
        </section>
    }
}

/// Focuses the editor of `cell` (edit mode).
fn focus(cell: Cell) {
    request_animation_frame(move || {
        if let Some(area) = cell.area.get_untracked() {
            let _ = area.focus();
        }
    });
}

/// Focuses the box of `cell` (command mode).
fn select(nb: Notebook, cell: Cell) {
    nb.selected.set(Some(cell.key));
    request_animation_frame(move || {
        if let Some(root) = cell.root.get_untracked() {
            let _ = root.focus();
        }
    });
}

#[component]
fn CellView(nb: Notebook, cell: Cell) -> impl IntoView {
    let key = cell.key;
    let is_selected = move || nb.selected.get() == Some(key);
    let last_key = StoredValue::new(String::new());
    let run_and_advance = move || {
        nb.run(vec![key]);
        let next = nb.next_of(key);
        if next.kind.get_untracked() == CellKind::Code || next.editing.get_untracked() {
            nb.selected.set(Some(next.key));
            focus(next);
        } else {
            select(nb, next);
        }
    };
    // Edit mode: keys in the editor.
    let edit_keys = move |ev: KeyboardEvent| {
        let enter = ev.key() == "Enter";
        if enter && ev.shift_key() {
            ev.prevent_default();
            run_and_advance();
        } else if enter && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            nb.run(vec![key]);
            if cell.kind.get_untracked() == CellKind::Markdown {
                select(nb, cell);
            }
        } else if enter && ev.alt_key() {
            ev.prevent_default();
            nb.run(vec![key]);
            focus(nb.insert_below(Some(key)));
        } else if ev.key() == "Escape" {
            ev.prevent_default();
            select(nb, cell);
        } else if ev.key() == "Tab" && !ev.shift_key() && !ev.ctrl_key() && !ev.alt_key() && !ev.meta_key() {
            ev.prevent_default();
            let area: web_sys::HtmlTextAreaElement = event_target(&ev);
            let at = area.selection_start().ok().flatten().unwrap_or(0);
            let end = area.selection_end().ok().flatten().unwrap_or(at);
            if area.set_range_text_with_start_and_end_and_mode("    ", at, end, "end").is_ok() {
                cell.source.set(area.value());
            }
        }
    };
    // Command mode: keys on the cell's box (Jupyter's shortcuts).
    let command_keys = move |ev: KeyboardEvent| {
        if event_target::<web_sys::Element>(&ev).tag_name() != "DIV" || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let pressed = ev.key();
        let previous = last_key.get_value();
        last_key.set_value(pressed.clone());
        let handled = match pressed.as_str() {
            "Enter" if ev.shift_key() => {
                run_and_advance();
                true
            }
            "Enter" => {
                cell.editing.set(true);
                focus(cell);
                true
            }
            "a" | "A" => {
                focus(nb.insert_above(key));
                true
            }
            "b" | "B" => {
                focus(nb.insert_below(Some(key)));
                true
            }
            "d" | "D" if previous.eq_ignore_ascii_case("d") => {
                last_key.set_value(String::new());
                nb.delete(key);
                if let Some(next) = nb.selected.get_untracked().and_then(|k| nb.cell(k)) {
                    select(nb, next);
                }
                true
            }
            "m" | "M" => {
                cell.kind.set(CellKind::Markdown);
                cell.outputs.set(Vec::new());
                nb.dirty.set(true);
                true
            }
            "y" | "Y" => {
                cell.kind.set(CellKind::Code);
                cell.editing.set(false);
                nb.dirty.set(true);
                true
            }
            "ArrowUp" | "k" | "K" => {
                if let Some(prev) = nb.neighbour(key, -1) {
                    select(nb, prev);
                }
                true
            }
            "ArrowDown" | "j" | "J" => {
                if let Some(next) = nb.neighbour(key, 1) {
                    select(nb, next);
                }
                true
            }
            "i" | "I" if previous.eq_ignore_ascii_case("i") => {
                nb.interrupt();
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };
    let prompt = move || match (cell.kind.get(), cell.status.get(), cell.count.get()) {
        (CellKind::Markdown, _, _) => String::new(),
        (_, Status::Running | Status::Queued, _) => "[*]:".to_owned(),
        (_, _, Some(n)) => format!("[{n}]:"),
        (_, _, None) => "[ ]:".to_owned(),
    };
    let rendered = move || {
        (cell.kind.get() == CellKind::Markdown && !cell.editing.get())
            .then(|| crate::markdown::render(&cell.source.get()).into_string())
    };
    let highlighted = NodeRef::<leptos::html::Pre>::new();
    let rows = move || cell.source.with(|s| s.lines().count().clamp(1, 40) + usize::from(s.ends_with('\n')));

    view! {
        <div
            class="nb-cell"
            class:nb-selected=is_selected
            class:nb-running=move || cell.status.get() == Status::Running
            class:nb-markdown=move || cell.kind.get() == CellKind::Markdown
            tabindex="0"
            node_ref=cell.root
            data-cell=move || cell.id.get_value()
            on:focusin=move |_| nb.selected.set(Some(key))
            on:keydown=command_keys
        >
            <div class="nb-gutter mono" aria-label="Execution count">{prompt}</div>
            <div class="nb-body">
                <div class="nb-cell-tools">
                    <span class="muted nb-elapsed">
                        {move || match (cell.status.get(), cell.elapsed.get()) {
                            (Status::Running, _) => "running…".to_owned(),
                            (Status::Queued, _) => "queued".to_owned(),
                            (_, Some(ms)) if ms >= 1000.0 => format!("{:.1} s", ms / 1000.0),
                            (_, Some(ms)) => format!("{} ms", ms.round() as u64),
                            _ => String::new(),
                        }}
                    </span>
                    <button type="button" class="btn btn-icon" title="Run (Ctrl+Enter)" aria-label="Run cell"
                        on:click=move |_| nb.run(vec![key])>"▶"</button>
                    <button type="button" class="btn btn-icon" title="Move up" aria-label="Move cell up"
                        on:click=move |_| nb.shift(key, -1)>"↑"</button>
                    <button type="button" class="btn btn-icon" title="Move down" aria-label="Move cell down"
                        on:click=move |_| nb.shift(key, 1)>"↓"</button>
                    <button type="button" class="btn btn-icon" title="Duplicate" aria-label="Duplicate cell"
                        on:click=move |_| nb.duplicate(key)>"❐"</button>
                    <button type="button" class="btn btn-icon" title="Delete (DD)" aria-label="Delete cell"
                        on:click=move |_| nb.delete(key)>"✕"</button>
                    <select aria-label="Cell type" on:change=move |ev| {
                        let kind = if event_target_value(&ev) == "markdown" { CellKind::Markdown } else { CellKind::Code };
                        cell.kind.set(kind);
                        cell.editing.set(kind == CellKind::Markdown);
                        nb.dirty.set(true);
                    }>
                        <option value="code" selected=move || cell.kind.get() == CellKind::Code>"Code"</option>
                        <option value="markdown" selected=move || cell.kind.get() == CellKind::Markdown>"Markdown"</option>
                    </select>
                </div>
                {move || match rendered() {
                    Some(html) => view! {
                        <div class="nb-rendered markdown" title="Double-click to edit"
                            on:dblclick=move |_| { cell.editing.set(true); focus(cell); }
                            inner_html=html></div>
                    }.into_any(),
                    None => view! {
                        // Highlighted source under a transparent text area that stays the editor.
                        <div class="nb-editor">
                            <pre class="nb-hl mono" aria-hidden="true" node_ref=highlighted
                                inner_html=move || {
                                    let syntax = syntax_for(if cell.kind.get() == CellKind::Code { "py" } else { "md" });
                                    highlight(&cell.source.get(), syntax).into_string()
                                }></pre>
                            <textarea
                                class="nb-source mono"
                                aria-label="Cell source"
                                spellcheck="false"
                                rows=rows
                                node_ref=cell.area
                                prop:value=move || cell.source.get()
                                on:input=move |ev| { cell.source.set(event_target_value(&ev)); nb.dirty.set(true); }
                                on:scroll=move |_| {
                                    if let (Some(area), Some(pre)) = (cell.area.get_untracked(), highlighted.get_untracked()) {
                                        pre.set_scroll_left(area.scroll_left());
                                        pre.set_scroll_top(area.scroll_top());
                                    }
                                }
                                on:keydown=edit_keys
                            ></textarea>
                        </div>
                    }.into_any(),
                }}
                <Outputs cell/>
            </div>
        </div>
    }
}
