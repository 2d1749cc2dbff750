//! The image store: snapshots' OCI images, pulled from their registries with `skopeo` into an
//! OCI layout and unpacked with `umoci` into a root filesystem, under the data dir's
//! `images/{snapshot id}/`. No registry client or layer unpacker of our own: skopeo speaks the
//! distribution protocol (auth, redirects, digests), umoci applies layers (whiteouts, hard
//! links, paths kept inside the root).
//!
//! Registries are reached over HTTPS, except those on a loopback address (a local or test
//! registry), which may be plain HTTP.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use super::error::JailError;
use super::runtime::which;

/// Longest a pull (download and unpack) may take.
const PULL_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What an unpacked image says about how to run it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageInfo {
    /// Bytes of its root filesystem.
    pub size_bytes: u64,
    /// Its entrypoint and command, as a container runtime would run them.
    pub command: Vec<String>,
}

/// A jail to run on an image: its snapshot's id and the command to start first (the
/// snapshot's `entrypoint`; empty: none).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageRun {
    /// The snapshot's id (its image's directory).
    pub id: String,
    /// Run as the entrypoint session.
    pub entrypoint: Vec<String>,
}

/// What a jail takes of its snapshot's image: the root filesystem and how to run in it.
#[derive(Clone, Debug, PartialEq)]
pub struct RootImage {
    /// The unpacked root filesystem (host path; files with the image's own ids).
    pub rootfs: PathBuf,
    /// The image's environment (`ENV`), under the sandbox's own.
    pub env: Vec<(String, String)>,
    /// The image's `WORKDIR`, if it sets one other than `/`.
    pub work_dir: Option<String>,
}

/// The images' directory (or why images cannot be pulled here).
pub struct Images {
    dir: PathBuf,
    unavailable: Option<String>,
}

impl Images {
    /// The store under `data_dir/images` (made, private to the server, if need be).
    pub fn new(data_dir: &Path) -> std::io::Result<Self> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let dir = data_dir.join("images");
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        let missing: Vec<&str> = ["skopeo", "umoci"].into_iter().filter(|p| which(p).is_none()).collect();
        let unavailable = (!missing.is_empty())
            .then(|| format!("pulling images needs {} (scripts/setup.sh installs them)", missing.join(" and ")));
        Ok(Self { dir, unavailable })
    }

    /// Why images cannot be pulled here, if they cannot.
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    /// Pulls `image` (checked with [`daytona_models::check_image_name`]) for snapshot `id` and
    /// unpacks it; anything of an earlier attempt is replaced.
    pub async fn pull(&self, id: &str, image: &str) -> Result<ImageInfo, JailError> {
        if let Some(why) = &self.unavailable {
            return Err(JailError::Unsupported(why.clone()));
        }
        daytona_models::check_image_name(image).map_err(JailError::Unsupported)?;
        let layout = self.make_dir(id).await?.join("oci");
        fetch(image, &layout, "image").await?;
        let info = self.unpack(id, &layout, "image").await;
        // The unpacked bundle is all sandboxes use: the downloaded layers would only double the
        // image's room on disk.
        let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(&layout)).await;
        info
    }

    /// Unpacks the image tagged `tag` of the OCI layout at `layout` as snapshot `id`'s (whose
    /// directory must exist and hold no bundle yet).
    pub async fn unpack(&self, id: &str, layout: &Path, tag: &str) -> Result<ImageInfo, JailError> {
        let image = format!("{}:{tag}", layout.display());
        // `raw unpack` applies the layers without umoci's own bundle manifest (an mtree of every
        // file's digest: a third of the unpack's time); the run settings come from `raw
        // runtime-config`.
        let bundle = self.path(id).join("bundle");
        std::fs::create_dir(&bundle).map_err(|e| format!("creating the image's bundle: {e}"))?;
        let mut unpack = Command::new("umoci");
        unpack.args(["raw", "unpack", "--image", &image]);
        if !super::runtime::running_as_root() {
            // A normal user cannot give files other owners: umoci records them instead.
            unpack.arg("--rootless");
        }
        unpack.arg(bundle.join("rootfs"));
        run(unpack, "unpacking the image").await?;
        let mut config = Command::new("umoci");
        config.args(["raw", "runtime-config", "--image", &image]).arg(bundle.join("config.json"));
        run(config, "reading the image's config").await?;
        tokio::task::spawn_blocking(move || inspect(&bundle))
            .await
            .map_err(|e| format!("reading the image: {e}"))?
            .map_err(JailError::from)
    }

    /// Makes the (empty) directory of snapshot `id`'s image, replacing an earlier attempt's.
    pub async fn make_dir(&self, id: &str) -> Result<PathBuf, JailError> {
        let root = self.path(id);
        self.remove(id).await?;
        std::fs::create_dir(&root).map_err(|e| format!("creating the image's directory: {e}"))?;
        Ok(root)
    }

    /// The root filesystem and run settings of snapshot `id`'s pulled image.
    pub fn root_image(&self, id: &str) -> Result<RootImage, JailError> {
        let bundle = self.path(id).join("bundle");
        let config = read_config(&bundle)?;
        let env = config["process"]["env"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str()?.split_once('='))
            .filter(|(k, _)| daytona_models::is_env_name(k))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let work_dir = config["process"]["cwd"]
            .as_str()
            .filter(|d| d.starts_with('/') && *d != "/" && !d.split('/').any(|c| c == ".."))
            .map(str::to_owned);
        Ok(RootImage { rootfs: bundle.join("rootfs"), env, work_dir })
    }

    /// Removes the image of snapshot `id`, if any.
    pub async fn remove(&self, id: &str) -> Result<(), JailError> {
        let root = self.path(id);
        tokio::task::spawn_blocking(move || match std::fs::remove_dir_all(&root) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("removing the image: {e}")),
            _ => Ok(()),
        })
        .await
        .map_err(|e| format!("removing the image: {e}"))?
        .map_err(JailError::from)
    }
}

