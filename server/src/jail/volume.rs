//! Volumes: directories under the data dir's `volumes/`, outliving sandboxes and shared live
//! between them, mounted into jails at their `mountPath` (optionally one `subpath` of them).
//!
//! Every sandbox has its own host id range, so one directory tree cannot belong to all of
//! them: a volume's files are stored as uid and gid [`VOLUME_ID`] (1000) on disk and each jail
//! gets an *idmapped* mount of it where that id is its own user's (`daytona`, or whoever its
//! image runs as, root included) and no other id exists (see [`super::identity::volume_namespace`]).
//! A server run by a normal user has one identity for every sandbox: there the directory is
//! bound as it is.
//!
//! A sandbox can write anything into a volume, symlinks included, and another sandbox (or a
//! later start) mounts a `subpath` of it: the subpath is walked one directory at a time from
//! a descriptor of the volume's root, never following a symlink or leaving the volume, and the
//! jail binds the descriptor it ends on, never a path a sandbox could swap meanwhile.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use super::error::JailError;
use super::identity::VOLUME_ID;
use super::runtime::running_as_root;

/// The volumes' directory and how their files are owned.
pub struct Volumes {
    dir: PathBuf,
}

/// One volume mount of a jail, prepared before bwrap runs.
pub struct Mount {
    /// An idmapped, detached mount tree (server run as root) or a descriptor of the directory
    /// to bind (unprivileged).
    pub source: OwnedFd,
    /// The absolute path in the jail.
    pub target: String,
}

/// A volume to mount: its id, its checked mount path and subpath components.
pub struct Wanted {
    /// Volume id.
    pub id: String,
    /// From [`daytona_models::check_mount_path`].
    pub mount_path: String,
    /// From [`daytona_models::subpath_components`].
    pub subpath: Vec<String>,
}

impl Volumes {
    /// The volumes under `data_dir/volumes` (made, private to the server, if need be).
    pub fn new(data_dir: &Path) -> std::io::Result<Self> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let dir = data_dir.join("volumes");
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        Ok(Self { dir })
    }

    /// The directory of volume `id`.
    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    /// Makes the empty directory of volume `id`, owned by the sandbox user as sandboxes see it.
    pub fn create(&self, id: &str) -> Result<(), JailError> {
        let root = self.path(id);
        std::fs::create_dir(&root).map_err(|e| format!("creating the volume's directory: {e}"))?;
        std::fs::set_permissions(&root, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .map_err(|e| format!("chmod: {e}"))?;
        if running_as_root() {
            std::os::unix::fs::chown(&root, Some(VOLUME_ID), Some(VOLUME_ID)).map_err(|e| format!("chown: {e}"))?;
        }
        Ok(())
    }

    /// Removes volume `id` and everything in it (symlinks are removed, never followed).
    pub async fn remove(&self, id: &str) -> Result<(), JailError> {
        let root = self.path(id);
        tokio::task::spawn_blocking(move || match std::fs::remove_dir_all(&root) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("removing the volume's files: {e}")),
            _ => Ok(()),
        })
        .await
        .map_err(|e| format!("removing the volume's files: {e}"))?
        .map_err(JailError::from)
    }

    /// The mounts of `wanted`, parents before what is mounted inside them. `userns`: the
    /// namespace whose id map the mounts take ([`super::identity::volume_namespace`]; none
    /// when unprivileged).
    pub fn prepare(&self, wanted: &[Wanted], userns: Option<&OwnedFd>) -> Result<Vec<Mount>, JailError> {
        let mut mounts = Vec::with_capacity(wanted.len());
        for w in wanted {
            let dir = self.open_subpath(w).map_err(|e| format!("volume {}: {e}", w.id))?;
            let source = match userns {
                Some(ns) => idmapped_tree(&dir, ns).map_err(|e| format!("mounting volume {}: {e}", w.id))?,
                None => dir,
            };
            mounts.push(Mount { source, target: w.mount_path.clone() });
        }
        mounts.sort_by_key(|m| m.target.matches('/').count());
        Ok(mounts)
    }

    /// A descriptor of `w`'s subpath, made (owned by the sandbox user) where missing.
    fn open_subpath(&self, w: &Wanted) -> Result<OwnedFd, String> {
        let root = self.path(&w.id);
        let mut dir = open_dir(libc::AT_FDCWD, &cstring(root.as_os_str().as_encoded_bytes())?)
            .map_err(|e| format!("the volume's directory: {e}"))?;
        for part in &w.subpath {
            let name = cstring(part.as_bytes())?;
            let next = match open_dir(dir.as_raw_fd(), &name) {
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                    make_dir(&dir, &name).map_err(|e| format!("creating subpath {part:?}: {e}"))?;
                    open_dir(dir.as_raw_fd(), &name)
                }
                other => other,
            };
            dir = next.map_err(|e| match e.raw_os_error() {
                Some(libc::ENOTDIR | libc::ELOOP) => format!("subpath component {part:?} is not a directory"),
                _ => format!("subpath component {part:?}: {e}"),
            })?;
        }
        Ok(dir)
    }
}

