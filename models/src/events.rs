//! The event socket's messages: creations and state changes of sandboxes, snapshots and
//! volumes.

use serde::{Deserialize, Serialize};

use crate::{Sandbox, SandboxState, Snapshot, SnapshotState, Volume, VolumeState};

/// Socket.IO event name of a new sandbox (payload: the [`Sandbox`]).
pub const SANDBOX_CREATED_EVENT: &str = "sandbox.created";
/// Socket.IO event name of a state change (payload: [`SandboxStateUpdated`]).
pub const SANDBOX_STATE_UPDATED_EVENT: &str = "sandbox.state.updated";

/// Socket.IO event name of a new snapshot (payload: the [`Snapshot`]).
pub const SNAPSHOT_CREATED_EVENT: &str = "snapshot.created";
/// Socket.IO event name of a snapshot's state change (payload: [`SnapshotStateUpdated`]).
pub const SNAPSHOT_STATE_UPDATED_EVENT: &str = "snapshot.state.updated";
/// Socket.IO event name of a snapshot gone (payload: the [`Snapshot`] as it was last).
pub const SNAPSHOT_REMOVED_EVENT: &str = "snapshot.removed";
/// Socket.IO event name of a new volume (payload: the [`Volume`]).
pub const VOLUME_CREATED_EVENT: &str = "volume.created";
/// Socket.IO event name of a volume's state change (payload: [`VolumeStateUpdated`]).
pub const VOLUME_STATE_UPDATED_EVENT: &str = "volume.state.updated";

/// Payload of the event socket's `sandbox.state.updated`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxStateUpdated {
    /// The sandbox as it is now.
    pub sandbox: Sandbox,
    /// Its state before.
    pub old_state: SandboxState,
    /// Its state now.
    pub new_state: SandboxState,
}

/// Payload of the event socket's `snapshot.state.updated`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotStateUpdated {
    /// The snapshot as it is now.
    pub snapshot: Snapshot,
    /// Its state before.
    pub old_state: SnapshotState,
    /// Its state now.
    pub new_state: SnapshotState,
}

/// Payload of the event socket's `volume.state.updated`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeStateUpdated {
    /// The volume as it is now.
    pub volume: Volume,
    /// Its state before.
    pub old_state: VolumeState,
    /// Its state now.
    pub new_state: VolumeState,
}
