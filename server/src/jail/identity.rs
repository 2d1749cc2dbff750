//! Per-sandbox identities. When daytona-local runs as root, every sandbox gets a user
//! namespace of its own that maps its uids and gids `0..65536` onto a range of host ids no
//! other sandbox and no host user has (`--id-base`, then one range per sandbox, as rootless
//! container engines use `/etc/subuid`). Root inside a sandbox is therefore an unprivileged
//! host id with capabilities over the sandbox's own namespaces only, and two sandboxes never
//! share a uid: no shared keyrings, process limits or signals. A sandbox's range is allocated
//! on its first start and kept in its directory (out of the jail's reach) for its lifetime.
//!
//! Run as a normal user, the server cannot map more than its own uid: every sandbox is then
//! that uid on the host (bubblewrap maps it to `daytona` inside), isolated by its namespaces
//! and seccomp filter only.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

/// Ids in each sandbox's range (uids and gids `0..RANGE` inside).
pub const RANGE: u32 = 65_536;
/// Default first host id of the first range: far above the ids of host users and of the
/// ranges `useradd` hands out in `/etc/subuid` (100000 upwards).
pub const DEFAULT_BASE: u32 = 1_000_000_000;
/// File in a sandbox's directory that records the first host id of its range.
const RANGE_FILE: &str = "idmap";
/// Host-wide directory of claimed ranges (one empty file per first id), so that several
/// daytona-local instances on one host never hand out the same range.
const CLAIMS_DIR: &str = "/run/daytona-local/id-ranges";

/// The host ids of one sandbox: inner id `n` is host id `first + n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdRange {
    /// The host id of root inside the sandbox.
    pub first: u32,
}

impl IdRange {
    /// The host id of inner id `inner`.
    pub fn host(self, inner: u32) -> u32 {
        self.first + inner
    }
}

/// Allocates the ranges.
pub struct Identities {
    sandboxes_dir: PathBuf,
    base: u32,
}

impl Identities {
    /// Ranges from `base` upwards, recorded under `sandboxes_dir/{id}/`.
    pub fn new(sandboxes_dir: &Path, base: u32) -> Self {
        Self { sandboxes_dir: sandboxes_dir.to_owned(), base }
    }

    /// Sandbox `id`'s range, allocated (the lowest free one) on first use.
    pub fn range(&self, id: &str) -> std::io::Result<IdRange> {
        let file = self.sandboxes_dir.join(id).join(RANGE_FILE);
        if let Some(first) = read_range(&file) {
            return Ok(IdRange { first });
        }
        // One allocation at a time host-wide (this server's threads and other servers alike):
        // claims are checked and made under an exclusive lock of the claims directory.
        std::fs::create_dir_all(CLAIMS_DIR)?;
        let claims = std::fs::File::open(CLAIMS_DIR)?;
        // SAFETY: flock on a descriptor we own; released when `claims` is closed.
        if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&claims), libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut used: Vec<u32> = std::fs::read_dir(&self.sandboxes_dir)?
            .filter_map(|e| read_range(&e.ok()?.path().join(RANGE_FILE)))
            .collect();
        used.sort_unstable();
        let slots = (u32::MAX - 1 - self.base) / RANGE;
        let first = (0..slots)
            .map(|slot| self.base + slot * RANGE)
            .find(|first| used.binary_search(first).is_err() && claim(*first, &self.sandboxes_dir))
            .ok_or_else(|| std::io::Error::other("no free uid range left for another sandbox"))?;
        std::fs::create_dir_all(file.parent().unwrap_or(&self.sandboxes_dir))?;
        let tmp = file.with_extension("tmp");
        std::fs::write(&tmp, format!("{first}\n"))?;
        std::fs::rename(&tmp, &file)?;
        Ok(IdRange { first })
    }
}

