//! A failure message in a red box.

use leptos::prelude::*;

/// `error` as an alert while it is set.
#[component]
pub fn ErrorAlert(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })
}
