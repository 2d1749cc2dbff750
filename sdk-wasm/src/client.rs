//! What every handle shares: the control-plane URL, the authenticated HTTP sender and the target.

use std::time::Duration;

use crate::http::Http;
use crate::{DaytonaConfig, DaytonaError, COMPATIBLE_SDK_VERSION};

/// Shared state behind [`crate::Daytona`] and every [`crate::Sandbox`].
#[derive(Debug)]
pub(crate) struct Client {
    /// Control-plane URL without a trailing slash.
    pub api_url: String,
    /// Sender with the auth headers.
    pub http: Http,
    /// Region for new sandboxes.
    pub target: Option<String>,
    /// The API key or JWT, for the event socket (which takes it in its CONNECT packet).
    pub token: String,
    /// The organization of a JWT.
    pub organization_id: Option<String>,
}

impl Client {
    /// Checks the config and builds the headers the official SDKs send.
    pub fn new(config: &DaytonaConfig) -> Result<Self, DaytonaError> {
        let mut headers = vec![
            ("X-Daytona-Source".to_owned(), "sdk-wasm".to_owned()),
            (daytona_models::SDK_VERSION_HEADER.to_owned(), COMPATIBLE_SDK_VERSION.to_owned()),
        ];
        let (token, organization_id) = match (&config.api_key, &config.jwt_token) {
            (Some(key), _) if !key.is_empty() => (key.clone(), None),
            (_, Some(jwt)) if !jwt.is_empty() => {
                let org =
                    config.organization_id.as_deref().filter(|o| !o.is_empty()).ok_or_else(|| {
                        DaytonaError::InvalidArgument("organizationId is required with jwtToken".into())
                    })?;
                headers.push(("X-Daytona-Organization-ID".into(), org.to_owned()));
                (jwt.clone(), Some(org.to_owned()))
            }
            _ => return Err(DaytonaError::InvalidArgument("apiKey or jwtToken is required".into())),
        };
        headers.push(("Authorization".into(), format!("Bearer {token}")));
        let timeout = config.request_timeout_ms.map(|ms| Duration::from_millis(ms.into()));
        Ok(Self {
            api_url: config.api_url(),
            http: Http::new(headers, timeout),
            target: config.target.clone(),
            token,
            organization_id,
        })
    }

    /// `{api_url}{path}`.
    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.api_url)
    }
}