impl Identities {
    /// At start: drops the claims of servers whose sandboxes dir is gone and whose ranges no
    /// process uses any more (left by servers that were removed without deleting their
    /// sandboxes), then claims the recorded ranges of this server's sandboxes again (a reboot
    /// clears the claims); a range another instance claimed meanwhile is reported.
    pub fn reclaim(&self) {
        let _ = std::fs::create_dir_all(CLAIMS_DIR);
        let running = host_uids();
        for e in std::fs::read_dir(CLAIMS_DIR).into_iter().flatten().flatten() {
            let Some(first) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            let abandoned = claimant(first).is_some_and(|owner| !owner.exists());
            if abandoned && !running.iter().any(|uid| (first..first.saturating_add(RANGE)).contains(uid)) {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let Ok(entries) = std::fs::read_dir(&self.sandboxes_dir) else { return };
        for e in entries.flatten() {
            if let Some(first) = read_range(&e.path().join(RANGE_FILE)) {
                if !claim(first, &self.sandboxes_dir)
                    && claimant(first).as_deref() != Some(self.sandboxes_dir.as_path())
                {
                    tracing::warn!(
                        "uid range {first} of {} may also be used by another daytona-local",
                        e.path().display()
                    );
                }
            }
        }
    }

    /// Gives sandbox `id`'s range back (its files are being deleted).
    pub fn release(&self, id: &str) {
        if let Some(first) = read_range(&self.sandboxes_dir.join(id).join(RANGE_FILE)) {
            let _ = std::fs::remove_file(Path::new(CLAIMS_DIR).join(first.to_string()));
        }
    }
}

/// Claims range `first` host-wide for the server of `sandboxes_dir`; whether it was free.
fn claim(first: u32, sandboxes_dir: &Path) -> bool {
    let file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(Path::new(CLAIMS_DIR).join(first.to_string()));
    match file {
        Ok(mut f) => {
            let _ = f.write_all(sandboxes_dir.as_os_str().as_encoded_bytes());
            true
        }
        Err(_) => false,
    }
}

/// The real uids of every process on the host (a jail left behind keeps its range in use).
fn host_uids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let status = std::fs::read_to_string(e.path().join("status")).ok()?;
            status.lines().find_map(|l| l.strip_prefix("Uid:"))?.split_whitespace().next()?.parse().ok()
        })
        .collect()
}

/// The sandboxes dir of the server that claimed range `first`.
fn claimant(first: u32) -> Option<PathBuf> {
    std::fs::read(Path::new(CLAIMS_DIR).join(first.to_string()))
        .ok()
        .map(|b| PathBuf::from(std::ffi::OsString::from_vec(b)))
}

fn read_range(file: &Path) -> Option<u32> {
    std::fs::read_to_string(file).ok()?.trim().parse().ok()
}

/// A new user namespace mapping ids `0..RANGE` onto `range` (needs root), as a descriptor a
/// jail's first process enters with `setns` before it makes its other namespaces, so that
/// they belong to this user namespace.
pub fn user_namespace(range: IdRange) -> std::io::Result<OwnedFd> {
    let map = format!("0 {} {RANGE}\n", range.first);
    namespace_with_maps(&map, &map)
}

/// A user namespace for the idmapped mounts of a jail's volumes: on-disk uid and gid
/// [`VOLUME_ID`] are the host ids of the sandbox's user (`uid`, `gid` inside, through
/// `range`), and no other id is mapped. Whoever the sandbox user is (`daytona`, an image's
/// user, root), a volume's files are its own; files of any other id cannot be made in a
/// volume (`EOVERFLOW`), so no sandbox can leave files owned by host root there.
pub fn volume_namespace(range: IdRange, uid: u32, gid: u32) -> std::io::Result<OwnedFd> {
    let (uid_map, gid_map) =
        (format!("{VOLUME_ID} {} 1\n", range.host(uid)), format!("{VOLUME_ID} {} 1\n", range.host(gid)));
    namespace_with_maps(&uid_map, &gid_map)
}

/// The uid and gid of a volume's files on disk (whichever sandbox made them).
pub const VOLUME_ID: u32 = 1000;

