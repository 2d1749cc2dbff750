//! Repeating timers tied to a component's lifetime.

use std::time::Duration;

use leptos::prelude::*;

/// Calls `tick` every `period` until the calling component is dropped.
pub fn use_interval(period: Duration, tick: impl Fn() + 'static) {
    // Only fails without a `window`, which a browser page always has.
    if let Ok(handle) = set_interval_with_handle(tick, period) {
        on_cleanup(move || handle.clear());
    }
}
