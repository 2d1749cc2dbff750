//! A dialog around a small form whose submit runs an SDK call.

use leptos::html::Form;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::error_alert::ErrorAlert;
use crate::components::modal::Modal;
use crate::components::spinner::Spinner;
use crate::task::Task;

/// A modal form shown while `open` is true: the fields in `children`, the failure of
/// `task` and Cancel/submit buttons. `on_submit` starts the work (usually `task.run`, then
/// closing `open` on success); the first field gets the focus.
#[component]
pub fn FormDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    #[prop(into)] submit_label: String,
    task: Task,
    #[prop(into)] on_submit: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let title = StoredValue::new(title);
    let submit_label = StoredValue::new(submit_label);
    let close = move || {
        open.set(false);
        task.clear();
    };
    let form = NodeRef::<Form>::new();
    // Each time the dialog opens, its form is new: focus its first field, with a prefilled
    // value selected so that typing replaces it (of a path, its last segment: the name).
    Effect::new(move |_| {
        let first = form.get().and_then(|f| f.query_selector("input, textarea, select").ok().flatten());
        if let Some(field) = first.and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = field.focus();
            let field: web_sys::Element = field.into();
            if let Ok(input) = field.dyn_into::<web_sys::HtmlInputElement>() {
                // After this frame's bindings have written the prefilled value.
                let select = wasm_bindgen::closure::Closure::once_into_js(move || select_name(&input));
                if let Some(window) = web_sys::window() {
                    let _ = window.set_timeout_with_callback(select.unchecked_ref());
                }
            }
        }
    });
    let dialog = move || {
        let children = children.clone();
        view! {
            <Modal title=title.get_value() on_close=move |()| close() class="modal-narrow">
                <form
                    class="form"
                    node_ref=form
                    on:submit=move |ev| {
                        ev.prevent_default();
                        on_submit.run(());
                    }
                >
                    {children()}
                    <ErrorAlert error=Signal::derive(move || task.error())/>
                    <footer class="modal-foot">
                        <button type="button" class="btn" on:click=move |_| close()>"Cancel"</button>
                        <button type="submit" class="btn btn-primary" disabled=move || task.busy()>
                            {move || task.busy().then(|| view! { <Spinner/> })}
                            {submit_label.get_value()}
                        </button>
                    </footer>
                </form>
            </Modal>
        }
    };
    move || open.get().then(&dialog)
}

/// Selects the value of `input`, or of a path its last segment.
fn select_name(input: &web_sys::HtmlInputElement) {
    let value = input.value();
    match value.trim_end_matches('/').rfind('/') {
        // Offsets in UTF-16 units, as the DOM counts them.
        Some(slash) => {
            let start = value[..=slash].encode_utf16().count() as u32;
            let _ = input.set_selection_range(start, value.encode_utf16().count() as u32);
        }
        None => input.select(),
    }
}
