//! Snapshots: the images sandboxes run from (`/snapshots`).

use crate::Quoted;
use serde::{Deserialize, Serialize};

/// Lifecycle state of a snapshot (`SnapshotState` in Daytona's API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum SnapshotState {
    /// Its image is being built.
    Building,
    /// Accepted, not begun.
    Pending,
    /// Its image is being pulled.
    Pulling,
    /// Being made from a sandbox.
    Snapshotting,
    /// Ready for sandboxes.
    Active,
    /// Kept but not offered (activate to use it again).
    Inactive,
    /// Failed; see `errorReason`.
    Error,
    /// Its image build failed.
    BuildFailed,
    /// Being removed.
    Removing,
}

/// A snapshot as the control plane describes it (`SnapshotDto`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
// In TypeScript this is `SnapshotDto`: `Snapshot` is the SDK's class.
#[cfg_attr(feature = "ts", tsify(rename = "SnapshotDto"))]
pub struct Snapshot {
    /// Unique id.
    pub id: String,
    /// Owning organization.
    #[serde(default)]
    pub organization_id: String,
    /// Whether it is offered to every organization (the default snapshot is).
    pub general: bool,
    /// Unique name.
    pub name: String,
    /// The OCI image it was pulled from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub image_name: Option<String>,
    /// Lifecycle state.
    pub state: SnapshotState,
    /// Size of its filesystem, in GB.
    pub size: Option<f64>,
    /// Command sandboxes from it run first (the image's entrypoint unless given).
    pub entrypoint: Option<Vec<String>>,
    /// CPU cores of sandboxes made from it.
    pub cpu: f64,
    /// GPUs of sandboxes made from it.
    pub gpu: f64,
    /// Memory of sandboxes made from it, GiB.
    pub mem: f64,
    /// Disk of sandboxes made from it, GiB.
    pub disk: f64,
    /// Why it is in state `error`.
    pub error_reason: Option<String>,
    /// Creation time (ISO 8601).
    pub created_at: String,
    /// Last change (ISO 8601).
    pub updated_at: String,
    /// When a sandbox last used it (ISO 8601).
    pub last_used_at: Option<String>,
    /// The sandbox it was made from, if any.
    pub source_sandbox_id: Option<String>,
    /// The Dockerfile and contexts it was built from, if it was built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub build_info: Option<crate::SnapshotBuildInfo>,
}

/// Body of `POST /snapshots`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CreateSnapshot {
    /// The new snapshot's name.
    pub name: String,
    /// The OCI image to pull (a tag other than `latest`, or a digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub image_name: Option<String>,
    /// Command to run first instead of the image's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub entrypoint: Option<Vec<String>>,
    /// CPU cores of sandboxes made from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub cpu: Option<i64>,
    /// GPUs of sandboxes made from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub gpu: Option<i64>,
    /// Memory of sandboxes made from it, GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub memory: Option<i64>,
    /// Disk of sandboxes made from it, GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub disk: Option<i64>,
    /// A declarative image to build, instead of an image to pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub build_info: Option<crate::BuildInfo>,
}

/// One page of `GET /snapshots` (`PaginatedSnapshots`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PaginatedSnapshots {
    /// The snapshots on this page.
    #[cfg_attr(feature = "ts", tsify(type = "SnapshotDto[]"))]
    pub items: Vec<Snapshot>,
    /// How many match in all.
    pub total: u64,
    /// This page's number (from 1).
    pub page: u64,
    /// How many pages there are.
    pub total_pages: u64,
}

/// Checks that `image` has the form of an image reference (`[registry/]name[:tag|@digest]`,
/// no whitespace, nothing an argv could take for an option); any tag, `latest` too.
pub fn check_image_reference(image: &str) -> Result<(), String> {
    let ok_chars = image.chars().all(|c| c.is_ascii_alphanumeric() || "._-/:@+".contains(c));
    if image.is_empty() || image.len() > 512 || !ok_chars || image.starts_with(['-', '/', '.', ':', '@']) {
        return Err(format!("Invalid image name {}", Quoted(image)));
    }
    Ok(())
}

/// Checks an image reference for a pull: a registry path with a tag other than `latest`, or a
/// digest, in the characters references are made of (it goes to `skopeo` after `docker://`).
pub fn check_image_name(image: &str) -> Result<(), String> {
    check_image_reference(image)?;
    if image.contains('@') {
        return Ok(());
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) if !tag.is_empty() && tag != "latest" => Ok(()),
        _ => Err(format!(
            "Image {image}: latest tag or no tag is not allowed; name a version (e.g. {}:1.0) or a digest",
            image.trim_end_matches(":latest")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_need_a_tag_or_digest_and_no_options() {
        for ok in
            ["python:3.12-slim", "127.0.0.1:5000/test/busybox:1.0", "ghcr.io/a/b@sha256:0123", "localhost:5000/x:v1"]
        {
            assert!(check_image_name(ok).is_ok(), "{ok}");
        }
        for bad in ["python", "python:latest", "127.0.0.1:5000/test/busybox", "-x:1", "a b:1", "x:1;rm", ""] {
            assert!(check_image_name(bad).is_err(), "{bad}");
        }
    }
}
