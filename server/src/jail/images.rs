//! The image store: snapshots' OCI images, pulled from their registries with `skopeo` into an
//! OCI layout and unpacked with `umoci` into a root filesystem, under the data dir's
//! `images/{snapshot id}/`. No registry client or layer unpacker of our own: skopeo speaks the
//! distribution protocol (auth, redirects, digests), umoci applies layers (whiteouts, hard
//! links, paths kept inside the root).
//!
//! Registries are reached over HTTPS, except those on a loopback address (a local or test
//! registry) and those the server is told to treat as insecure (`--insecure-registry`), which
//! may be plain HTTP. A registry's credentials (the organization's `/docker-registry` entries)
//! reach skopeo in an auth file private to the server, removed after the pull: never in an
//! argv, where other processes of the host could read them.

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
    /// Who the image runs as (its `USER`).
    pub user: ImageUser,
}

/// The user an image runs as: its `USER` as a container runtime resolves it against the
/// image's own `/etc/passwd` and `/etc/group` (no `USER`: root).
#[derive(Clone, Debug, PartialEq)]
pub struct ImageUser {
    /// Its name in the image's `/etc/passwd`; else `root` for uid 0, else the uid.
    pub name: String,
    /// Its ids (supplementary gids: the groups of `/etc/group` that list it) and home (the
    /// image's `/etc/passwd` entry's; else `/root` for root, else `/`), as the agent takes them.
    pub runs_as: crate::agent::JailUser,
}

/// Credentials for the images of one registry (an organization's `/docker-registry` entry).
#[derive(Clone)]
pub struct RegistryLogin {
    /// The registry's address, `host[:port]` ([`daytona_models::registry_address`]).
    pub address: String,
    /// Path prefix of the images they are for (empty: every image of the registry).
    pub project: String,
    /// User name.
    pub username: String,
    /// Password or token.
    pub password: String,
}

/// The login of `logins` for `image`: of its registry, the one with the longest project that
/// prefixes the image's path (a login without a project serves every path); of equals, the
/// last in `logins`. Docker Hub's official images are under `library/` whether or not the
/// reference says so (`python:3.12` is `library/python:3.12`).
pub fn login_for<'a>(logins: &'a [RegistryLogin], image: &str) -> Option<&'a RegistryLogin> {
    let (address, path) = daytona_models::image_registry(image);
    let official;
    let path = match address == daytona_models::DOCKER_HUB && !path.contains('/') {
        true => {
            official = format!("library/{path}");
            official.as_str()
        }
        false => path,
    };
    logins
        .iter()
        .filter(|l| l.address == address)
        .filter(|l| {
            let project = l.project.trim_matches('/');
            project.is_empty() || path.strip_prefix(project).is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|l| l.project.trim_matches('/').len())
}

/// The images' directory (or why images cannot be pulled here).
pub struct Images {
    dir: PathBuf,
    unavailable: Option<String>,
    /// Registries (`host[:port]`) that may be plain HTTP besides loopback ones.
    insecure: Vec<String>,
}

