//! A centred dialog over a dimmed page.

use std::sync::atomic::{AtomicU32, Ordering};

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What can take the focus in a dialog, in document order.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
     select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

/// A modal dialog titled `title` (its heading labels it). Escape, the × button and a click on
/// the backdrop call `on_close`. Render it only while open.
///
/// The focus is the dialog's while it is open: it moves in on opening (to the first field,
/// else the first button of the footer — a confirmation's Cancel —; a form may then put it
/// where it wants), Tab and Shift+Tab go round the dialog's own controls, and on closing the
/// focus goes back where it was (the button that opened it).
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
    let title_id = next_title_id();
    let heading_id = title_id.clone();
    let panel = NodeRef::<leptos::html::Div>::new();
    // Where the focus was: it goes back there on closing, if that element is still shown.
    let before = StoredValue::new_local(document().active_element());
    on_cleanup(move || {
        // (A component's cleanups run before its own values are disposed.)
        let before = before.try_update_value(Option::take).flatten();
        if let Some(el) = before.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            if el.is_connected() {
                let _ = el.focus();
            }
        }
    });
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            let first = ["[autofocus], input:not([type=hidden]), textarea, select", ".modal-foot button", "button"]
                .iter()
                .find_map(|selector| panel.query_selector(selector).ok().flatten());
            if let Some(el) = first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        }
    });
    // Tab at the last control goes to the first, Shift+Tab at the first to the last.
    let trap = move |e: ev::KeyboardEvent| {
        if e.key() != "Tab" {
            return;
        }
        let Some(panel) = panel.get_untracked() else { return };
        let Ok(all) = panel.query_selector_all(FOCUSABLE) else { return };
        let (Some(first), Some(last)) = (all.get(0), all.get(all.length().saturating_sub(1))) else {
            return e.prevent_default();
        };
        let active: Option<web_sys::Node> = document().active_element().map(Into::into);
        let inside = active.as_ref().is_some_and(|a| panel.contains(Some(a)));
        let target = match (e.shift_key(), active) {
            (true, Some(a)) if a.is_same_node(Some(&first)) => Some(last),
            (false, Some(a)) if a.is_same_node(Some(&last)) => Some(first),
            (true, _) if !inside => Some(last),
            (false, _) if !inside => Some(first),
            _ => None,
        };
        if let Some(el) = target.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
            e.prevent_default();
            let _ = el.focus();
        }
    };
    view! {
        <div class="backdrop" on:click=move |_| on_close.run(())>
            <div
                class=format!("modal {class}")
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id
                node_ref=panel
                on:click=|e| e.stop_propagation()
                on:keydown=trap
            >
                <header class="modal-head">
                    <h2 id=heading_id>{title}</h2>
                    <button type="button" class="btn-icon" aria-label="Close" on:click=move |_| on_close.run(())>
                        "×"
                    </button>
                </header>
                {children()}
            </div>
        </div>
    }
}

/// A page-unique id for a dialog's heading.
fn next_title_id() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("modal-title-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
