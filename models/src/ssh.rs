//! SSH access to a sandbox: tokens that open `ssh <token>@host -p <port>` on the SSH gateway.

use serde::{Deserialize, Serialize};

/// Answer of `POST /sandbox/{id}/ssh-access` (`SshAccessDto`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SshAccess {
    /// Id of this access.
    pub id: String,
    /// The sandbox it opens.
    pub sandbox_id: String,
    /// The token: the user name of the SSH login.
    pub token: String,
    /// When the token stops working (ISO 8601).
    pub expires_at: String,
    /// When it was made (ISO 8601).
    pub created_at: String,
    /// Last change (ISO 8601).
    pub updated_at: String,
    /// The command that logs in, e.g. `ssh -p 2222 <token>@localhost`.
    pub ssh_command: String,
}

/// Answer of `GET /sandbox/ssh-access/validate?token=` (`SshAccessValidationDto`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SshAccessValidation {
    /// Whether the token opens a sandbox now.
    pub valid: bool,
    /// The sandbox it opens (empty when not valid).
    pub sandbox_id: String,
}