/// A new user namespace with these `uid_map` and `gid_map` (needs root), as a descriptor.
///
/// A short-lived child is cloned straight into a new user namespace (`unshare` is impossible
/// in a multi-threaded process), waits until this process has written its maps, and exits;
/// the descriptor keeps the namespace alive. It shares our memory (`CLONE_VM`, no copy of a
/// large server's page tables) and runs on a stack of its own, calling `read` and `write` only.
fn namespace_with_maps(uid_map: &str, gid_map: &str) -> std::io::Result<OwnedFd> {
    let (mut ready, ready_w) = std::io::pipe()?;
    let (go, go_w) = std::io::pipe()?;
    // What the child needs: its ends, and the parent's ends to close in its own fd table.
    let fds: [i32; 4] = [ready_w.as_raw_fd(), go.as_raw_fd(), ready.as_raw_fd(), go_w.as_raw_fd()];
    extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` points at `fds`, alive until the parent has waited for this child;
        // only async-signal-safe calls.
        unsafe {
            let [ready_w, go, ready_r, go_w] = *(arg as *const [i32; 4]);
            // Only the parent may hold these ends: the read below must see EOF when it closes.
            libc::close(go_w);
            libc::close(ready_r);
            let ok = 1u8;
            libc::write(ready_w, (&ok as *const u8).cast(), 1);
            let mut byte = 0u8;
            libc::read(go, (&mut byte as *mut u8).cast(), 1);
        }
        0
    }
    let mut stack = vec![0u8; 64 * 1024];
    // SAFETY: the stack grows down from its (16-byte aligned) end; `stack` and `fds` outlive
    // the child, which the parent waits for below.
    let pid = unsafe {
        let top = stack.as_mut_ptr().add(stack.len()) as usize & !15;
        libc::clone(
            child,
            top as *mut libc::c_void,
            libc::CLONE_VM | libc::CLONE_NEWUSER | libc::SIGCHLD,
            &fds as *const [i32; 4] as *mut libc::c_void,
        )
    };
    if pid == -1 {
        return Err(std::io::Error::last_os_error());
    }
    drop((ready_w, go));
    let result = (|| {
        let mut ok = [0u8];
        ready.read_exact(&mut ok)?;
        for (file, map) in [("uid_map", uid_map), ("gid_map", gid_map)] {
            std::fs::OpenOptions::new().write(true).open(format!("/proc/{pid}/{file}"))?.write_all(map.as_bytes())?;
        }
        let ns = std::fs::File::open(format!("/proc/{pid}/ns/user"))?;
        Ok(OwnedFd::from(ns))
    })();
    drop(go_w);
    let mut status = 0;
    // SAFETY: waits for the child cloned above.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    drop(stack);
    result
}

/// Makes the calling process root of the user namespace `ns` (for a `pre_exec` hook, between
/// fork and exec): everything it creates afterwards belongs to that namespace. With `net`, it
/// also gets a new network namespace owned by it.
///
/// # Safety
/// Only async-signal-safe calls: fit for `pre_exec`.
pub unsafe fn enter(ns: i32, net: bool) -> std::io::Result<()> {
    let check = |r: libc::c_int| if r == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) };
    // SAFETY: system calls on integers and an empty group list; none allocates or locks.
    unsafe {
        check(libc::setns(ns, libc::CLONE_NEWUSER))?;
        check(libc::setgroups(0, std::ptr::null()))?;
        check(libc::setresgid(0, 0, 0))?;
        check(libc::setresuid(0, 0, 0))?;
        if net {
            check(libc::unshare(libc::CLONE_NEWNET))?;
        }
    }
    Ok(())
}

/// Moves everything under `dir` owned by ids of range `from` to the same ids of range `to` (a
/// forked sandbox's files, copied from its source's disk); other owners (host root's
/// `lost+found`) are left. Set-user and set-group ids, which a chown clears, are kept.
pub fn shift_tree(dir: &Path, from: IdRange, to: IdRange) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let shift = |id: u32| match id.checked_sub(from.first) {
        Some(inner) if inner < RANGE => to.host(inner),
        _ => id,
    };
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry = entry.map_err(std::io::Error::other)?;
        let meta = entry.path().symlink_metadata()?;
        let (uid, gid) = (shift(meta.uid()), shift(meta.gid()));
        if (uid, gid) == (meta.uid(), meta.gid()) {
            continue;
        }
        std::os::unix::fs::lchown(entry.path(), Some(uid), Some(gid))?;
        if meta.is_file() && meta.mode() & 0o6000 != 0 {
            std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
        }
    }
    Ok(())
}

/// Gives every file under `dir` (not following symlinks) to host id `owner`: a home made
/// before sandboxes had ranges of their own belongs to the old shared uid.
pub fn chown_tree(dir: &Path, owner: u32) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry = entry.map_err(std::io::Error::other)?;
        std::os::unix::fs::lchown(entry.path(), Some(owner), Some(owner))?;
    }
    Ok(())
}
