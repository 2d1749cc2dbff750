//! Control-plane request bodies: create, resize, labels.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::SandboxVolume;

/// Body of `POST /sandbox` (`CreateSandbox`). Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
pub struct CreateSandbox {
    /// Unique name; defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub name: Option<String>,
    /// Snapshot id or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub snapshot: Option<String>,
    /// OS user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub user: Option<String>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub env: Option<BTreeMap<String, String>>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub labels: Option<BTreeMap<String, String>>,
    /// Public preview URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub public: Option<bool>,
    /// Block all network access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub network_block_all: Option<bool>,
    /// Allowed CIDRs, comma separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub network_allow_list: Option<String>,
    /// Expose KVM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub kvm: Option<bool>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub target: Option<String>,
    /// CPU cores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub cpu: Option<i64>,
    /// GPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub gpu: Option<i64>,
    /// Memory in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub memory: Option<i64>,
    /// Disk in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub disk: Option<i64>,
    /// Minutes of inactivity before auto-stop (0 = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_stop_interval: Option<i64>,
    /// Minutes stopped before auto-archive (0 = the maximum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_archive_interval: Option<i64>,
    /// Minutes stopped before auto-delete (negative = never, 0 = on stop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_delete_interval: Option<i64>,
    /// Minutes from creation after which the sandbox is destroyed whatever its state (0 or
    /// none = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub ttl_minutes: Option<i64>,
    /// Volumes to mount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub volumes: Option<Vec<SandboxVolume>>,
    /// A declarative image to build and run, instead of a snapshot. Only read: the SDK adds it
    /// to the body when it sends one (`Daytona::create_with`), so that a `create` without one
    /// carries no encoder for it.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub build_info: Option<crate::BuildInfo>,
}

/// Body of `POST /sandbox/{id}/resize`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ResizeSandbox {
    /// New CPU cores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub cpu: Option<i64>,
    /// New memory in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub memory: Option<i64>,
    /// New disk in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub disk: Option<i64>,
}

/// Body of `POST /sandbox/{id}/snapshot`: a snapshot of the sandbox's files, to make
/// sandboxes from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSandboxSnapshot {
    /// The snapshot's name.
    pub name: String,
    /// Whether the memory of what it runs is kept too (daytona-local refuses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_memory: Option<bool>,
}

/// Body of `POST /sandbox/{id}/fork`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForkSandbox {
    /// The fork's name (its id when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Body and answer of `PUT /sandbox/{id}/labels` (replaces every label).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
pub struct SandboxLabels {
    /// The complete label set.
    pub labels: BTreeMap<String, String>,
}

/// Optional body of `POST /sandbox/{id}/last-activity`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateLastActivity {
    /// What kind of activity it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<String>,
}

/// Body of `POST /sandbox/{id}/network-settings`: a sandbox's network rules, changed while it
/// runs where that is possible.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct NetworkSettings {
    /// No network at all but the sandbox's own loopback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub network_block_all: Option<bool>,
    /// The only networks it may reach (comma-separated CIDRs; empty: anywhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub network_allow_list: Option<String>,
    /// The only domains it may reach (not enforced by daytona-local: refused unless empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub domain_allow_list: Option<String>,
}
