//! Labels shown as `key=value` chips.

use std::collections::BTreeMap;

use leptos::prelude::*;

/// One chip per label, or a dash when there are none.
#[component]
pub fn LabelChips(labels: BTreeMap<String, String>) -> impl IntoView {
    if labels.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    view! {
        <ul class="chips">
            {labels
                .into_iter()
                .map(|(k, v)| {
                    let text = format!("{k}={v}");
                    let title = text.clone();
                    view! { <li class="chip" title=title>{text}</li> }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
