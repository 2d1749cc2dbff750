//! Asking before something irreversible.

use leptos::prelude::*;

use crate::components::modal::Modal;

/// A yes/no dialog shown while `open` is true. `on_confirm` runs on the confirming button
/// (red unless `danger` is false); both buttons close it, and Cancel has the focus.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    /// The question, e.g. which sandboxes will be deleted.
    #[prop(into)]
    message: Signal<String>,
    #[prop(into)] confirm_label: Signal<String>,
    #[prop(into)] on_confirm: Callback<()>,
    /// Whether confirming loses something for good (the default).
    #[prop(optional, into)]
    danger: Option<Signal<bool>>,
) -> impl IntoView {
    let close = move || open.set(false);
    let class = move || match danger.is_none_or(|d| d.get()) {
        true => "btn btn-danger",
        false => "btn btn-primary",
    };
    view! {
        <Show when=move || open.get()>
            <Modal title=title.get_untracked() on_close=move |_| close() class="modal-narrow">
                <p class="confirm-text">{move || message.get()}</p>
                <footer class="modal-foot">
                    <button type="button" class="btn" on:click=move |_| close()>"Cancel"</button>
                    <button
                        type="button"
                        class=class
                        on:click=move |_| {
                            close();
                            on_confirm.run(());
                        }
                    >
                        {move || confirm_label.get()}
                    </button>
                </footer>
            </Modal>
        </Show>
    }
}
