//! `GET /config`: Daytona's client configuration, plus what daytona-local enforces on its host.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// OIDC settings in `GET /config` (unused locally, required by the Python client).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcConfig {
    /// Issuer URL.
    pub issuer: String,
    /// Client id.
    pub client_id: String,
    /// Audience.
    pub audience: String,
    /// Provider name.
    #[serde(default)]
    pub provider: String,
}

/// Answer of `GET /config` (`DaytonaConfiguration`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaytonaConfiguration {
    /// Server version.
    pub version: String,
    /// OIDC settings.
    pub oidc: OidcConfig,
    /// Linked accounts feature flag.
    pub linked_accounts_enabled: bool,
    /// Announcements by key.
    pub announcements: BTreeMap<String, serde_json::Value>,
    /// Template of preview URLs.
    pub proxy_template_url: String,
    /// Base URL of the toolbox proxy.
    pub proxy_toolbox_url: String,
    /// Default snapshot name.
    pub default_snapshot: String,
    /// Dashboard URL.
    pub dashboard_url: String,
    /// Largest auto-archive interval in minutes.
    pub max_auto_archive_interval: i64,
    /// Maintenance mode (Daytona's spelling).
    pub maintanance_mode: bool,
    /// Environment name.
    pub environment: String,
    /// Analytics API (none locally).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_api_url: Option<String>,
    /// The command that opens an SSH session (`ssh -p <port> <token>@<host>` with the token left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_gateway_command: Option<String>,
    /// The SSH gateway's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_gateway_host: Option<String>,
    /// The SSH gateway's port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_gateway_port: Option<u16>,
    /// The SSH gateway's host keys, in OpenSSH's `known_hosts` form (`ssh-ed25519 AAAA…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_gateway_host_keys: Option<Vec<String>>,
    /// Their SHA-256 fingerprints (`SHA256:…`), as `ssh` shows them on first connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_gateway_host_key_fingerprints: Option<Vec<String>>,
    /// daytona-local only: which isolation and limits this host lets it enforce (absent on
    /// Daytona's cloud; official clients ignore it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_isolation: Option<LocalIsolation>,
}

/// What daytona-local enforces on this host: each field is `None` when enforced, else the
/// reason it is not (for example, running as a normal user without cgroup delegation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalIsolation {
    /// CPU, memory and process-count limits (cgroups).
    #[serde(default)]
    pub resource_limits: Option<String>,
    /// `disk` limits (a filesystem of its own per sandbox).
    #[serde(default)]
    pub disk_limits: Option<String>,
    /// A host id range of its own per sandbox (user namespaces).
    #[serde(default)]
    pub identities: Option<String>,
}
