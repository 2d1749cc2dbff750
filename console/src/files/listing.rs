//! The listing of a folder: folders first, then files, with size, mode, owner and
//! modification time, and per-entry actions (download, rename/move, permissions, delete).

use daytona_wasm::models::FileInfo;
use leptos::prelude::*;

use crate::components::confirm::ConfirmDialog;
use crate::components::error_alert::ErrorAlert;
use crate::components::relative_time::RelativeTime;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::files::context::use_files;
use crate::files::dialogs::{entry_path, MoveDialog, PermissionsDialog};
use crate::files::format::human_size;
use crate::files::location::FilesView;
use crate::task::Task;

/// A small folder or document icon.
fn icon(is_dir: bool) -> AnyView {
    if is_dir {
        view! {
            <svg class="file-icon" viewBox="0 0 16 16" aria-hidden="true">
                <path d="M1.5 3.5h4.2l1.5 1.5h7.3v7.5h-13z" fill="#fcd34d" stroke="#d97706"/>
            </svg>
        }
        .into_any()
    } else {
        view! {
            <svg class="file-icon" viewBox="0 0 16 16" aria-hidden="true">
                <path d="M3.5 1.5h6l3 3v10h-9z" fill="#fff" stroke="#94a3b8"/>
                <path d="M9.5 1.5v3h3" fill="none" stroke="#94a3b8"/>
            </svg>
        }
        .into_any()
    }
}

/// `entries` sorted for display: folders first, then by name ignoring case.
fn sorted(mut entries: Vec<FileInfo>) -> Vec<FileInfo> {
    entries.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    entries
}

/// The entries of folder `dir`, reloaded when it or the files change.
#[component]
pub fn FileTable(#[prop(into)] dir: Signal<String>) -> impl IntoView {
    let current = use_current_sandbox();
    let files = use_files();
    let entries = RwSignal::new(None::<Vec<FileInfo>>);
    let loading = Task::new();
    let deleting = Task::new();
    let target = RwSignal::new(None::<FileInfo>);
    let [moving, permissions, confirm_delete] = [RwSignal::new(false), RwSignal::new(false), RwSignal::new(false)];

    Effect::new(move |previous: Option<String>| {
        let shown = dir.get();
        files.version();
        if previous.as_ref() != Some(&shown) {
            entries.set(None);
        }
        let listed = shown.clone();
        loading.latest(async move { current.sandbox()?.fs().list_files(&listed).await }, move |list| {
            entries.set(Some(sorted(list)))
        });
        shown
    });

    let delete = move |()| {
        let Some(f) = target.get_untracked() else {
            return;
        };
        let victim = entry_path(&dir.get_untracked(), &f);
        deleting.run(async move { current.sandbox()?.fs().delete_file(&victim, f.is_dir).await }, move |()| {
            files.changed()
        });
    };
    let open = move |dialog: RwSignal<bool>, f: &FileInfo| {
        target.set(Some(f.clone()));
        dialog.set(true);
    };

    let row = move |f: FileInfo| {
        let full = entry_path(&dir.get_untracked(), &f);
        let view_of =
            if f.is_dir { FilesView::Dir(full.clone()) } else { FilesView::File { path: full.clone(), line: None } };
        let href = view_of.href(&current.id.get_untracked());
        let size = if f.is_dir { "—".to_owned() } else { human_size(f.size.max(0) as u64) };
        let (uid, gid) = (f.owner.clone(), f.group.clone());
        let owner = move || files.owner_label(&uid, &gid);
        let stored = StoredValue::new(f.clone());
        let act = move |dialog: RwSignal<bool>| move |_| stored.with_value(|f| open(dialog, f));
        view! {
            <tr data-name=f.name.clone() class:is-dir=f.is_dir>
                <td class="col-file">
                    <a class="file-link" href=href title=full.clone()>
                        {icon(f.is_dir)}
                        <span>{f.name.clone()}</span>
                    </a>
                </td>
                <td class="num nowrap">{size}</td>
                <td class="mono nowrap" title=format!("octal {}", f.permissions)>{f.mode.clone()}</td>
                <td class="nowrap">{owner}</td>
                <td class="nowrap"><RelativeTime iso=f.modified_at.clone()/></td>
                <td class="col-actions">
                    <div class="row-actions">
                        <button
                            type="button"
                            class="btn btn-small btn-ghost"
                            title=if f.is_dir { "Download as .tar.gz" } else { "Download" }
                            on:click=move |_| files.download(full.clone(), f.is_dir)
                        >
                            "Download"
                        </button>
                        <button type="button" class="btn btn-small btn-ghost" on:click=act(moving)>"Rename"</button>
                        <button type="button" class="btn btn-small btn-ghost" on:click=act(permissions)>"Permissions"</button>
                        <button type="button" class="btn btn-small btn-danger-ghost" on:click=act(confirm_delete)>"Delete"</button>
                    </div>
                </td>
            </tr>
        }
    };

    view! {
        <ErrorAlert error=Signal::derive(move || loading.error().or_else(|| deleting.error()))/>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Files">
            <table class="table files-table">
                <thead>
                    <tr>
                        <th>"Name"</th>
                        <th>"Size"</th>
                        <th>"Mode"</th>
                        <th>"Owner"</th>
                        <th>"Modified"</th>
                        <th class="col-actions"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || entries.get().unwrap_or_default().into_iter().map(row).collect_view()}
                </tbody>
            </table>
            {move || match entries.with(|e| e.as_ref().map(Vec::is_empty)) {
                None if loading.busy() => Some(view! { <div class="empty-table"><Spinner/>" Loading…"</div> }.into_any()),
                Some(true) => Some(view! { <div class="empty-table"><p>"This folder is empty. Drop files here to upload."</p></div> }.into_any()),
                _ => None,
            }}
        </div>
        <MoveDialog open=moving dir target/>
        <PermissionsDialog open=permissions dir target/>
        <ConfirmDialog
            open=confirm_delete
            title="Delete"
            message=Signal::derive(move || {
                target.with(|t| match t {
                    Some(f) if f.is_dir => format!("Delete folder {} and everything in it?", f.name),
                    Some(f) => format!("Delete {}?", f.name),
                    None => String::new(),
                })
            })
            confirm_label="Delete"
            on_confirm=delete
        />
    }
}
