//! The sandbox DTO and its states, as the control plane describes a sandbox.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

wire_enum! {
    /// Lifecycle state of a sandbox (`SandboxState` in Daytona's API).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "ts", derive(tsify::Tsify), serde(rename_all = "snake_case"))]
    pub enum SandboxState ("sandbox state") {
        /// Being created.
        Creating = "creating",
        /// Being restored from an archive.
        Restoring = "restoring",
        /// Gone; no longer listed.
        Destroyed = "destroyed",
        /// Being deleted.
        Destroying = "destroying",
        /// Running; the toolbox answers.
        Started = "started",
        /// Not running; files are kept.
        Stopped = "stopped",
        /// Being started.
        Starting = "starting",
        /// Being stopped.
        Stopping = "stopping",
        /// Failed; see `errorReason`.
        Error = "error",
        /// An image build failed.
        BuildFailed = "build_failed",
        /// Waiting for an image build.
        PendingBuild = "pending_build",
        /// Building a snapshot.
        BuildingSnapshot = "building_snapshot",
        /// State not known.
        Unknown = "unknown",
        /// Pulling its snapshot.
        PullingSnapshot = "pulling_snapshot",
        /// Stopped and moved to cold storage.
        Archived = "archived",
        /// Being archived.
        Archiving = "archiving",
        /// Resources being changed.
        Resizing = "resizing",
        /// A snapshot is being taken.
        Snapshotting = "snapshotting",
        /// Being forked.
        Forking = "forking",
        /// Being paused.
        Pausing = "pausing",
        /// Paused.
        Paused = "paused",
        /// Being resumed.
        Resuming = "resuming",
}
}

impl SandboxState {
    /// Whether a sandbox in this state holds CPU and memory, as an organization's usage counts
    /// them: running, or on its way in or out of running (Daytona's compute-consuming states,
    /// and the transitions of a running sandbox).
    pub fn consumes_compute(self) -> bool {
        matches!(
            self,
            Self::Creating
                | Self::Restoring
                | Self::Started
                | Self::Starting
                | Self::Stopping
                | Self::PendingBuild
                | Self::BuildingSnapshot
                | Self::Unknown
                | Self::PullingSnapshot
                | Self::Resizing
                | Self::Snapshotting
                | Self::Forking
                | Self::Pausing
                | Self::Resuming
        )
    }

    /// Whether a sandbox in this state keeps its disk (all but archived and gone ones).
    pub fn keeps_disk(self) -> bool {
        !matches!(self, Self::Archived | Self::Destroyed | Self::Destroying)
    }
}

wire_enum! {
    /// The state a sandbox is moving towards (`SandboxDesiredState`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[cfg_attr(feature = "ts", derive(tsify::Tsify), serde(rename_all = "snake_case"))]
    pub enum SandboxDesiredState ("desired state") {
        /// To be deleted.
        Destroyed = "destroyed",
        /// To run.
        Started = "started",
        /// To be stopped.
        Stopped = "stopped",
        /// To be resized.
        Resized = "resized",
        /// To be archived.
        Archived = "archived",
        /// To be paused.
        Paused = "paused",
    }
}

/// A volume mounted into a sandbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SandboxVolume {
    /// Volume id.
    pub volume_id: String,
    /// Where it is mounted inside the sandbox.
    pub mount_path: String,
    /// Sub-directory of the volume to mount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub subpath: Option<String>,
}

/// A sandbox as the control plane describes it (`Sandbox` DTO). Also used for list items:
/// `SandboxListItem` is a subset of these fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
// In TypeScript this is `SandboxDto`: `Sandbox` is the SDK's class.
#[cfg_attr(feature = "ts", tsify(hashmap_as_object, rename = "SandboxDto"))]
pub struct Sandbox {
    /// Unique id.
    pub id: String,
    /// Owning organization.
    pub organization_id: String,
    /// Unique name (defaults to the id).
    pub name: String,
    /// Snapshot the sandbox was created from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub snapshot: Option<String>,
    /// OS user inside the sandbox.
    pub user: String,
    /// Environment variables set in the sandbox.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Labels (free-form key/value metadata).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Whether preview URLs are reachable without the sandbox token.
    pub public: bool,
    /// Whether all network access is blocked.
    pub network_block_all: bool,
    /// Whether KVM is exposed (always false here; required by the Python client).
    #[serde(default)]
    pub kvm: bool,
    /// Allowed CIDRs (comma separated) when networking is restricted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub network_allow_list: Option<String>,
    /// Region.
    pub target: String,
    /// CPU cores.
    pub cpu: i64,
    /// GPUs.
    pub gpu: i64,
    /// Memory in GiB.
    pub memory: i64,
    /// Disk in GiB.
    pub disk: i64,
    /// Current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub state: Option<SandboxState>,
    /// State being moved towards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub desired_state: Option<SandboxDesiredState>,
    /// Why the sandbox is in the `error` state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub error_reason: Option<String>,
    /// Whether an errored sandbox can be recovered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub recoverable: Option<bool>,
    /// Backup state (`None` when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub backup_state: Option<String>,
    /// Minutes of inactivity before auto-stop (0 = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_stop_interval: Option<i64>,
    /// Minutes of inactivity before auto-pause (0 = never; daytona-local pauses only when
    /// asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_pause_interval: Option<i64>,
    /// Minutes stopped before auto-archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_archive_interval: Option<i64>,
    /// Minutes stopped before auto-delete (negative = never, 0 = on stop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_delete_interval: Option<i64>,
    /// When the sandbox is destroyed whatever its state (ISO-8601): set by a TTL only
    /// (`ttlMinutes` at create, `POST /sandbox/{id}/ttl/{minutes}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_destroy_at: Option<String>,
    /// Mounted volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub volumes: Option<Vec<SandboxVolume>>,
    /// Creation time (ISO-8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub created_at: Option<String>,
    /// Last update time (ISO-8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub updated_at: Option<String>,
    /// Last activity time (ISO-8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub last_activity_at: Option<String>,
    /// Sandbox class (`container` here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub sandbox_class: Option<String>,
    /// Version of the in-sandbox toolbox daemon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub daemon_version: Option<String>,
    /// Base URL of the toolbox proxy; requests go to `{toolboxProxyUrl}/{id}/…`.
    pub toolbox_proxy_url: String,
}

#[cfg(test)]
mod tests {
    use super::SandboxState;

    #[test]
    fn states_travel_by_their_wire_spelling() {
        for state in SandboxState::ALL {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(serde_json::from_str::<SandboxState>(&json).unwrap(), state);
        }
        assert_eq!(serde_json::to_string(&SandboxState::BuildFailed).unwrap(), "\"build_failed\"");
        let err = serde_json::from_str::<SandboxState>("\"sleeping\"").unwrap_err();
        assert!(err.to_string().contains("unknown sandbox state `sleeping`"), "{err}");
    }
}
