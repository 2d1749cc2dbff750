//! Wall-clock helpers in Daytona's timestamp format.

use chrono::{SecondsFormat, TimeZone, Utc};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Now, as [`iso`] writes it.
pub fn now_iso() -> String {
    iso(now_ms())
}

/// ISO-8601 with milliseconds and `Z`, as Daytona's API writes timestamps.
pub fn iso(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}
