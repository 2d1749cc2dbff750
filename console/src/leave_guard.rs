//! Leaving a page that holds unsaved work: links are checked where they are clicked (the
//! code workspace's own listener), the browser's Back and Forward here. A history move fires
//! `popstate` after the address has changed, which the router follows; this listener is added
//! before the router's (at start, in `main`), so a page's guard can decline the move: the
//! router never hears of it and the address is put back (as a new entry: the entries after it
//! are dropped, as after any new page).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

/// Whether the app may go to a path (asked with the path; may ask the user).
pub type Guard = Rc<dyn Fn(&str) -> bool>;

thread_local! {
    /// The guard of the page shown now, if it holds unsaved work.
    static GUARD: RefCell<Option<Guard>> = const { RefCell::new(None) };
    /// The address of the page shown now (what a declined move goes back to).
    static SHOWN: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Sets the guard of the page shown now.
pub fn set(guard: Guard) {
    GUARD.with(|g| *g.borrow_mut() = Some(guard));
}

/// Clears `guard` if it is still the one set (a page going away after the next one set its own
/// leaves that one).
pub fn clear(guard: &Guard) {
    GUARD.with(|g| {
        let mut g = g.borrow_mut();
        if g.as_ref().is_some_and(|set| Rc::ptr_eq(set, guard)) {
            *g = None;
        }
    });
}

/// Notes the address of the page shown now; called whenever the router's location changes.
pub fn shown(href: String) {
    SHOWN.with(|s| *s.borrow_mut() = href);
}

/// Listens to the browser's history moves, ahead of the router (call before mounting it).
pub fn install() {
    let on_pop = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let Some(guard) = GUARD.with(|g| g.borrow().clone()) else { return };
        let to = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
        if guard(&to) {
            return;
        }
        ev.stop_immediate_propagation();
        let back = SHOWN.with(|s| s.borrow().clone());
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&back));
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    }
    // For the page's whole life.
    on_pop.forget();
}

/// Keeps [`shown`] up to date with the router's location (placed inside the router).
#[leptos::component]
pub fn TrackShown() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let location = leptos_router::hooks::use_location();
    // From the router's own location: the browser's address changes only once the new page
    // is ready (a lazy route's module loaded), after this runs.
    Effect::new(move |_| {
        let search = location.search.get();
        let query = if search.is_empty() { String::new() } else { format!("?{search}") };
        shown(format!("{}{query}{}", location.pathname.get(), location.hash.get()));
    });
}
