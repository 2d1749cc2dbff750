//! A centred dialog over a dimmed page.

use leptos::ev;
use leptos::prelude::*;

/// A modal dialog titled `title`. Escape, the × button and a click on the backdrop call
/// `on_close`. Render it only while open.
#[component]
pub fn Modal(
    #[prop(into)] title: String,
    #[prop(into)] on_close: Callback<()>,
    /// Extra class for the panel (e.g. a width).
    #[prop(optional, into)]
    class: String,
    children: Children,
) -> impl IntoView {
    let handle = window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape" {
            on_close.run(());
        }
    });
    on_cleanup(move || handle.remove());
    let aria_label = title.clone();
    view! {
        <div class="backdrop" on:click=move |_| on_close.run(())>
            <div
                class=format!("modal {class}")
                role="dialog"
                aria-modal="true"
                aria-label=aria_label
                on:click=|e| e.stop_propagation()
            >
                <header class="modal-head">
                    <h2>{title}</h2>
                    <button type="button" class="btn-icon" aria-label="Close" on:click=move |_| on_close.run(())>
                        "×"
                    </button>
                </header>
                {children()}
            </div>
        </div>
    }
}