/// `bytes` as a C string (no NUL inside).
pub(super) fn cstring(bytes: &[u8]) -> Result<CString, String> {
    CString::new(bytes).map_err(|_| "a path with a NUL byte".to_owned())
}

/// Opens directory `name` under `at` (a descriptor or `AT_FDCWD`), never through a symlink.
pub(super) fn open_dir(at: libc::c_int, name: &CString) -> std::io::Result<OwnedFd> {
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: a C string that outlives the call; the descriptor returned is ours.
    let fd = unsafe { libc::openat(at, name.as_ptr(), flags) };
    match fd {
        -1 => Err(std::io::Error::last_os_error()),
        // SAFETY: just opened, owned by nobody else.
        fd => Ok(unsafe { OwnedFd::from_raw_fd(fd) }),
    }
}

/// Makes directory `name` in `dir` (0755), the sandbox user's when we are root.
fn make_dir(dir: &OwnedFd, name: &CString) -> std::io::Result<()> {
    // SAFETY: a live descriptor and a C string that outlives the call.
    if unsafe { libc::mkdirat(dir.as_raw_fd(), name.as_ptr(), 0o755) } == -1 {
        let e = std::io::Error::last_os_error();
        // Made meanwhile (by a sandbox, or another start): it is opened next like any other.
        return if e.raw_os_error() == Some(libc::EEXIST) { Ok(()) } else { Err(e) };
    }
    if running_as_root() {
        let made = open_dir(dir.as_raw_fd(), name)?;
        // SAFETY: a live descriptor.
        if unsafe { libc::fchown(made.as_raw_fd(), VOLUME_ID, VOLUME_ID) } == -1 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A detached copy of the mount at `dir`, rooted there, whose ids are shown through `userns`'s
/// map (on-disk id `n` is the host id `n` maps to there), nosuid and nodev.
pub(super) fn idmapped_tree(dir: &OwnedFd, userns: &OwnedFd) -> std::io::Result<OwnedFd> {
    let flags = libc::OPEN_TREE_CLONE | libc::OPEN_TREE_CLOEXEC | libc::AT_EMPTY_PATH as libc::c_uint;
    // SAFETY: a live descriptor and a static empty C string.
    let tree = unsafe { libc::syscall(libc::SYS_open_tree, dir.as_raw_fd(), c"".as_ptr(), flags) };
    if tree < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: just opened, owned by nobody else.
    let tree = unsafe { OwnedFd::from_raw_fd(tree as i32) };
    let attr = libc::mount_attr {
        attr_set: libc::MOUNT_ATTR_IDMAP | libc::MOUNT_ATTR_NOSUID | libc::MOUNT_ATTR_NODEV,
        attr_clr: 0,
        propagation: 0,
        userns_fd: userns.as_raw_fd() as u64,
    };
    // SAFETY: live descriptors; `attr` outlives the call and its size is passed.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            tree.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH,
            &attr as *const libc::mount_attr,
            std::mem::size_of::<libc::mount_attr>(),
        )
    };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(tree)
}
