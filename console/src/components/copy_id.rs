//! A shortened id with a button that copies the full id.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

/// How long the outcome stays on the button.
const FEEDBACK_FOR: Duration = Duration::from_millis(1500);

/// The first 8 characters of `id` (full id on hover) and a copy button.
#[component]
pub fn CopyId(id: String) -> impl IntoView {
    let feedback = RwSignal::new(None::<&'static str>);
    let short: String = id.chars().take(8).collect();
    let full = id.clone();
    let copy = move |_| {
        let promise = window().navigator().clipboard().write_text(&full);
        spawn_local(async move {
            // The Clipboard API needs a secure context (https or loopback) and focus.
            let outcome = if JsFuture::from(promise).await.is_ok() { "Copied" } else { "Failed" };
            feedback.set(Some(outcome));
            set_timeout(move || feedback.set(None), FEEDBACK_FOR);
        });
    };
    view! {
        <span class="copy-id">
            <code title=id.clone()>{short}</code>
            <button type="button" class="btn-icon" title="Copy full id" aria-label="Copy id" on:click=copy>
                {move || feedback.get().unwrap_or("Copy")}
            </button>
        </span>
    }
}
