//! Sandbox disks: `disk` (GiB) is enforced by giving each sandbox's home a filesystem of its
//! own, an ext4 image (sparse, so it takes host space only as it fills) mounted through a loop
//! device with `nosuid,nodev`. A sandbox that fills it gets `ENOSPC` at its own limit and the
//! host's filesystem keeps the rest. This needs root (mounts and loop devices); elsewhere disk
//! limits are reported as not enforced and an explicit `disk` is refused.
//!
//! Layout: `sandboxes/{id}/disk/{disk.img, home/}`, `home/` being the mount point. Formatting
//! and mounting take tens of milliseconds, so a few disks of the default size are kept
//! formatted and mounted ahead in `sandboxes/.pool/` and a new sandbox takes one with a
//! rename (the mount moves with its directory).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use parking_lot::Mutex;

use super::error::JailError;
use super::runtime::which;

/// Directory of ready disks, under the sandboxes directory.
const POOL_DIR: &str = ".pool";
/// A sandbox's disk directory, in its directory.
const DISK_DIR: &str = "disk";
const IMAGE: &str = "disk.img";
const MOUNT_POINT: &str = "home";
/// Where a fork's copy of its source's files waits (in the fork's own directory).
const KEPT_DIR: &str = "kept";

/// Per-sandbox disks (or why they cannot be had here).
pub struct Disks {
    sandboxes_dir: PathBuf,
    pool_dir: PathBuf,
    /// Size of the pooled disks (the default `disk`).
    pool_gib: i64,
    /// How many ready disks to keep.
    pool_size: usize,
    pool: Mutex<Vec<PathBuf>>,
    /// Serialises refills (one formatter at a time).
    refilling: tokio::sync::Mutex<()>,
    /// Set by [`Disks::unmount_all`]: no disk is added to the pool any more.
    closed: std::sync::atomic::AtomicBool,
    unavailable: Option<String>,
    /// Bytes of the host's filesystem that new sandboxes, forks and snapshots leave free.
    reserve: u64,
}

impl Disks {
    /// Probes whether this host lets us mount disk images, and clears the pool left by an
    /// earlier server process. Work that would leave less than `reserve` bytes free on the
    /// host's filesystem is refused ([`Disks::check_room`]).
    pub fn new(sandboxes_dir: &Path, pool_gib: i64, pool_size: usize, reserve: u64) -> Self {
        let unavailable = if !super::runtime::running_as_root() {
            Some("disk limits need daytona-local to run as root (loop-mounted images)".to_owned())
        } else if which("mkfs.ext4").is_none() || which("mount").is_none() {
            Some("disk limits need mkfs.ext4 (e2fsprogs) and mount (util-linux)".to_owned())
        } else if !Path::new("/dev/loop-control").exists() {
            Some("disk limits need loop devices (/dev/loop-control is missing)".to_owned())
        } else {
            None
        };
        let pool_dir = sandboxes_dir.join(POOL_DIR);
        if let Ok(entries) = std::fs::read_dir(&pool_dir) {
            for e in entries.flatten() {
                discard(&e.path());
            }
        }
        Self {
            sandboxes_dir: sandboxes_dir.to_owned(),
            pool_dir,
            pool_gib,
            pool_size,
            pool: Mutex::new(Vec::new()),
            refilling: tokio::sync::Mutex::new(()),
            closed: std::sync::atomic::AtomicBool::new(false),
            unavailable,
            reserve,
        }
    }

    /// [`Disks::check_room`] for a copy of sandbox `id`'s files (a fork's, a snapshot's): as
    /// many bytes as its disk image has allocated (sparse: what was written), or as its plain
    /// home takes where disks are unavailable (walked off the async runtime).
    pub async fn check_room_to_copy(&self, id: &str) -> Result<(), String> {
        use std::os::unix::fs::MetadataExt;
        let (image, home) = (self.disk_dir(id).join(IMAGE), self.plain_home(id));
        let measured = tokio::task::spawn_blocking(move || match std::fs::metadata(&image) {
            Ok(image) => image.blocks() * 512,
            Err(_) => super::images::bytes_on_disk(&home),
        });
        self.check_room(measured.await.unwrap_or(0), "a copy of its files")
    }

