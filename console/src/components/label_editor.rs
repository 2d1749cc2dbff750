//! Viewing and replacing the labels of an existing sandbox.

use daytona_wasm::models::Sandbox as SandboxDto;
use leptos::prelude::*;

use crate::components::error_alert::Alert;
use crate::components::kv_editor::{KvEditor, KvRows};
use crate::components::labels::LabelChips;
use crate::components::spinner::Spinner;
use crate::connection::use_connection;
use crate::errors::describe;
use crate::task::Task;
use crate::validate;

/// The labels of `sandbox` as chips, with an editor that saves them all at once and
/// writes the updated sandbox back into `sandbox`.
#[component]
pub fn LabelEditor(sandbox: RwSignal<Option<SandboxDto>>) -> impl IntoView {
    let conn = use_connection();
    let editing = RwSignal::new(false);
    let task = Task::new();
    let rows = KvRows::new(validate::label_key);
    let labels = move || sandbox.with(|s| s.as_ref().map(|s| s.labels.clone()).unwrap_or_default());

    let edit = move |_| {
        rows.reset(&labels());
        task.clear();
        editing.set(true);
    };
    let save = move |_| {
        let Some(map) = rows.pairs() else { return };
        let Some(id) = sandbox.with_untracked(|s| s.as_ref().map(|s| s.id.clone())) else {
            return;
        };
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return task.fail(describe(&e)),
        };
        task.run(
            async move {
                let sb = daytona.get(&id).await?;
                sb.set_labels(map).await?;
                Ok(sb.data())
            },
            move |dto| {
                sandbox.set(Some(dto));
                editing.set(false);
            },
        );
    };

    view! {
        <Show
            when=move || editing.get()
            fallback=move || {
                view! {
                    <div class="labels-view">
                        {move || view! { <LabelChips labels=labels()/> }}
                        <button type="button" class="btn btn-small" on:click=edit>"Edit labels"</button>
                    </div>
                }
            }
        >
            <KvEditor rows noun="Label" show_errors=true/>
            {move || task.error().map(|e| view! { <Alert message=e/> })}
            <div class="btn-group editor-actions">
                <button type="button" class="btn btn-small" on:click=move |_| editing.set(false)>"Cancel"</button>
                <button type="button" class="btn btn-small btn-primary" disabled=move || task.busy() on:click=save>
                    {move || task.busy().then(|| view! { <Spinner/> })}
                    "Save labels"
                </button>
            </div>
        </Show>
    }
}
