//! The sandbox's open notebooks: the Notebook tab's strip. They belong to the sandbox's pages,
//! not to the tab, so going to the Files tab and back keeps their cells, outputs and running
//! cells; each has an interpreter context of its own (created on its first run), deleted when
//! the notebook is closed, when the sandbox's pages go away, or when they show another sandbox
//! (no kernel is left behind by a visit), and when the page is reloaded or its browser tab
//! closed.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::Notebook;
use crate::current_sandbox::CurrentSandbox;

/// Path of the first new notebook (in the home directory); the next are `notebook-2.ipynb`, …
pub const DEFAULT_PATH: &str = "notebook.ipynb";

/// The open notebooks and the one shown. Copy it freely.
#[derive(Clone, Copy)]
pub struct Notebooks {
    /// Open notebooks by key, in the strip's order.
    pub open: RwSignal<Vec<(u32, Notebook)>>,
    /// The key of the one shown.
    pub active: RwSignal<Option<u32>>,
    next_key: StoredValue<u32>,
    /// The sandbox pages' owner: notebooks made from a tab's handlers outlive the tab.
    owner: StoredValue<Owner>,
    current: CurrentSandbox,
}

impl Notebooks {
    /// None open yet; provided to the sandbox's pages, whose end deletes their contexts.
    pub fn provide(current: CurrentSandbox) -> Self {
        let notebooks = Self {
            open: RwSignal::new(Vec::new()),
            active: RwSignal::new(None),
            next_key: StoredValue::new(0),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            current,
        };
        provide_context(notebooks);
        on_cleanup(move || notebooks.close_all());
        // A reload or a closed browser tab deletes the contexts too (the page's notebooks are
        // gone with it). A page kept for Back (bfcache) makes new ones on its next run.
        let unload = window_event_listener_untyped("pagehide", move |_| {
            for (_, nb) in notebooks.open.try_get_untracked().unwrap_or_default() {
                nb.delete_context();
            }
        });
        on_cleanup(move || unload.remove());
        notebooks
    }

    /// The notebook shown, if any.
    pub fn shown(&self) -> Option<(u32, Notebook)> {
        let active = self.active.get()?;
        self.open.with(|open| open.iter().find(|(key, _)| *key == active).copied())
    }

    /// Shows the notebook at `path`: the open one of that path, else a new one read from the
    /// file when `read` (else empty, saved there later).
    pub fn open_path(&self, path: &str, read: bool) -> Notebook {
        let known =
            self.open.with_untracked(|open| open.iter().find(|(_, nb)| nb.path.get_untracked() == path).copied());
        if let Some((key, nb)) = known {
            self.active.set(Some(key));
            return nb;
        }
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let current = self.current;
        let nb = self.owner.with_value(|owner| owner.with(|| Notebook::new(current, path.to_owned())));
        self.open.update(|open| open.push((key, nb)));
        self.active.set(Some(key));
        if read {
            spawn_local(nb.open());
        }
        nb
    }

    /// A new empty notebook, under the first free `notebook…ipynb` name.
    pub fn add(&self) -> Notebook {
        let taken: Vec<String> =
            self.open.with_untracked(|open| open.iter().map(|(_, nb)| nb.path.get_untracked()).collect());
        let path = (1..)
            .map(|n| if n == 1 { DEFAULT_PATH.to_owned() } else { format!("notebook-{n}.ipynb") })
            .find(|p| !taken.contains(p))
            .unwrap_or_default();
        self.open_path(&path, false)
    }

    /// Closes notebook `key` (its context deleted); its neighbour is shown.
    pub fn close(&self, key: u32) {
        let Some(at) = self.open.with_untracked(|open| open.iter().position(|(k, _)| *k == key)) else { return };
        let (_, nb) = self.open.with_untracked(|open| open[at]);
        nb.close();
        self.open.update(|open| {
            open.remove(at);
        });
        if self.active.get_untracked() == Some(key) {
            let next = self.open.with_untracked(|open| open.get(at.min(open.len().saturating_sub(1))).map(|(k, _)| *k));
            self.active.set(next);
        }
    }

    /// Whether an open notebook has changes not saved to its file (or no file yet).
    pub fn any_dirty(&self) -> bool {
        self.open
            .try_with_untracked(|open| open.iter().any(|(_, nb)| nb.dirty.try_get_untracked() == Some(true)))
            .unwrap_or(false)
    }

    /// Closes every notebook (the sandbox's pages are going, or show another sandbox).
    pub fn close_all(&self) {
        for (_, nb) in self.open.try_get_untracked().unwrap_or_default() {
            nb.close();
        }
        let _ = self.open.try_set(Vec::new());
        let _ = self.active.try_set(None);
    }
}

/// The sandbox's notebooks (inside `/sandboxes/:id/…`).
pub fn use_notebooks() -> Notebooks {
    expect_context()
}
