//! The sandbox DTO and its states, as the control plane describes a sandbox.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Lifecycle state of a sandbox (`SandboxState` in Daytona's API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), serde(rename_all = "snake_case"))]
pub enum SandboxState {
    /// Being created.
    Creating,
    /// Being restored from an archive.
    Restoring,
    /// Gone; no longer listed.
    Destroyed,
    /// Being deleted.
    Destroying,
    /// Running; the toolbox answers.
    Started,
    /// Not running; files are kept.
    Stopped,
    /// Being started.
    Starting,
    /// Being stopped.
    Stopping,
    /// Failed; see `errorReason`.
    Error,
    /// An image build failed.
    BuildFailed,
    /// Waiting for an image build.
    PendingBuild,
    /// Building a snapshot.
    BuildingSnapshot,
    /// State not known.
    Unknown,
    /// Pulling its snapshot.
    PullingSnapshot,
    /// Stopped and moved to cold storage.
    Archived,
    /// Being archived.
    Archiving,
    /// Resources being changed.
    Resizing,
    /// A snapshot is being taken.
    Snapshotting,
    /// Being forked.
    Forking,
    /// Being paused.
    Pausing,
    /// Paused.
    Paused,
    /// Being resumed.
    Resuming,
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

    /// Every state.
    pub const ALL: [Self; 22] = [
        Self::Creating,
        Self::Restoring,
        Self::Destroyed,
        Self::Destroying,
        Self::Started,
        Self::Stopped,
        Self::Starting,
        Self::Stopping,
        Self::Error,
        Self::BuildFailed,
        Self::PendingBuild,
        Self::BuildingSnapshot,
        Self::Unknown,
        Self::PullingSnapshot,
        Self::Archived,
        Self::Archiving,
        Self::Resizing,
        Self::Snapshotting,
        Self::Forking,
        Self::Pausing,
        Self::Paused,
        Self::Resuming,
    ];

    /// The wire spelling (`"started"`, `"build_failed"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "creating",
            Self::Restoring => "restoring",
            Self::Destroyed => "destroyed",
            Self::Destroying => "destroying",
            Self::Started => "started",
            Self::Stopped => "stopped",
            Self::Starting => "starting",
            Self::Stopping => "stopping",
            Self::Error => "error",
            Self::BuildFailed => "build_failed",
            Self::PendingBuild => "pending_build",
            Self::BuildingSnapshot => "building_snapshot",
            Self::Unknown => "unknown",
            Self::PullingSnapshot => "pulling_snapshot",
            Self::Archived => "archived",
            Self::Archiving => "archiving",
            Self::Resizing => "resizing",
            Self::Snapshotting => "snapshotting",
            Self::Forking => "forking",
            Self::Pausing => "pausing",
            Self::Paused => "paused",
            Self::Resuming => "resuming",
        }
    }

    /// Parses the wire spelling; unknown strings give `None`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

// Written by hand over `as_str`/`parse`, the one table of spellings: serde's derive compiles a
// second copy of the 22 names (and its matching code) into the npm package (-0.8 KB gzip).
impl Serialize for SandboxState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SandboxState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::parse(&name).ok_or_else(|| serde::de::Error::custom(format_args!("unknown sandbox state `{name}`")))
    }
}

/// The state a sandbox is moving towards (`SandboxDesiredState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum SandboxDesiredState {
    /// To be deleted.
    Destroyed,
    /// To run.
    Started,
    /// To be stopped.
    Stopped,
    /// To be resized.
    Resized,
    /// To be archived.
    Archived,
    /// To be paused.
    Paused,
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
    /// Minutes stopped before auto-archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_archive_interval: Option<i64>,
    /// Minutes stopped before auto-delete (negative = never, 0 = on stop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub auto_delete_interval: Option<i64>,
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
