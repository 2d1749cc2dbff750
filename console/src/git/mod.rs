//! `/sandboxes/:id/git[?repo=PATH]`: source control of a repository in the sandbox, on the
//! SDK's `sandbox.git()`: clone (credentials used once, never stored), the branch and where it
//! stands against its upstream, changes grouped as staged, changed and untracked with stage,
//! unstage and discard, commit with an author kept in this browser, push and pull with
//! credentials asked for when needed, branches and history; a changed file's diff.

mod diff;
mod status;

use daytona_wasm::models::{
    GitCloneRequest, GitCommitInfo, GitCommitRequest, GitPushRequest, GitResetRequest, GitRestoreRequest, GitStatus,
    ListBranchResponse,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::components::error_alert::ErrorAlert;
use crate::components::field::Field;
use crate::components::form_dialog::FormDialog;
use crate::components::requires_started::RequiresStarted;
use crate::current_sandbox::use_current_sandbox;
use crate::task::Task;
use diff::FileDiff;
use status::{FileGroup, Group};

/// How often the open repository's status is read again.
const REFRESH_PERIOD: std::time::Duration = std::time::Duration::from_secs(5);

/// Where the commit author is kept in this browser.
const AUTHOR_KEY: &str = "daytona.git.author";
const EMAIL_KEY: &str = "daytona.git.email";

/// The Source control tab.
#[component]
pub fn GitTab() -> impl IntoView {
    view! {
        <RequiresStarted feature="Source control">
            <SourceControl/>
        </RequiresStarted>
    }
}

/// What one repository shows: status, branches, history.
#[derive(Clone, Default)]
struct Repo {
    status: Option<GitStatus>,
    branches: Option<ListBranchResponse>,
    history: Vec<GitCommitInfo>,
}

#[component]
fn SourceControl() -> impl IntoView {
    let current = use_current_sandbox();
    let query = use_query_map();
    let navigate = use_navigate();
    let repo_path = Memo::new(move |_| query.with(|q| q.get("repo")).unwrap_or_default());
    let path_input = RwSignal::new(repo_path.get_untracked());
    let repo = RwSignal::new(Repo::default());
    let [loading, acting, cloning, committing, syncing] =
        [Task::new(), Task::new(), Task::new(), Task::new(), Task::new()];
    let message = RwSignal::new(String::new());
    let author = RwSignal::new(crate::storage::get(AUTHOR_KEY).unwrap_or_default());
    let email = RwSignal::new(crate::storage::get(EMAIL_KEY).unwrap_or_default());
    // Credentials for push and pull, for this page only.
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<String>);

    // The status alone is read every few seconds; branches and history (a `git log` of the
    // whole branch) only when the status moved, or on an open or an action.
    let load = move |full: bool| {
        let path = repo_path.get_untracked();
        if path.is_empty() {
            repo.set(Repo::default());
            return;
        }
        let known = repo.with_untracked(|r| r.status.clone());
        loading.latest(
            async move {
                let git = current.sandbox()?.git();
                let status = git.status(&path).await?;
                if !full && known.as_ref() == Some(&status) {
                    return Ok(None);
                }
                let branches = git.branches(&path).await?;
                let history = git.history(&path).await?;
                Ok(Some(Repo { status: Some(status), branches: Some(branches), history }))
            },
            move |loaded| {
                if let Some(loaded) = loaded {
                    repo.set(loaded);
                }
            },
        );
    };
    let reload = move || load(true);
    Effect::new(move |_| {
        repo_path.track();
        path_input.set(repo_path.get_untracked());
        reload();
    });
    // Changes made elsewhere (the terminal, the editor) show up without a click.
    crate::polling::use_interval(REFRESH_PERIOD, move || {
        if !loading.busy_untracked() && !acting.busy_untracked() {
            load(false);
        }
    });

    let open_repo = {
        let navigate = navigate.clone();
        move |path: String| {
            let url = format!("/sandboxes/{}/git?repo={}", current.id.get_untracked(), urlencoding(&path));
            navigate(&url, NavigateOptions::default());
        }
    };
    let open = {
        let open_repo = open_repo.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let path = path_input.get_untracked().trim().to_owned();
            // The same repository again: a refresh.
            if path == repo_path.get_untracked() {
                reload();
            } else {
                open_repo(path);
            }
        }
    };

    // One action on the repository, then a reload.
    let act = move |work: ActionFn| {
        let path = repo_path.get_untracked();
        notice.set(None);
        acting.run(
            async move {
                let git = current.sandbox()?.git();
                work(git, path).await
            },
            move |()| reload(),
        );
    };

    // Clone.
    let clone_open = RwSignal::new(false);
    let [clone_url, clone_path, clone_branch, clone_user, clone_password] = [
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    ];
    let clone = {
        let open_repo = open_repo.clone();
        move |()| {
            let url = clone_url.get_untracked().trim().to_owned();
            let path = match clone_path.get_untracked().trim() {
                "" => default_clone_path(&url),
                p => p.to_owned(),
            };
            if url.is_empty() || path.is_empty() {
                return cloning.fail("Enter the repository's URL.");
            }
            let some = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
            let req = GitCloneRequest {
                url,
                path: path.clone(),
                branch: some(clone_branch),
                username: some(clone_user),
                password: Some(clone_password.get_untracked()).filter(|p| !p.is_empty()),
                ..Default::default()
            };
            let open_repo = open_repo.clone();
            cloning.run(async move { current.sandbox()?.git().clone_repository(&req).await }, move |()| {
                clone_open.set(false);
                clone_password.set(String::new());
                open_repo(path);
            });
        }
    };

    let commit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (text, name, mail) = (message.get_untracked(), author.get_untracked(), email.get_untracked());
        if text.trim().is_empty() {
            return committing.fail("Write a commit message.");
        }
        if name.trim().is_empty() || mail.trim().is_empty() {
            return committing.fail("Enter the author's name and email (kept in this browser).");
        }
        crate::storage::set(AUTHOR_KEY, name.trim());
        crate::storage::set(EMAIL_KEY, mail.trim());
        let req = GitCommitRequest {
            path: repo_path.get_untracked(),
            message: text,
            author: name.trim().to_owned(),
            email: mail.trim().to_owned(),
            allow_empty: None,
        };
        committing.run(async move { current.sandbox()?.git().commit(&req).await }, move |answer| {
            message.set(String::new());
            notice.set(Some(format!("Committed {}.", short(&answer.hash))));
            reload();
        });
    };

    let sync = move |push: bool| {
        let some = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let req = GitPushRequest {
            path: repo_path.get_untracked(),
            username: some(username),
            password: some(password),
            // A branch without an upstream gets one on its first push.
            set_upstream: (push
                && repo.with_untracked(|r| r.status.as_ref().is_some_and(|s| s.branch_published != Some(true))))
            .then_some(true),
            ..Default::default()
        };
        notice.set(None);
        syncing.run(
            async move {
                let git = current.sandbox()?.git();
                match push {
                    true => git.push(&req).await,
                    false => git.pull(&req).await,
                }
            },
            move |()| {
                notice.set(Some(if push { "Pushed." } else { "Pulled." }.into()));
                reload();
            },
        );
    };

    // Branches.
    let branch_open = RwSignal::new(false);
    let new_branch = RwSignal::new(String::new());
    let branch_task = Task::new();
    let create_branch = move |()| {
        let name = new_branch.get_untracked().trim().to_owned();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return branch_task.fail("Enter a branch name without spaces.");
        }
        let path = repo_path.get_untracked();
        branch_task.run(
            async move {
                let git = current.sandbox()?.git();
                git.create_branch(&path, &name).await?;
                git.checkout_branch(&path, &name).await
            },
            move |()| {
                branch_open.set(false);
                new_branch.set(String::new());
                reload();
            },
        );
    };

    let groups = Memo::new(move |_| repo.with(|r| r.status.as_ref().map(status::groups).unwrap_or_default()));
    let staged_count = Memo::new(move |_| groups.with(|g| g.iter().filter(|f| f.group == Group::Staged).count()));
    // The change whose diff is shown; it goes when the change does (committed, staged, …).
    let diffed = RwSignal::new(None::<FileGroup>);
    Effect::new(move |_| {
        let gone = diffed.with(|d| d.as_ref().is_some_and(|d| groups.with(|g| !g.contains(d))));
        if gone {
            diffed.set(None);
        }
    });
    let show_diff = Callback::new(move |f: FileGroup| diffed.set(Some(f)));

    view! {
        <section class="card git-repo">
            <h2>"Repository"</h2>
            <form class="git-open" on:submit=open>
                <input
                    type="text"
                    class="mono"
                    name="repo"
                    aria-label="Repository path"
                    placeholder="path of a repository in the sandbox, e.g. app"
                    spellcheck="false"
                    bind:value=path_input
                />
                <button type="submit" class="btn">"Open"</button>
                <button type="button" class="btn" on:click=move |_| clone_open.set(true)>"Clone…"</button>
            </form>
            <ErrorAlert error=Signal::derive(move || loading.error())/>
            {move || repo.with(|r| r.status.clone()).map(|s| view! { <StatusLine status=s/> })}
        </section>
        <Show when=move || repo.with(|r| r.status.is_some())>
            <div class="git-columns">
                <section class="card git-changes">
                    <h2>"Changes"</h2>
                    <ErrorAlert error=Signal::derive(move || acting.error())/>
                    <Show when=move || groups.with(Vec::is_empty)>
                        <p class="muted">"Nothing to commit: the working tree is clean."</p>
                    </Show>
                    {[Group::Staged, Group::Changed, Group::Untracked]
                        .into_iter()
                        .map(|group| view! { <ChangeGroup group files=groups act=Callback::new(act) on_diff=show_diff/> })
                        .collect_view()}
                    <form class="git-commit" on:submit=commit>
                        <textarea
                            name="message"
                            aria-label="Commit message"
                            placeholder="Commit message"
                            rows="3"
                            bind:value=message
                        ></textarea>
                        <div class="git-author">
                            <input type="text" name="author" aria-label="Author name" placeholder="Author name" bind:value=author/>
                            <input type="email" name="email" aria-label="Author email" placeholder="Author email" bind:value=email/>
                        </div>
                        <button
                            type="submit"
                            class="btn btn-primary"
                            disabled=move || committing.busy() || staged_count.get() == 0
                            title=move || if staged_count.get() == 0 { "Stage changes first" } else { "" }
                        >
                            {move || match staged_count.get() {
                                0 => "Commit".to_owned(),
                                n => format!("Commit {n} staged"),
                            }}
                        </button>
                        <ErrorAlert error=Signal::derive(move || committing.error())/>
                    </form>
                    {move || notice.get().map(|n| view! { <p class="git-notice" role="status">{n}</p> })}
                </section>
                {move || diffed.get().map(|file| view! {
                    <FileDiff repo=repo_path.get_untracked() file on_close=move |()| diffed.set(None)/>
                })}
                <section class="card git-side">
                    <h2>"Sync"</h2>
                    <div class="git-sync">
                        <input type="text" name="git-user" aria-label="Git user name" placeholder="User (if needed)" autocomplete="off" bind:value=username/>
                        <input type="password" name="git-password" aria-label="Password or token" placeholder="Password or token" autocomplete="off" bind:value=password/>
                        <button type="button" class="btn" disabled=move || syncing.busy() on:click=move |_| sync(false)>"Pull"</button>
                        <button type="button" class="btn" disabled=move || syncing.busy() on:click=move |_| sync(true)>"Push"</button>
                    </div>
                    <p class="muted small">"Credentials are used for this push or pull only and never stored."</p>
                    <ErrorAlert error=Signal::derive(move || syncing.error())/>
                    <h2>"Branches"</h2>
                    <ul class="git-branches">
                        <For
                            each=move || repo.with(|r| r.branches.clone().map(|b| b.branches).unwrap_or_default())
                            key=|b| b.clone()
                            children=move |name| {
                                let is_current = {
                                    let name = name.clone();
                                    move || repo.with(|r| r.branches.as_ref().and_then(|b| b.current.as_deref()) == Some(name.as_str()))
                                };
                                let (checkout, delete) = (name.clone(), name.clone());
                                let current_too = is_current.clone();
                                view! {
                                    <li class:current=is_current.clone() data-branch=name.clone()>
                                        <button
                                            type="button"
                                            class="link mono"
                                            title="Check out"
                                            on:click=move |_| {
                                                let b = checkout.clone();
                                                act(Box::new(move |git, path| Box::pin(async move { git.checkout_branch(&path, &b).await })));
                                            }
                                        >
                                            {name.clone()}
                                        </button>
                                        <Show when=move || !current_too()>
                                            <button
                                                type="button"
                                                class="btn-icon"
                                                aria-label=format!("Delete branch {}", delete)
                                                on:click={
                                                    let d = delete.clone();
                                                    move |_| {
                                                        let b = d.clone();
                                                        act(Box::new(move |git, path| Box::pin(async move { git.delete_branch(&path, &b).await })));
                                                    }
                                                }
                                            >
                                                "×"
                                            </button>
                                        </Show>
                                    </li>
                                }
                            }
                        />
                    </ul>
                    <button type="button" class="btn btn-small" on:click=move |_| branch_open.set(true)>"+ New branch"</button>
                    <h2>"History"</h2>
                    <ol class="git-history">
                        <For
                            each=move || repo.with(|r| r.history.clone())
                            key=|c| c.hash.clone()
                            children=move |c| {
                                let subject = c.message.lines().next().unwrap_or_default().to_owned();
                                view! {
                                    <li>
                                        <span class="mono muted" title=c.hash.clone()>{short(&c.hash)}</span>
                                        " "
                                        <span class="git-subject">{subject}</span>
                                        <span class="muted small">{format!(" · {} · {}", c.author, c.timestamp.get(..10).unwrap_or(&c.timestamp))}</span>
                                    </li>
                                }
                            }
                        />
                    </ol>
                    <Show when=move || repo.with(|r| r.history.is_empty())>
                        <p class="muted">"No commits yet."</p>
                    </Show>
                </section>
            </div>
        </Show>
        <FormDialog open=clone_open title="Clone a repository" submit_label="Clone" task=cloning on_submit=clone>
            <Field label="URL">
                <input type="text" class="mono" name="clone-url" autocomplete="off" spellcheck="false" placeholder="https://host/owner/repo.git" bind:value=clone_url/>
            </Field>
            <Field label="Into" hint="A path in the sandbox (default: the repository's name)">
                <input type="text" class="mono" name="clone-path" autocomplete="off" spellcheck="false" bind:value=clone_path/>
            </Field>
            <Field label="Branch" hint="Optional">
                <input type="text" class="mono" name="clone-branch" autocomplete="off" spellcheck="false" bind:value=clone_branch/>
            </Field>
            <Field label="User" hint="For a private repository; used for this clone only">
                <input type="text" name="clone-user" autocomplete="off" bind:value=clone_user/>
            </Field>
            <Field label="Password or token" hint="Never stored">
                <input type="password" name="clone-password" autocomplete="off" bind:value=clone_password/>
            </Field>
        </FormDialog>
        <FormDialog open=branch_open title="New branch" submit_label="Create and check out" task=branch_task on_submit=create_branch>
            <Field label="Name">
                <input type="text" class="mono" name="branch" autocomplete="off" spellcheck="false" bind:value=new_branch/>
            </Field>
        </FormDialog>
    }
}

