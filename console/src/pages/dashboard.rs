//! `/`: the sandbox dashboard (filters, table, bulk actions, paging, create).

use std::collections::HashSet;
use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::components::bulk_bar::BulkBar;
use crate::components::connect_prompt::ConnectPrompt;
use crate::components::create_dialog::CreateDialog;
use crate::components::error_alert::Alert;
use crate::components::filter_bar::FilterBar;
use crate::components::org_usage::{use_region_usage, OrgUsage};
use crate::components::pager::Pager;
use crate::components::sandbox_table::SandboxTable;
use crate::components::spinner::Spinner;
use crate::connection::use_connection;
use crate::filters::ListFilters;
use crate::live::use_sandbox_events;
use crate::operations::use_operations;
use crate::polling::use_interval;
use crate::sandbox_list::SandboxList;

/// How often the list reloads while auto-refresh is on and the event socket is down.
const REFRESH_PERIOD: Duration = Duration::from_secs(5);

/// The dashboard, or the prompt to connect first.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let conn = use_connection();
    crate::title::set_title("Sandboxes");
    view! {
        <Show when=move || conn.with(|c| c.has_key()) fallback=ConnectPrompt>
            <Dashboard/>
        </Show>
    }
}

/// The dashboard proper: list state, reloads and the page's parts.
#[component]
fn Dashboard() -> impl IntoView {
    let conn = use_connection();
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(|q| ListFilters::from_query(|k| q.get(k))));
    let navigate = use_navigate();
    let apply = Callback::new(move |(f, replace): (ListFilters, bool)| {
        navigate(&f.to_url(), NavigateOptions { replace, scroll: false, ..Default::default() });
    });

    let list = SandboxList::default();
    let ops = use_operations();
    let selection = RwSignal::new(HashSet::<String>::new());
    // `?newOn=SNAPSHOT` (the Snapshots page's "New sandbox"): the dialog opens on it, and the
    // address drops the parameter (a reload does not open it again).
    let new_on = query.with_untracked(|q| q.get("newOn")).filter(|s| !s.is_empty());
    let create_open = RwSignal::new(new_on.is_some());
    if new_on.is_some() {
        // After the first render: the router is not asked to move while it draws the page.
        Effect::new(move |_| apply.run((filters.get_untracked(), true)));
    }
    // Used by the dialog it opens, then forgotten (a later "+ New sandbox" starts as usual).
    let preset = RwSignal::new(new_on);
    let on_snapshot = Signal::derive(move || preset.get());
    Effect::new(move |was_open: Option<bool>| {
        let open = create_open.get();
        if was_open == Some(true) && !open {
            preset.set(None);
        }
        open
    });
    let created = RwSignal::new(None::<String>);
    // The "created" notice goes by itself after a while (a later one restarts the wait).
    Effect::new(move |_| {
        if created.with(Option::is_some) {
            crate::polling::clear_later(created, crate::polling::NOTICE_FOR);
        }
    });
    let auto_refresh = RwSignal::new(true);
    let reloads = RwSignal::new(0u64);
    let reload = move || reloads.update(|n| *n += 1);

    Effect::new(move |_| {
        reloads.track();
        let filters = filters.get();
        conn.with(|c| list.load(c, &filters));
    });
    // Show the outcome of actions and creations at once.
    Effect::watch(move || (ops.last_settled(), created.get()), move |_, _, _| reload(), false);
    // Live: every creation and state change reloads the list at once; polling only while the
    // event socket is down.
    let live = RwSignal::new(false);
    use_sandbox_events(live, move |event| {
        if event.sandbox().is_some() && auto_refresh.get_untracked() {
            reload();
        }
    });
    use_interval(REFRESH_PERIOD, move || {
        if auto_refresh.get_untracked() && !live.get_untracked() && !list.loading.get_untracked() {
            reload();
        }
    });

    // The organization's resources in use, read again with the list.
    let usage = use_region_usage(reloads.into());
    let items = Signal::derive(move || list.items.get());
    let has_filters = move || filters.with(|f| f.state.is_some() || !f.labels.is_empty() || !f.name.is_empty());

    view! {
        <section class="page-head">
            <div>
                <h1>"Sandboxes"</h1>
                <p class="muted">"Isolated environments on " {move || conn.with(|c| c.api_url.clone())}</p>
            </div>
            <div class="head-actions">
                <label
                    class="check"
                    title=move || match live.get() {
                        true => "Changes show as they happen (event socket connected)",
                        false => "Reload the list every 5 seconds",
                    }
                >
                    <input type="checkbox" aria-label="Auto-refresh" bind:checked=auto_refresh/>
                    <span>"Auto-refresh"</span>
                </label>
                {move || (live.get() && auto_refresh.get()).then(|| view! { <span class="live-badge">"Live"</span> })}
                <button type="button" class="btn" on:click=move |_| reload() disabled=move || list.loading.get()>
                    {move || list.loading.get().then(|| view! { <Spinner/> })}
                    "Refresh"
                </button>
                <button type="button" class="btn btn-primary" on:click=move |_| create_open.set(true)>
                    "+ New sandbox"
                </button>
            </div>
        </section>

        {move || {
            created
                .get()
                .map(|name| {
                    view! {
                        <p class="alert alert-ok" role="status">
                            <span>{format!("Sandbox {name} created and started.")}</span>
                            <button type="button" class="btn-icon" aria-label="Dismiss" on:click=move |_| created.set(None)>
                                "×"
                            </button>
                        </p>
                    }
                })
        }}

        <OrgUsage usage/>
        <FilterBar filters=filters apply=apply/>
        <BulkBar items selection ops/>
        {move || list.error.get().map(|e| view! { <Alert message=e/> })}

        <SandboxTable items selection ops/>
        <Show when=move || list.loaded.get() && list.items.with(Vec::is_empty)>
            <div class="empty-table">
                {move || {
                    if has_filters() {
                        view! { <p>"No sandboxes match these filters."</p> }.into_any()
                    } else {
                        view! {
                            <p>"No sandboxes yet."</p>
                            <button type="button" class="btn btn-primary" on:click=move |_| create_open.set(true)>
                                "Create your first sandbox"
                            </button>
                        }
                            .into_any()
                    }
                }}
            </div>
        </Show>
        <Show when=move || !list.loaded.get() && list.error.with(Option::is_none)>
            <div class="empty-table"><Spinner/>" Loading sandboxes…"</div>
        </Show>
        <Pager
            filters=filters
            next_cursor=list.next_cursor
            count=Signal::derive(move || list.items.with(Vec::len))
            apply=apply
        />

        <CreateDialog open=create_open created on_snapshot/>
    }
}
