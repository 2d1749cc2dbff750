//! The coloured badge showing a sandbox's state.

use daytona_wasm::models::SandboxState;
use leptos::prelude::*;

/// The colour family of a state: running, idle, cold, in transition or failed.
fn tone(state: SandboxState) -> &'static str {
    use SandboxState::*;
    match state {
        Started => "ok",
        Stopped | Paused => "idle",
        Archived => "cold",
        Error | BuildFailed => "bad",
        Destroyed | Unknown => "none",
        _ => "busy",
    }
}

/// `state` as a coloured pill (transitional states pulse).
#[component]
pub fn StateBadge(#[prop(into)] state: Signal<SandboxState>) -> impl IntoView {
    view! {
        <span class=move || format!("badge tone-{}", tone(state.get())) data-state=move || state.get().as_str()>
            <span class="badge-dot"></span>
            {move || state.get().as_str().replace('_', " ")}
        </span>
    }
}

/// A state as a coloured pill of colour family `tone` (`ok`, `idle`, `busy`, `bad`, `none`),
/// for what is not a sandbox (snapshots, volumes).
#[component]
pub fn ToneBadge(label: &'static str, tone: &'static str) -> impl IntoView {
    view! {
        <span class=format!("badge tone-{tone}") data-state=label>
            <span class="badge-dot"></span>
            {label}
        </span>
    }
}
