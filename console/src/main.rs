//! Daytona web console: a Leptos single-page app (client-side rendered) that manages
//! sandboxes through the `daytona-wasm` SDK.

mod ansi;
mod app;
mod code;
mod commands;
mod components;
mod connection;
mod current_sandbox;
mod desktop;
mod errors;
mod files;
mod filters;
mod git;
mod highlight;
mod lazy;
mod leave_guard;
mod lifecycle;
mod live;
mod loaded;
mod markdown;
mod naming;
mod notebook;
mod operations;
mod pages;
mod polling;
mod resize_watch;
mod safe_html;
mod sandbox_list;
mod shell;
mod storage;
mod task;
mod terminal;
mod time;
mod title;
mod validate;
mod xterm;

fn main() {
    console_error_panic_hook::set_once();
    // The static shell index.html shows while the app downloads.
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot") {
        boot.remove();
    }
    // Before the router: a page with unsaved work may decline Back and Forward.
    leave_guard::install();
    leptos::mount::mount_to_body(app::App);
}
