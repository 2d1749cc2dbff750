//! What the server keeps per sandbox: the wire DTO plus private bookkeeping.

use daytona_models::{DockerRegistry, Sandbox, SandboxState};
use serde::{Deserialize, Serialize};

/// A sandbox as stored in the database.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SandboxRecord {
    /// The public view (its `toolboxProxyUrl` is filled per request).
    pub dto: Sandbox,
    /// The per-sandbox auth token (preview token / `DAYTONA_SANDBOX_AUTH_KEY`).
    pub token: String,
    /// Creation time, ms since the epoch (sort key).
    pub created_ms: i64,
    /// Last activity, ms since the epoch.
    pub last_activity_ms: i64,
    /// HMAC key of pre-signed file URLs (generated on first use for older records).
    #[serde(default)]
    pub signing_key: String,
    /// When it last reached `stopped` (drives auto-archive/auto-delete).
    #[serde(default)]
    pub stopped_ms: Option<i64>,
    /// Its signed preview URLs that have not expired yet.
    #[serde(default)]
    pub signed_previews: Vec<SignedPreview>,
    /// Its SSH access tokens that have not expired yet.
    #[serde(default)]
    pub ssh_accesses: Vec<SshAccessGrant>,
    /// When its TTL ends, ms since the epoch: it is destroyed then, whatever its state (the
    /// wire's `autoDestroyAt`).
    #[serde(default)]
    pub destroy_ms: Option<i64>,
}

/// An SSH access token: `ssh <token>@host` logs into the sandbox until `expires_ms`. Only the
/// token's SHA-256 is kept; the token itself is shown once, when it is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshAccessGrant {
    /// Id of the access.
    pub id: String,
    /// SHA-256 of the token, lowercase hex.
    pub token_sha256: String,
    /// When it was made, ms since the epoch.
    pub created_ms: i64,
    /// When it stops working, ms since the epoch.
    pub expires_ms: i64,
}

/// The SHA-256 of an SSH access token, as kept in [`SshAccessGrant::token_sha256`].
pub fn ssh_token_digest(token: &str) -> String {
    use sha2::Digest;
    daytona_models::hex(&sha2::Sha256::digest(token.as_bytes()))
}

/// A signed preview URL: `{port}-{token}` opens `port` without any other credential until
/// `expires_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedPreview {
    /// 16 lowercase letters and digits.
    pub token: String,
    /// The port it opens.
    pub port: u16,
    /// When it stops working, ms since the epoch.
    pub expires_ms: i64,
}

impl SandboxRecord {
    /// Current state (`unknown` if unset).
    pub fn state(&self) -> SandboxState {
        self.dto.state.unwrap_or(SandboxState::Unknown)
    }

    /// Sets the state and bumps `updatedAt`.
    pub fn set_state(&mut self, state: SandboxState) {
        let now = crate::time::now_ms();
        self.dto.state = Some(state);
        self.dto.updated_at = Some(crate::time::iso(now));
        if state == SandboxState::Stopped {
            self.stopped_ms = Some(now);
        }
    }

    /// The unexpired signed preview of `port` with `token`, at `now_ms`.
    pub fn signed_preview(&self, token: &str, port: u16, now_ms: i64) -> Option<&SignedPreview> {
        use subtle::ConstantTimeEq;
        self.signed_previews
            .iter()
            .find(|p| bool::from(p.token.as_bytes().ct_eq(token.as_bytes())) && p.port == port && p.expires_ms > now_ms)
    }

    /// The unexpired SSH access of `token`, at `now_ms`.
    pub fn ssh_access(&self, token: &str, now_ms: i64) -> Option<&SshAccessGrant> {
        use subtle::ConstantTimeEq;
        let digest = ssh_token_digest(token);
        self.ssh_accesses
            .iter()
            .find(|a| bool::from(a.token_sha256.as_bytes().ct_eq(digest.as_bytes())) && a.expires_ms > now_ms)
    }

    /// Records activity now.
    pub fn touch(&mut self) {
        let now = crate::time::now_ms();
        self.last_activity_ms = now;
        self.dto.last_activity_at = Some(crate::time::iso(now));
    }

    /// Sets its TTL to `minutes` "minutes" of `minute_ms` ms from `from_ms` (0 = none).
    pub fn set_ttl(&mut self, from_ms: i64, minutes: i64, minute_ms: i64) {
        self.destroy_ms = match minutes {
            0 => None,
            // Checked: a TTL too long to count in ms never ends (as an interval never elapses).
            _ => minutes.checked_mul(minute_ms).and_then(|ms| from_ms.checked_add(ms)),
        };
    }

    /// The DTO as sent to a client reaching us at `toolbox_url`.
    pub fn to_wire(&self, toolbox_url: &str) -> Sandbox {
        let mut dto = self.dto.clone();
        dto.toolbox_proxy_url = toolbox_url.to_owned();
        dto.auto_destroy_at = self.destroy_ms.map(crate::time::iso);
        // Automatic pausing is refused (only 0 is taken).
        dto.auto_pause_interval = Some(0);
        dto
    }
}

/// What happened to a sandbox, snapshot or volume (the event socket's events).
#[derive(Clone, Debug)]
pub enum ControlEvent {
    /// A new sandbox (`sandbox.created`).
    Created(SandboxRecord),
    /// `sandbox` moved from state `old` to its current one (`sandbox.state.updated`).
    StateUpdated { sandbox: SandboxRecord, old: SandboxState },
    /// A new snapshot (`snapshot.created`).
    SnapshotCreated(daytona_models::Snapshot),
    /// `snapshot` moved from state `old` to its current one (`snapshot.state.updated`).
    SnapshotStateUpdated { snapshot: daytona_models::Snapshot, old: daytona_models::SnapshotState },
    /// A snapshot gone, as it was last (`snapshot.removed`).
    SnapshotRemoved(daytona_models::Snapshot),
    /// A new volume (`volume.created`).
    VolumeCreated(daytona_models::Volume),
    /// `volume` moved from state `old` to its current one (`volume.state.updated`).
    VolumeStateUpdated { volume: daytona_models::Volume, old: daytona_models::VolumeState },
}

/// A registry of the organization as stored: its DTO and the password pulls log in with (the
/// database is private to the server's user; the password is never answered).
#[derive(Clone, Serialize, Deserialize)]
pub struct RegistryRecord {
    /// The public view.
    pub dto: DockerRegistry,
    /// Password or access token.
    pub password: String,
}

impl super::Named for RegistryRecord {
    fn id(&self) -> &str {
        &self.dto.id
    }
    /// Names may repeat (as in Daytona): the id stands in for the table's unique name.
    #[allow(clippy::misnamed_getters)]
    fn name(&self) -> &str {
        &self.dto.id
    }
}
