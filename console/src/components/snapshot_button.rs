//! Snapshot: a snapshot of this sandbox's files under a name asked for, to make sandboxes
//! from; the snapshots page opens once it is made.

use daytona_wasm::models::SandboxState;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::field::Field;
use crate::components::form_dialog::FormDialog;
use crate::connection::use_connection;
use crate::task::Task;

/// Asks for a name and makes a snapshot of sandbox `id` (`name`: its name, the default's
/// start) while it is started or stopped; then goes to the snapshots page.
#[component]
pub fn SnapshotButton(id: String, name: String, #[prop(into)] state: Signal<SandboxState>) -> impl IntoView {
    let conn = use_connection();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let task = Task::new();
    let snapshot_name = RwSignal::new(String::new());
    let default_name = match name.is_empty() {
        true => "snapshot".to_owned(),
        false => format!("{name}-snapshot"),
    };
    let ask = move |_| {
        snapshot_name.set(default_name.clone());
        open.set(true);
    };
    let id = StoredValue::new(id);
    let submit = move |()| {
        let name = snapshot_name.get_untracked().trim().to_owned();
        if name.is_empty() {
            return task.fail("Enter a name for the snapshot.");
        }
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return task.fail(crate::errors::describe(&e)),
        };
        let navigate = navigate.clone();
        task.run(async move { daytona.get(&id.get_value()).await?.create_snapshot(&name, None).await }, move |_| {
            open.set(false);
            navigate("/snapshots", NavigateOptions::default());
        });
    };
    let allowed = move || matches!(state.get(), SandboxState::Started | SandboxState::Stopped);
    view! {
        <button
            type="button"
            class="btn btn-small"
            title="A snapshot of this sandbox's files, to create sandboxes from"
            disabled=move || !allowed()
            on:click=ask
        >
            "Snapshot"
        </button>
        <FormDialog open title="Snapshot of this sandbox" submit_label="Create snapshot" task on_submit=submit>
            <Field label="Name" hint="New sandboxes created on it start with a copy of this sandbox's files.">
                <input type="text" class="mono" name="snapshot" autocomplete="off" spellcheck="false" bind:value=snapshot_name/>
            </Field>
        </FormDialog>
    }
}
