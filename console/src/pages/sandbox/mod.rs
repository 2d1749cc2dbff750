//! `/sandboxes/:id/…`: one sandbox. The page loads it, keeps it fresh and shows its header
//! and tabs; each tab is a nested route with its own URL.

pub mod commands;
pub mod files;
pub mod overview;
pub mod terminal;

use std::time::Duration;

use daytona_wasm::ErrorKind;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use crate::components::action_buttons::ActionButtons;
use crate::components::connect_prompt::ConnectPrompt;
use crate::components::copy_id::CopyId;
use crate::components::error_alert::Alert;
use crate::components::fork_button::ForkButton;
use crate::components::snapshot_button::SnapshotButton;
use crate::components::spinner::Spinner;
use crate::components::state_badge::StateBadge;
use crate::connection::use_connection;
use crate::current_sandbox::CurrentSandbox;
use crate::errors::describe;
use crate::lifecycle::Action;
use crate::operations::use_operations;
use crate::polling::use_interval;

/// How often the sandbox is reloaded.
const REFRESH_PERIOD: Duration = Duration::from_secs(5);

/// The tabs: label and path below `/sandboxes/:id`.
const TABS: [(&str, &str); 7] = [
    ("Overview", ""),
    ("Terminal", "/terminal"),
    ("Files", "/files"),
    ("Commands", "/commands"),
    ("Source control", "/git"),
    ("Notebook", "/notebook"),
    ("Desktop", "/desktop"),
];

/// The sandbox page, or the prompt to connect first.
#[component]
pub fn SandboxPage() -> impl IntoView {
    let conn = use_connection();
    view! {
        <Show when=move || conn.with(|c| c.has_key()) fallback=ConnectPrompt>
            <SandboxShell/>
        </Show>
    }
}

/// Loads the sandbox named in the URL, keeps it fresh, and shows its header, tabs and the
/// selected tab.
#[component]
fn SandboxShell() -> impl IntoView {
    let conn = use_connection();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let current = CurrentSandbox::provide(id);
    // Files open in the editor stay open across the sandbox's tabs, not across sandboxes.
    let workspace = crate::code::workspace::Workspace::provide();
    // So do the open notebooks (their contexts deleted when the pages go or change sandbox).
    let notebooks = crate::notebook::Notebooks::provide(current);
    // Leaving the sandbox or closing the page with a notebook's changes unsaved asks first, as
    // with the editor's files.
    workspace.guard_also(move || notebooks.any_dirty());
    Effect::watch(
        move || id.get(),
        move |_, _, _| {
            workspace.clear();
            notebooks.close_all();
        },
        false,
    );
    let missing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let load = move || {
        let id = id.get_untracked();
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return error.set(Some(describe(&e))),
        };
        spawn_local(async move {
            match daytona.get(&id).await {
                Ok(s) => {
                    current.set(Some(s));
                    error.set(None);
                }
                Err(e) if e.kind() == ErrorKind::NotFound => missing.set(true),
                Err(e) => error.set(Some(describe(&e))),
            }
        });
    };
    Effect::new(move |_| {
        id.track();
        current.set(None);
        missing.set(false);
        load();
    });
    use_interval(REFRESH_PERIOD, load);

    let ops = use_operations();
    provide_context(ops);
    let navigate = use_navigate();
    Effect::watch(
        move || ops.last_settled(),
        move |settled, _, _| match settled {
            // Deleted (a failure would have left a status): nothing left to show.
            Some((_, Action::Delete)) if ops.status(&id.get_untracked()).is_none() => {
                navigate("/", NavigateOptions::default());
            }
            _ => load(),
        },
        false,
    );
    let loaded = move || current.data.with(Option::is_some);

    // On a narrow screen the tab strip scrolls: keep the current tab in sight.
    let tabs = NodeRef::<leptos::html::Nav>::new();
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        // Also when the strip first appears (the sandbox loads after the route). The element
        // itself goes to the next frame: the page may be gone by then, and its refs with it.
        let Some(nav) = tabs.get() else { return };
        request_animation_frame(move || {
            if let Ok(Some(active)) = nav.query_selector("a[aria-current=\"page\"]") {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                opts.set_inline(web_sys::ScrollLogicalPosition::Center);
                active.scroll_into_view_with_scroll_into_view_options(&opts);
            }
        });
    });
    // The title names the sandbox and the tab.
    Effect::new(move |_| {
        let path = location.pathname.get();
        let tab = TABS
            .iter()
            .rev()
            .find(|(_, suffix)| !suffix.is_empty() && path.ends_with(suffix))
            .map_or("Overview", |t| t.0);
        let name = current.data.with(|d| d.as_ref().map(|d| d.name.clone())).unwrap_or_else(|| id.get());
        crate::title::set_title(&format!("{name} · {tab}"));
    });
    view! {
        <nav class="crumbs"><A href="/">"← Sandboxes"</A></nav>
        {move || error.get().map(|e| view! { <Alert message=e/> })}
        <Show when=move || missing.get()>
            <section class="card empty">
                <h1>"Sandbox not found"</h1>
                <p>"No sandbox has the id or name " <code>{move || id.get()}</code> "."</p>
                <p><A href="/">"Back to sandboxes"</A></p>
            </section>
        </Show>
        <Show when=move || !missing.get() && !loaded() && error.with(Option::is_none)>
            <div class="empty-table"><Spinner/>" Loading sandbox…"</div>
        </Show>
        <Show when=move || !missing.get() && loaded()>
            <Header current/>
            <nav class="tabs" aria-label="Sandbox sections" node_ref=tabs>
                {TABS
                    .into_iter()
                    .map(|(label, suffix)| {
                        view! {
                            <A href=move || format!("/sandboxes/{}{suffix}", id.get()) exact=true {..}
                                on:pointerenter=move |_| crate::app::preload(suffix)
                                on:focus=move |_| crate::app::preload(suffix)
                            >
                                {label}
                            </A>
                        }
                    })
                    .collect_view()}
            </nav>
            <Outlet/>
        </Show>
    }
}

/// Name, state, id and lifecycle buttons of the loaded sandbox.
#[component]
fn Header(current: CurrentSandbox) -> impl IntoView {
    let ops = expect_context();
    let state = Signal::derive(move || current.state());
    let read = move |f: fn(&daytona_wasm::models::Sandbox) -> String| {
        move || current.data.with(|s| s.as_ref().map(f).unwrap_or_default())
    };
    let id = current.id.get_untracked();
    let name = read(|s| s.name.clone())();
    let error_reason = move || current.data.with(|s| s.as_ref().and_then(|s| s.error_reason.clone()));
    view! {
        <section class="page-head detail-head">
            <div>
                <h1 class="detail-title">
                    <span>{read(|s| s.name.clone())}</span>
                    <StateBadge state/>
                </h1>
                <CopyId id=read(|s| s.id.clone())()/>
            </div>
            <div class="detail-actions">
                <ForkButton id=id.clone() state/>
                <SnapshotButton id=id.clone() name=name.clone() state/>
                <ActionButtons ops id name state/>
            </div>
        </section>
        {move || error_reason().map(|r| view! { <p class="alert alert-error">{format!("Error: {r}")}</p> })}
    }
}
