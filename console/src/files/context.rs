//! What the Files tab's parts share: a change counter that makes listings reload, and the
//! transfers with the actions that start them.

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
}

impl FilesContext {
    /// New state, provided to the tab's components.
    pub fn provide() -> Self {
        let this = Self {
            current: use_current_sandbox(),
            changes: RwSignal::new(0),
            transfers: Transfers::new(),
            error: RwSignal::new(None),
        };
        provide_context(this);
        this
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