    /// Whether `what` may write `need` more bytes to the host's filesystem: only if the
    /// reserve is still free after them. The error says what is free, kept and needed.
    pub fn check_room(&self, need: u64, what: &str) -> Result<(), String> {
        let Some(st) = statvfs(&self.sandboxes_dir) else { return Ok(()) };
        let free = st.f_bavail * st.f_frsize;
        match free >= need.saturating_add(self.reserve) {
            true => Ok(()),
            false => Err(format!(
                "the host's disk has {} free, of which daytona-local keeps {} in reserve (--disk-reserve-mib): \
                 {what} needs {}",
                human(free),
                human(self.reserve),
                human(need)
            )),
        }
    }

    /// Why disk limits are not enforced here, if they are not.
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }

    fn disk_dir(&self, id: &str) -> PathBuf {
        self.sandboxes_dir.join(id).join(DISK_DIR)
    }

    /// Sandbox `id`'s home as a plain directory: where disks are unavailable, or an older
    /// sandbox's from before it had a disk.
    fn plain_home(&self, id: &str) -> PathBuf {
        self.sandboxes_dir.join(id).join("home")
    }

    /// Makes sure sandbox `id` has its disk of `gib` GiB mounted (a plain directory where disks
    /// are unavailable), everything in it owned by host id `owner`; returns the home's host
    /// path. An older sandbox's plain home directory is copied onto a new disk the first time.
    pub async fn prepare(&self, id: &str, gib: i64, owner: u32) -> Result<PathBuf, JailError> {
        let legacy = self.plain_home(id);
        let home = match self.unavailable {
            Some(_) => {
                std::fs::create_dir_all(&legacy).map_err(|e| format!("creating {}: {e}", legacy.display()))?;
                legacy
            }
            None => self.mounted(id, gib, &legacy).await?,
        };
        own(&home, owner)?;
        Ok(home)
    }

    /// Sandbox `id`'s disk, made (or taken from the pool) and mounted if need be, with the
    /// files of its `legacy` plain home moved onto it.
    async fn mounted(&self, id: &str, gib: i64, legacy: &Path) -> Result<PathBuf, JailError> {
        let disk = self.disk_dir(id);
        let home = disk.join(MOUNT_POINT);
        if !disk.join(IMAGE).exists() {
            let taken = match gib == self.pool_gib {
                true => self.take_ready(&disk),
                false => false,
            };
            if !taken {
                let fresh = self.pool_dir.join(format!("new-{}", uuid::Uuid::new_v4()));
                make_disk(&fresh, gib).await?;
                std::fs::rename(&fresh, &disk).map_err(|e| format!("placing the disk: {e}"))?;
            }
        } else if !is_mounted(&home) {
            mount(&disk.join(IMAGE), &home).await?;
        }
        if legacy.is_dir() {
            migrate(legacy, &home).await?;
        }
        Ok(home)
    }

    /// Gives sandbox `to` a copy of sandbox `from`'s disk, mounted (a fork): the image copied
    /// sparse after the source's filesystem is synced (its caller keeps the source still
    /// meanwhile, or it is stopped), so the copy is what the source had written; a plain home
    /// copied where disks are unavailable. Returns the root of the copy (the mount point).
    pub async fn copy(&self, from: &str, to: &str) -> Result<PathBuf, JailError> {
        let kept = self.sandboxes_dir.join(to).join(KEPT_DIR);
        self.save(from, &kept).await?;
        let placed = self.place(&kept, to, false).await;
        let _ = std::fs::remove_dir_all(&kept);
        placed
    }

    /// Keeps a copy of sandbox `from`'s files in directory `dir` (made here): its disk image,
    /// copied sparse after its filesystem is synced (the caller keeps the sandbox still
    /// meanwhile, or it is stopped), or its plain home where disks are unavailable. A sandbox
    /// made from it later gets them with [`Disks::restore`].
    pub async fn save(&self, from: &str, dir: &Path) -> Result<(), JailError> {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let source = self.disk_dir(from);
        if self.unavailable.is_some() || !source.join(IMAGE).exists() {
            let (legacy, copy) = (self.plain_home(from), dir.join(MOUNT_POINT));
            std::fs::create_dir_all(&copy).map_err(|e| format!("creating {}: {e}", copy.display()))?;
            if legacy.is_dir() {
                copy_tree(&legacy, &copy).await?;
            }
            return Ok(());
        }
        let mounted = source.join(MOUNT_POINT);
        if is_mounted(&mounted) {
            sync_filesystem(&mounted)?;
        }
        let (image, copy) = (source.join(IMAGE), dir.join(IMAGE));
        run("cp", &["--sparse=always".as_ref(), image.as_os_str(), copy.as_os_str()]).await
    }

    /// Gives sandbox `to` the files [`Disks::save`] kept in `dir`, mounted; returns their root
    /// (the mount point, or the plain home where disks are unavailable).
    pub async fn restore(&self, dir: &Path, to: &str) -> Result<PathBuf, JailError> {
        self.place(dir, to, true).await
    }

    /// [`Disks::restore`], the files in `dir` copied (`keep`) or moved.
    async fn place(&self, dir: &Path, to: &str, keep: bool) -> Result<PathBuf, JailError> {
        let kept = dir.join(IMAGE);
        if !kept.exists() {
            let copy = self.plain_home(to);
            let home = dir.join(MOUNT_POINT);
            if !keep && home.is_dir() && std::fs::rename(&home, &copy).is_ok() {
                return Ok(copy);
            }
            std::fs::create_dir_all(&copy).map_err(|e| format!("creating {}: {e}", copy.display()))?;
            if home.is_dir() {
                copy_tree(&home, &copy).await?;
            }
            return Ok(copy);
        }
        if self.unavailable.is_some() {
            return Err(JailError::Unsupported(
                "these files were kept on a disk image, and this host has no disks for sandboxes".into(),
            ));
        }
        let disk = self.disk_dir(to);
        std::fs::create_dir_all(&disk).map_err(|e| format!("creating {}: {e}", disk.display()))?;
        let copy = disk.join(IMAGE);
        match keep {
            true => run("cp", &["--sparse=always".as_ref(), kept.as_os_str(), copy.as_os_str()]).await?,
            false => std::fs::rename(&kept, &copy).map_err(|e| format!("placing the disk: {e}"))?,
        }
        let home = disk.join(MOUNT_POINT);
        mount(&copy, &home).await?;
        Ok(home)
    }

    /// The size of the disk image kept in `dir` by [`Disks::save`], in GiB (rounded up; none
    /// for a plain home).
    pub fn kept_gib(dir: &Path) -> Option<i64> {
        let len = std::fs::metadata(dir.join(IMAGE)).ok()?.len();
        Some(len.div_ceil(1 << 30) as i64)
    }

    /// Moves a ready disk of the pool to `disk`; whether there was one.
    fn take_ready(&self, disk: &Path) -> bool {
        let mut pool = self.pool.lock();
        while let Some(ready) = pool.pop() {
            if std::fs::rename(&ready, disk).is_ok() {
                return true;
            }
            discard(&ready);
        }
        false
    }

    /// Tops the pool up to its size (in the background after each sandbox takes a disk).
    pub async fn refill(self: Arc<Self>) {
        if self.unavailable.is_some() || self.pool_size == 0 {
            return;
        }
        let _one_at_a_time = self.refilling.lock().await;
        loop {
            if self.is_closed() || self.pool.lock().len() >= self.pool_size {
                return;
            }
            let dir = self.pool_dir.join(uuid::Uuid::new_v4().to_string());
            if let Err(e) = make_disk(&dir, self.pool_gib).await {
                tracing::warn!("preparing a sandbox disk: {e}");
                discard(&dir);
                return;
            }
            self.pool.lock().push(dir);
        }
    }

    /// Grows sandbox `id`'s disk to `gib` GiB. A mounted ext4 grows in place where the host
    /// allows it (that needs `CAP_SYS_RESOURCE`); otherwise the disk of a sandbox that is not
    /// `running` is unmounted and grown offline, and a running one is refused (stop it first).
    pub async fn grow(&self, id: &str, gib: i64, running: bool) -> Result<(), JailError> {
        if let Some(why) = &self.unavailable {
            return Err(JailError::Unsupported(format!("Cannot grow the disk: {why}")));
        }
        let disk = self.disk_dir(id);
        let image = disk.join(IMAGE);
        let Ok(old_len) = std::fs::metadata(&image).map(|m| m.len()) else {
            // Not made yet: it gets the new size when the sandbox starts.
            return Ok(());
        };
        // Never shorter than it is: a filesystem grown by an earlier resize whose record was
        // not stored would otherwise lose its end.
        let new_len = ((gib as u64) << 30).max(old_len);
        let set_len = |len: u64| {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&image)
                .and_then(|f| f.set_len(len))
                .map_err(|e| format!("growing {}: {e}", image.display()))
        };
        let home = disk.join(MOUNT_POINT);
        if is_mounted(&home) {
            let device = loop_device(&home).ok_or("the sandbox's loop device was not found")?;
            set_len(new_len)?;
            run("losetup", &["-c".as_ref(), device.as_os_str()]).await?;
            let online = run("resize2fs", &[device.as_os_str()]).await;
            if online.is_ok() {
                return Ok(());
            }
            // The filesystem kept its size: so do the image and the device (a device left
            // longer than its file fails every later mount of the image with I/O errors) —
            // unless a partial resize grew it past the old length, which then stays.
            if filesystem_bytes(&home).is_some_and(|fs| fs <= old_len) {
                set_len(old_len)?;
                if let Err(e) = run("losetup", &["-c".as_ref(), device.as_os_str()]).await {
                    tracing::error!("sandbox {id}: the loop device kept the grown length: {e}");
                }
            }
            if running {
                return Err(JailError::Unsupported(format!(
                    "Cannot grow the disk: this host does not let a mounted disk grow ({}); stop the sandbox and resize it then",
                    online.unwrap_err()
                )));
            }
            if !unmount_when_free(&home).await {
                return Err(JailError::Busy(
                    "Cannot grow the disk: the sandbox's disk is still in use; try again".into(),
                ));
            }
        }
        // Grown offline only when no filesystem instance of it is left anywhere: a mount
        // namespace made on the host while it was mounted (another sandbox's jail started
        // meanwhile, a service's private /tmp, `ip netns exec`) keeps a copy of the mount and so
        // the loop device, and that instance would write its old superblock back over the grown
        // one when it ends. The image keeps its length until then.
        let mut attached = loop_devices_of(&image);
        for _ in 0..100 {
            if attached.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            attached = loop_devices_of(&image);
        }
        if !attached.is_empty() {
            return Err(JailError::Busy(format!(
                "Cannot grow the disk: the disk is still in use on the host ({} attached: a mount namespace made while it was mounted, such as another sandbox started since, holds it); try again once that has ended",
                attached.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
            )));
        }
        set_len(new_len)?;
        // Offline, resize2fs wants a checked filesystem first.
        run_accepting("e2fsck", &["-f".as_ref(), "-p".as_ref(), image.as_os_str()], &[0, 1]).await?;
        run("resize2fs", &[image.as_os_str()]).await
    }

    /// Unmounts sandbox `id`'s disk (the jail must be gone); its files stay in the image.
    pub async fn unmount(&self, id: &str) {
        unmount_when_free(&self.disk_dir(id).join(MOUNT_POINT)).await;
    }

    fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Unmounts every disk: sandboxes' and the pool's (clean shutdown). A refill under way
    /// ends first (a disk it was still formatting would otherwise stay mounted after the
    /// server is gone), and none starts after.
    pub async fn unmount_all(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        let _no_refill = self.refilling.lock().await;
        let ready: Vec<PathBuf> = self.pool.lock().drain(..).collect();
        for dir in ready {
            discard(&dir);
        }
        let entries: Vec<PathBuf> = std::fs::read_dir(&self.sandboxes_dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join(DISK_DIR).join(MOUNT_POINT))
            .collect();
        for home in entries {
            unmount_when_free(&home).await;
        }
    }
}

