//! Daytona web console: a Leptos single-page app (client-side rendered) that manages
//! sandboxes through the `daytona-wasm` SDK.

mod app;
mod components;
mod connection;
mod errors;
mod filters;
mod lifecycle;
mod operations;
mod pages;
mod polling;
mod sandbox_list;
mod time;
mod validate;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
