//! A sandbox's resource-use history (`getMetrics`): every started sandbox is sampled every
//! `--metrics-interval` seconds (the same measure as the toolbox's `GET /system/metrics`) and
//! its last [`MAX_SAMPLES`] samples are kept in memory (a restart of the server starts the
//! history again), served as Daytona's
//! `GET /sandbox/{id}/telemetry/metrics?from&to&metricNames`. Sampling is not activity: it
//! never keeps a sandbox from stopping.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use daytona_models::{MetricsResponse, SandboxMetrics, SandboxState, SystemMetrics, SANDBOX_METRIC_NAMES};
use parking_lot::Mutex;

use crate::app::error::ApiError;
use crate::app::extract::AppPath;
use crate::app::state::AppState;

/// Samples kept per sandbox: a day at the default interval.
pub const MAX_SAMPLES: usize = 5760;

/// The samples of every sandbox, oldest first, each with its time in ms.
#[derive(Default)]
pub struct History {
    samples: Mutex<HashMap<String, VecDeque<(i64, SandboxMetrics)>>>,
}

impl History {
    /// Adds a sample of sandbox `id`, forgetting its oldest beyond [`MAX_SAMPLES`].
    fn push(&self, id: &str, m: &SystemMetrics) {
        let sample = SandboxMetrics {
            cpu_count: f64::from(m.cpu_count),
            cpu_used_pct: m.cpu_used_pct,
            mem_total: m.mem_total as f64,
            mem_used: m.mem_used as f64,
            mem_cache: m.mem_cache as f64,
            disk_total: m.disk_total as f64,
            disk_used: m.disk_used as f64,
            timestamp: m.timestamp.clone(),
        };
        let mut all = self.samples.lock();
        let samples = all.entry(id.to_owned()).or_default();
        if samples.len() == MAX_SAMPLES {
            samples.pop_front();
        }
        let at = chrono::DateTime::parse_from_rfc3339(&m.timestamp)
            .map_or(m.timestamp_unix * 1000, |t| t.timestamp_millis());
        samples.push_back((at, sample));
    }

    /// The samples of sandbox `id` taken from `from_ms` to `to_ms` (inclusive).
    fn between(&self, id: &str, from_ms: i64, to_ms: i64) -> Vec<SandboxMetrics> {
        let all = self.samples.lock();
        let Some(samples) = all.get(id) else { return Vec::new() };
        samples.iter().filter(|(t, _)| (from_ms..=to_ms).contains(t)).map(|(_, s)| s.clone()).collect()
    }

    /// Forgets sandbox `id` (deleted).
    pub fn forget(&self, id: &str) {
        self.samples.lock().remove(id);
    }
}

/// Samples every started sandbox every `every`, for ever.
pub async fn sample(st: Arc<AppState>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for rec in st.all().into_iter().filter(|r| r.state() == SandboxState::Started) {
            let m = crate::proxy::metrics::system_metrics(&st, &rec).await;
            st.metrics_history.push(&rec.dto.id, &m);
        }
    }
}

/// The telemetry routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sandbox/{sb}/telemetry/metrics", get(metrics))
        .route("/sandbox/{sb}/telemetry/{kind}", get(not_collected))
}

/// `GET /sandbox/{id}/telemetry/metrics?from&to[&metricNames…]`: the series asked for (every
/// known one when none is named; `metricNames` repeated or comma-separated; names without
/// values answer no series), oldest point first.
async fn metrics(
    State(st): State<Arc<AppState>>,
    AppPath(sb): AppPath<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<MetricsResponse>, ApiError> {
    let id = st.find(&sb)?.dto.id;
    let (mut from, mut to, mut names) = (None, None, Vec::new());
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            // A `+` of an offset sent unescaped arrives as a space.
            "from" => from = Some(super::list::parse_time("from", &v.replace(' ', "+"))?),
            "to" => to = Some(super::list::parse_time("to", &v.replace(' ', "+"))?),
            "metricNames" | "metricNames[]" => {
                names.extend(super::list::items(&v).map(str::to_owned));
            }
            other => return Err(ApiError::BadRequest(format!("unknown query parameter {other:?}"))),
        }
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::BadRequest("from and to are required (ISO 8601 date and time)".into()));
    };
    if from > to {
        return Err(ApiError::BadRequest("from must not be after to".into()));
    }
    let samples = st.metrics_history.between(&id, from, to);
    let response = match names.is_empty() {
        true => MetricsResponse::of_samples(&samples, SANDBOX_METRIC_NAMES),
        false => MetricsResponse::of_samples(&samples, names.iter().map(String::as_str)),
    };
    Ok(Json(response))
}

/// `GET /sandbox/{id}/telemetry/{logs|traces}`: daytona-local keeps no OpenTelemetry logs or
/// traces; a clear refusal rather than an empty answer that looks like silence.
async fn not_collected(
    State(st): State<Arc<AppState>>,
    AppPath((sb, kind)): AppPath<(String, String)>,
) -> Result<Json<()>, ApiError> {
    st.find(&sb)?;
    Err(ApiError::BadRequest(format!(
        "daytona-local does not collect sandbox {kind}: only telemetry/metrics is served"
    )))
}
