//! The application shell: header, navigation and routes.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::{lazy_route, path, Lazy, LazyRoute};

use crate::connection::{provide_connection, use_connection};
use crate::desktop::DesktopTab;
use crate::git::GitTab;
use crate::notebook::NotebookTab;
use crate::pages::dashboard::DashboardPage;
use crate::pages::sandbox::commands::CommandsTab;
use crate::pages::sandbox::files::FilesTab;
use crate::pages::sandbox::overview::OverviewTab;
use crate::pages::sandbox::terminal::TerminalTab;
use crate::pages::sandbox::SandboxPage;
use crate::pages::settings::SettingsPage;
use crate::pages::snapshots::SnapshotsPage;
use crate::pages::volumes::VolumesPage;
use crate::time::provide_clock;

/// Declares the routes whose views are parts of the wasm of their own, downloaded when the
/// route first opens: `scripts/build-console.sh` splits the module at each of these (Leptos's
/// lazy routes), so the first page loads neither the tabs nor the pages it does not show.
/// Each is named with the last segment of its path, for [`preload`].
macro_rules! lazy_views {
    ($($segment:literal: $route:ident => $component:ident),* $(,)?) => {
        $(
            #[doc = concat!("The lazily loaded route of `", stringify!($component), "`.")]
            struct $route;

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                fn view(_this: Self) -> AnyView {
                    view! { <$component/> }.into_any()
                }
            }
        )*

        /// Starts downloading the part of the wasm behind a link (by the last segment of its
        /// path: `/terminal`, `/settings`…) when the pointer or the focus reaches it, so the
        /// click that follows finds it loaded. A part is downloaded once; other paths do nothing.
        pub fn preload(path: &str) {
            let part: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> = match path.rsplit('/').next() {
                $(Some($segment) => Box::pin($route::preload()),)*
                _ => return,
            };
            leptos::task::spawn_local(part);
        }
    };
}

lazy_views! {
    "terminal": TerminalRoute => TerminalTab,
    "files": FilesRoute => FilesTab,
    "commands": CommandsRoute => CommandsTab,
    "git": GitRoute => GitTab,
    "notebook": NotebookRoute => NotebookTab,
    "desktop": DesktopRoute => DesktopTab,
    "snapshots": SnapshotsRoute => SnapshotsPage,
    "volumes": VolumesRoute => VolumesPage,
    "settings": SettingsRoute => SettingsPage,
}

/// The root component: provides the connection and clock, then routes.
#[component]
pub fn App() -> impl IntoView {
    provide_connection();
    provide_clock();
    view! {
        <Router>
            <crate::leave_guard::TrackShown/>
            <Header/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=DashboardPage/>
                    <ParentRoute path=path!("/sandboxes/:id") view=SandboxPage>
                        <Route path=path!("") view=OverviewTab/>
                        <Route path=path!("terminal") view={Lazy::<TerminalRoute>::new()}/>
                        <Route path=path!("files") view={Lazy::<FilesRoute>::new()}/>
                        <Route path=path!("commands") view={Lazy::<CommandsRoute>::new()}/>
                        <Route path=path!("git") view={Lazy::<GitRoute>::new()}/>
                        <Route path=path!("notebook") view={Lazy::<NotebookRoute>::new()}/>
                        <Route path=path!("desktop") view={Lazy::<DesktopRoute>::new()}/>
                    </ParentRoute>
                    <Route path=path!("/snapshots") view={Lazy::<SnapshotsRoute>::new()}/>
                    <Route path=path!("/volumes") view={Lazy::<VolumesRoute>::new()}/>
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()}/>
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
            <A href="/" attr:class="brand">
                // The mark is decoration; the link is named by its text, "Daytona Console" (the
                // space is not drawn between flex items).
                <span class="brand-mark" aria-hidden="true">"D"</span>
                <span class="brand-name">"Daytona"</span>
                " "
                <span class="brand-sub">"Console"</span>
            </A>
            <nav class="nav">
                <A href="/" exact=true {..} class:active=in_sandboxes>"Sandboxes"</A>
                {[("Snapshots", "/snapshots"), ("Volumes", "/volumes"), ("Settings", "/settings")]
                    .map(|(label, path)| {
                        view! {
                            <A href={path} {..} on:pointerenter=move |_| preload(path) on:focus=move |_| preload(path)>
                                {label}
                            </A>
                        }
                    })}
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
