//! The Files tab's dialogs that change the file system: new folder, rename/move and
//! permissions. Each reports through its own task and marks the files changed on success.

use daytona_wasm::models::FileInfo;
use daytona_wasm::FilePermissionsParams;
use leptos::prelude::*;

use crate::components::field::Field;
use crate::components::form_dialog::FormDialog;
use crate::current_sandbox::use_current_sandbox;
use crate::files::context::{use_files, FilesContext};
use crate::files::path;
use crate::task::Task;

/// What a dialog does once its change succeeded: close, and mark the files changed so the
/// listing reloads.
fn close_and_refresh(open: RwSignal<bool>, files: FilesContext) -> impl FnOnce(()) {
    move |()| {
        open.set(false);
        files.changed();
    }
}

/// The path of entry `f` listed in directory `dir`.
pub fn entry_path(dir: &str, f: &FileInfo) -> String {
    f.path.clone().filter(|p| p.starts_with('/')).unwrap_or_else(|| path::join(dir, &f.name))
}

/// Asks for a name (or path) and creates that folder inside `dir`.
#[component]
pub fn NewFolderDialog(open: RwSignal<bool>, #[prop(into)] dir: Signal<String>) -> impl IntoView {
    let current = use_current_sandbox();
    let files = use_files();
    let task = Task::new();
    let name = RwSignal::new(String::new());
    Effect::watch(
        move || open.get(),
        move |is_open, _, _| {
            if *is_open {
                name.set(String::new())
            }
        },
        false,
    );
    let submit = move |()| {
        let name = name.get_untracked().trim().to_owned();
        if name.is_empty() {
            return task.fail("Enter a folder name.");
        }
        let target = path::join(&dir.get_untracked(), &name);
        task.run(
            async move { current.sandbox()?.fs().create_folder(&target, "755").await },
            close_and_refresh(open, files),
        );
    };
    view! {
        <FormDialog open title="New folder" submit_label="Create" task on_submit=submit>
            <Field label="Name" hint="Inside the folder shown; a/b creates the parents too.">
                <input type="text" class="mono" name="folder" autocomplete="off" spellcheck="false" bind:value=name/>
            </Field>
        </FormDialog>
    }
}

/// Renames or moves `target` (listed in `dir`) to the path entered.
#[component]
pub fn MoveDialog(
    open: RwSignal<bool>,
    #[prop(into)] dir: Signal<String>,
    target: RwSignal<Option<FileInfo>>,
) -> impl IntoView {
    let current = use_current_sandbox();
    let files = use_files();
    let task = Task::new();
    let destination = RwSignal::new(String::new());
    let source = move || target.with_untracked(|t| t.as_ref().map(|f| entry_path(&dir.get_untracked(), f)));
    Effect::watch(
        move || open.get(),
        move |is_open, _, _| {
            if *is_open {
                destination.set(source().unwrap_or_default())
            }
        },
        false,
    );
    let submit = move |()| {
        let Some(from) = source() else { return };
        let to = path::join(&dir.get_untracked(), destination.get_untracked().trim());
        if to == from {
            return open.set(false);
        }
        task.run(async move { current.sandbox()?.fs().move_files(&from, &to).await }, close_and_refresh(open, files));
    };
    view! {
        <FormDialog open title="Rename or move" submit_label="Move" task on_submit=submit>
            <Field label="New path" hint="A name renames in place; a path moves it.">
                <input type="text" class="mono" name="destination" autocomplete="off" spellcheck="false" bind:value=destination/>
            </Field>
        </FormDialog>
    }
}

/// Whether `mode` is an octal mode of 3 or 4 digits.
fn is_octal_mode(mode: &str) -> bool {
    (3..=4).contains(&mode.len()) && mode.chars().all(|c| ('0'..='7').contains(&c))
}

/// Changes the mode, owner and group of `target` (listed in `dir`); only changed values
/// are sent.
#[component]
pub fn PermissionsDialog(
    open: RwSignal<bool>,
    #[prop(into)] dir: Signal<String>,
    target: RwSignal<Option<FileInfo>>,
) -> impl IntoView {
    let current = use_current_sandbox();
    let files = use_files();
    let task = Task::new();
    let fields = [RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new())];
    let [mode, owner, group] = fields;
    // The values shown when the dialog opened (mode without leading zeros beyond 3 digits).
    let shown = move || {
        target.with_untracked(|t| {
            t.as_ref().map(|f| {
                let octal = f.permissions.trim_start_matches('0');
                [format!("{octal:0>3}"), f.owner.clone(), f.group.clone()]
            })
        })
    };
    Effect::watch(
        move || open.get(),
        move |is_open, _, _| {
            if let (true, Some(values)) = (*is_open, shown()) {
                fields.iter().zip(values).for_each(|(field, value)| field.set(value));
            }
        },
        false,
    );
    let mode_error = Signal::derive(move || {
        mode.with(|m| (!is_octal_mode(m.trim())).then(|| "Use 3 or 4 octal digits, e.g. 644 or 0755.".to_owned()))
    });
    let submit = move |()| {
        let (Some(before), Some(f)) = (shown(), target.get_untracked()) else {
            return;
        };
        if mode_error.get_untracked().is_some() {
            return;
        }
        let changed = |i: usize, value: RwSignal<String>| {
            Some(value.get_untracked().trim().to_owned()).filter(|v| !v.is_empty() && *v != before[i])
        };
        let params =
            FilePermissionsParams { mode: changed(0, mode), owner: changed(1, owner), group: changed(2, group) };
        if params == FilePermissionsParams::default() {
            return open.set(false);
        }
        let target_path = entry_path(&dir.get_untracked(), &f);
        task.run(
            async move { current.sandbox()?.fs().set_file_permissions(&target_path, &params).await },
            close_and_refresh(open, files),
        );
    };
    view! {
        <FormDialog open title="Permissions" submit_label="Apply" task on_submit=submit>
            <p class="muted mono dialog-path">{move || target.with(|t| t.as_ref().map(|f| entry_path(&dir.get(), f)))}</p>
            <div class="grid3">
                <Field label="Mode" error=mode_error>
                    <input type="text" class="mono" name="mode" inputmode="numeric" autocomplete="off" bind:value=mode/>
                </Field>
                <Field label="Owner">
                    <input type="text" name="owner" autocomplete="off" bind:value=owner/>
                </Field>
                <Field label="Group">
                    <input type="text" name="group" autocomplete="off" bind:value=group/>
                </Field>
            </div>
        </FormDialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_octal_modes_only() {
        assert!(is_octal_mode("644"));
        assert!(is_octal_mode("0755"));
        assert!(!is_octal_mode("8"));
        assert!(!is_octal_mode("rwx"));
        assert!(!is_octal_mode("07555"));
    }
}
