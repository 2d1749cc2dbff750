//! What the Files tab's parts share: a change counter that makes listings reload, the
//! transfers with the actions that start them, and the sandbox's user and group names.

use std::collections::HashMap;

use daytona_wasm::DaytonaError;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::current_sandbox::{use_current_sandbox, CurrentSandbox};
use crate::files::download::{download_file, download_folder};
use crate::files::path;
use crate::files::picked::Picked;
use crate::files::transfers::{Direction, Transfers};

/// Shared state of the Files tab. Copy it freely.
#[derive(Clone, Copy)]
pub struct FilesContext {
    current: CurrentSandbox,
    changes: RwSignal<u32>,
    /// Uploads and downloads in this tab.
    pub transfers: Transfers,
    /// The last failure of a background action (e.g. creating an uploaded empty folder).
    pub error: RwSignal<Option<String>>,
    /// User and group names by id, from the sandbox's `/etc/passwd` and `/etc/group` (files
    /// carry numeric ids on the wire, as Daytona sends them).
    names: RwSignal<(HashMap<String, String>, HashMap<String, String>)>,
}

/// `name → id` lines of an `/etc/passwd`-style file as `id → name`.
/// The first name of an id wins, as `getpwuid` answers.
fn names_by_id(text: &str) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for (id, name) in text.lines().filter_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let id = f.nth(1)?;
        (!name.is_empty() && id.parse::<u32>().is_ok()).then(|| (id.to_owned(), name.to_owned()))
    }) {
        names.entry(id).or_insert(name);
    }
    names
}

impl FilesContext {
    /// New state, provided to the tab's components.
    pub fn provide() -> Self {
        let this = Self {
            current: use_current_sandbox(),
            changes: RwSignal::new(0),
            transfers: Transfers::new(),
            error: RwSignal::new(None),
            names: RwSignal::new(Default::default()),
        };
        provide_context(this);
        spawn_local(async move {
            let read = |path: &'static str| async move {
                let fs = this.current.sandbox().ok()?.fs();
                let blob = fs.download_file(path, &Default::default()).await.ok()?;
                crate::files::text::blob_text(&blob).await.ok()
            };
            let (users, groups) = (read("/etc/passwd").await, read("/etc/group").await);
            let parsed = (names_by_id(&users.unwrap_or_default()), names_by_id(&groups.unwrap_or_default()));
            let _ = this.names.try_set(parsed);
        });
        this
    }

    /// The owner of a file as `user` or `user:group`, by name where the sandbox has one.
    pub fn owner_label(&self, uid: &str, gid: &str) -> String {
        self.names.with(|(users, groups)| {
            let user = users.get(uid).map_or(uid, String::as_str);
            let group = groups.get(gid).map_or(gid, String::as_str);
            if gid.is_empty() || group == user {
                user.to_owned()
            } else {
                format!("{user}:{group}")
            }
        })
    }

    /// Notes that files changed, so listings and the tree reload.
    pub fn changed(&self) {
        self.changes.update(|n| *n += 1);
    }

    /// Changes so far, uploads included (reactive: track it to reload).
    pub fn version(&self) -> u32 {
        self.changes.get().wrapping_add(self.transfers.drained())
    }

    /// Queues uploads of `picked` into directory `dir`, keeping its folder tree.
    pub fn upload(&self, picked: Picked, dir: &str) {
        let current = self.current;
        for item in picked.files {
            let dest = path::join(dir, &item.relative);
            let size = item.file.size() as u64;
            let remote = dest.clone();
            self.transfers.add(Direction::Upload, dest, Some(size), move |opts| async move {
                current.sandbox()?.fs().upload_file(&item.file, &remote, &opts).await
            });
        }
        if picked.empty_dirs.is_empty() {
            return;
        }
        let dirs: Vec<String> = picked.empty_dirs.iter().map(|d| path::join(dir, d)).collect();
        let this = *self;
        spawn_local(async move {
            let outcome: Result<(), DaytonaError> = async {
                let fs = current.sandbox()?.fs();
                for d in &dirs {
                    fs.create_folder(d, "755").await?;
                }
                Ok(())
            }
            .await;
            if let Err(e) = outcome {
                this.error.set(Some(format!("Creating an uploaded folder failed: {}", crate::errors::describe(&e))));
            }
            this.changed();
        });
    }

    /// Queues a download of `remote` (a folder arrives as a `.tar.gz`).
    pub fn download(&self, remote: String, is_dir: bool) {
        let current = self.current;
        let path = remote.clone();
        self.transfers.add(Direction::Download, remote, None, move |opts| async move {
            let sandbox = current.sandbox()?;
            if is_dir {
                download_folder(&sandbox, &path, &opts).await
            } else {
                download_file(&sandbox, &path, &opts).await
            }
        });
    }
}

/// The Files tab's shared state.
pub fn use_files() -> FilesContext {
    expect_context()
}

#[cfg(test)]
mod tests {
    use super::names_by_id;

    #[test]
    fn reads_ids_of_passwd_lines() {
        let users = names_by_id(
            "root:x:0:0:root:/root:/bin/bash\ndaytona:x:1000:1000::/home/daytona:/bin/bash\nbad\ntoor:x:0:0::/:/bin/sh\n",
        );
        assert_eq!(users.get("1000").map(String::as_str), Some("daytona"));
        assert_eq!(users.get("0").map(String::as_str), Some("root"));
        assert_eq!(users.len(), 2);
    }
}
