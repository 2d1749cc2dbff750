//! Starting uploads: buttons opening file and folder pickers, and a drop zone that takes
//! files and whole folders (their tree kept); the pickers and the drop target themselves
//! (`PickButtons`, `DropTarget`) also serve the snapshot build form.

use leptos::ev::DragEvent;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::files::context::use_files;
use crate::files::picked::{from_drop_data, from_input, Picked};

/// "Upload files" and "Upload folder" buttons uploading into `dir`.
#[component]
pub fn UploadButtons(#[prop(into)] dir: Signal<String>) -> impl IntoView {
    let files = use_files();
    view! {
        <PickButtons
            on_pick=move |picked| files.upload(picked, &dir.get_untracked())
            labels=("Files to upload", "Folder to upload")
            texts=("Upload files", "Upload folder")
        />
    }
}

/// Buttons opening a files picker and a folder picker (the folder's tree kept); `on_pick`
/// gets what was chosen. `labels`: the pickers' accessible names, `texts`: the buttons'.
#[component]
pub fn PickButtons(
    on_pick: impl Fn(Picked) + Copy + 'static,
    labels: (&'static str, &'static str),
    texts: (&'static str, &'static str),
) -> impl IntoView {
    let file_input = NodeRef::<Input>::new();
    let folder_input = NodeRef::<Input>::new();
    // Not an attribute `view!` knows; folder pickers are non-standard but universal.
    folder_input.on_load(|input| {
        let _ = input.set_attribute("webkitdirectory", "");
    });
    let picked = move |input: NodeRef<Input>| {
        move |_| {
            let Some(input) = input.get() else { return };
            if let Some(list) = input.files() {
                on_pick(from_input(&list));
            }
            // Choosing the same files again must fire `change` again.
            input.set_value("");
        }
    };
    let open = |input: NodeRef<Input>| {
        move |_| {
            if let Some(i) = input.get() {
                i.click()
            }
        }
    };
    view! {
        <input type="file" multiple class="sr-only" tabindex="-1" aria-label=labels.0 node_ref=file_input on:change=picked(file_input)/>
        <input type="file" class="sr-only" tabindex="-1" aria-label=labels.1 node_ref=folder_input on:change=picked(folder_input)/>
        <button type="button" class="btn" on:click=open(file_input)>{texts.0}</button>
        <button type="button" class="btn" on:click=open(folder_input)>{texts.1}</button>
    }
}

/// Whether a drag carries files (not text or links from the page).
fn carries_files(ev: &DragEvent) -> bool {
    ev.data_transfer().is_some_and(|dt| dt.types().iter().any(|t| t.as_string().as_deref() == Some("Files")))
}

/// `children` as a drop target: files and folders dropped on it are uploaded into `dir`.
#[component]
pub fn DropZone(#[prop(into)] dir: Signal<String>, children: Children) -> impl IntoView {
    let files = use_files();
    let on_drop = move |dropped: Result<Picked, String>| match dropped {
        Ok(picked) => files.upload(picked, &dir.get_untracked()),
        Err(e) => files.error.set(Some(e)),
    };
    let hint = Signal::derive(move || format!("Drop to upload into {}", dir.get()));
    view! { <DropTarget on_drop hint>{children()}</DropTarget> }
}

/// `children` as a drop target for files and folders (their trees kept): `on_drop` gets what
/// was dropped, or why it could not be read; `hint` shows over them while files are dragged
/// over; `class` is added to the target's.
#[component]
pub fn DropTarget(
    on_drop: impl Fn(Result<Picked, String>) + Copy + 'static,
    #[prop(into)] hint: Signal<String>,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    // dragenter/dragleave fire for every child element crossed; count them.
    let depth = RwSignal::new(0i32);
    let dropped = move |ev: DragEvent| {
        ev.prevent_default();
        depth.set(0);
        let Some(data) = ev.data_transfer() else {
            return;
        };
        let read = from_drop_data(&data);
        spawn_local(async move {
            on_drop(read.await.map_err(|e| format!("Reading the dropped files failed: {e:?}")));
        });
    };
    view! {
        <div
            class=format!("drop-zone {class}")
            class:dragging=move || { depth.get() > 0 }
            on:dragenter=move |ev| {
                if carries_files(&ev) {
                    ev.prevent_default();
                    depth.update(|d| *d += 1);
                }
            }
            on:dragover=move |ev| {
                if carries_files(&ev) {
                    ev.prevent_default();
                }
            }
            on:dragleave=move |_| depth.update(|d| *d = (*d - 1).max(0))
            on:drop=dropped
        >
            {children()}
            <div class="drop-hint" aria-hidden="true">{hint}</div>
        </div>
    }
}
