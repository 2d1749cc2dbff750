//! A timestamp shown relative to now, with the full time on hover.

use leptos::prelude::*;

use crate::time::{full, now_ms, parse_iso, relative};

/// `iso` as "5 min ago" (kept current), or a dash if missing or unreadable.
#[component]
pub fn RelativeTime(iso: Option<String>) -> impl IntoView {
    match iso.as_deref().and_then(parse_iso) {
        Some(ms) => view! {
            <time datetime=iso.clone() title=full(ms)>{move || relative(ms, now_ms())}</time>
        }
        .into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}
