//! Organizations: who owns sandboxes, what one sandbox may ask for, and what the
//! organization's sandboxes use of its quotas (`GET /organizations`,
//! `GET /organizations/{organizationId}`, `GET /organizations/{organizationId}/usage`).
//! Numbers are JSON numbers (`number` in Daytona's API): cores, GiB, counts. Fields some
//! versions of Daytona's API leave out read as their defaults.

use serde::{Deserialize, Serialize};

/// An organization as the control plane describes it (`Organization`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Unique id (what sandboxes name as `organizationId`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The user who created it.
    #[serde(default)]
    pub created_by: String,
    /// Whether it is a user's personal organization.
    #[serde(default)]
    pub personal: bool,
    /// Creation time (ISO 8601).
    #[serde(default)]
    pub created_at: String,
    /// Last change (ISO 8601).
    #[serde(default)]
    pub updated_at: String,
    /// Whether it is suspended (no sandbox starts).
    #[serde(default)]
    pub suspended: bool,
    /// When it was suspended (ISO 8601).
    #[serde(default)]
    pub suspended_at: Option<String>,
    /// Why it was suspended.
    #[serde(default)]
    pub suspension_reason: Option<String>,
    /// Until when it is suspended (ISO 8601).
    #[serde(default)]
    pub suspended_until: Option<String>,
    /// Hours a suspended organization's sandboxes are kept.
    #[serde(default)]
    pub suspension_cleanup_grace_period_hours: f64,
    /// Most CPU cores of one sandbox.
    pub max_cpu_per_sandbox: f64,
    /// Most memory (GiB) of one sandbox.
    pub max_memory_per_sandbox: f64,
    /// Most disk (GiB) of one sandbox.
    pub max_disk_per_sandbox: f64,
    /// Most secrets of the organization.
    #[serde(default)]
    pub secret_quota: f64,
    /// Most secrets one sandbox may use.
    #[serde(default)]
    pub max_secrets_per_sandbox: f64,
    /// Minutes before an unused snapshot is deactivated.
    #[serde(default)]
    pub snapshot_deactivation_timeout_minutes: f64,
    /// Whether sandboxes' outbound network is limited.
    #[serde(default)]
    pub sandbox_limited_network_egress: bool,
    /// Whether previews open behind a warning page.
    #[serde(default)]
    pub preview_warning_enabled: bool,
    /// Whether single sign-on is on.
    #[serde(default)]
    pub sso_enabled: bool,
    /// Region of sandboxes that name none.
    #[serde(default)]
    pub default_region_id: Option<String>,
    /// Requests per window of an authenticated client (`None`: the platform's default).
    #[serde(default)]
    pub authenticated_rate_limit: Option<f64>,
    /// Sandbox creations per window.
    #[serde(default)]
    pub sandbox_create_rate_limit: Option<f64>,
    /// Lifecycle calls per window.
    #[serde(default)]
    pub sandbox_lifecycle_rate_limit: Option<f64>,
    /// Experimental settings.
    #[serde(default)]
    pub experimental_config: serde_json::Value,
    /// Where sandboxes' telemetry is exported.
    #[serde(default)]
    pub otel_config: Option<serde_json::Value>,
    /// Window (seconds) of `authenticatedRateLimit`.
    #[serde(default)]
    pub authenticated_rate_limit_ttl_seconds: Option<f64>,
    /// Window (seconds) of `sandboxCreateRateLimit`.
    #[serde(default)]
    pub sandbox_create_rate_limit_ttl_seconds: Option<f64>,
    /// Window (seconds) of `sandboxLifecycleRateLimit`.
    #[serde(default)]
    pub sandbox_lifecycle_rate_limit_ttl_seconds: Option<f64>,
}

/// What names an [`Organization`] and its default region: the same JSON read for these two
/// fields only (a client that needs no more carries no code for the rest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationRef {
    /// Unique id.
    pub id: String,
    /// Region of sandboxes that name none.
    #[serde(default)]
    pub default_region_id: Option<String>,
}

/// What an organization's sandboxes use of its quotas (`OrganizationUsageOverview`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationUsageOverview {
    /// CPU, memory and disk per region.
    pub region_usage: Vec<RegionUsageOverview>,
    /// Most snapshots.
    pub total_snapshot_quota: f64,
    /// Snapshots now.
    pub current_snapshot_usage: f64,
    /// Most volumes.
    pub total_volume_quota: f64,
    /// Volumes now.
    pub current_volume_usage: f64,
}

/// CPU, memory and disk of one region: its quotas, what is in use, and what one sandbox may
/// ask for (`RegionUsageOverview`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionUsageOverview {
    /// The region (a sandbox's `target`).
    pub region_id: String,
    /// The class of sandboxes counted (`container`, `linux-vm`, …).
    pub sandbox_class: String,
    /// Most CPU cores of the organization's started sandboxes together.
    pub total_cpu_quota: f64,
    /// CPU cores of its running sandboxes (and those starting or stopping).
    pub current_cpu_usage: f64,
    /// Most memory (GiB) of its started sandboxes together.
    pub total_memory_quota: f64,
    /// Memory (GiB) of its running sandboxes (and those starting or stopping).
    pub current_memory_usage: f64,
    /// Most disk (GiB) of its sandboxes together.
    pub total_disk_quota: f64,
    /// Disk (GiB) of its sandboxes that keep one.
    pub current_disk_usage: f64,
    /// Most GPUs.
    #[serde(default)]
    pub total_gpu_quota: f64,
    /// GPUs in use.
    #[serde(default)]
    pub current_gpu_usage: f64,
    /// GPU types a sandbox may ask for.
    #[serde(default)]
    pub allowed_gpu_types: Vec<String>,
    /// Most CPU cores of one sandbox.
    #[serde(default)]
    pub max_cpu_per_sandbox: Option<f64>,
    /// Most memory (GiB) of one sandbox.
    #[serde(default)]
    pub max_memory_per_sandbox: Option<f64>,
    /// Most disk (GiB) of one sandbox.
    #[serde(default)]
    pub max_disk_per_sandbox: Option<f64>,
    /// Most disk (GiB) of one sandbox that is not ephemeral.
    #[serde(default)]
    pub max_disk_per_non_ephemeral_sandbox: Option<f64>,
    /// Most CPU cores per GPU of a GPU sandbox.
    #[serde(default)]
    pub max_cpu_per_gpu: Option<f64>,
    /// Most memory (GiB) per GPU of a GPU sandbox.
    #[serde(default)]
    pub max_memory_per_gpu: Option<f64>,
    /// Most disk (GiB) per GPU of a GPU sandbox.
    #[serde(default)]
    pub max_disk_per_gpu: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organization_reads_as_its_ref() {
        let json = serde_json::json!({
            "id": "org-1", "name": "Team", "maxCpuPerSandbox": 4, "maxMemoryPerSandbox": 8,
            "maxDiskPerSandbox": 10, "defaultRegionId": "eu", "experimentalConfig": {"a": 1},
        });
        let full: Organization = serde_json::from_value(json.clone()).unwrap();
        let light: OrganizationRef = serde_json::from_value(json).unwrap();
        assert_eq!((light.id.as_str(), light.default_region_id.as_deref()), ("org-1", Some("eu")));
        assert_eq!((full.id, full.default_region_id), (light.id, light.default_region_id));
        let none: OrganizationRef = serde_json::from_value(serde_json::json!({"id": "o"})).unwrap();
        assert_eq!(none.default_region_id, None);
    }
}
