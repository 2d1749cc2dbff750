//! Starting uploads: buttons opening file and folder pickers, and a drop zone that takes
//! files and whole folders (their tree kept).

use leptos::ev::DragEvent;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::files::context::use_files;
use crate::files::picked::{carries_files, from_drop_data, from_input};

/// "Upload files" and "Upload folder" buttons uploading into `dir`.
#[component]
pub fn UploadButtons(#[prop(into)] dir: Signal<String>) -> impl IntoView {
    let files = use_files();
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
                files.upload(from_input(&list), &dir.get_untracked());
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
        <input type="file" multiple class="sr-only" tabindex="-1" aria-label="Files to upload" node_ref=file_input on:change=picked(file_input)/>
        <input type="file" class="sr-only" tabindex="-1" aria-label="Folder to upload" node_ref=folder_input on:change=picked(folder_input)/>
        <button type="button" class="btn" on:click=open(file_input)>"Upload files"</button>
        <button type="button" class="btn" on:click=open(folder_input)>"Upload folder"</button>
    }
}

/// `children` as a drop target: files and folders dropped on it are uploaded into `dir`.
#[component]
pub fn DropZone(#[prop(into)] dir: Signal<String>, children: Children) -> impl IntoView {
    let files = use_files();
    // dragenter/dragleave fire for every child element crossed; count them.
    let depth = RwSignal::new(0i32);
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        depth.set(0);
        let Some(data) = ev.data_transfer() else {
            return;
        };
        let target = dir.get_untracked();
        let dropped = from_drop_data(&data);
        spawn_local(async move {
            match dropped.await {
                Ok(picked) => files.upload(picked, &target),
                Err(e) => files.error.set(Some(format!("Reading the dropped files failed: {e:?}"))),
            }
        });
    };
    view! {
        <div
            class="drop-zone"
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
            on:drop=on_drop
        >
            {children()}
            <div class="drop-hint" aria-hidden="true">{move || format!("Drop to upload into {}", dir.get())}</div>
        </div>
    }
}
