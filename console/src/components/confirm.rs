//! Asking before something irreversible.

use leptos::prelude::*;

use crate::components::modal::Modal;

/// A yes/no dialog shown while `open` is true. `on_confirm` runs on the danger button;
/// both buttons close it.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    /// The question, e.g. which sandboxes will be deleted.
    #[prop(into)]
    message: Signal<String>,
    #[prop(into)] confirm_label: String,
    #[prop(into)] on_confirm: Callback<()>,
) -> impl IntoView {
    let close = move || open.set(false);
    let confirm_label = StoredValue::new(confirm_label);
    view! {
        <Show when=move || open.get()>
            <Modal title=title.clone() on_close=move |_| close() class="modal-narrow">
                <p class="confirm-text">{move || message.get()}</p>
                <footer class="modal-foot">
                    <button type="button" class="btn" on:click=move |_| close()>"Cancel"</button>
                    <button
                        type="button"
                        class="btn btn-danger"
                        on:click=move |_| {
                            close();
                            on_confirm.run(());
                        }
                    >
                        {confirm_label.get_value()}
                    </button>
                </footer>
            </Modal>
        </Show>
    }
}
