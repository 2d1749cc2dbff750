//! A small busy indicator.

use leptos::prelude::*;

/// A spinning ring shown while something is in progress.
#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span class="spinner" role="status" aria-label="working"></span> }
}
