//! Timers of components: repeating ones tied to a component's lifetime, debouncing, and
//! notices that go by themselves.

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;

/// Calls `tick` every `period` until the calling component is dropped, but only while the
/// page is shown: a tab left in the background asks nothing (its requests would count as the
/// sandbox's activity and keep it from stopping by itself), and catches up at once when it is
/// shown again.
pub fn use_interval(period: Duration, tick: impl Fn() + 'static) {
    let tick = Rc::new(move || {
        if !document().hidden() {
            tick();
        }
    });
    let every = Rc::clone(&tick);
    // Only fails without a `window`, which a browser page always has.
    if let Ok(handle) = set_interval_with_handle(move || every(), period) {
        on_cleanup(move || handle.clear());
    }
    // `visibilitychange` goes from the document up to the window.
    let handle = window_event_listener_untyped("visibilitychange", move |_| tick());
    on_cleanup(move || handle.remove());
}

/// How long a success notice stays.
pub const NOTICE_FOR: Duration = Duration::from_secs(8);

/// Clears `notice` after `delay` unless it shows something else by then (a success notice
/// that goes by itself).
pub fn clear_later<T: Clone + PartialEq + Send + Sync + 'static>(notice: RwSignal<Option<T>>, delay: Duration) {
    let shown = notice.get_untracked();
    set_timeout(
        move || {
            if notice.try_with_untracked(|n| *n == shown) == Some(true) {
                notice.set(None);
            }
        },
        delay,
    );
}

/// Runs `run` after `delay` unless called again meanwhile with the same `pending` (which then
/// cancels the earlier run).
pub fn debounce(pending: StoredValue<Option<TimeoutHandle>>, delay: Duration, run: impl FnOnce() + 'static) {
    if let Some(h) = pending.get_value() {
        h.clear();
    }
    pending.set_value(set_timeout_with_handle(run, delay).ok());
}
