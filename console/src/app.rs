//! The application shell: header, navigation and routes.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::connection::{provide_connection, use_connection};
use crate::pages::dashboard::DashboardPage;
use crate::pages::sandbox::commands::CommandsTab;
use crate::pages::sandbox::files::FilesTab;
use crate::pages::sandbox::overview::OverviewTab;
use crate::pages::sandbox::terminal::TerminalTab;
use crate::pages::sandbox::SandboxPage;
use crate::pages::settings::SettingsPage;
use crate::time::provide_clock;

/// The root component: provides the connection and clock, then routes.
#[component]
pub fn App() -> impl IntoView {
    provide_connection();
    provide_clock();
    view! {
        <Router>
            <Header/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=DashboardPage/>
                    <ParentRoute path=path!("/sandboxes/:id") view=SandboxPage>
                        <Route path=path!("") view=OverviewTab/>
                        <Route path=path!("terminal") view=TerminalTab/>
                        <Route path=path!("files") view=FilesTab/>
                        <Route path=path!("commands") view=CommandsTab/>
                        <Route path=path!("git") view=crate::git::GitTab/>
                        <Route path=path!("notebook") view=crate::notebook::NotebookTab/>
                        <Route path=path!("desktop") view=crate::desktop::DesktopTab/>
                    </ParentRoute>
                    <Route path=path!("/snapshots") view=crate::pages::snapshots::SnapshotsPage/>
                    <Route path=path!("/volumes") view=crate::pages::volumes::VolumesPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Top bar: product name, navigation and which control plane is in use.
#[component]
fn Header() -> impl IntoView {
    let conn = use_connection();
    let pathname = use_location().pathname;
    // "/" is matched exactly (it prefixes every path), so sandbox pages are added here.
    let in_sandboxes = move || pathname.with(|p| p.starts_with("/sandboxes/"));
    let health = check_connection(conn);
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand" attr:aria-label="Daytona Console home">
                <span class="brand-mark">"D"</span>
                <span class="brand-name">"Daytona"</span>
                <span class="brand-sub">"Console"</span>
            </A>
            <nav class="nav">
                <A href="/" exact=true {..} class:active=in_sandboxes>"Sandboxes"</A>
                <A href="/snapshots">"Snapshots"</A>
                <A href="/volumes">"Volumes"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <div class="conn" title=move || health.get().describe()>
                <span class=move || health.get().dot() data-health=move || format!("{:?}", health.get())></span>
                <span class="conn-url">{move || conn.with(|c| c.api_url.clone())}</span>
                <span class="conn-key">{move || conn.with(|c| c.masked_key())}</span>
            </div>
        </header>
    }
}

/// What the header's dot says about the connection in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Health {
    /// No API key.
    NoKey,
    /// Being checked.
    Checking,
    /// The control plane answered with this key.
    Connected,
    /// The key was refused (401/403).
    Rejected,
    /// The control plane could not be reached, or failed otherwise.
    Unreachable,
}

impl Health {
    fn dot(self) -> &'static str {
        match self {
            Self::Connected => "dot dot-ok",
            Self::Rejected => "dot dot-bad",
            Self::Unreachable => "dot dot-warn",
            Self::NoKey | Self::Checking => "dot dot-off",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::NoKey => "No API key: add one in Settings",
            Self::Checking => "Checking the connection…",
            Self::Connected => "Connected to this control plane",
            Self::Rejected => "The API key was rejected: check Settings",
            Self::Unreachable => "The control plane could not be reached",
        }
    }
}

/// Checks the connection each time it changes (one small listing); a later check wins over
/// an earlier one still in flight.
fn check_connection(conn: RwSignal<crate::connection::Connection>) -> RwSignal<Health> {
    let health = RwSignal::new(Health::Checking);
    let generation = StoredValue::new(0_u32);
    Effect::new(move |_| {
        let connection = conn.get();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let daytona = match connection.client() {
            Ok(d) if connection.has_key() => d,
            _ => return health.set(Health::NoKey),
        };
        health.set(Health::Checking);
        leptos::task::spawn_local(async move {
            let outcome = crate::connection::probe(&daytona).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            health.set(match outcome {
                Ok(_) => Health::Connected,
                Err(e) if crate::connection::key_refused(&e) => Health::Rejected,
                Err(_) => Health::Unreachable,
            });
        });
    });
    health
}

/// Shown for unknown paths.
#[component]
fn NotFound() -> impl IntoView {
    crate::title::set_title("Page not found");
    view! {
        <section class="card empty">
            <h1>"Page not found"</h1>
            <p><A href="/">"Back to sandboxes"</A></p>
        </section>
    }
}