/// An action on the repository at a path.
type ActionFn = Box<
    dyn FnOnce(
        daytona_wasm::Git,
        String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), daytona_wasm::DaytonaError>>>>,
>;

/// The branch, its upstream and how far apart they are.
#[component]
fn StatusLine(status: GitStatus) -> impl IntoView {
    let upstream = status.upstream.clone().filter(|u| !u.is_empty());
    let (ahead, behind) = (status.ahead.unwrap_or(0), status.behind.unwrap_or(0));
    view! {
        <p class="git-status-line">
            <span class="git-branch mono">
                {if status.detached == Some(true) { "detached HEAD".to_owned() } else { status.current_branch.clone() }}
            </span>
            {match upstream {
                Some(u) => view! {
                    <span class="muted">{format!(" tracking {u}")}</span>
                    <span class="git-ab" title="Commits to push / to pull">{format!(" ↑{ahead} ↓{behind}")}</span>
                }
                    .into_any(),
                None => view! { <span class="muted">" not published yet (Push sets its upstream)"</span> }.into_any(),
            }}
        </p>
    }
}

/// One group of changed files with its actions.
#[component]
fn ChangeGroup(
    group: Group,
    files: Memo<Vec<FileGroup>>,
    act: Callback<ActionFn>,
    on_diff: Callback<FileGroup>,
) -> impl IntoView {
    let mine = Memo::new(move |_| files.with(|f| f.iter().filter(|x| x.group == group).cloned().collect::<Vec<_>>()));
    let names = move || mine.with(|m| m.iter().map(|f| f.name.clone()).collect::<Vec<_>>());
    let all_action = move |_| {
        let names = names();
        act.run(match group {
            Group::Staged => Box::new(move |git, path| {
                Box::pin(
                    async move { git.reset(&GitResetRequest { path, files: Some(names), ..Default::default() }).await },
                )
            }),
            _ => Box::new(move |git, path| Box::pin(async move { git.add(&path, names).await })),
        });
    };
    view! {
        <Show when=move || mine.with(|m| !m.is_empty())>
            <div class="git-group" data-group=group.label()>
                <h3>
                    {group.label()}
                    <span class="muted">{move || format!(" ({})", mine.with(Vec::len))}</span>
                    <button type="button" class="btn btn-small" on:click=all_action>
                        {if group == Group::Staged { "Unstage all" } else { "Stage all" }}
                    </button>
                </h3>
                <ul>
                    <For
                        each=move || mine.get()
                        key=|f| (f.name.clone(), f.state)
                        children=move |f| view! { <ChangeRow file=f act on_diff/> }
                    />
                </ul>
            </div>
        </Show>
    }
}

