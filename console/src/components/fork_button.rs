//! Fork: a new sandbox with a copy of this one's files and settings, opened once started.

use daytona_wasm::models::SandboxState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::spinner::Spinner;
use crate::connection::use_connection;
use crate::errors::describe;

/// Forks sandbox `id` (started, stopped or paused) and goes to the fork's page; a failure
/// shows beside the button.
#[component]
pub fn ForkButton(id: String, #[prop(into)] state: Signal<SandboxState>) -> impl IntoView {
    let conn = use_connection();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let fork = move |_| {
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return error.set(Some(describe(&e))),
        };
        let (id, navigate) = (id.clone(), navigate.clone());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let forked = match daytona.get(&id).await {
                Ok(sandbox) => sandbox.fork(None, None).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match forked {
                Ok(fork) => navigate(&format!("/sandboxes/{}", fork.id()), NavigateOptions::default()),
                Err(e) => error.set(Some(describe(&e))),
            }
        });
    };
    let allowed = move || matches!(state.get(), SandboxState::Started | SandboxState::Stopped | SandboxState::Paused);
    view! {
        <div class="fork">
            {move || match busy.get() {
                true => view! { <span class="pending"><Spinner/>"Forking…"</span> }.into_any(),
                false => view! {
                    <button
                        type="button"
                        class="btn btn-small"
                        title="A new sandbox with a copy of this one's files and settings"
                        disabled=move || !allowed()
                        on:click=fork.clone()
                    >
                        "Fork"
                    </button>
                }
                .into_any(),
            }}
            {move || error.get().map(|e| view! { <p class="inline-error" role="alert">{e}</p> })}
        </div>
    }
}
