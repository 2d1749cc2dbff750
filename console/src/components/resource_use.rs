//! The "Resource use" card of the overview: the sandbox's CPU, memory and disk use
//! (`GET /system/metrics`), sampled every few seconds while the page is open, with the last
//! minutes of CPU and memory drawn as lines. Reading metrics is no activity: an open page
//! does not keep the sandbox from stopping.

use std::collections::VecDeque;
use std::time::Duration;

use daytona_wasm::models::{SandboxState, SystemMetrics};
use leptos::prelude::*;

use crate::components::error_alert::ErrorAlert;
use crate::current_sandbox::use_current_sandbox;
use crate::polling::use_interval;
use crate::task::Task;

/// How often the card samples.
const PERIOD: Duration = Duration::from_secs(3);
/// Samples drawn (3 minutes).
const HISTORY: usize = 60;

/// `bytes` in GiB or MiB, one decimal.
fn size(bytes: u64) -> String {
    const GIB: f64 = (1u64 << 30) as f64;
    const MIB: f64 = (1u64 << 20) as f64;
    let b = bytes as f64;
    if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else {
        format!("{:.0} MiB", b / MIB)
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 100.0).clamp(0.0, 100.0)
    }
}

/// SVG polyline points of `values` (percent) in a 100 × 30 box, newest on the right.
fn points(values: impl Iterator<Item = f64>) -> String {
    let step = 100.0 / (HISTORY - 1) as f64;
    let values: Vec<f64> = values.collect();
    let start = HISTORY.saturating_sub(values.len());
    values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", (start + i) as f64 * step, 30.0 - v.clamp(0.0, 100.0) * 0.3))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One meter: a label, a bar and the figures.
#[component]
fn Meter(label: &'static str, pct: Signal<f64>, detail: Signal<String>, class: &'static str) -> impl IntoView {
    view! {
        <div class=format!("meter {class}")>
            <div class="meter-head">
                <span>{label}</span>
                <span class="mono">{move || detail.get()}</span>
            </div>
            <div
                class="meter-bar"
                role="meter"
                aria-label=label
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || format!("{:.0}", pct.get())
            >
                <div class="meter-fill" style=move || format!("width: {:.1}%", pct.get())></div>
            </div>
        </div>
    }
}

/// The resource use card.
#[component]
pub fn ResourceUse() -> impl IntoView {
    let current = use_current_sandbox();
    let latest = RwSignal::new(None::<SystemMetrics>);
    let history = RwSignal::new(VecDeque::<(f64, f64)>::new());
    let sample = Task::new();
    let started = move || current.state() == SandboxState::Started;
    let tick = move || {
        if !started() || sample.busy_untracked() {
            return;
        }
        let Ok(sandbox) = current.sandbox() else { return };
        sample.latest(async move { sandbox.get_metrics_latest().await }, move |m| {
            history.update(|h| {
                h.push_back((m.cpu_used_pct, percent(m.mem_used, m.mem_total)));
                while h.len() > HISTORY {
                    h.pop_front();
                }
            });
            latest.set(Some(m));
        });
    };
    Effect::new(move |_| {
        if started() {
            tick();
        }
    });
    use_interval(PERIOD, tick);

    let with = move |f: fn(&SystemMetrics) -> (f64, String)| {
        Signal::derive(move || latest.with(|m| m.as_ref().map(f)).unwrap_or((0.0, "—".into())))
    };
    let cpu = with(|m| {
        (
            m.cpu_used_pct,
            format!("{:.0}% of {} core{}", m.cpu_used_pct, m.cpu_count, if m.cpu_count == 1 { "" } else { "s" }),
        )
    });
    let mem = with(|m| (percent(m.mem_used, m.mem_total), format!("{} / {}", size(m.mem_used), size(m.mem_total))));
    let disk =
        with(|m| (percent(m.disk_used, m.disk_total), format!("{} / {}", size(m.disk_used), size(m.disk_total))));
    let pct = |s: Signal<(f64, String)>| Signal::derive(move || s.get().0);
    let detail = |s: Signal<(f64, String)>| Signal::derive(move || s.get().1);

    view! {
        <section class="card resource-use">
            <h2>"Resource use"</h2>
            <Show when=started fallback=|| view! { <p class="muted">"Shown while the sandbox runs."</p> }>
                <Meter label="CPU" pct=pct(cpu) detail=detail(cpu) class="cpu"/>
                <Meter label="Memory" pct=pct(mem) detail=detail(mem) class="mem"/>
                <Meter label="Disk" pct=pct(disk) detail=detail(disk) class="disk"/>
                <svg class="usage-chart" viewBox="0 0 100 30" preserveAspectRatio="none" role="img"
                    aria-label="CPU and memory over the last minutes">
                    <polyline class="line-cpu" points=move || history.with(|h| points(h.iter().map(|s| s.0)))/>
                    <polyline class="line-mem" points=move || history.with(|h| points(h.iter().map(|s| s.1)))/>
                </svg>
                <p class="chart-legend muted">
                    <span class="key-cpu">"CPU"</span>
                    " and "
                    <span class="key-mem">"memory"</span>
                    " over the last 3 minutes"
                </p>
            </Show>
            <ErrorAlert error=Signal::derive(move || sample.error())/>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_shares_read_as_people_say_them() {
        assert_eq!(size(1 << 30), "1.0 GiB");
        assert_eq!(size(300 << 20), "300 MiB");
        assert_eq!(percent(1, 4), 25.0);
        assert_eq!(percent(5, 0), 0.0);
        assert_eq!(points([0.0, 100.0].into_iter()), format!("{:.1},30.0 100.0,0.0", 100.0 / 59.0 * 58.0));
    }
}
