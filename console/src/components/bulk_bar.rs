//! Actions on all selected sandboxes at once.

use std::collections::HashSet;

use daytona_wasm::models::{Sandbox as SandboxDto, SandboxState};
use leptos::prelude::*;

use crate::components::confirm::ConfirmDialog;
use crate::lifecycle::Action;
use crate::operations::{OpStatus, Operations};

/// While rows of `items` are selected: their count and Start/Stop/Archive/Delete for
/// those whose state allows it (Stop, Archive and Delete after a confirmation naming them).
/// When all of a bulk action's sandboxes are done, a notice says how it went.
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
    // The bulk action in flight (its sandboxes), and the notice of the last one finished.
    let batch = RwSignal::new(None::<(Action, Vec<String>)>);
    let notice = RwSignal::new(None::<(String, bool)>);
    let run_all = move |action: Action| {
        let ids: Vec<String> = eligible(action).into_iter().map(|(id, _)| id).collect();
        for id in &ids {
            ops.run(id.clone(), action);
        }
        batch.set(Some((action, ids)));
    };
    Effect::new(move |_| {
        let Some((action, ids)) = batch.get() else { return };
        if ids.iter().any(|id| ops.is_running(id)) {
            return;
        }
        let failed = ids.iter().filter(|id| matches!(ops.status(id), Some(OpStatus::Failed(_)))).count();
        let what = |n: usize| if n == 1 { "1 sandbox".to_owned() } else { format!("{n} sandboxes") };
        let text = match failed {
            0 => format!("{} {}.", action.done(), what(ids.len())),
            _ => format!(
                "{} {} of {}; {failed} failed (the reason is on its row).",
                action.done(),
                ids.len() - failed,
                what(ids.len())
            ),
        };
        batch.set(None);
        notice.set(Some((text, failed == 0)));
        // A success goes by itself; a failure stays until dismissed.
        if failed == 0 {
            crate::polling::clear_later(notice, crate::polling::NOTICE_FOR);
        }
    });
    let confirm_open = RwSignal::new(false);
    // The action waiting for its confirmation.
    let pending = RwSignal::new(None::<Action>);
    let question = Signal::derive(move || {
        let Some(action) = pending.get() else { return String::new() };
        let names: Vec<String> = eligible(action).into_iter().map(|(_, name)| name).collect();
        let what = if names.len() == 1 { "1 sandbox".to_owned() } else { format!("{} sandboxes", names.len()) };
        let consequence = match action {
            Action::Delete => "Their files are removed. This cannot be undone.",
            Action::Archive => "Their files move to archive storage: starting them again takes longer than a start.",
            Action::Stop => "Their processes end; their files are kept.",
            Action::Start | Action::Pause | Action::Recover => "",
        };
        format!("{} {what}: {}? {consequence}", action.label(), names.join(", "))
    });
    let button = move |action: Action| {
        let count = move || eligible(action).len();
        let click = move |_| {
            if action.asks_first(true) {
                pending.set(Some(action));
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
        {move || {
            notice
                .get()
                .map(|(text, ok)| {
                    view! {
                        <p class=if ok { "alert alert-ok" } else { "alert alert-error" } role="status">
                            <span>{text}</span>
                            <button type="button" class="btn-icon" aria-label="Dismiss" on:click=move |_| notice.set(None)>
                                "×"
                            </button>
                        </p>
                    }
                })
        }}
        <ConfirmDialog
            open=confirm_open
            title=Signal::derive(move || pending.get().map(|a| format!("{} sandboxes", a.label())).unwrap_or_default())
            message=question
            confirm_label=Signal::derive(move || pending.get().map(|a| format!("{} all", a.label())).unwrap_or_default())
            danger=Signal::derive(move || pending.get().is_some_and(Action::is_destructive))
            on_confirm=move |_| {
                if let Some(action) = pending.get_untracked() {
                    run_all(action);
                    // Deleted rows go; stopped or archived ones stay selected for what follows.
                    if action == Action::Delete {
                        selection.set(HashSet::new());
                    }
                }
            }
        />
    }
}
