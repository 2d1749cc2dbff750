//! Auto-stop, auto-archive and auto-delete, enforced by the server's own clock; also notices
//! sandboxes whose jail died on its own.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use daytona_models::SandboxState;

use super::state::AppState;

/// What a sandbox's intervals call for now, if anything.
#[derive(Debug, PartialEq, Eq)]
enum Due {
    Stop,
    Archive,
    Delete,
}

fn due(st: &AppState, rec: &super::record::SandboxRecord, now: i64) -> Option<Due> {
    let minutes = |m: Option<i64>| m.map(|m| m * st.minute_ms);
    match rec.state() {
        SandboxState::Started => {
            let stop_after = minutes(rec.dto.auto_stop_interval).filter(|&ms| ms > 0)?;
            (now - rec.last_activity_ms >= stop_after).then_some(Due::Stop)
        }
        SandboxState::Stopped => {
            let stopped_for = now - rec.stopped_ms?;
            if let Some(delete_after) = minutes(rec.dto.auto_delete_interval).filter(|&ms| ms >= 0) {
                if stopped_for >= delete_after {
                    return Some(Due::Delete);
                }
            }
            let archive_after = minutes(rec.dto.auto_archive_interval).filter(|&ms| ms > 0)?;
            (stopped_for >= archive_after).then_some(Due::Archive)
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
            let crashed = rec.state() == SandboxState::Started && !st.runtime.is_running(&id);
            let due = if crashed { None } else { due(&st, &rec, now) };
            if (!crashed && due.is_none()) || !in_flight.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone()) {
                continue;
            }
            let (st, in_flight) = (Arc::clone(&st), Arc::clone(&in_flight));
            tokio::spawn(async move {
                let result = match due {
                    _ if crashed => Ok(st.mark_crashed(&id).await),
                    Some(Due::Stop) => st.stop_sandbox(&id, false).await.map(drop),
                    Some(Due::Archive) => st.archive_sandbox(&id).await.map(drop),
                    Some(Due::Delete) => st.delete_sandbox(&id).await.map(drop),
                    None => Ok(()),
                };
                if let Err(e) = result {
                    tracing::warn!("auto-lifecycle of sandbox {id}: {e}");
                }
                in_flight.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
            });
        }
    }
}
