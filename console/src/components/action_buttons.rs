//! Lifecycle buttons for one sandbox, with progress and errors inline.

use daytona_wasm::models::SandboxState;
use leptos::prelude::*;

use crate::components::confirm::ConfirmDialog;
use crate::components::spinner::Spinner;
use crate::lifecycle::Action;
use crate::operations::{OpStatus, Operations};

/// Start/Stop/Archive/Delete (and Recover for errored sandboxes), enabled per `state`.
/// While an action runs they give way to a spinner; a failure shows below them.
/// Delete and Archive ask for a confirmation first.
#[component]
pub fn ActionButtons(
    ops: Operations,
    id: String,
    /// Shown in the delete confirmation.
    name: String,
    #[prop(into)] state: Signal<SandboxState>,
) -> impl IntoView {
    let confirm_open = RwSignal::new(false);
    // The action waiting for its confirmation.
    let pending = RwSignal::new(None::<Action>);
    // Only this sandbox's status: other rows' actions do not re-render these buttons.
    let status = {
        let id = id.clone();
        Memo::new(move |_| ops.status(&id))
    };
    let button = {
        let id = id.clone();
        move |action: Action| {
            let id = id.clone();
            let visible = move || action != Action::Recover || action.allowed(state.get());
            let run = move |_| {
                if action.asks_first(false) {
                    pending.set(Some(action));
                    confirm_open.set(true);
                } else {
                    ops.run(id.clone(), action);
                }
            };
            view! {
                <Show when=visible>
                    <button
                        type="button"
                        class=if action.is_destructive() { "btn btn-small btn-danger-ghost" } else { "btn btn-small" }
                        disabled=move || !action.allowed(state.get())
                        on:click=run.clone()
                    >
                        {action.label()}
                    </button>
                </Show>
            }
        }
    };
    let confirmed_id = id.clone();
    let dismiss_id = id;
    view! {
        <div class="actions">
            {move || match status.get() {
                Some(OpStatus::Running(action)) => {
                    view! {
                        <span class="pending">
                            <Spinner/>
                            {action.progress()}
                        </span>
                    }
                        .into_any()
                }
                _ => view! { <div class="btn-group">{Action::ALL.into_iter().map(button.clone()).collect_view()}</div> }.into_any(),
            }}
            {move || match status.get() {
                Some(OpStatus::Failed(msg)) => {
                    let dismiss_id = dismiss_id.clone();
                    Some(view! {
                        <p class="inline-error" role="alert">
                            <span>{msg}</span>
                            <button type="button" class="btn-icon" aria-label="Dismiss" on:click=move |_| ops.dismiss(&dismiss_id)>
                                "×"
                            </button>
                        </p>
                    })
                }
                _ => None,
            }}
            <ConfirmDialog
                open=confirm_open
                title=Signal::derive(move || pending.get().map(|a| format!("{} sandbox", a.label())).unwrap_or_default())
                message=Signal::derive(move || pending.get().map(|a| question(a, &name)).unwrap_or_default())
                confirm_label=Signal::derive(move || pending.get().map(|a| a.label().to_owned()).unwrap_or_default())
                danger=Signal::derive(move || pending.get().is_some_and(Action::is_destructive))
                on_confirm=move |_| {
                    if let Some(action) = pending.get_untracked() {
                        ops.run(confirmed_id.clone(), action);
                    }
                }
            />
        </div>
    }
}

/// What the confirmation of `action` on sandbox `name` asks.
fn question(action: Action, name: &str) -> String {
    match action {
        Action::Delete => format!("Delete sandbox {name}? Its files are removed. This cannot be undone."),
        Action::Archive => format!(
            "Archive sandbox {name}? Its files move to archive storage: starting it again restores them, \
             which takes longer than a start."
        ),
        other => format!("{} sandbox {name}?", other.label()),
    }
}
