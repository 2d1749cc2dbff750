//! Volumes: storage that outlives sandboxes and is shared between them (`/volumes`).

use crate::Quoted;
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

/// Longest volume name, in bytes.
pub const MAX_VOLUME_NAME_BYTES: usize = 255;

/// Checks a volume name: 1 to [`MAX_VOLUME_NAME_BYTES`] letters, digits, '-', '_' or '.'.
pub fn check_volume_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_VOLUME_NAME_BYTES
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    match ok {
        true => Ok(()),
        false => Err(format!(
            "Invalid volume name {}: use 1-{MAX_VOLUME_NAME_BYTES} letters, digits, '-', '_' or '.'",
            Quoted(name)
        )),
    }
}

/// Most volumes one sandbox may mount.
pub const MAX_VOLUME_MOUNTS: usize = 32;
/// Longest mount path or subpath, in bytes.
const MAX_PATH_BYTES: usize = 1024;

/// Where a volume may not be mounted: the jail's system directories (read-only binds or
/// kernel file systems) and the mount points it is built on.
const RESERVED_TREES: [&str; 11] =
    ["/proc", "/dev", "/sys", "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
const RESERVED_POINTS: [&str; 4] = ["/", "/home", "/home/daytona", "/tmp"];

/// Checks a `mountPath`: absolute, normalised (no empty, `.` or `..` components), not a
/// system directory nor the home itself. Returns it without a trailing slash.
pub fn check_mount_path(path: &str) -> Result<String, String> {
    let trimmed = match path.len() > 1 {
        true => path.trim_end_matches('/'),
        false => path,
    };
    if !trimmed.starts_with('/') {
        return Err(format!("Invalid mount path {}: it must be absolute", Quoted(path)));
    }
    if trimmed.len() > MAX_PATH_BYTES || trimmed.contains('\0') {
        return Err(format!("Invalid mount path {}: too long or not text", Quoted(path)));
    }
    if trimmed.len() > 1 && trimmed[1..].split('/').any(|c| c.is_empty() || c == "." || c == "..") {
        return Err(format!("Invalid mount path {}: no empty, '.' or '..' components", Quoted(path)));
    }
    let under = |tree: &str| trimmed == tree || trimmed.starts_with(&format!("{tree}/"));
    if RESERVED_POINTS.contains(&trimmed) || RESERVED_TREES.iter().any(|t| under(t)) {
        return Err(format!("Invalid mount path {}: a system directory of the sandbox", Quoted(path)));
    }
    Ok(trimmed.to_owned())
}

/// Checks a `subpath` (relative to the volume; leading and trailing slashes ignored): its
/// components, none empty, `.` or `..`. Empty means the whole volume.
pub fn subpath_components(subpath: &str) -> Result<Vec<String>, String> {
    let trimmed = subpath.trim_matches('/');
    if trimmed.len() > MAX_PATH_BYTES || trimmed.contains('\0') {
        return Err(format!("Invalid subpath {}: too long or not text", Quoted(subpath)));
    }
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<String> = trimmed.split('/').map(str::to_owned).collect();
    if parts.iter().any(|c| c.is_empty() || c == "." || c == "..") {
        return Err(format!("Invalid subpath {}: no empty, '.' or '..' components", Quoted(subpath)));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names_are_letters_digits_and_three_marks() {
        assert!(check_volume_name("datasets-2024_v1.0").is_ok());
        for bad in ["", "a/b", "with space", "ünï", &"x".repeat(256)] {
            assert!(check_volume_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mount_paths_are_absolute_normal_and_not_the_system() {
        assert_eq!(check_mount_path("/data").unwrap(), "/data");
        assert_eq!(check_mount_path("/home/daytona/shared/").unwrap(), "/home/daytona/shared");
        assert_eq!(check_mount_path("/mnt/a b").unwrap(), "/mnt/a b");
        for bad in ["data", "", "/", "/tmp", "/home", "/home/daytona", "/proc/x", "/usr", "/usr/local/x", "/etc"] {
            assert!(check_mount_path(bad).is_err(), "{bad}");
        }
        for bad in ["/data/../etc", "/data/./x", "/data//x", "/a\0b"] {
            assert!(check_mount_path(bad).is_err(), "{bad}");
        }
        assert!(check_mount_path("/library").is_ok(), "only /lib and what is under it is reserved");
    }

    #[test]
    fn subpaths_stay_inside_the_volume() {
        assert_eq!(subpath_components("users/alice").unwrap(), ["users", "alice"]);
        assert_eq!(subpath_components("/users/alice/").unwrap(), ["users", "alice"]);
        assert!(subpath_components("").unwrap().is_empty());
        for bad in ["..", "a/../../b", "a//b", "./a", "a/."] {
            assert!(subpath_components(bad).is_err(), "{bad}");
        }
    }
}
