//! The event socket's messages: sandbox creations and state changes.

use serde::{Deserialize, Serialize};

use crate::{Sandbox, SandboxState};

/// Socket.IO event name of a new sandbox (payload: the [`Sandbox`]).
pub const SANDBOX_CREATED_EVENT: &str = "sandbox.created";
/// Socket.IO event name of a state change (payload: [`SandboxStateUpdated`]).
pub const SANDBOX_STATE_UPDATED_EVENT: &str = "sandbox.state.updated";

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
