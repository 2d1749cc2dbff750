//! The "Resource use" card of the overview: the sandbox's CPU, memory and disk use now
//! (`GET /system/metrics`, every few seconds while the page is open) and CPU and memory drawn
//! over a chosen range (3 minutes, an hour, a day): the server's history
//! (`getMetrics`) when the card opens or the range changes, then each new sample added.
//! Reading metrics is no activity: an open page does not keep the sandbox from stopping.

use std::time::Duration;

use daytona_wasm::models::{SandboxMetrics, SandboxState, SystemMetrics};
use leptos::prelude::*;

use crate::components::error_alert::ErrorAlert;
use crate::current_sandbox::use_current_sandbox;
use crate::polling::use_interval;
use crate::task::Task;

/// How often the card samples.
const PERIOD: Duration = Duration::from_secs(3);

/// The ranges the chart can show: label, length in ms.
const RANGES: [(&str, f64); 3] = [("3 minutes", 180e3), ("hour", 3600e3), ("day", 86_400e3)];

/// One point of the chart: when (ms since the epoch), CPU and memory in percent.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Point {
    at: f64,
    cpu: f64,
    mem: f64,
}

impl Point {
    fn of_sample(m: &SandboxMetrics) -> Self {
        let mem = if m.mem_total > 0.0 { (m.mem_used / m.mem_total * 100.0).clamp(0.0, 100.0) } else { 0.0 };
        Self { at: js_sys::Date::parse(&m.timestamp), cpu: m.cpu_used_pct, mem }
    }

    fn of_latest(m: &SystemMetrics) -> Self {
        Self { at: m.timestamp_unix as f64 * 1000.0, cpu: m.cpu_used_pct, mem: percent(m.mem_used, m.mem_total) }
    }
}

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

/// SVG polyline points of `value` of `points` in a 100 × 30 box spanning the `range` ms up to
/// `now`, or from the oldest point when the history is shorter (older points left out).
fn polyline(points: &[Point], now: f64, range: f64, value: fn(&Point) -> f64) -> String {
    let shown: Vec<&Point> = points.iter().filter(|p| p.at >= now - range).collect();
    let start = shown.first().map_or(now - range, |p| p.at);
    let span = (now - start).max(1.0);
    shown
        .iter()
        .map(|p| {
            let x = ((p.at - start) / span * 100.0).clamp(0.0, 100.0);
            format!("{x:.2},{:.1}", 30.0 - value(p).clamp(0.0, 100.0) * 0.3)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One meter: a label, a bar and the figures (also the dashboard's organization usage).
#[component]
pub fn Meter(label: &'static str, pct: Signal<f64>, detail: Signal<String>, class: &'static str) -> impl IntoView {
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
    let points = RwSignal::new(Vec::<Point>::new());
    let range = RwSignal::new(RANGES[0].1);
    let now = RwSignal::new(js_sys::Date::now());
    let sample = Task::new();
    let load = Task::new();
    let started = move || current.state() == SandboxState::Started;
    // The history of the range, when the card opens and when the range changes.
    Effect::new(move |_| {
        let range = range.get();
        if !started() {
            return;
        }
        let Ok(sandbox) = current.sandbox() else { return };
        let from = String::from(js_sys::Date::new(&(js_sys::Date::now() - range).into()).to_iso_string());
        load.latest(async move { sandbox.get_metrics(Some(&from), None).await }, move |samples| {
            let mut loaded: Vec<Point> = samples.iter().map(Point::of_sample).collect();
            // Live samples taken meanwhile stay.
            let last = loaded.last().map_or(f64::MIN, |p| p.at);
            points.with_untracked(|p| loaded.extend(p.iter().filter(|p| p.at > last)));
            points.set(loaded);
        });
    });
    let tick = move || {
        if !started() || sample.busy_untracked() {
            return;
        }
        let Ok(sandbox) = current.sandbox() else { return };
        sample.latest(async move { sandbox.get_metrics_latest().await }, move |m| {
            let point = Point::of_latest(&m);
            let oldest = point.at - RANGES[RANGES.len() - 1].1;
            points.update(|p| {
                p.retain(|q| q.at >= oldest && q.at < point.at);
                p.push(point);
            });
            now.set(point.at);
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
                    aria-label="CPU and memory over time">
                    <polyline class="line-cpu" points=move || points.with(|p| polyline(p, now.get(), range.get(), |p| p.cpu))/>
                    <polyline class="line-mem" points=move || points.with(|p| polyline(p, now.get(), range.get(), |p| p.mem))/>
                </svg>
                <p class="chart-legend muted">
                    <span class="key-cpu">"CPU"</span>
                    " and "
                    <span class="key-mem">"memory"</span>
                    " over the last "
                    <select
                        class="chart-range"
                        aria-label="Chart range"
                        on:change=move |ev| {
                            let label = event_target_value(&ev);
                            if let Some((_, ms)) = RANGES.iter().find(|(l, _)| *l == label) {
                                range.set(*ms);
                            }
                        }
                    >
                        {RANGES.iter().map(|(label, _)| view! { <option value=*label>{*label}</option> }).collect_view()}
                    </select>
                    {move || {
                        let (now, range) = (now.get(), range.get());
                        points
                            .with(|p| p.iter().find(|p| p.at >= now - range).map(|p| p.at))
                            .filter(|first| *first > now - range + 2.0 * PERIOD.as_millis() as f64)
                            .map(|first| {
                                let since = js_sys::Date::new(&first.into()).to_locale_time_string("en-GB");
                                format!(" (sampled since {})", String::from(since))
                            })
                    }}
                </p>
            </Show>
            <ErrorAlert error=Signal::derive(move || sample.error().or_else(|| load.error()))/>
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
        let at = |at, cpu| Point { at, cpu, mem: 50.0 };
        let line = polyline(&[at(0.0, 0.0), at(500.0, 100.0), at(1000.0, 40.0)], 1000.0, 500.0, |p| p.cpu);
        assert_eq!(line, "0.00,0.0 100.00,18.0", "points older than the range are left out");
        let short = polyline(&[at(900.0, 0.0), at(1000.0, 100.0)], 1000.0, 3600e3, |p| p.cpu);
        assert_eq!(short, "0.00,30.0 100.00,0.0", "a history shorter than the range fills the chart");
    }
}
