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
                        <Route path=path!("notebook") view=crate::notebook::NotebookTab/>
                        <Route path=path!("desktop") view=crate::desktop::DesktopTab/>
                    </ParentRoute>
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
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-mark">"D"</span>
                <span>"Daytona"</span>
                <span class="brand-sub">"Console"</span>
            </A>
            <nav class="nav">
                <A href="/" exact=true {..} class:active=in_sandboxes>"Sandboxes"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <div class="conn" title="Control plane in use">
                <span class=move || {
                    if conn.with(|c| c.has_key()) { "dot dot-ok" } else { "dot dot-off" }
                }></span>
                <span class="conn-url">{move || conn.with(|c| c.api_url.clone())}</span>
                <span class="conn-key">{move || conn.with(|c| c.masked_key())}</span>
            </div>
        </header>
    }
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
