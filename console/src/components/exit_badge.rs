//! The exit code of a command run: green for 0, red otherwise.

use leptos::prelude::*;

/// `exit N` as a badge (with `data-exit-code` for tests).
#[component]
pub fn ExitBadge(code: i32) -> impl IntoView {
    view! {
        <span class=if code == 0 { "exit exit-ok" } else { "exit exit-bad" } data-exit-code=code>
            {format!("exit {code}")}
        </span>
    }
}