/// Formats a `gib` GiB image in `dir/disk.img` and mounts it on `dir/home`.
async fn make_disk(dir: &Path, gib: i64) -> Result<(), JailError> {
    std::fs::create_dir_all(dir.join(MOUNT_POINT)).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let image = dir.join(IMAGE);
    {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&image)
            .map_err(|e| format!("creating {}: {e}", image.display()))?;
        file.set_len((gib as u64) << 30).map_err(|e| format!("sizing {}: {e}", image.display()))?;
    }
    // No reserved blocks (the sandbox user gets all of it); lazy initialisation keeps the
    // format at a few tens of milliseconds whatever the size.
    run(
        "mkfs.ext4",
        &[
            "-q".as_ref(),
            "-F".as_ref(),
            "-m".as_ref(),
            "0".as_ref(),
            "-E".as_ref(),
            "lazy_itable_init=1,lazy_journal_init=1,nodiscard".as_ref(),
            image.as_os_str(),
        ],
    )
    .await?;
    mount(&image, &dir.join(MOUNT_POINT)).await?;
    // An empty home: no lost+found in the sandbox user's way.
    let _ = std::fs::remove_dir(dir.join(MOUNT_POINT).join("lost+found"));
    Ok(())
}

async fn mount(image: &Path, at: &Path) -> Result<(), JailError> {
    std::fs::create_dir_all(at).map_err(|e| format!("creating {}: {e}", at.display()))?;
    run("mount", &["-o".as_ref(), "loop,nosuid,nodev,noatime".as_ref(), image.as_os_str(), at.as_os_str()]).await
}

