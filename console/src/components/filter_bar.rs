//! Filters above the sandbox table: name search, state and labels.

use std::time::Duration;

use daytona_wasm::models::SandboxState;
use leptos::prelude::*;

use crate::filters::{parse_labels, ListFilters};
use crate::polling::debounce;

/// Pause after the last keystroke before a name search runs.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);

/// States offered in the state filter.
const STATE_CHOICES: [SandboxState; 11] = [
    SandboxState::Started,
    SandboxState::Stopped,
    SandboxState::Archived,
    SandboxState::Error,
    SandboxState::Creating,
    SandboxState::Starting,
    SandboxState::Stopping,
    SandboxState::Archiving,
    SandboxState::Restoring,
    SandboxState::Destroying,
    SandboxState::BuildFailed,
];

/// Search, state and label inputs showing `filters`; changes go to `apply` as new
/// filters on the first page, with `true` when the history entry should be replaced
/// (typing) rather than added.
#[component]
pub fn FilterBar(
    #[prop(into)] filters: Signal<ListFilters>,
    #[prop(into)] apply: Callback<(ListFilters, bool)>,
) -> impl IntoView {
    // Typing applies after a pause (name and labels each have their pending change).
    let pending_search = StoredValue::new(None::<TimeoutHandle>);
    let pending_labels = StoredValue::new(None::<TimeoutHandle>);
    let cancel_typing = move || {
        for pending in [pending_search, pending_labels] {
            if let Some(h) = pending.get_value() {
                h.clear();
            }
        }
    };
    on_cleanup(cancel_typing);
    let search = move |ev| {
        let text = event_target_value(&ev);
        debounce(pending_search, SEARCH_DEBOUNCE, move || {
            apply.run((ListFilters { name: text.trim().to_owned(), ..filters.get_untracked().first_page() }, true))
        });
    };
    let choose_state = move |ev| {
        let state = SandboxState::parse(&event_target_value(&ev));
        apply.run((ListFilters { state, ..filters.get_untracked().first_page() }, false));
    };
    let label_text = RwSignal::new(filters.get_untracked().labels);
    Effect::new(move |_| label_text.set(filters.with(|f| f.labels.clone())));
    let label_error = move || label_text.with(|t| parse_labels(t).err());
    // Labels apply as they are typed, as the name does, once they read as `key=value, …`.
    let apply_labels = move |replace: bool| {
        let labels = label_text.get_untracked().trim().to_owned();
        if parse_labels(&labels).is_ok() && labels != filters.with_untracked(|f| f.labels.clone()) {
            apply.run((ListFilters { labels, ..filters.get_untracked().first_page() }, replace));
        }
    };
    let type_labels = move |ev| {
        label_text.set(event_target_value(&ev));
        debounce(pending_labels, SEARCH_DEBOUNCE, move || apply_labels(true));
    };
    let any_filter = move || filters.with(|f| f.state.is_some() || !f.labels.is_empty() || !f.name.is_empty());
    let clear = move |_| {
        cancel_typing();
        apply.run((ListFilters { limit: filters.get_untracked().limit, ..ListFilters::default() }, false));
    };

    view! {
        <div class="filters">
            <label class="filter filter-search">
                <span class="sr-only">"Search by name"</span>
                <input
                    type="search"
                    placeholder="Search name…"
                    aria-label="Search by name"
                    prop:value=move || filters.with(|f| f.name.clone())
                    on:input=search
                />
            </label>
            <label class="filter">
                <span class="filter-label">"State"</span>
                <select aria-label="Filter by state" on:change=choose_state>
                    <option value="" prop:selected=move || filters.with(|f| f.state.is_none())>"All states"</option>
                    {STATE_CHOICES
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.as_str() prop:selected=move || filters.with(|f| f.state == Some(s))>
                                    {s.as_str().replace('_', " ")}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="filter filter-labels" class:invalid=move || label_error().is_some()>
                <span class="filter-label">"Labels"</span>
                <input
                    type="text"
                    placeholder="key=value, …"
                    aria-label="Filter by labels"
                    prop:value=label_text
                    on:input=type_labels
                    on:change=move |_| {
                        if let Some(h) = pending_labels.get_value() {
                            h.clear();
                        }
                        apply_labels(false)
                    }
                />
            </label>
            <Show when=any_filter>
                <button type="button" class="btn btn-small btn-ghost" on:click=clear>"Clear filters"</button>
            </Show>
            {move || label_error().map(|e| view! { <p class="field-error filter-error" role="alert">{e}</p> })}
        </div>
    }
}
