//! `/sandboxes/:id/terminal[?pty=ID]`: the sandbox's PTY sessions as sub-tabs, one shown.
//!
//! The sub-tabs come from the server's session list, so a reload attaches to the same
//! shells (replaying their screens) and never spawns a new one; only "+" does.

use std::collections::HashSet;

use daytona_wasm::ErrorKind;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::components::confirm::ConfirmDialog;
use crate::components::error_alert::ErrorAlert;
use crate::components::requires_started::RequiresStarted;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::naming::next_free_id;
use crate::task::Task;
use crate::terminal::font_size::{use_font_size, FontSizeSetting};
use crate::terminal::pane::TerminalPane;

/// The Terminal tab.
#[component]
pub fn TerminalTab() -> impl IntoView {
    view! {
        <RequiresStarted feature="The terminal">
            <Terminals/>
        </RequiresStarted>
    }
}

/// One line about a PTY session: its size, folder, start and whether its shell runs (made
/// when the list arrives, outside the page's reactive context: the time is read directly).
fn session_summary(s: &daytona_wasm::models::PtySessionInfo) -> String {
    let state = if s.active { "running" } else { "ended" };
    format!("{}×{} · {} · {state}", s.cols, s.rows, crate::terminal::status::started(s, js_sys::Date::now()))
}

/// The URL of sandbox `sandbox`'s terminal tab showing session `pty`.
fn href(sandbox: &str, pty: Option<&str>) -> String {
    let base = format!("/sandboxes/{sandbox}/terminal");
    match pty {
        Some(p) => format!("{base}?pty={}", js_sys::encode_uri_component(p)),
        None => base,
    }
}

/// Sub-tabs, the selected terminal and the close confirmation.
#[component]
fn Terminals() -> impl IntoView {
    let current = use_current_sandbox();
    let query = use_query_map();
    let navigate = use_navigate();
    // Session ids in creation order; `None` until listed.
    let sessions = RwSignal::new(None::<Vec<String>>);
    // Sessions "+" made that the pane must create rather than attach to.
    let fresh = StoredValue::new(HashSet::<String>::new());
    let font_size = use_font_size();
    let listing = Task::new();
    let closing_task = Task::new();
    let confirm_open = RwSignal::new(false);
    let closing = RwSignal::new(String::new());

    // What the sandbox says of each session it had when the tab opened (shown on hover).
    let infos = RwSignal::new(std::collections::HashMap::<String, String>::new());
    listing.run(async move { current.sandbox()?.process().list_pty_sessions().await }, move |list| {
        infos.set(list.iter().map(|s| (s.id.clone(), session_summary(s))).collect());
        sessions.set(Some(list.into_iter().map(|s| s.id).collect()))
    });

    let selected = Memo::new(move |_| {
        let wanted = query.with(|q| q.get("pty"));
        sessions.with(|list| {
            let list = list.as_ref()?;
            wanted.filter(|w| list.contains(w)).or_else(|| list.first().cloned())
        })
    });

    let go = {
        let navigate = navigate.clone();
        move |pty: Option<&str>, replace: bool| {
            let url = href(&current.id.get_untracked(), pty);
            navigate(&url, NavigateOptions { replace, ..Default::default() });
        }
    };
    let open_new = {
        let go = go.clone();
        move |_| {
            let id = sessions.with_untracked(|l| next_free_id("term-", l.as_deref().unwrap_or_default()));
            fresh.update_value(|f| {
                f.insert(id.clone());
            });
            sessions.update(|l| l.get_or_insert_with(Vec::new).push(id.clone()));
            go(Some(&id), false);
        }
    };
    // Kills session `id` (gone already is fine) and drops its sub-tab.
    let close = Callback::new(move |id: String| {
        let go = go.clone();
        closing_task.run(
            async move {
                match current.sandbox()?.process().kill_pty_session(&id).await {
                    Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
                    _ => Ok(id),
                }
            },
            move |id| {
                sessions.update(|l| l.iter_mut().for_each(|l| l.retain(|s| *s != id)));
                go(selected.get_untracked().as_deref(), true);
            },
        );
    });
    let ask_close = move |id: String| {
        closing.set(id);
        confirm_open.set(true);
    };

    view! {
        <section class="terminals">
            <div class="subtabs">
                <nav class="subtab-list" aria-label="Terminals">
                    <For
                        each=move || sessions.get().unwrap_or_default()
                        key=|id| id.clone()
                        children=move |id| {
                            let tab_id = id.clone();
                            let is_selected = move || selected.get().as_deref() == Some(tab_id.as_str());
                            // Links to each terminal's URL: the shown one is the current page.
                            let aria_current = {
                                let is_selected = is_selected.clone();
                                move || is_selected().then_some("page")
                            };
                            let url = href(&current.id.get_untracked(), Some(&id));
                            let (label, data_pty, close_label) = (id.clone(), id.clone(), format!("Close terminal {id}"));
                            let info_id = id.clone();
                            let title = move || infos.with(|i| i.get(&info_id).cloned()).unwrap_or_else(|| "New terminal".into());
                            view! {
                                <div class="subtab" class:active=is_selected data-pty=data_pty>
                                    <a href=url aria-current=aria_current title=title>{label}</a>
                                    <button
                                        type="button"
                                        class="btn-icon"
                                        aria-label=close_label
                                        title="Close (kills the shell)"
                                        on:click=move |_| ask_close(id.clone())
                                    >
                                        "×"
                                    </button>
                                </div>
                            }
                        }
                    />
                    <button type="button" class="btn btn-small btn-dark" aria-label="New terminal" title="New terminal" on:click=open_new.clone()>
                        "+"
                    </button>
                </nav>
                <FontSizeSetting size=font_size/>
            </div>
            <ErrorAlert error=Signal::derive(move || listing.error().or_else(|| closing_task.error()))/>
            <Show when=move || listing.busy()>
                <div class="empty-table"><Spinner/>" Loading terminals…"</div>
            </Show>
            <Show when=move || sessions.with(|l| l.as_ref().is_some_and(Vec::is_empty))>
                <div class="card empty">
                    <h2>"No terminals are open in this sandbox"</h2>
                    <p class="muted">"A terminal is a shell that keeps running when you leave or reload this page."</p>
                    <button type="button" class="btn btn-primary" on:click=open_new.clone()>"Open a terminal"</button>
                </div>
            </Show>
            {move || {
                selected
                    .get()
                    .map(|id| {
                        let create = fresh.try_update_value(|f| f.remove(&id)).unwrap_or(false);
                        let on_close = {
                            let id = id.clone();
                            move |()| close.run(id.clone())
                        };
                        view! { <TerminalPane id create font_size on_close/> }
                    })
            }}
        </section>
        <ConfirmDialog
            open=confirm_open
            title="Close terminal"
            message=Signal::derive(move || {
                format!("Close terminal {}? Its shell and everything running in it are killed.", closing.get())
            })
            confirm_label="Close terminal"
            on_confirm=move |()| close.run(closing.get_untracked())
        />
    }
}