/// Copies a plain home made before disk limits onto the sandbox's disk, then removes it.
async fn migrate(legacy: &Path, home: &Path) -> Result<(), JailError> {
    tracing::info!("moving {} onto its own disk", legacy.display());
    copy_tree(legacy, home).await?;
    std::fs::remove_dir_all(legacy).map_err(|e| format!("removing {}: {e}", legacy.display()).into())
}

/// Copies everything in directory `from` into directory `to`, owners, modes and times kept.
async fn copy_tree(from: &Path, to: &Path) -> Result<(), JailError> {
    let mut all = from.as_os_str().to_owned();
    all.push("/.");
    run("cp", &["-a".as_ref(), all.as_os_str(), to.as_os_str()]).await
}

/// Gives `home` and everything in it to host id `owner` unless its root has that owner already:
/// a new disk's root is root's, a home made before sandboxes had id ranges (or copied from one)
/// belongs to the old shared uid 1000.
fn own(home: &Path, owner: u32) -> Result<(), JailError> {
    let meta = std::fs::metadata(home).map_err(|e| format!("{}: {e}", home.display()))?;
    if std::os::unix::fs::MetadataExt::uid(&meta) == owner {
        return Ok(());
    }
    super::identity::chown_tree(home, owner).map_err(|e| format!("chown {}: {e}", home.display()).into())
}

