//! Timers of components: repeating ones tied to a component's lifetime, and debouncing.

use std::time::Duration;

use leptos::prelude::*;

/// Calls `tick` every `period` until the calling component is dropped.
pub fn use_interval(period: Duration, tick: impl Fn() + 'static) {
    // Only fails without a `window`, which a browser page always has.
    if let Ok(handle) = set_interval_with_handle(tick, period) {
        on_cleanup(move || handle.clear());
    }
}

/// Runs `run` after `delay` unless called again meanwhile with the same `pending` (which then
/// cancels the earlier run).
pub fn debounce(pending: StoredValue<Option<TimeoutHandle>>, delay: Duration, run: impl FnOnce() + 'static) {
    if let Some(h) = pending.get_value() {
        h.clear();
    }
    pending.set_value(set_timeout_with_handle(run, delay).ok());
}
