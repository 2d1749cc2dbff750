//! `FileInfo` from file metadata, formatted as Daytona's daemon does.

use std::fs::Metadata;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use daytona_models::FileInfo;

/// Go's `FileMode.String()` for the type and permission bits, e.g. `drwxr-xr-x`.
fn mode_string(meta: &Metadata) -> String {
    let ft = meta.file_type();
    let kind = if ft.is_dir() {
        'd'
    } else if ft.is_symlink() {
        'L'
    } else {
        '-'
    };
    let bits = meta.permissions().mode();
    let mut s = String::with_capacity(10);
    s.push(kind);
    for (i, c) in "rwxrwxrwx".chars().enumerate() {
        s.push(if bits & (1 << (8 - i)) != 0 { c } else { '-' });
    }
    s
}

/// The `FileInfo` of `path` with metadata `meta`.
pub fn file_info(path: &Path, meta: &Metadata) -> FileInfo {
    let modified: DateTime<Utc> = meta.modified().map(Into::into).unwrap_or_default();
    FileInfo {
        name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "/".into()),
        is_dir: meta.is_dir(),
        size: meta.len() as i64,
        mode: mode_string(meta),
        permissions: format!("{:04o}", meta.permissions().mode() & 0o7777),
        owner: meta.uid().to_string(),
        group: meta.gid().to_string(),
        mod_time: modified.format("%Y-%m-%d %H:%M:%S%.f +0000 UTC").to_string(),
        modified_at: Some(modified.to_rfc3339_opts(SecondsFormat::Secs, true)),
        path: Some(path.display().to_string()),
    }
}
