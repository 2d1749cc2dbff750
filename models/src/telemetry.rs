//! A sandbox's resource-use history: `GET /sandbox/{id}/telemetry/metrics?from&to&metricNames`
//! answers series of named metrics, which the SDKs' `getMetrics` turns into samples.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One value of a metric at one time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricDataPoint {
    /// When measured (ISO 8601).
    pub timestamp: String,
    /// The value.
    pub value: f64,
}

/// The values of one metric over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricSeries {
    /// One of [`SANDBOX_METRIC_NAMES`].
    pub metric_name: String,
    /// Oldest first.
    pub data_points: Vec<MetricDataPoint>,
}

/// Answer of `GET /sandbox/{id}/telemetry/metrics`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsResponse {
    /// One series per metric asked for that has values.
    pub series: Vec<MetricSeries>,
}

/// One sample of a sandbox's resource use (what `getMetrics` lists, oldest first).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SandboxMetrics {
    /// CPU cores the sandbox may use.
    pub cpu_count: f64,
    /// CPU used since the sample before, percent of `cpu_count` cores.
    pub cpu_used_pct: f64,
    /// Memory the sandbox may use, bytes.
    pub mem_total: f64,
    /// Memory in use, page cache excluded, bytes.
    pub mem_used: f64,
    /// Page cache, bytes.
    pub mem_cache: f64,
    /// Size of its disk, bytes.
    pub disk_total: f64,
    /// Used of its disk, bytes.
    pub disk_used: f64,
    /// When measured (ISO 8601).
    pub timestamp: String,
}

/// The metric names of a sandbox's resource use, as Daytona's telemetry names them.
pub const SANDBOX_METRIC_NAMES: [&str; 7] = [
    "daytona.sandbox.cpu.utilization",
    "daytona.sandbox.cpu.limit",
    "daytona.sandbox.memory.usage",
    "daytona.sandbox.memory.limit",
    "daytona.sandbox.memory.cache",
    "daytona.sandbox.filesystem.usage",
    "daytona.sandbox.filesystem.total",
];

impl SandboxMetrics {
    /// Its values, in the order of [`SANDBOX_METRIC_NAMES`].
    fn values_mut(&mut self) -> [&mut f64; 7] {
        [
            &mut self.cpu_used_pct,
            &mut self.cpu_count,
            &mut self.mem_used,
            &mut self.mem_total,
            &mut self.mem_cache,
            &mut self.disk_used,
            &mut self.disk_total,
        ]
    }

    /// The field metric `name` (one of [`SANDBOX_METRIC_NAMES`]) is kept in.
    fn field(&mut self, name: &str) -> Option<&mut f64> {
        let slot = SANDBOX_METRIC_NAMES.iter().position(|n| *n == name)?;
        self.values_mut().into_iter().nth(slot)
    }

    /// The value of metric `name`, if it is one of [`SANDBOX_METRIC_NAMES`].
    pub fn value(&self, name: &str) -> Option<f64> {
        // Its numbers, without copying the timestamp.
        let mut numbers = Self { timestamp: String::new(), ..*self };
        numbers.field(name).map(|v| *v)
    }
}

impl MetricsResponse {
    /// The series of `names` (the known ones, in the order asked) over `samples`.
    pub fn of_samples<'a>(samples: &[SandboxMetrics], names: impl IntoIterator<Item = &'a str>) -> Self {
        let series = names
            .into_iter()
            .filter(|name| SANDBOX_METRIC_NAMES.contains(name))
            .map(|name| MetricSeries {
                metric_name: name.to_owned(),
                data_points: samples
                    .iter()
                    .filter_map(|s| Some(MetricDataPoint { timestamp: s.timestamp.clone(), value: s.value(name)? }))
                    .collect(),
            })
            .filter(|s| !s.data_points.is_empty())
            .collect();
        Self { series }
    }

    /// The series put back together as samples, one per time, oldest first (a metric a
    /// time has no value of reads 0; unknown metrics are skipped).
    pub fn samples(&self) -> Vec<SandboxMetrics> {
        let mut at: BTreeMap<&str, SandboxMetrics> = BTreeMap::new();
        for series in &self.series {
            for point in &series.data_points {
                let sample = at
                    .entry(&point.timestamp)
                    .or_insert_with(|| SandboxMetrics { timestamp: point.timestamp.clone(), ..Default::default() });
                if let Some(field) = sample.field(&series.metric_name) {
                    *field = point.value;
                }
            }
        }
        at.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_survive_the_trip_through_series() {
        let samples: Vec<SandboxMetrics> = (0..3)
            .map(|i| SandboxMetrics {
                cpu_count: 2.0,
                cpu_used_pct: 10.0 * i as f64,
                mem_total: 1024.0,
                mem_used: 100.0 + i as f64,
                mem_cache: 5.0,
                disk_total: 4096.0,
                disk_used: 7.0,
                timestamp: format!("2026-12-05T10:00:0{i}.000Z"),
            })
            .collect();
        let response = MetricsResponse::of_samples(&samples, SANDBOX_METRIC_NAMES);
        assert_eq!(response.series.len(), 7);
        assert_eq!(response.samples(), samples);
        let cpu_only = MetricsResponse::of_samples(&samples, ["daytona.sandbox.cpu.utilization", "unknown"]);
        assert_eq!(cpu_only.series.len(), 1);
        assert_eq!(cpu_only.samples()[2].cpu_used_pct, 20.0);
        assert_eq!(cpu_only.samples()[2].mem_used, 0.0);
    }
}