/// Writes out everything cached for the filesystem mounted at `dir` (syncfs(2)).
fn sync_filesystem(dir: &Path) -> Result<(), JailError> {
    use std::os::fd::AsRawFd;
    let d = std::fs::File::open(dir).map_err(|e| format!("opening {}: {e}", dir.display()))?;
    // SAFETY: syncfs(2) on a descriptor we hold.
    match unsafe { libc::syncfs(d.as_raw_fd()) } {
        0 => Ok(()),
        _ => Err(format!("syncing {}: {}", dir.display(), std::io::Error::last_os_error()).into()),
    }
}

/// Whether `dir` is a mount point (another device than its parent's).
pub fn is_mounted(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let parent = dir.parent().unwrap_or(Path::new("/"));
    match (std::fs::metadata(dir), std::fs::metadata(parent)) {
        (Ok(d), Ok(p)) => d.dev() != p.dev(),
        _ => false,
    }
}

/// Unmounts `dir`; `Err(())` while it is busy.
fn try_unmount(dir: &Path) -> Result<(), ()> {
    if !is_mounted(dir) {
        return Ok(());
    }
    let Ok(path) = std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(dir.as_os_str())) else {
        return Ok(());
    };
    // SAFETY: umount2 on a path we own.
    match unsafe { libc::umount2(path.as_ptr(), 0) } {
        0 => Ok(()),
        _ => Err(()),
    }
}