/// One changed file: its state and what can be done with it.
#[component]
fn ChangeRow(file: FileGroup, act: Callback<ActionFn>, on_diff: Callback<FileGroup>) -> impl IntoView {
    let (stage, unstage, discard) = (file.name.clone(), file.name.clone(), file.name.clone());
    let diff_of = file.clone();
    let letter = status::letter(file.state);
    view! {
        <li data-file=file.name.clone()>
            <span class="git-state mono" title=file.state>{letter}</span>
            <span class="mono git-file">{file.name.clone()}{file.extra.clone().map(|from| format!(" ← {from}"))}</span>
            <button type="button" class="btn btn-small" title="Show the change" on:click=move |_| on_diff.run(diff_of.clone())>"Diff"</button>
            {match file.group {
                Group::Staged => view! {
                    <button type="button" class="btn btn-small" title="Unstage" on:click=move |_| {
                        let f = unstage.clone();
                        act.run(Box::new(move |git, path| Box::pin(async move {
                            git.reset(&GitResetRequest { path, files: Some(vec![f]), ..Default::default() }).await
                        })));
                    }>"Unstage"</button>
                }.into_any(),
                group => view! {
                    <button type="button" class="btn btn-small" title="Stage" on:click=move |_| {
                        let f = stage.clone();
                        act.run(Box::new(move |git, path| Box::pin(async move { git.add(&path, vec![f]).await })));
                    }>"Stage"</button>
                    <Show when=move || group == Group::Changed>
                        <button type="button" class="btn btn-small" title="Discard the change (back to the last commit)" on:click={
                            let d = discard.clone();
                            move |_| {
                                let f = d.clone();
                                act.run(Box::new(move |git, path| Box::pin(async move {
                                    git.restore(&GitRestoreRequest { path, files: vec![f], ..Default::default() }).await
                                })));
                            }
                        }>"Discard"</button>
                    </Show>
                }.into_any(),
            }}
        </li>
    }
}

/// The first 7 characters of a hash.
fn short(hash: &str) -> String {
    hash.chars().take(7).collect()
}

/// The folder a clone of `url` goes to by default: the repository's name.
fn default_clone_path(url: &str) -> String {
    let last = url.trim_end_matches('/').rsplit(['/', ':']).next().unwrap_or_default();
    last.strip_suffix(".git").unwrap_or(last).to_owned()
}

/// `s` for a URL's query.
fn urlencoding(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_go_to_the_repository_name() {
        assert_eq!(default_clone_path("https://github.com/owner/app.git"), "app");
        assert_eq!(default_clone_path("git@host:owner/tool"), "tool");
        assert_eq!(default_clone_path("http://127.0.0.1:8417/open.git/"), "open");
        assert_eq!(short("0123456789abcdef"), "0123456");
    }
}
