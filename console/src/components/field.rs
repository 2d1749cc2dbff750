//! A labelled form field with its validation message.

use leptos::prelude::*;

/// `label` above the input(s) in `children`, `hint` below, and `error` (if any) in red.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label class="field-label">
                <span>{label}</span>
                {children()}
            </label>
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </div>
    }
}
