//! The folder tree beside the listing. Folders load their subfolders when expanded; the
//! folders above the one shown are expanded for it.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::current_sandbox::{use_current_sandbox, CurrentSandbox};
use crate::errors::describe;
use crate::files::context::use_files;
use crate::files::location::FilesView;
use crate::files::path;

/// What is known about a folder's subfolders.
#[derive(Clone, Debug, PartialEq)]
enum Subfolders {
    Loading,
    Loaded(Vec<String>),
    Failed(String),
}

/// The tree's state. Copy.
#[derive(Clone, Copy)]
struct Tree {
    current: CurrentSandbox,
    /// The folder shown.
    shown: Signal<String>,
    expanded: RwSignal<HashSet<String>>,
    subfolders: RwSignal<HashMap<String, Subfolders>>,
}

impl Tree {
    /// (Re)loads the subfolders of `dir`, keeping what was known meanwhile.
    fn load(self, dir: String) {
        self.subfolders.update(|s| {
            s.entry(dir.clone()).or_insert(Subfolders::Loading);
        });
        let current = self.current;
        spawn_local(async move {
            let fs = current.sandbox().map(|s| s.fs());
            let listed = match &fs {
                Ok(fs) => fs.list_files(&dir).await,
                Err(e) => Err(e.clone()),
            };
            let entry = match (listed, fs) {
                (Ok(list), Ok(fs)) => {
                    // A listing describes links themselves (`L` modes); those leading to a
                    // folder (`/bin` → `usr/bin`) are folders of the tree too.
                    let (folders, links): (Vec<_>, Vec<_>) =
                        list.into_iter().filter(|f| f.is_dir || f.mode.starts_with('L')).partition(|f| f.is_dir);
                    let mut names: Vec<String> = folders.into_iter().map(|f| f.name).collect();
                    for link in links {
                        if fs.get_file_details(&path::join(&dir, &link.name)).await.is_ok_and(|f| f.is_dir) {
                            names.push(link.name);
                        }
                    }
                    names.sort_by_key(|n| n.to_lowercase());
                    Subfolders::Loaded(names)
                }
                (Err(e), _) | (_, Err(e)) => Subfolders::Failed(describe(&e)),
            };
            self.subfolders.update(|s| {
                s.insert(dir, entry);
            });
        });
    }

    fn toggle(self, dir: &str) {
        let open = self.expanded.with_untracked(|e| e.contains(dir));
        self.expanded.update(|e| {
            if open {
                e.remove(dir);
            } else {
                e.insert(dir.to_owned());
            }
        });
    }
}

/// The tree of folders from `/`, with `shown` highlighted.
#[component]
pub fn DirTree(#[prop(into)] shown: Signal<String>) -> impl IntoView {
    let files = use_files();
    let tree = Tree {
        current: use_current_sandbox(),
        shown,
        expanded: RwSignal::new(HashSet::new()),
        subfolders: RwSignal::new(HashMap::new()),
    };
    Effect::new(move |_| {
        let dirs = path::ancestors(&shown.get());
        tree.expanded.update(|e| e.extend(dirs));
    });
    // Expanded folders load once; later changes reload them all.
    Effect::new(move |_| {
        for dir in tree.expanded.get() {
            if !tree.subfolders.with_untracked(|s| s.contains_key(&dir)) {
                tree.load(dir);
            }
        }
    });
    Effect::watch(
        move || files.version(),
        move |_, _, _| tree.expanded.get_untracked().into_iter().for_each(|d| tree.load(d)),
        false,
    );
    view! {
        <nav class="tree" aria-label="Folders">
            <ul>{node(tree, "/".into(), 0)}</ul>
        </nav>
    }
}

/// The tree row of folder `dir` at `depth`, and its subfolders while expanded.
fn node(tree: Tree, dir: String, depth: usize) -> AnyView {
    let is_open = {
        let dir = dir.clone();
        Memo::new(move |_| tree.expanded.with(|e| e.contains(&dir)))
    };
    let subfolders = {
        let dir = dir.clone();
        Memo::new(move |_| tree.subfolders.with(|s| s.get(&dir).cloned()))
    };
    let is_shown = {
        let dir = dir.clone();
        move || tree.shown.with(|s| *s == dir)
    };
    let href = FilesView::Dir(dir.clone()).href(&tree.current.id.get_untracked());
    let name = path::base_name(&dir);
    let toggle_dir = dir.clone();
    let children = {
        let dir = dir.clone();
        move || {
            if !is_open.get() {
                return None;
            }
            Some(match subfolders.get() {
                Some(Subfolders::Loaded(names)) if names.is_empty() => ().into_any(),
                Some(Subfolders::Loaded(names)) => view! {
                    <ul>
                        {names.into_iter().map(|n| node(tree, path::join(&dir, &n), depth + 1)).collect_view()}
                    </ul>
                }
                .into_any(),
                Some(Subfolders::Failed(e)) => {
                    view! { <p class="tree-note tree-error" title=e.clone()>"Cannot list"</p> }.into_any()
                }
                Some(Subfolders::Loading) | None => view! { <p class="tree-note">"Loading…"</p> }.into_any(),
            })
        }
    };
    let empty = move || matches!(subfolders.get(), Some(Subfolders::Loaded(n)) if n.is_empty());
    view! {
        <li>
            <div class="tree-row" class:current=is_shown style=format!("padding-left: {}px", 4 + depth * 14)>
                <button
                    type="button"
                    class="tree-toggle"
                    class:invisible=empty
                    aria-label=move || format!("{} {}", if is_open.get() { "Collapse" } else { "Expand" }, toggle_dir)
                    aria-expanded=move || is_open.get().to_string()
                    on:click={
                        let dir = dir.clone();
                        move |_| tree.toggle(&dir)
                    }
                >
                    {move || if is_open.get() { "▾" } else { "▸" }}
                </button>
                <a href=href title=dir.clone()>{name}</a>
            </div>
            {children}
        </li>
    }
    .into_any()
}