impl Images {
    /// The store under `data_dir/images` (made, private to the server, if need be); the
    /// registries of `insecure` (`host[:port]`) may be reached over plain HTTP.
    pub fn new(data_dir: &Path, insecure: Vec<String>) -> std::io::Result<Self> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let dir = data_dir.join("images");
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        let missing: Vec<&str> = ["skopeo", "umoci"].into_iter().filter(|p| which(p).is_none()).collect();
        let unavailable = (!missing.is_empty())
            .then(|| format!("pulling images needs {} (scripts/setup.sh installs them)", missing.join(" and ")));
        sweep_auth_files(&dir);
        Ok(Self { dir, unavailable, insecure })
    }

    /// Whether the registry at `address` (`host[:port]`) may be reached over plain HTTP: on a
    /// loopback address, or named insecure.
    pub fn plain_http_allowed(&self, address: &str) -> bool {
        daytona_models::is_loopback_registry(address) || self.insecure.iter().any(|a| a == address)
    }

    /// Why images cannot be pulled here, if they cannot.
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }

    /// The directory of snapshot `id`'s files.
    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    /// Pulls `image` (checked with [`daytona_models::check_image_name`]) for snapshot `id` and
    /// unpacks it; anything of an earlier attempt is replaced.
    /// `logins` are the registries' credentials (the image's registry's is used, if any).
    pub async fn pull(&self, id: &str, image: &str, logins: &[RegistryLogin]) -> Result<ImageInfo, JailError> {
        if let Some(why) = &self.unavailable {
            return Err(JailError::Unsupported(why.clone()));
        }
        daytona_models::check_image_name(image).map_err(JailError::Unsupported)?;
        let layout = self.make_dir(id).await?.join("oci");
        self.fetch(image, &layout, "image", logins).await?;
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
        // The image's user database, copied out of its root without following a link out of it:
        // umoci resolves a `USER` name against the root it is given and would follow an image's
        // absolute symlink (`/etc/passwd -> /etc/shadow`) onto the host's files.
        let users = bundle.join(USER_DB);
        let (rootfs, db) = (bundle.join("rootfs"), users.clone());
        tokio::task::spawn_blocking(move || copy_user_db(&rootfs, &db))
            .await
            .map_err(|e| format!("reading the image's users: {e}"))?
            .map_err(|e| format!("reading the image's users: {e}"))?;
        let mut config = Command::new("umoci");
        config
            .args(["raw", "runtime-config", "--image", &image, "--rootfs"])
            .arg(&users)
            .arg(bundle.join("config.json"));
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
        let env: Vec<(String, String)> = config["process"]["env"]
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
        let mut user = image_user(&config, &bundle.join(USER_DB));
        // The image's ENV names the home, as umoci wrote it from the user's entry, or as the
        // image set it itself.
        if let Some((_, home)) = env.iter().find(|(k, v)| k == "HOME" && valid_home(v)) {
            user.runs_as.home = home.into();
        }
        Ok(RootImage { rootfs: bundle.join("rootfs"), env, work_dir, user })
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

impl Images {
    /// Downloads `image` from its registry into the OCI layout at `layout`, tagged `tag`: over
    /// HTTPS unless [`Images::plain_http_allowed`], logged in with its registry's login of
    /// `logins` if there is one. Checks the reference's form first: it goes into skopeo's argv.
    /// The login goes into an auth file beside `layout` (0600 in the server's private tree),
    /// removed when skopeo is done.
    pub async fn fetch(
        &self,
        image: &str,
        layout: &Path,
        tag: &str,
        logins: &[RegistryLogin],
    ) -> Result<(), JailError> {
        daytona_models::check_image_reference(image).map_err(JailError::Unsupported)?;
        let (address, _) = daytona_models::image_registry(image);
        let mut copy = Command::new("skopeo");
        copy.args(["copy", "--quiet", "--retry-times", "2"]);
        if self.plain_http_allowed(&address) {
            copy.arg("--src-tls-verify=false");
        }
        // Removed when this ends, however it ends (an error, a pull cut short by a shutdown).
        let _auth_file = match login_for(logins, image) {
            Some(login) => {
                let file = AuthFile(layout.with_file_name(format!("{tag}{AUTH_FILE_SUFFIX}")));
                write_auth_file(&file.0, &address, login).map_err(|e| format!("writing the registry login: {e}"))?;
                copy.arg("--src-authfile").arg(&file.0);
                Some(file)
            }
            None => None,
        };
        copy.arg(format!("docker://{image}")).arg(format!("oci:{}:{tag}", layout.display()));
        run(copy, &format!("pulling {image}")).await
    }
}

/// How the auth files of pulls end (a killed server's are swept at the next start).
const AUTH_FILE_SUFFIX: &str = ".auth.json";

/// A pull's auth file, removed when dropped.
struct AuthFile(PathBuf);

impl Drop for AuthFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Removes the auth files a killed server left under `dir` (one level of snapshot directories).
fn sweep_auth_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(entry.path()).into_iter().flatten().flatten() {
            if file.file_name().to_string_lossy().ends_with(AUTH_FILE_SUFFIX) {
                let _ = std::fs::remove_file(file.path());
            }
        }
    }
}

