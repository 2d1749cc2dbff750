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

/// Selects all the text of the input that got the focus (a read-only field of a link or
/// command to copy).
pub fn select_all(ev: leptos::ev::FocusEvent) {
    use wasm_bindgen::JsCast;
    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        input.select();
    }
}
