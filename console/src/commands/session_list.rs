//! The sandbox's sessions: select one, create one, delete one.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::commands::location::href;
use crate::components::confirm::ConfirmDialog;
use crate::components::error_alert::ErrorAlert;
use crate::components::field::Field;
use crate::components::form_dialog::FormDialog;
use crate::current_sandbox::use_current_sandbox;
use crate::naming::next_free_id;
use crate::task::Task;

/// Session ids as links (`selected` highlighted), with New and Delete.
#[component]
pub fn SessionList(#[prop(into)] selected: Signal<Option<String>>) -> impl IntoView {
    let current = use_current_sandbox();
    let navigate = use_navigate();
    let sessions = RwSignal::new(None::<Vec<String>>);
    let [loading, creating, deleting] = [Task::new(), Task::new(), Task::new()];
    let create_open = RwSignal::new(false);
    let new_id = RwSignal::new(String::new());
    let confirm_open = RwSignal::new(false);
    let doomed = RwSignal::new(String::new());

    let reload = move || {
        loading.latest(async move { current.sandbox()?.process().list_sessions().await }, move |list| {
            sessions.set(Some(list.into_iter().map(|s| s.session_id).collect()))
        })
    };
    reload();

    let go = move |session: Option<&str>, replace: bool| {
        let url = href(&current.id.get_untracked(), session, None);
        navigate(&url, NavigateOptions { replace, ..Default::default() });
    };
    let open_create = move |_| {
        new_id.set(sessions.with_untracked(|s| next_free_id("session-", s.as_deref().unwrap_or_default())));
        create_open.set(true);
    };
    let create = {
        let go = go.clone();
        move |()| {
            let id = new_id.get_untracked().trim().to_owned();
            if id.is_empty() || id.contains(char::is_whitespace) {
                return creating.fail("Enter an id without spaces.");
            }
            let go = go.clone();
            let created = id.clone();
            creating.run(async move { current.sandbox()?.process().create_session(&id).await }, move |()| {
                create_open.set(false);
                reload();
                go(Some(&created), false);
            });
        }
    };
    let delete = move |()| {
        let id = doomed.get_untracked();
        let go = go.clone();
        let deleted = id.clone();
        deleting.run(async move { current.sandbox()?.process().delete_session(&id).await }, move |()| {
            reload();
            if selected.get_untracked().as_deref() == Some(deleted.as_str()) {
                go(None, true);
            }
        });
    };

    view! {
        <div class="session-list">
            <div class="session-list-head">
                <button type="button" class="btn btn-small" on:click=open_create>"+ New session"</button>
            </div>
            <ErrorAlert error=Signal::derive(move || loading.error().or_else(|| deleting.error()))/>
            <ul>
                <For
                    each=move || sessions.get().unwrap_or_default()
                    key=|id| id.clone()
                    children=move |id| {
                        let url = href(&current.id.get_untracked(), Some(&id), None);
                        let mine = id.clone();
                        let ask = id.clone();
                        view! {
                            <li class:active=move || selected.with(|s| s.as_deref() == Some(mine.as_str())) data-session=id.clone()>
                                <a class="mono" href=url>{id.clone()}</a>
                                <button
                                    type="button"
                                    class="btn-icon"
                                    aria-label=format!("Delete session {id}")
                                    title="Delete (kills its processes)"
                                    on:click=move |_| {
                                        doomed.set(ask.clone());
                                        confirm_open.set(true);
                                    }
                                >
                                    "×"
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
            <Show when=move || sessions.with(|s| s.as_ref().is_some_and(Vec::is_empty))>
                <p class="muted">"No sessions yet. A session is a shell that keeps its directory and variables between commands."</p>
            </Show>
        </div>
        <FormDialog open=create_open title="New session" submit_label="Create" task=creating on_submit=create>
            <Field label="Session id">
                <input type="text" class="mono" name="session" autocomplete="off" spellcheck="false" bind:value=new_id/>
            </Field>
        </FormDialog>
        <ConfirmDialog
            open=confirm_open
            title="Delete session"
            message=Signal::derive(move || format!("Delete session {}? Commands still running in it are killed.", doomed.get()))
            confirm_label="Delete"
            on_confirm=delete
        />
    }
}