/// Writes the containers auth file (`{"auths": {address: {"auth": base64(user:password)}}}`)
/// of `login` at `path`, readable by the server's user only.
fn write_auth_file(path: &Path, address: &str, login: &RegistryLogin) -> std::io::Result<()> {
    use base64::Engine;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", login.username, login.password));
    let json = serde_json::json!({ "auths": { address: { "auth": token } } });
    // One a killed server left behind goes first: a new file is private from its first byte.
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(json.to_string().as_bytes()).inspect_err(|_| {
        let _ = std::fs::remove_file(path);
    })
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

/// The bytes the files under `dir` take on disk (a sparse disk image counts what it holds,
/// not its length).
pub fn bytes_on_disk(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.blocks() * 512)
        .sum()
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

/// Where an unpacked bundle keeps the copy of its image's `/etc/passwd` and `/etc/group`
/// (`{USER_DB}/etc/…`), umoci's source for resolving the image's `USER`.
const USER_DB: &str = "users";

/// Copies `rootfs`'s `/etc/passwd` and `/etc/group` (those that exist, up to 1 MiB each) to
/// `db/etc/`, resolving every link inside `rootfs` as a container would see it, never outside.
fn copy_user_db(rootfs: &Path, db: &Path) -> std::io::Result<()> {
    use std::io::Read;
    use std::os::fd::{AsRawFd, FromRawFd};
    std::fs::create_dir_all(db.join("etc"))?;
    let root = std::fs::File::open(rootfs)?;
    for name in ["passwd", "group"] {
        let path = std::ffi::CString::new(format!("etc/{name}")).map_err(std::io::Error::other)?;
        // `struct open_how` of openat2(2).
        #[repr(C)]
        struct OpenHow {
            flags: u64,
            mode: u64,
            resolve: u64,
        }
        let how = OpenHow {
            // A path only: an image's device node or FIFO is never opened for reading.
            flags: (libc::O_PATH | libc::O_CLOEXEC) as u64,
            mode: 0,
            resolve: libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS | libc::RESOLVE_NO_XDEV,
        };
        // SAFETY: a live descriptor, a C string and a struct that outlive the call, and its size.
        let fd = unsafe {
            libc::syscall(libc::SYS_openat2, root.as_raw_fd(), path.as_ptr(), &how, std::mem::size_of::<OpenHow>())
        };
        if fd < 0 {
            let e = std::io::Error::last_os_error();
            match e.raw_os_error() {
                // None (or not a file one can open): nothing to resolve names against.
                Some(libc::ENOENT | libc::ENOTDIR | libc::ELOOP | libc::EXDEV) => continue,
                _ => return Err(e),
            }
        }
        // SAFETY: just opened, owned by nobody else.
        let path = unsafe { std::fs::File::from_raw_fd(fd as i32) };
        if !path.metadata()?.is_file() {
            continue;
        }
        // The very file the path descriptor holds, opened for reading.
        let file = std::fs::File::open(format!("/proc/self/fd/{}", path.as_raw_fd()))?;
        let mut text = Vec::new();
        file.take(1 << 20).read_to_end(&mut text)?;
        std::fs::write(db.join("etc").join(name), text)?;
    }
    Ok(())
}

/// Who the image of `config` (umoci's runtime config) runs as, named and housed from the
/// user database copied to `db`.
fn image_user(config: &serde_json::Value, db: &Path) -> ImageUser {
    let id = |v: &serde_json::Value| v.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
    let user = &config["process"]["user"];
    let (uid, gid) = (id(&user["uid"]), id(&user["gid"]));
    let groups = user["additionalGids"].as_array().into_iter().flatten().map(id).collect();
    let passwd = std::fs::read_to_string(db.join("etc/passwd")).unwrap_or_default();
    // name:password:uid:gid:gecos:home:shell
    let entry = passwd.lines().map(|l| l.split(':').collect::<Vec<_>>()).find(|f| {
        f.len() >= 6 && f[2].parse::<u32>() == Ok(uid) && !f[0].is_empty() && f[0].bytes().all(|b| b.is_ascii_graphic())
    });
    let name =
        entry.as_ref().map_or_else(|| if uid == 0 { "root".into() } else { uid.to_string() }, |f| f[0].to_owned());
    let home = entry.map(|f| f[5].to_owned()).filter(|h| valid_home(h)).unwrap_or_else(|| {
        if uid == 0 {
            "/root".into()
        } else {
            "/".into()
        }
    });
    ImageUser { name, runs_as: crate::agent::JailUser { uid, gid, groups, home: home.into() } }
}

/// Whether `home` is an absolute, plain path (no `.` or `..`, no control characters).
fn valid_home(home: &str) -> bool {
    home.starts_with('/') && !home.split('/').any(|c| c == ".." || c == ".") && !home.contains(char::is_control)
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
    fn an_images_user_is_named_and_housed_from_its_own_users() {
        let dir = tempfile::tempdir().unwrap();
        let (rootfs, db) = (dir.path().join("rootfs"), dir.path().join("db"));
        std::fs::create_dir_all(rootfs.join("etc")).unwrap();
        // The image's passwd is a link to a host file: followed inside the image's root only
        // (where that path does not exist), so nothing is copied.
        let host = dir.path().join("host-passwd");
        std::fs::write(&host, "app:x:4321:4321::/host:/bin/sh\n").unwrap();
        std::os::unix::fs::symlink(&host, rootfs.join("etc/passwd")).unwrap();
        copy_user_db(&rootfs, &db).unwrap();
        assert!(!db.join("etc/passwd").exists(), "a link out of the image was followed");
        // A link that stays inside it is followed there.
        std::fs::remove_file(rootfs.join("etc/passwd")).unwrap();
        std::fs::write(rootfs.join("etc/users"), "root:x:0:0::/root:/bin/sh\napp:x:1234:1234::/home/app:/bin/sh\n")
            .unwrap();
        std::os::unix::fs::symlink("/etc/../etc/users", rootfs.join("etc/passwd")).unwrap();
        copy_user_db(&rootfs, &db).unwrap();
        let user = |config: serde_json::Value| image_user(&config, &db);
        let app =
            user(serde_json::json!({ "process": { "user": { "uid": 1234, "gid": 1234, "additionalGids": [50] } } }));
        assert_eq!(
            app,
            ImageUser {
                name: "app".into(),
                runs_as: crate::agent::JailUser { uid: 1234, gid: 1234, groups: vec![50], home: "/home/app".into() }
            }
        );
        let root = user(serde_json::json!({ "process": { "user": { "uid": 0, "gid": 0 } } }));
        assert_eq!((root.name.as_str(), root.runs_as.home.to_str()), ("root", Some("/root")));
        // Not in the image's passwd: named by its uid, at home in /.
        let stranger = user(serde_json::json!({ "process": { "user": { "uid": 777, "gid": 0 } } }));
        assert_eq!((stranger.name.as_str(), stranger.runs_as.home.to_str()), ("777", Some("/")));
        // No user database and no user at all: root.
        let bare = image_user(&serde_json::json!({}), &dir.path().join("none"));
        let ids = &bare.runs_as;
        assert_eq!((ids.uid, ids.gid, bare.name.as_str(), ids.home.to_str()), (0, 0, "root", Some("/root")));
        for bad in ["home/app", "/home/../etc", "/home/./x", "/home/a\nb"] {
            assert!(!valid_home(bad), "{bad:?}");
        }
    }

    fn login(address: &str, project: &str, username: &str) -> RegistryLogin {
        RegistryLogin {
            address: address.into(),
            project: project.into(),
            username: username.into(),
            password: "pw".into(),
        }
    }

    #[test]
    fn a_pull_takes_the_login_of_its_registry_and_project() {
        let logins = [
            login("ghcr.io", "", "any"),
            login("ghcr.io", "team", "team"),
            login("ghcr.io", "team/deep", "deep"),
            login("docker.io", "", "hub"),
            login("127.0.0.1:5000", "", "local"),
        ];
        let who = |image: &str| login_for(&logins, image).map(|l| l.username.as_str());
        assert_eq!(who("ghcr.io/other/x:1"), Some("any"));
        assert_eq!(who("ghcr.io/team/x:1"), Some("team"));
        assert_eq!(who("ghcr.io/team/deep/x:1"), Some("deep"));
        assert_eq!(who("ghcr.io/teamx/y:1"), Some("any"), "a project is a whole path component");
        assert_eq!(who("python:3.12"), Some("hub"));
        assert_eq!(who("index.docker.io/library/python:3.12"), Some("hub"));
        assert_eq!(who("127.0.0.1:5000/test/busybox:1.0"), Some("local"));
        assert_eq!(who("127.0.0.1:5001/test/busybox:1.0"), None);
        assert_eq!(who("quay.io/a/b:1"), None);
        // Docker Hub's official images: a login for its `library` project serves both spellings.
        let logins = [login("docker.io", "", "any"), login("docker.io", "library", "official")];
        let who = |image: &str| login_for(&logins, image).map(|l| l.username.as_str());
        assert_eq!(who("python:3.12"), Some("official"));
        assert_eq!(who("library/python:3.12"), Some("official"));
        assert_eq!(who("docker.io/library/python:3.12"), Some("official"));
        assert_eq!(who("someone/python:3.12"), Some("any"));
    }

    #[test]
    fn of_two_logins_for_the_same_images_the_last_is_used() {
        let logins = [login("ghcr.io", "team", "older"), login("ghcr.io", "team/", "newer")];
        assert_eq!(login_for(&logins, "ghcr.io/team/x:1").map(|l| l.username.as_str()), Some("newer"));
    }

    #[test]
    fn a_killed_servers_auth_files_are_swept_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let snap = dir.path().join("images").join("snap-1");
        std::fs::create_dir_all(&snap).unwrap();
        std::fs::write(snap.join("image.auth.json"), "{}").unwrap();
        std::fs::write(snap.join("keep.json"), "{}").unwrap();
        Images::new(dir.path(), vec![]).unwrap();
        assert!(!snap.join("image.auth.json").exists());
        assert!(snap.join("keep.json").exists());
    }

    #[test]
    fn only_loopback_and_named_registries_may_be_plain_http() {
        let dir = tempfile::tempdir().unwrap();
        let images = Images::new(dir.path(), vec!["10.0.0.1:5000".into()]).unwrap();
        assert!(images.plain_http_allowed("127.0.0.1:5000"));
        assert!(images.plain_http_allowed("localhost:5000"));
        assert!(images.plain_http_allowed("10.0.0.1:5000"));
        assert!(!images.plain_http_allowed("10.0.0.1:5001"));
        assert!(!images.plain_http_allowed("docker.io"));
        assert!(!images.plain_http_allowed("localhost.evil.com"));
    }

    #[test]
    fn the_auth_file_is_private_and_holds_the_login() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.auth.json");
        write_auth_file(&path, "127.0.0.1:5000", &login("127.0.0.1:5000", "", "alice")).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(json["auths"]["127.0.0.1:5000"]["auth"], "YWxpY2U6cHc=", "base64 of alice:pw");
    }
}
