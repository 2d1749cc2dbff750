//! A failure message in a red box.

use leptos::prelude::*;
use leptos_router::components::A;

/// `error` as an alert while it is set.
#[component]
pub fn ErrorAlert(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || error.get().map(|e| view! { <Alert message=e/> })
}

/// One failure message; a closing "… Settings." hint links to the settings page.
#[component]
pub fn Alert(message: String) -> impl IntoView {
    let (text, settings) = match message.strip_suffix("Settings.") {
        Some(head) if head.ends_with(' ') => (head.to_owned(), true),
        _ => (message, false),
    };
    view! {
        // One inline run: the alert box lays out its children apart.
        <p class="alert alert-error" role="alert">
            <span>{text} {settings.then(|| view! { <A href="/settings">"Settings"</A> "." })}</span>
        </p>
    }
}
