//! `/sandboxes/:id/files?path=DIR` (or `?file=FILE[&line=N]`): the sandbox's files — folder
//! tree, breadcrumbs, search, transfers, and the folder listing or the file shown.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::code::tabs::OpenFiles;
use crate::components::error_alert::ErrorAlert;
use crate::components::requires_started::RequiresStarted;
use crate::current_sandbox::use_current_sandbox;
use crate::files::breadcrumbs::Breadcrumbs;
use crate::files::context::FilesContext;
use crate::files::dialogs::NewFolderDialog;
use crate::files::listing::FileTable;
use crate::files::location::FilesView;
use crate::files::search::FileSearch;
use crate::files::transfer_list::TransferList;
use crate::files::tree::DirTree;
use crate::files::upload::{DropZone, UploadButtons};
use crate::files::viewer::FileViewer;
use crate::task::Task;

/// The Files tab.
#[component]
pub fn FilesTab() -> impl IntoView {
    view! {
        <RequiresStarted feature="The file browser">
            <FileBrowser/>
        </RequiresStarted>
    }
}

/// The browser; without a path in the URL it goes to the user's home folder.
#[component]
fn FileBrowser() -> impl IntoView {
    let current = use_current_sandbox();
    let files = FilesContext::provide();
    let query = use_query_map();
    let navigate = use_navigate();
    let view = Memo::new(move |_| query.with(|q| FilesView::from_query(|k| q.get(k))));
    let home = Task::new();
    Effect::new(move |_| {
        if view.with(Option::is_some) {
            return;
        }
        let navigate = navigate.clone();
        home.run(async move { current.sandbox()?.get_user_home_dir().await }, move |dir| {
            let to = FilesView::Dir(dir).href(&current.id.get_untracked());
            navigate(&to, NavigateOptions { replace: true, ..Default::default() });
        });
    });
    let dir = Signal::derive(move || view.with(|v| v.as_ref().map(FilesView::dir).unwrap_or_default()));
    let shown_path = Signal::derive(move || view.with(|v| v.as_ref().map(|v| v.path().to_owned()).unwrap_or_default()));
    let new_folder = RwSignal::new(false);

    // Only a change of file re-renders: moving between folders keeps the listing.
    let file = Memo::new(move |_| {
        view.with(|v| match v {
            Some(FilesView::File { path, line }) => Some(Some((path.clone(), *line))),
            Some(FilesView::Dir(_)) => Some(None),
            None => None,
        })
    });
    let main = move || {
        file.get().map(|shown| match shown {
            None => view! {
                <DropZone dir>
                    <FileTable dir/>
                </DropZone>
            }
            .into_any(),
            Some((path, line)) => view! { <FileViewer path line/> }.into_any(),
        })
    };

    view! {
        <ErrorAlert error=Signal::derive(move || home.error().or_else(|| files.error.get()))/>
        <div class="files">
            <aside class="card files-tree">
                <DirTree shown=dir/>
            </aside>
            <div class="files-main">
                <div class="files-toolbar">
                    <Breadcrumbs path=shown_path/>
                    <span class="spacer"></span>
                    <Show when=move || matches!(view.get(), Some(FilesView::Dir(_)))>
                        <button type="button" class="btn" on:click=move |_| new_folder.set(true)>"New folder"</button>
                        <UploadButtons dir/>
                        <button
                            type="button"
                            class="btn"
                            title="Download this folder as .tar.gz"
                            on:click=move |_| files.download(dir.get_untracked(), true)
                        >
                            "Download folder"
                        </button>
                    </Show>
                </div>
                <FileSearch dir/>
                <TransferList/>
                <OpenFiles shown=Signal::derive(move || file.get().flatten().map(|(p, _)| p))/>
                {main}
            </div>
        </div>
        <NewFolderDialog open=new_folder dir/>
    }
}
