//! One changed file's diff in the Source control view, drawn by CodeMirror's merge view: a
//! staged change is the index against HEAD, an unstaged one the working tree against the
//! index, an untracked file the whole file as added. Side by side, or inline on request.

use daytona_wasm::models::GitShowSource;
use daytona_wasm::{DaytonaError, ErrorKind, Sandbox};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::status::{FileGroup, Group};
use crate::code::Diff;
use crate::components::error_alert::ErrorAlert;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::files::path;
use crate::files::text::blob_text;

/// The text of `file` of repository `repo` at `source`; empty where it is not (a new file).
async fn at(sandbox: &Sandbox, repo: &str, file: &str, source: GitShowSource) -> Result<String, DaytonaError> {
    match sandbox.git().show(repo, file, source).await {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// The text of `file` of `repo` in the working tree; empty where it is gone (a deletion).
async fn in_worktree(sandbox: &Sandbox, repo: &str, file: &str) -> Result<String, DaytonaError> {
    // A repository given relative to the home folder, as git's routes take it.
    let repo =
        if repo.starts_with('/') { repo.to_owned() } else { path::join(&sandbox.get_user_home_dir().await?, repo) };
    match sandbox.fs().download_file(&path::join(&repo, file), &Default::default()).await {
        Ok(blob) => blob_text(&blob).await,
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// The two sides of a change of `file` in `repo`.
async fn sides(sandbox: &Sandbox, repo: &str, file: &FileGroup) -> Result<(String, String), DaytonaError> {
    Ok(match file.group {
        Group::Staged => (
            at(sandbox, repo, &file.name, GitShowSource::Head).await?,
            at(sandbox, repo, &file.name, GitShowSource::Index).await?,
        ),
        Group::Changed => {
            (at(sandbox, repo, &file.name, GitShowSource::Index).await?, in_worktree(sandbox, repo, &file.name).await?)
        }
        Group::Untracked => (String::new(), in_worktree(sandbox, repo, &file.name).await?),
    })
}

/// The diff of change `file` of repository `repo`; `on_close` hides it.
#[component]
pub fn FileDiff(repo: String, file: FileGroup, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let current = use_current_sandbox();
    let host = NodeRef::<Div>::new();
    // Side by side where there is room for two columns of code.
    let side_by_side = RwSignal::new(window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w >= 900.0));
    let loaded = RwSignal::new(None::<(String, String)>);
    let error = RwSignal::new(None::<String>);
    let shown = StoredValue::new_local(None::<Diff>);
    let name = file.name.clone();
    let label = format!("Diff of {}", path::base_name(&name));
    let heading = format!("{} · {}", file.group.label(), name);

    spawn_local({
        let (repo, file) = (repo.clone(), file.clone());
        async move {
            let got = async { sides(&current.sandbox()?, &repo, &file).await }.await;
            match got {
                Ok(both) => loaded.set(Some(both)),
                Err(e) => error.set(Some(crate::errors::describe(&e))),
            }
        }
    });
    // Drawn once both sides are there, and again when the layout changes.
    Effect::new(move |_| {
        let (Some(el), Some((original, modified)), sbs) = (host.get(), loaded.get(), side_by_side.get()) else {
            return;
        };
        let _ = shown.try_update_value(|d| d.take());
        el.set_inner_html("");
        let name = name.clone();
        spawn_local(async move {
            match Diff::open(&el, &original, &modified, &name, sbs).await {
                Ok(diff) => {
                    let _ = shown.try_set_value(Some(diff));
                }
                Err(e) => error.set(Some(format!("The diff could not be drawn: {e:?}"))),
            }
        });
    });

    view! {
        <section class="card git-diff" role="region" aria-label=label>
            <header class="git-diff-head">
                <h2 class="mono">{heading}</h2>
                <span class="spacer"></span>
                <button type="button" class="btn btn-small" on:click=move |_| side_by_side.update(|s| *s = !*s)>
                    {move || if side_by_side.get() { "Inline" } else { "Side by side" }}
                </button>
                <button type="button" class="btn btn-small btn-ghost" on:click=move |_| on_close.run(())>"Close"</button>
            </header>
            <ErrorAlert error=error/>
            <Show when=move || loaded.with(Option::is_none) && error.with(Option::is_none)>
                <div class="empty-table"><Spinner/>" Loading the diff…"</div>
            </Show>
            <div class="diff-host" node_ref=host></div>
        </section>
    }
}