/// Unmounts `dir` at once, detaching it if busy (it goes once unused): for pooled disks,
/// which no jail ever used.
fn unmount(dir: &Path) {
    if try_unmount(dir).is_err() {
        if let Ok(path) = std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(dir.as_os_str())) {
            // SAFETY: umount2 on a path we own.
            unsafe { libc::umount2(path.as_ptr(), libc::MNT_DETACH) };
        }
    }
}

/// Unmounts a sandbox's disk, waiting up to 2 s while it is busy: the namespaces of a jail
/// that has just ended let go of its mounts a moment after its processes are gone. A disk
/// detached while still in use would stay attached to its loop device, and the next mount of
/// the image would share that stale filesystem. Whether it is unmounted (else detached).
async fn unmount_when_free(dir: &Path) -> bool {
    for _ in 0..100 {
        if try_unmount(dir).is_ok() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tracing::warn!("{} still busy after 2 s: detached", dir.display());
    unmount(dir);
    false
}

/// Unmounts and deletes a pooled disk.
fn discard(dir: &Path) {
    unmount(&dir.join(MOUNT_POINT));
    let _ = std::fs::remove_dir_all(dir);
}

/// statvfs(3) of the filesystem `path` is on.
pub(super) fn statvfs(path: &Path) -> Option<libc::statvfs> {
    let path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).ok()?;
    // SAFETY: statvfs on a NUL-terminated path into a zeroed struct we own.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    (unsafe { libc::statvfs(path.as_ptr(), &mut st) } == 0).then_some(st)
}

/// The size of the filesystem mounted on `dir`, in bytes.
pub(super) fn filesystem_bytes(dir: &Path) -> Option<u64> {
    statvfs(dir).map(|st| st.f_blocks * st.f_frsize)
}

/// `bytes` for people: MiB below a GiB, else GiB with one decimal.
fn human(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    match bytes < 1 << 30 {
        true => format!("{} MiB", bytes.div_ceil(MIB)),
        false => format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64),
    }
}

/// The loop device mounted on `dir`, from the mount table.
fn loop_device(dir: &Path) -> Option<PathBuf> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let want = dir.to_str()?;
    table.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        let dash = fields.iter().position(|f| *f == "-")?;
        (fields.get(4) == Some(&want)).then(|| fields.get(dash + 2).map(PathBuf::from)).flatten()
    })
}

/// The loop devices whose backing file is `image`.
fn loop_devices_of(image: &Path) -> Vec<PathBuf> {
    let Ok(image) = image.canonicalize() else { return Vec::new() };
    std::fs::read_dir("/sys/block")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path().join("loop/backing_file"))
                .is_ok_and(|backing| Path::new(backing.trim_end()) == image)
        })
        .map(|e| Path::new("/dev").join(e.file_name()))
        .collect()
}

async fn run(program: &str, args: &[&std::ffi::OsStr]) -> Result<(), JailError> {
    run_accepting(program, args, &[0]).await
}

/// Runs `program`; success is an exit code in `ok` (e2fsck says 1 for "errors corrected").
async fn run_accepting(program: &str, args: &[&std::ffi::OsStr], ok: &[i32]) -> Result<(), JailError> {
    let out = tokio::process::Command::new(which(program).unwrap_or_else(|| program.into()))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| format!("running {program}: {e}"))?;
    match out.status.code().is_some_and(|c| ok.contains(&c)) {
        true => Ok(()),
        false => Err(JailError::Failed(format!(
            "{program} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
    }
}
