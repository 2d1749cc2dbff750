//! Editing a text file: a plain text area, saved by uploading the new content over it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use web_sys::HtmlTextAreaElement;

use crate::components::error_alert::ErrorAlert;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::files::context::use_files;
use crate::files::text::write_text;
use crate::task::Task;

/// An editor of file `path` starting from `text`. Save (or Ctrl+S) writes it and calls
/// `on_saved` with the saved text; Cancel calls `on_cancel`.
#[component]
pub fn Editor(
    path: String,
    text: String,
    #[prop(into)] on_saved: Callback<String>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let current = use_current_sandbox();
    let files = use_files();
    let saving = Task::new();
    let original = StoredValue::new(text.clone());
    let value = RwSignal::new(text);
    let path = StoredValue::new(path);
    let dirty = move || original.with_value(|o| value.with(|v| v != o));

    let save = move || {
        let content = value.get_untracked();
        let target = path.get_value();
        saving.run(
            async move {
                write_text(&current.sandbox()?.fs(), &target, &content).await?;
                Ok(content)
            },
            move |content| {
                original.set_value(content.clone());
                files.changed();
                on_saved.run(content);
            },
        );
    };
    let keys = move |ev: KeyboardEvent| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("s") {
            ev.prevent_default();
            save();
        } else if ev.key() == "Tab" && !ev.shift_key() && !ev.ctrl_key() && !ev.alt_key() && !ev.meta_key() {
            // Indent instead of leaving the field.
            ev.prevent_default();
            let area: HtmlTextAreaElement = event_target(&ev);
            if area
                .set_range_text_with_start_and_end_and_mode(
                    "\t",
                    area.selection_start().ok().flatten().unwrap_or(0),
                    area.selection_end().ok().flatten().unwrap_or(0),
                    "end",
                )
                .is_ok()
            {
                value.set(area.value());
            }
        }
    };

    view! {
        <div class="editor">
            <div class="editor-bar">
                <span class="muted">{move || if dirty() { "Modified" } else { "No changes" }}</span>
                <span class="spacer"></span>
                <button type="button" class="btn" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <button type="button" class="btn btn-primary" disabled=move || saving.busy() || !dirty() on:click=move |_| save()>
                    {move || saving.busy().then(|| view! { <Spinner/> })}
                    "Save"
                </button>
            </div>
            <ErrorAlert error=Signal::derive(move || saving.error())/>
            <textarea
                class="editor-area mono"
                aria-label="File content"
                spellcheck="false"
                autocomplete="off"
                bind:value=value
                on:keydown=keys
            ></textarea>
        </div>
    }
}
