//! Actions on all selected sandboxes at once.

use std::collections::HashSet;

use daytona_wasm::models::{Sandbox as SandboxDto, SandboxState};
use leptos::prelude::*;

use crate::components::confirm::ConfirmDialog;
use crate::lifecycle::Action;
use crate::operations::Operations;

/// While rows of `items` are selected: their count and Start/Stop/Archive/Delete for
/// those whose state allows it (Delete after a confirmation).
#[component]
pub fn BulkBar(
    #[prop(into)] items: Signal<Vec<SandboxDto>>,
    selection: RwSignal<HashSet<String>>,
    ops: Operations,
) -> impl IntoView {
    let selected = move || {
        items.with(|items| {
            selection.with(|sel| items.iter().filter(|s| sel.contains(&s.id)).cloned().collect::<Vec<_>>())
        })
    };
    // The selected sandboxes `action` applies to now, as (id, name).
    let eligible = move |action: Action| {
        selected()
            .into_iter()
            .filter(|s| action.allowed(s.state.unwrap_or(SandboxState::Unknown)) && !ops.is_running(&s.id))
            .map(|s| (s.id, s.name))
            .collect::<Vec<_>>()
    };
    let run_all = move |action: Action| {
        for (id, _) in eligible(action) {
            ops.run(id, action);
        }
    };
    let confirm_open = RwSignal::new(false);
    let delete_message = Signal::derive(move || {
        let names: Vec<String> = eligible(Action::Delete).into_iter().map(|(_, name)| name).collect();
        let what = if names.len() == 1 { "1 sandbox".to_owned() } else { format!("{} sandboxes", names.len()) };
        format!("Delete {what}: {}? Their files are removed. This cannot be undone.", names.join(", "))
    });
    let button = move |action: Action| {
        let count = move || eligible(action).len();
        let click = move |_| {
            if action.is_destructive() {
                confirm_open.set(true);
            } else {
                run_all(action);
            }
        };
        view! {
            <button
                type="button"
                class=if action.is_destructive() { "btn btn-small btn-danger" } else { "btn btn-small" }
                disabled=move || count() == 0
                on:click=click
            >
                {move || format!("{} ({})", action.label(), count())}
            </button>
        }
    };

    view! {
        <Show when=move || !selected().is_empty()>
            <div class="bulk" role="region" aria-label="Bulk actions">
                <strong>{move || format!("{} selected", selected().len())}</strong>
                <div class="btn-group">
                    {[Action::Start, Action::Stop, Action::Archive, Action::Delete].into_iter().map(button).collect_view()}
                </div>
                <button type="button" class="btn btn-small btn-ghost" on:click=move |_| selection.set(HashSet::new())>
                    "Clear selection"
                </button>
            </div>
        </Show>
        <ConfirmDialog
            open=confirm_open
            title="Delete sandboxes"
            message=delete_message
            confirm_label="Delete all"
            on_confirm=move |_| {
                run_all(Action::Delete);
                selection.set(HashSet::new());
            }
        />
    }
}
