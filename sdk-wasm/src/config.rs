//! `DaytonaConfig`: where the SDK connects and with which credentials (explicit, or Daytona's
//! defaults).

use serde::{Deserialize, Serialize};

/// Daytona's default control-plane URL.
pub const DEFAULT_API_URL: &str = "https://app.daytona.io/api";

/// How to reach and authenticate with a Daytona control plane (cloud, self-hosted or
/// `daytona-local`). Field names follow `@daytonaio/sdk`'s `DaytonaConfig`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct DaytonaConfig {
    /// API key (sent as `Authorization: Bearer …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub api_key: Option<String>,
    /// JWT instead of an API key; then `organizationId` is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub jwt_token: Option<String>,
    /// Organization for JWT authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub organization_id: Option<String>,
    /// Control-plane URL, e.g. `http://127.0.0.1:3000/api` (default: Daytona cloud).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub api_url: Option<String>,
    /// Region for new sandboxes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub target: Option<String>,
    /// Default timeout of each HTTP request in milliseconds (none by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub request_timeout_ms: Option<u32>,
}

impl DaytonaConfig {
    /// A config for `api_url` authenticated with an API key.
    pub fn with_api_key(api_url: &str, api_key: &str) -> Self {
        Self { api_url: Some(api_url.into()), api_key: Some(api_key.into()), ..Self::default() }
    }

    /// The API URL without a trailing slash.
    pub(crate) fn api_url(&self) -> String {
        self.api_url.as_deref().filter(|u| !u.is_empty()).unwrap_or(DEFAULT_API_URL).trim_end_matches('/').to_owned()
    }
}
