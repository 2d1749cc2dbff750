//! Searching below the folder shown: by file name (a glob) or by content; every result
//! opens the file (at the matching line).

use daytona_wasm::models::Match;
use leptos::prelude::*;

use crate::components::error_alert::ErrorAlert;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::files::location::FilesView;
use crate::task::Task;

/// Results listed at most.
const SHOWN: usize = 200;
/// Characters of a matching line shown.
const SNIPPET: usize = 160;

/// What a search found.
#[derive(Clone)]
enum Found {
    /// Paths whose names match.
    Names(Vec<String>),
    /// Matching lines.
    Lines(Vec<Match>),
}

impl Found {
    fn len(&self) -> usize {
        match self {
            Self::Names(v) => v.len(),
            Self::Lines(v) => v.len(),
        }
    }
}

/// A finished search: what was asked, where, and what was found.
#[derive(Clone)]
struct Search {
    query: String,
    under: String,
    found: Found,
}

/// `query` as a glob: bare words match anywhere in the name.
fn as_glob(query: &str) -> String {
    if query.contains(['*', '?', '[']) {
        query.to_owned()
    } else {
        format!("*{query}*")
    }
}

/// The search form and, after a search, its results.
#[component]
pub fn FileSearch(#[prop(into)] dir: Signal<String>) -> impl IntoView {
    let current = use_current_sandbox();
    let by_content = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Search>);
    let task = Task::new();
    let replacement = RwSignal::new(String::new());
    let replace_task = Task::new();
    let replaced = RwSignal::new(None::<String>);

    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = query.get_untracked().trim().to_owned();
        if q.is_empty() {
            return;
        }
        let under = dir.get_untracked();
        let content = by_content.get_untracked();
        let (asked, place) = (q.clone(), under.clone());
        task.latest(
            async move {
                let fs = current.sandbox()?.fs();
                Ok(if content {
                    Found::Lines(fs.find_files(&under, &q).await?)
                } else {
                    Found::Names(fs.search_files(&under, &as_glob(&q)).await?.files)
                })
            },
            move |found| {
                replaced.set(None);
                result.set(Some(Search { query: asked, under: place, found }))
            },
        );
    };

    // Replace the searched text (literally) in every file the content search found, then
    // search again: what is left shows.
    let replace = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Search { query: pattern, under, found: Found::Lines(lines) }) = result.get_untracked() else {
            return;
        };
        let mut files: Vec<String> = lines.into_iter().map(|m| m.file).collect();
        files.sort();
        files.dedup();
        let with = replacement.get_untracked();
        replace_task.run(
            async move {
                let fs = current.sandbox()?.fs();
                let outcome = fs.replace_in_files(files, &pattern, &with).await?;
                let after = fs.find_files(&under, &pattern).await?;
                Ok((outcome, Search { query: pattern, under, found: Found::Lines(after) }))
            },
            move |(outcome, again)| {
                let failed: Vec<String> = outcome
                    .iter()
                    .filter(|r| r.success != Some(true))
                    .map(|r| format!("{}: {}", r.file.clone().unwrap_or_default(), r.error.clone().unwrap_or_default()))
                    .collect();
                let done = outcome.len() - failed.len();
                let files = if done == 1 { "file" } else { "files" };
                replaced.set(Some(match failed.is_empty() {
                    true => format!("Replaced in {done} {files}."),
                    false => format!("Replaced in {done} {files}; not in {}", failed.join("; ")),
                }));
                result.set(Some(again));
            },
        );
    };

    let link = move |view: FilesView| view.href(&current.id.get_untracked());
    let results = move || {
        let Search { query, under, found } = result.get()?;
        let total = found.len();
        let content_hits = matches!(&found, Found::Lines(l) if !l.is_empty());
        let items = match found {
            Found::Names(paths) => paths
                .into_iter()
                .take(SHOWN)
                .map(|p| {
                    let href = link(FilesView::File { path: p.clone(), line: None });
                    view! { <li><a class="mono" href=href>{p}</a></li> }.into_any()
                })
                .collect_view(),
            Found::Lines(lines) => lines
                .into_iter()
                .take(SHOWN)
                .map(|m| {
                    let line = u32::try_from(m.line).ok().filter(|&l| l > 0);
                    let href = link(FilesView::File { path: m.file.clone(), line });
                    let snippet: String = m.content.trim().chars().take(SNIPPET).collect();
                    view! {
                        <li>
                            <a class="mono" href=href>{format!("{}:{}", m.file, m.line)}</a>
                            <code class="match-line">{snippet}</code>
                        </li>
                    }
                    .into_any()
                })
                .collect_view(),
        };
        let summary = match total {
            0 => format!("Nothing matches “{query}” in {under}."),
            1 => format!("1 match for “{query}” in {under}"),
            n if n > SHOWN => format!("{n} matches for “{query}” in {under} (first {SHOWN} shown)"),
            n => format!("{n} matches for “{query}” in {under}"),
        };
        Some(view! {
            <section class="card search-results" aria-label="Search results">
                <header class="search-head">
                    <strong>{summary}</strong>
                    <span class="spacer"></span>
                    <button type="button" class="btn-icon" aria-label="Close search results" on:click=move |_| result.set(None)>"×"</button>
                </header>
                <p class="replace-outcome" role="status">{move || replaced.get()}</p>
                <Show when=move || content_hits>
                    <form class="replace-form inline-form" on:submit=replace>
                        <input
                            type="text"
                            aria-label="Replace with"
                            placeholder=format!("Replace “{query}” with…")
                            bind:value=replacement
                        />
                        <button type="submit" class="btn" disabled=move || replace_task.busy()>
                            {move || replace_task.busy().then(|| view! { <Spinner/> })}
                            "Replace in files"
                        </button>
                    </form>
                    <ErrorAlert error=Signal::derive(move || replace_task.error())/>
                </Show>
                <ul>{items}</ul>
            </section>
        })
    };

    view! {
        <form class="file-search" role="search" on:submit=search>
            <select
                aria-label="Search by"
                on:change=move |ev| by_content.set(event_target_value(&ev) == "content")
            >
                <option value="name" selected=move || !by_content.get()>"Name"</option>
                <option value="content" selected=move || by_content.get()>"Content"</option>
            </select>
            <input
                type="search"
                aria-label="Search files"
                placeholder=move || {
                    if by_content.get() { "Text in files…" } else { "Name or glob, e.g. *.rs" }
                }
                bind:value=query
            />
            <button type="submit" class="btn" disabled=move || task.busy()>
                {move || task.busy().then(|| view! { <Spinner/> })}
                "Search"
            </button>
        </form>
        <ErrorAlert error=Signal::derive(move || task.error())/>
        {results}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_words_match_anywhere() {
        assert_eq!(as_glob("main"), "*main*");
        assert_eq!(as_glob("*.rs"), "*.rs");
    }
}
