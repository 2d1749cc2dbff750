//! The toolbox's `GET /system/metrics`, answered by the server: a sandbox has no view of its
//! own cgroup, so its CPU and memory use come from the kernel's counters of its group on the
//! host, its disk use from its disk's filesystem. CPU use is averaged over the window between
//! two requests (at least [`MIN_WINDOW`]; the first request samples that long).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use daytona_models::SystemMetrics;
use parking_lot::Mutex;

use crate::app::state::AppState;
use crate::store::record::SandboxRecord;

/// Shortest window CPU use is averaged over.
const MIN_WINDOW: Duration = Duration::from_millis(250);

/// The last CPU sample of each sandbox, and the use it gave.
#[derive(Default)]
pub struct CpuSamples {
    last: Mutex<HashMap<String, (Instant, u64, f64)>>,
}

impl CpuSamples {
    /// CPU use of sandbox `id` since its previous sample, percent of `cores` cores.
    async fn used_pct(&self, st: &AppState, id: &str, cores: u32) -> f64 {
        let sample = || st.runtime.usage(id).and_then(|u| u.cpu_ns).map(|ns| (Instant::now(), ns));
        let Some(mut now) = sample() else { return 0.0 };
        let previous = self.last.lock().get(id).copied();
        let (then, then_ns, last_pct) = match previous {
            Some(p) if now.0.duration_since(p.0) < MIN_WINDOW => return p.2,
            Some(p) => p,
            None => {
                tokio::time::sleep(MIN_WINDOW).await;
                let first = now;
                now = sample().unwrap_or(first);
                (first.0, first.1, 0.0)
            }
        };
        let wall = now.0.duration_since(then).as_nanos() as f64;
        let pct = match wall > 0.0 {
            true => (now.1.saturating_sub(then_ns) as f64 / (wall * cores.max(1) as f64) * 100.0).clamp(0.0, 100.0),
            false => last_pct,
        };
        self.last.lock().insert(id.to_owned(), (now.0, now.1, pct));
        pct
    }

    /// Forgets sandbox `id` (deleted).
    pub fn forget(&self, id: &str) {
        self.last.lock().remove(id);
    }
}

/// The metrics of sandbox `rec` now.
pub async fn system_metrics(st: &AppState, rec: &SandboxRecord) -> SystemMetrics {
    let id = &rec.dto.id;
    let cores = u32::try_from(rec.dto.cpu.max(1)).unwrap_or(1);
    let cpu_used_pct = st.cpu_samples.used_pct(st, id, cores).await;
    let usage = st.runtime.usage(id).unwrap_or_default();
    let cache = usage.cache.unwrap_or(0);
    let (disk_total, disk_used, disk_free) = st.runtime.disk_usage(id).unwrap_or((0, 0, 0));
    let now = crate::time::now_ms();
    SystemMetrics {
        cpu_count: cores,
        cpu_used_pct: (cpu_used_pct * 100.0).round() / 100.0,
        mem_total: u64::try_from(rec.dto.memory.max(1)).unwrap_or(1) << 30,
        mem_used: usage.memory.unwrap_or(0).saturating_sub(cache),
        mem_cache: cache,
        disk_total,
        disk_used,
        disk_free,
        timestamp: crate::time::iso(now),
        timestamp_unix: now / 1000,
    }
}
