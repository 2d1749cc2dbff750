//! Timestamps and durations for humans: "3 min ago" with the full local time on hover, "4.2 s".

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::polling::use_interval;

/// How often relative times are brought up to date.
const CLOCK_PERIOD: Duration = Duration::from_secs(10);

/// The current time in ms, refreshed every [`CLOCK_PERIOD`].
#[derive(Clone, Copy)]
struct Clock(RwSignal<f64>);

/// Starts the shared clock that relative times follow.
pub fn provide_clock() {
    let now = RwSignal::new(js_sys::Date::now());
    use_interval(CLOCK_PERIOD, move || now.set(js_sys::Date::now()));
    provide_context(Clock(now));
}

/// The clock's current time in ms since the epoch (reactive).
pub fn now_ms() -> f64 {
    expect_context::<Clock>().0.get()
}

/// Milliseconds since the epoch of an ISO-8601 timestamp, if it parses.
pub fn parse_iso(iso: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(iso);
    (!ms.is_nan()).then_some(ms)
}

/// `then` relative to `now` (both ms): "just now", "5 min ago", "in 2 h", "3 d ago".
pub fn relative(then: f64, now: f64) -> String {
    let secs = ((now - then) / 1000.0).round() as i64;
    let abs = secs.unsigned_abs();
    if abs < 10 {
        return "just now".into();
    }
    let amount = match abs {
        0..=59 => format!("{abs} s"),
        60..=3599 => format!("{} min", abs / 60),
        3600..=86_399 => format!("{} h", abs / 3600),
        _ => format!("{} d", abs / 86_400),
    };
    if secs >= 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// A duration of `ms` for humans: `4.2 s`, from a minute on `1 min 05 s`.
pub fn duration(ms: f64) -> String {
    let s = (ms / 1000.0).max(0.0);
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:02} s", (s / 60.0).floor(), (s % 60.0).floor())
    }
}

/// The full date and time of `ms` in the browser's locale and time zone.
pub fn full(ms: f64) -> String {
    let options = js_sys::Object::new();
    // Setting plain properties on a fresh object cannot fail.
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"long".into());
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format();
    format
        .call1(&JsValue::UNDEFINED, &js_sys::Date::new(&JsValue::from_f64(ms)))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{duration, relative};

    #[test]
    fn relative_times() {
        let now = 1_000_000_000.0;
        assert_eq!(relative(now - 3_000.0, now), "just now");
        assert_eq!(relative(now - 45_000.0, now), "45 s ago");
        assert_eq!(relative(now - 180_000.0, now), "3 min ago");
        assert_eq!(relative(now - 7_200_000.0, now), "2 h ago");
        assert_eq!(relative(now + 120_000.0, now), "in 2 min");
        assert_eq!(relative(now - 3.0 * 86_400_000.0, now), "3 d ago");
    }

    #[test]
    fn durations_read_as_seconds_then_minutes() {
        assert_eq!(duration(4_210.0), "4.2 s");
        assert_eq!(duration(65_400.0), "1 min 05 s");
        assert_eq!(duration(-5.0), "0.0 s");
    }
}
