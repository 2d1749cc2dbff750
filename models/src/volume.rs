//! Volumes: storage that outlives sandboxes and is shared between them (`/volumes`).

use serde::{Deserialize, Serialize};

/// Lifecycle state of a volume (`VolumeState` in Daytona's API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum VolumeState {
    /// Being created.
    Creating,
    /// Ready to be mounted.
    Ready,
    /// Creation accepted, not begun.
    PendingCreate,
    /// Deletion accepted, not begun.
    PendingDelete,
    /// Being deleted.
    Deleting,
    /// Gone.
    Deleted,
    /// Failed; see `errorReason`.
    Error,
}

/// A volume as the control plane describes it (`VolumeDto`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
// In TypeScript this is `VolumeDto`: `Volume` is the SDK's class.
#[cfg_attr(feature = "ts", tsify(rename = "VolumeDto"))]
pub struct Volume {
    /// Unique id.
    pub id: String,
    /// Unique name, chosen by its creator.
    pub name: String,
    /// Owning organization.
    pub organization_id: String,
    /// Lifecycle state.
    pub state: VolumeState,
    /// Creation time (ISO 8601).
    pub created_at: String,
    /// Last change (ISO 8601).
    pub updated_at: String,
    /// When a sandbox last mounted it (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub last_used_at: Option<String>,
    /// Why it is in state `error`.
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub error_reason: Option<String>,
}

/// Body of `POST /volumes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct CreateVolume {
    /// The new volume's name.
    pub name: String,
}
