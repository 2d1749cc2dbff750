//! One session: a command line to run in it, its commands with their exit codes, and the
//! log of the command selected.

use daytona_wasm::models::{Command, SessionExecuteRequest};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::commands::command_log::CommandLog;
use crate::commands::location::href;
use crate::components::error_alert::ErrorAlert;
use crate::components::exit_badge::ExitBadge;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::task::Task;

/// Session `session`, with command `selected` (an id) shown.
#[component]
pub fn SessionPanel(session: String, #[prop(into)] selected: Signal<Option<String>>) -> impl IntoView {
    let current = use_current_sandbox();
    let navigate = use_navigate();
    let commands = RwSignal::new(None::<Vec<Command>>);
    let [loading, running] = [Task::new(), Task::new()];
    let line = RwSignal::new(String::new());
    let session = StoredValue::new(session);

    let reload = move || {
        let id = session.get_value();
        loading.latest(async move { current.sandbox()?.process().get_session(&id).await }, move |s| {
            commands.set(Some(s.commands))
        });
    };
    reload();
    let link = move |command: Option<&str>| href(&current.id.get_untracked(), Some(&session.get_value()), command);

    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = line.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let id = session.get_value();
        let navigate = navigate.clone();
        let request = SessionExecuteRequest { command: text, run_async: Some(true), ..Default::default() };
        running.run(
            async move { current.sandbox()?.process().execute_session_command(&id, &request, None).await },
            move |started| {
                line.set(String::new());
                reload();
                navigate(&link(Some(&started.cmd_id)), Default::default());
            },
        );
    };
    // The selected command once the session is known to have it (a stale URL shows no log).
    let shown =
        Memo::new(move |_| selected.get().filter(|id| commands.with(|c| c.iter().flatten().any(|c| c.id == *id))));
    let label = Signal::derive(move || {
        let id = selected.get().unwrap_or_default();
        commands.with(|c| c.iter().flatten().find(|c| c.id == id).map(|c| c.command.clone())).unwrap_or(id)
    });

    view! {
        <div class="session-panel" data-session=session.get_value()>
            <h3 class="mono">{format!("Session {}", session.get_value())}</h3>
            <form class="inline-form" on:submit=run>
                <input
                    type="text"
                    class="mono"
                    name="session-command"
                    aria-label="Command to run in the session"
                    placeholder="e.g. cd src && make"
                    autocomplete="off"
                    spellcheck="false"
                    bind:value=line
                />
                <button type="submit" class="btn btn-primary" disabled=move || running.busy() || line.with(|l| l.trim().is_empty())>
                    {move || running.busy().then(|| view! { <Spinner/> })}
                    "Run"
                </button>
            </form>
            <ErrorAlert error=Signal::derive(move || running.error().or_else(|| loading.error()))/>
            <Show when=move || commands.with(|c| c.as_ref().is_some_and(|c| !c.is_empty()))>
                <ul class="command-list" aria-label="Commands of the session">
                    {move || {
                        commands
                            .get()
                            .unwrap_or_default()
                            .into_iter()
                            .rev()
                            .map(|c| {
                                let is_selected = {
                                    let id = c.id.clone();
                                    move || selected.with(|s| s.as_deref() == Some(id.as_str()))
                                };
                                let status = match c.exit_code {
                                    Some(code) => view! { <ExitBadge code/> }.into_any(),
                                    None => view! { <span class="exit exit-running">"running"</span> }.into_any(),
                                };
                                view! {
                                    <li class:active=is_selected>
                                        <a class="mono" href=link(Some(&c.id))>{c.command.clone()}</a>
                                        {status}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
            {move || {
                shown
                    .get()
                    .map(|command| view! { <CommandLog session=session.get_value() command label on_exit=move |()| reload()/> })
            }}
        </div>
    }
}