/// Whether `image` names a registry on a loopback address (plain HTTP allowed).
fn is_loopback_registry(image: &str) -> bool {
    let Some((host, _)) = image.split_once('/') else { return false };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    name == "localhost" || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Downloads `image` from its registry into the OCI layout at `layout`, tagged `tag` (plain
/// HTTP only for a registry on a loopback address). Checks the reference's form first: it
/// goes into skopeo's argv.
pub async fn fetch(image: &str, layout: &Path, tag: &str) -> Result<(), JailError> {
    daytona_models::check_image_reference(image).map_err(JailError::Unsupported)?;
    let mut copy = Command::new("skopeo");
    copy.args(["copy", "--quiet", "--retry-times", "2"]);
    if is_loopback_registry(image) {
        copy.arg("--src-tls-verify=false");
    }
    copy.arg(format!("docker://{image}")).arg(format!("oci:{}:{tag}", layout.display()));
    run(copy, &format!("pulling {image}")).await
}

/// Runs a helper to the end (within [`PULL_TIMEOUT`]); its error output is the failure's reason.
async fn run(mut cmd: Command, what: &str) -> Result<(), JailError> {
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true).env("LC_ALL", "C");
    let out = match tokio::time::timeout(PULL_TIMEOUT, cmd.output()).await {
        Err(_) => return Err(format!("{what}: gave up after {} minutes", PULL_TIMEOUT.as_secs() / 60).into()),
        Ok(Err(e)) => return Err(format!("{what}: {e}").into()),
        Ok(Ok(out)) => out,
    };
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let why = super::error::last_lines(&stderr, 3, " | ");
    Err(format!("{what} failed: {}", if why.is_empty() { out.status.to_string() } else { why }).into())
}

/// The size and command of the unpacked bundle at `bundle` (its `config.json` is the OCI
/// runtime config umoci wrote from the image's).
fn inspect(bundle: &Path) -> Result<ImageInfo, String> {
    let config = read_config(bundle)?;
    let command = config["process"]["args"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let mut size_bytes = 0;
    for entry in walkdir::WalkDir::new(bundle.join("rootfs")).follow_links(false) {
        let entry = entry.map_err(|e| format!("measuring the image: {e}"))?;
        if entry.file_type().is_file() {
            size_bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    Ok(ImageInfo { size_bytes, command })
}

/// The OCI runtime config umoci wrote into `bundle`.
fn read_config(bundle: &Path) -> Result<serde_json::Value, String> {
    std::fs::read(bundle.join("config.json"))
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .map_err(|e| format!("reading the image's config: {e}"))
}

/// The host's dynamic loader (its file name) and the directory of the libraries this binary
/// was loaded with: an agent runs in any image through them, bound at a private path.
pub fn host_loader() -> Option<(PathBuf, String)> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let loader = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .find(|p| p.rsplit('/').next().is_some_and(|f| f.starts_with("ld-linux") || f.starts_with("ld64")))?;
    let loader = std::fs::canonicalize(loader).ok()?;
    let name = loader.file_name()?.to_str()?.to_owned();
    Some((loader.parent()?.to_owned(), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_registries_may_be_plain_http() {
        assert!(is_loopback_registry("127.0.0.1:5000/test/busybox:1.0"));
        assert!(is_loopback_registry("localhost:5000/x:1"));
        assert!(!is_loopback_registry("python:3.12"));
        assert!(!is_loopback_registry("ghcr.io/a/b:1"));
        assert!(!is_loopback_registry("10.0.0.1:5000/x:1"));
        assert!(!is_loopback_registry("localhost.evil.com/x:1"));
    }
}
