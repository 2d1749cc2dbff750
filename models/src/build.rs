//! Declarative image builds: what `POST /sandbox` and `POST /snapshots` carry to build an
//! image (`buildInfo`), and the temporary object-storage credentials their contexts are
//! uploaded with (`GET /object-storage/push-access`).

use crate::Quoted;
use serde::{Deserialize, Serialize};

/// Most build contexts one build may name.
pub const MAX_CONTEXT_HASHES: usize = 256;

/// Longest Dockerfile accepted, in bytes.
pub const MAX_DOCKERFILE_BYTES: usize = 1 << 20;

/// An image to build (`CreateBuildInfo`): the Dockerfile's text and the hashes of the
/// contexts uploaded to object storage as `{organizationId}/{hash}/context.tar`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    /// The Dockerfile.
    pub dockerfile_content: String,
    /// Hashes of the build contexts, in the order their files are laid out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub context_hashes: Option<Vec<String>>,
}

impl BuildInfo {
    /// Checks the Dockerfile's size and the hashes' number and form (hex digits).
    pub fn check(&self) -> Result<(), String> {
        if self.dockerfile_content.trim().is_empty() {
            return Err("buildInfo.dockerfileContent is empty".into());
        }
        if self.dockerfile_content.len() > MAX_DOCKERFILE_BYTES {
            return Err(format!("buildInfo.dockerfileContent is longer than {MAX_DOCKERFILE_BYTES} bytes"));
        }
        let hashes = self.context_hashes.as_deref().unwrap_or_default();
        if hashes.len() > MAX_CONTEXT_HASHES {
            return Err(format!("buildInfo.contextHashes has more than {MAX_CONTEXT_HASHES} entries"));
        }
        match hashes.iter().find(|h| !is_context_hash(h)) {
            Some(bad) => Err(format!("Invalid context hash {}: 32 to 64 hex digits", Quoted(bad))),
            None => Ok(()),
        }
    }
}

/// How a snapshot was built (`BuildInfo` of `SnapshotDto`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SnapshotBuildInfo {
    /// The Dockerfile.
    pub dockerfile_content: String,
    /// Hashes of its build contexts.
    #[serde(default)]
    pub context_hashes: Vec<String>,
    /// When the build was asked for (ISO 8601).
    pub created_at: String,
    /// Last change (ISO 8601).
    pub updated_at: String,
    /// The built image's reference: the same Dockerfile and contexts have the same.
    pub snapshot_ref: String,
}

/// Whether `hash` has the form of a context hash (an MD5 or SHA-256, in hex).
pub fn is_context_hash(hash: &str) -> bool {
    (32..=64).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The object key of a build context.
pub fn context_key(organization_id: &str, hash: &str) -> String {
    format!("{organization_id}/{hash}/context.tar")
}

/// Temporary credentials for the object storage build contexts are uploaded to
/// (`StorageAccessDto`): an S3-compatible endpoint, path-style, signed with SigV4.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StorageAccess {
    /// Access key id.
    pub access_key: String,
    /// Secret access key.
    pub secret: String,
    /// Session token (sent as `X-Amz-Security-Token`).
    pub session_token: String,
    /// The S3 endpoint's URL.
    pub storage_url: String,
    /// The organization: the first component of every key.
    pub organization_id: String,
    /// The bucket.
    pub bucket: String,
    /// The region to sign for.
    pub region: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_info_is_checked_and_keeps_its_wire_names() {
        let info: BuildInfo = serde_json::from_str(
            r#"{"dockerfileContent":"FROM a:1\n","contextHashes":["0123456789abcdef0123456789abcdef"]}"#,
        )
        .unwrap();
        assert!(info.check().is_ok());
        assert_eq!(context_key("org", "ab"), "org/ab/context.tar");
        for bad in ["../x", "0123", "0123456789abcdef0123456789abcdeg"] {
            let info = BuildInfo { dockerfile_content: "FROM a:1".into(), context_hashes: Some(vec![bad.into()]) };
            assert!(info.check().is_err(), "{bad}");
        }
        assert!(BuildInfo { dockerfile_content: " \n".into(), context_hashes: None }.check().is_err());
        assert_eq!(
            serde_json::to_string(&BuildInfo { dockerfile_content: "FROM a:1\n".into(), context_hashes: None })
                .unwrap(),
            r#"{"dockerfileContent":"FROM a:1\n"}"#
        );
    }
}
