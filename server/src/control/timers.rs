//! Auto-stop, auto-archive, auto-delete and TTLs, enforced by the server's own clock; also
//! notices sandboxes whose jail died on its own.

use std::collections::HashSet;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use daytona_models::SandboxState;

use crate::app::state::AppState;

/// What a sandbox's intervals call for now, if anything.
#[derive(Debug, PartialEq, Eq)]
enum Due {
    Stop,
    Archive,
    Delete,
}

/// Whether `minutes` "minutes" of `minute_ms` ms each have passed between `since_ms` and
/// `now`. Checked arithmetic throughout: an interval too long to count in ms is never due, and
/// no clock value or interval can wrap around into an early deadline.
fn elapsed(since_ms: i64, now: i64, minutes: i64, minute_ms: i64) -> bool {
    match minutes.checked_mul(minute_ms) {
        Some(interval_ms) => now.saturating_sub(since_ms) >= interval_ms,
        None => false,
    }
}

fn due(minute_ms: i64, rec: &crate::store::record::SandboxRecord, now: i64) -> Option<Due> {
    // Its TTL ended: deleted whatever its state.
    if rec.destroy_ms.is_some_and(|at| now >= at) && rec.state() != SandboxState::Destroying {
        return Some(Due::Delete);
    }
    match rec.state() {
        SandboxState::Started => {
            let stop_after = rec.dto.auto_stop_interval.filter(|&m| m > 0)?;
            elapsed(rec.last_activity_ms, now, stop_after, minute_ms).then_some(Due::Stop)
        }
        SandboxState::Stopped => {
            let stopped_ms = rec.stopped_ms?;
            if let Some(delete_after) = rec.dto.auto_delete_interval.filter(|&m| m >= 0) {
                if elapsed(stopped_ms, now, delete_after, minute_ms) {
                    return Some(Due::Delete);
                }
            }
            let archive_after = rec.dto.auto_archive_interval.filter(|&m| m > 0)?;
            elapsed(stopped_ms, now, archive_after, minute_ms).then_some(Due::Archive)
        }
        _ => None,
    }
}

/// Checks every sandbox about once per (scaled) second, forever. Each action runs in its own
/// task, so one slow sandbox (a stop waits for its grace period) never delays the others.
pub async fn run(st: Arc<AppState>) {
    let tick = Duration::from_millis((st.minute_ms / 60).clamp(50, 1000) as u64);
    let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
    loop {
        tokio::time::sleep(tick).await;
        let now = crate::time::now_ms();
        for rec in st.all() {
            let id = rec.dto.id.clone();
            let crashed =
                matches!(rec.state(), SandboxState::Started | SandboxState::Paused) && !st.runtime.is_running(&id);
            let due = if crashed { None } else { due(st.minute_ms, &rec, now) };
            if (!crashed && due.is_none()) || !in_flight.lock().insert(id.clone()) {
                continue;
            }
            let (st, in_flight) = (Arc::clone(&st), Arc::clone(&in_flight));
            tokio::spawn(async move {
                let result = match due {
                    _ if crashed => {
                        st.mark_crashed(&id).await;
                        Ok(())
                    }
                    Some(Due::Stop) => st.stop_sandbox(&id, false).await.map(drop),
                    Some(Due::Archive) => st.archive_sandbox(&id).await.map(drop),
                    Some(Due::Delete) => st.delete_sandbox(&id).await.map(drop),
                    None => Ok(()),
                };
                if let Err(e) = result {
                    tracing::warn!("auto-lifecycle of sandbox {id}: {e}");
                }
                in_flight.lock().remove(&id);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::elapsed;

    const MINUTE_MS: i64 = 60_000;

    #[test]
    fn intervals_never_wrap_into_early_deadlines() {
        let now = 1_700_000_000_000;
        // 2^59 + 1 minutes is 1 minute once multiplied by 60 000 in wrapping arithmetic.
        assert!(!elapsed(now - 2 * MINUTE_MS, now, 576_460_752_303_423_489, MINUTE_MS));
        assert!(!elapsed(now - 2 * MINUTE_MS, now, i64::MAX, MINUTE_MS));
        assert!(!elapsed(i64::MIN, now, i64::MAX, MINUTE_MS));
        assert!(!elapsed(i64::MIN, i64::MAX, i64::MAX, 2));
        assert!(!elapsed(0, now, 1, i64::MAX));
        assert!(!elapsed(now, now, 1, i64::MAX));
        // A clock far in the past or future saturates instead of wrapping.
        assert!(elapsed(i64::MIN, i64::MAX, 1, MINUTE_MS));
        assert!(!elapsed(i64::MAX, i64::MIN, 1, MINUTE_MS));
    }

    #[test]
    fn ordinary_intervals_are_counted_in_minutes() {
        let now = 1_700_000_000_000;
        assert!(elapsed(now - MINUTE_MS, now, 1, MINUTE_MS));
        assert!(!elapsed(now - MINUTE_MS + 1, now, 1, MINUTE_MS));
        assert!(elapsed(now, now, 0, MINUTE_MS));
        let max = crate::control::lifecycle::MAX_INTERVAL_MINUTES;
        assert!(!elapsed(now - 1000 * MINUTE_MS, now, max, MINUTE_MS));
        assert!(elapsed(now - max * MINUTE_MS, now, max, MINUTE_MS));
    }
}
