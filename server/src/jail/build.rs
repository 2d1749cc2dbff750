//! Image builds: a Dockerfile and its contexts built into a snapshot's image with `buildah bud`
//! (no Dockerfile interpreter of our own), run like a sandbox: as root of a user namespace
//! of its own that maps onto a fresh range of unprivileged host ids, in a cgroup with the
//! snapshot's CPU and memory and the sandboxes' process limit, on a disk of its own
//! ([`BUILD_DISK_GIB`], loop-mounted `nosuid,nodev`), within [`BUILD_TIMEOUT`], under
//! bubblewrap in a root of its own (see [`Step::run`]), under a seccomp filter refusing the
//! kernel's attack surface as a sandbox's does (`agent::seccomp::build_filters`). `RUN` steps run in buildah's chroot
//! isolation inside that namespace, in a network namespace whose only
//! way out is slirp4netns behind the sandboxes' firewall (the internet, not this host nor its
//! private networks). The images the Dockerfile starts from are pulled by the server first
//! (skopeo, as snapshots are: loopback registries over plain HTTP), so a build needs no
//! access to registries of its own.
//!
//! Layout while it runs: `builds/{id}/bases/` (the pulled base images, an OCI layout) and
//! `builds/{id}/disk/home/` (the build's disk) holding `Dockerfile`, `context/`, `storage/` and
//! `run/` (buildah's), `tmp/` and `image/` (the result, an OCI layout the image store
//! unpacks). The build's commands see the disk at [`INNER`] and the base images at its
//! `bases/`, and nothing else of the data dir. All removed at the end; the log stays in
//! `builds/.logs/{id}.log` until the snapshot is deleted.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::error::JailError;
use super::identity::{self, Identities};
use super::images::ImageInfo;
use super::network::Uplink;
use super::runtime::{which, Runtime};

/// Longest a build may take, pulls of its base images included.
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The size of a build's own disk (sparse: it takes host space only as it fills).
pub const BUILD_DISK_GIB: i64 = 20;

/// The descriptor the build's network lifeline is handed over as.
const LIFELINE_FD: i32 = 4;

/// Where a build's directory appears to its commands: bound there in a mount namespace of
/// their own, as the data dir is the server's alone (a host directory, 0755, empty).
const INNER: &str = "/run/daytona-local/build";

/// The directory of the build logs, in the builds' directory.
const LOGS: &str = ".logs";

/// The tag the result is given in buildah's storage and in the OCI layout.
const RESULT: &str = "localhost/daytona-local-build:latest";

/// What builds need (or why this host cannot build).
pub struct Builds {
    dir: PathBuf,
    identities: Identities,
    disks: super::disk::Disks,
    buildah: Option<PathBuf>,
    skopeo: Option<PathBuf>,
    unavailable: Option<String>,
    /// At most [`MAX_CONCURRENT_BUILDS`] run at once; the others wait their turn.
    slots: tokio::sync::Semaphore,
}

/// Builds running at once (each takes a disk, a loop device and CPU).
const MAX_CONCURRENT_BUILDS: usize = 2;

impl Builds {
    /// Builds under `data_dir/builds`, with id ranges from `id_base` (claimed host-wide, so
    /// never a sandbox's).
    pub fn new(data_dir: &Path, id_base: u32) -> std::io::Result<Self> {
        let dir = data_dir.join("builds");
        std::fs::create_dir_all(dir.join(LOGS))?;
        let (buildah, skopeo) = (which("buildah"), which("skopeo"));
        if super::runtime::running_as_root() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::create_dir_all(INNER)?;
            for dir in [Path::new(INNER), Path::new(INNER).parent().unwrap_or(Path::new("/"))] {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))?;
            }
        }
        let unavailable = if !super::runtime::running_as_root() {
            Some("image builds need daytona-local to run as root (a user namespace per build)".to_owned())
        } else if buildah.is_none() || skopeo.is_none() || which("umoci").is_none() {
            Some("image builds need buildah, skopeo and umoci (scripts/setup.sh installs them)".to_owned())
        } else {
            None
        };
        let identities = Identities::new(&dir, id_base);
        let disks = super::disk::Disks::new(&dir, BUILD_DISK_GIB, 0, 0);
        let slots = tokio::sync::Semaphore::new(MAX_CONCURRENT_BUILDS);
        Ok(Self { dir, identities, disks, buildah, skopeo, unavailable, slots })
    }

    /// The build log of snapshot `id` (kept after the build, until the snapshot is deleted).
    pub fn log(&self, id: &str) -> PathBuf {
        self.dir.join(LOGS).join(format!("{id}.log"))
    }

    /// Why images cannot be built here, if they cannot.
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }

    /// Removes what builds interrupted by a stop of the server left (their snapshots are built
    /// again from the start).
    pub async fn clean_all(&self) {
        let ids: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.'))
            .collect();
        for id in ids {
            self.clean(&id).await;
        }
    }

    /// Removes what an interrupted build of `id` left (its disk unmounted first).
    pub async fn clean(&self, id: &str) {
        self.disks.unmount(id).await;
        self.identities.release(id);
        let dir = self.dir.join(id);
        let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(dir)).await;
    }
}

/// One build: snapshot `id`'s image from `dockerfile` and the context archives `contexts`
/// (unpacked into one directory, in order), with the snapshot's resources; its output is
/// appended to `log`.
pub struct Build<'a> {
    /// The snapshot being built.
    pub id: &'a str,
    /// The Dockerfile's text.
    pub dockerfile: &'a str,
    /// The context archives (tar).
    pub contexts: Vec<PathBuf>,
    /// CPU cores.
    pub cpus: i64,
    /// Memory, GiB.
    pub memory_gib: i64,
    /// Where the build's output goes.
    pub log: &'a Path,
    /// The registries' credentials, for the base images.
    pub logins: Vec<super::images::RegistryLogin>,
}

impl Runtime {
    /// Builds the image of `build` into the image store as snapshot `build.id`'s; on failure the
    /// error's text ends with the log's last lines.
    pub async fn build_image(&self, build: Build<'_>) -> Result<ImageInfo, JailError> {
        let builds = &self.builds;
        if let Some(why) = &builds.unavailable {
            return Err(JailError::Unsupported(why.clone()));
        }
        let bases = base_images(build.dockerfile).map_err(JailError::Unsupported)?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(build.log)
            .map_err(|e| format!("opening the build log: {e}"))?;
        let _turn = builds.slots.acquire().await.map_err(|e| format!("waiting to build: {e}"))?;
        let result = tokio::time::timeout(BUILD_TIMEOUT, self.build_in(&build, &bases, &log)).await;
        builds.clean(build.id).await;
        let result = match result {
            Ok(r) => r,
            Err(_) => Err(format!("the build took longer than {} minutes", BUILD_TIMEOUT.as_secs() / 60).into()),
        };
        let mut log = log;
        match &result {
            Ok(_) => writeln!(log, "Build succeeded"),
            Err(e) => writeln!(log, "Build failed: {e}"),
        }
        .map_err(|e| format!("writing the build log: {e}"))?;
        result.map_err(|e| match e {
            JailError::Failed(why) => JailError::Failed(format!("{why}{}", log_tail(build.log))),
            other => other,
        })
    }

    async fn build_in(&self, build: &Build<'_>, bases: &[String], log: &std::fs::File) -> Result<ImageInfo, JailError> {
        let builds = &self.builds;
        let say = |line: String| {
            let _ = writeln!(&*log, "{line}");
        };
        // The base images first (a missing one fails the build before it costs a disk), onto
        // the host's disk, beside the build's own: the server pulls them, nothing of the build's.
        let pulled = builds.dir.join(build.id).join("bases");
        std::fs::create_dir_all(&pulled).map_err(|e| format!("preparing the build: {e}"))?;
        for (n, image) in bases.iter().enumerate() {
            say(format!("Pulling {image}"));
            self.images.fetch(image, &pulled, &format!("b{n}"), &build.logins).await?;
        }
        let range = builds.identities.range(build.id).map_err(|e| format!("an id range for the build: {e}"))?;
        let root = range.host(0);
        identity::chown_tree(&pulled, root).map_err(|e| format!("preparing the build: {e}"))?;
        let work = builds.disks.prepare(build.id, BUILD_DISK_GIB, root).await?;
        for sub in ["context", "tmp", "bases"] {
            std::fs::create_dir_all(work.join(sub)).map_err(|e| format!("preparing the build: {e}"))?;
        }
        std::fs::write(work.join("Dockerfile"), build.dockerfile).map_err(|e| format!("preparing the build: {e}"))?;
        let contexts = build.contexts.clone();
        let context = work.join("context");
        tokio::task::spawn_blocking(move || unpack_contexts(&contexts, &context))
            .await
            .map_err(|e| format!("unpacking the context: {e}"))??;
        identity::chown_tree(&work, root).map_err(|e| format!("preparing the build: {e}"))?;

        let ns = identity::user_namespace(range).map_err(|e| format!("the build's user namespace: {e}"))?;
        let cgroup = self.cgroups.limit(&format!("build-{}", build.id), build.cpus, build.memory_gib, self.pids_limit);
        let cgroup = match cgroup {
            Ok(g) => Some(g),
            Err(JailError::Unsupported(why)) => {
                tracing::warn!("build {}: no limits: {why}", build.id);
                None
            }
            Err(e) => return Err(e),
        };
        let step = Step { work: &work, bases: &pulled, ns: &ns, cgroup: cgroup.as_ref(), log, bwrap: &self.bwrap };
        // What the steps see of the build's directory (see [`INNER`]); `work` is the host's.
        let inner = Path::new(INNER);
        let storage = format!("[vfs@{}+{}]", inner.join("storage").display(), inner.join("run").display());
        let result = async {
            let skopeo = builds.skopeo.as_deref().unwrap_or(Path::new("skopeo"));
            for (n, image) in bases.iter().enumerate() {
                let from = format!("oci:{}:b{n}", inner.join("bases").display());
                let to = format!("containers-storage:{storage}{image}");
                step.run("storing the base image", skopeo, &["copy", "--quiet", &from, &to], None).await?;
            }
            let buildah = builds.buildah.as_deref().unwrap_or(Path::new("buildah"));
            let global: Vec<OsString> = os([
                "--root".as_ref(),
                inner.join("storage").as_os_str(),
                "--runroot".as_ref(),
                inner.join("run").as_os_str(),
                "--storage-driver".as_ref(),
                "vfs".as_ref(),
            ]);
            let mut bud = global.clone();
            bud.extend(os(["bud", "--pull-never", "--isolation", "chroot", "--dns", "10.0.2.3", "--format", "oci"]));
            bud.extend(os(["-f".as_ref(), inner.join("Dockerfile").as_os_str(), "-t".as_ref(), RESULT.as_ref()]));
            bud.push(inner.join("context").into());
            step.run("the build", buildah, &bud, Some(&self.firewall)).await?;
            let mut push = global;
            push.extend(os(["push", "--quiet", RESULT]));
            push.push(format!("oci:{}:image", inner.join("image").display()).into());
            step.run("exporting the image", buildah, &push, None).await?;
            say("Unpacking the image".into());
            self.images.make_dir(build.id).await?;
            self.images.unpack(build.id, &work.join("image"), "image").await
        }
        .await;
        if let Some(g) = cgroup {
            g.kill_all();
            g.remove();
        }
        result
    }
}

/// Owned arguments.
fn os<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Vec<OsString> {
    args.into_iter().map(|a| a.as_ref().to_owned()).collect()
}

/// A command of a build, run as root of its user namespace.
struct Step<'a> {
    work: &'a Path,
    /// bubblewrap, which gives every command a root of its own (see [`Step::run`]).
    bwrap: &'a Path,
    /// The pulled base images, bound at `bases/` of the work dir.
    bases: &'a Path,
    ns: &'a OwnedFd,
    cgroup: Option<&'a super::limits::Cgroup>,
    log: &'a std::fs::File,
}

impl Step<'_> {
    /// Runs `program` with `args` (`what` it does, for errors) to its end; with `firewall`, in
    /// a network namespace of its own connected through slirp4netns behind it.
    ///
    /// Under bubblewrap, in a root of its own as a sandbox's: the host's `/usr`, `/etc` and
    /// `/sys` read-only, a fresh `/proc` (its own pid namespace), a minimal `/dev`, a private
    /// `/tmp`, and the build's directory; nothing else of the host. buildah's chroot isolation lets a
    /// RUN step's root (with `CAP_SYS_CHROOT` in the build's namespace) leave its chroot: it
    /// lands here, not in the host's filesystem.
    async fn run<S: AsRef<std::ffi::OsStr>>(
        &self,
        what: &str,
        program: &Path,
        args: &[S],
        firewall: Option<&super::firewall::Firewall>,
    ) -> Result<(), JailError> {
        let out = self.log.try_clone().map_err(|e| format!("build log: {e}"))?;
        let err = self.log.try_clone().map_err(|e| format!("build log: {e}"))?;
        let mut cmd = Command::new(self.bwrap);
        let inner = Path::new(INNER);
        cmd.args(super::runtime::system_binds());
        // buildah's chroot isolation binds the root's /sys into each RUN: the host's, read-only.
        cmd.args([
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--ro-bind",
            "/sys",
            "/sys",
            "--tmpfs",
            "/tmp",
            "--dir",
            "/var/tmp",
        ]);
        cmd.arg("--bind").arg(inner).arg(inner);
        cmd.args(["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--cap-add", "ALL", "--"]);
        cmd.arg(program).args(args).env_clear();
        cmd.env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HOME", inner)
            .env("TMPDIR", inner.join("tmp"))
            .env("LC_ALL", "C.UTF-8")
            .env("BUILDAH_ISOLATION", "chroot");
        cmd.stdin(Stdio::null()).stdout(Stdio::from(out)).stderr(Stdio::from(err));
        cmd.process_group(0).kill_on_drop(true);
        let uplink = match firewall {
            Some(_) => Some(Uplink::new().map_err(|e| format!("network: {e}"))?),
            None => None,
        };
        if let Some(u) = &uplink {
            u.hand_to(&mut cmd, LIFELINE_FD);
        }
        if let Some(g) = self.cgroup {
            g.join_on_spawn(&mut cmd);
        }
        let (ns, net) = (self.ns.as_raw_fd(), uplink.is_some());
        // Compiled here: the child only installs them (no allocation after the fork).
        let filters = crate::agent::seccomp::build_filters()?;
        let c =
            |p: &Path| std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).map_err(|e| format!("build path: {e}"));
        let (work, inner_work) = (c(self.work)?, c(inner)?);
        let (bases, inner_bases) = (c(self.bases)?, c(&inner.join("bases"))?);
        // SAFETY: bind_work, identity::enter and installing a compiled filter (prctl, seccomp)
        // make async-signal-safe calls only.
        unsafe {
            cmd.pre_exec(move || {
                bind_work(&[(&work, &inner_work), (&bases, &inner_bases)])?;
                identity::enter(ns, net)?;
                // The kernel's attack surface refused to everything the build runs (as to a
                // sandbox; mounts and namespaces stay, bubblewrap and buildah need them), with
                // no_new_privs: no setuid program gains anything.
                for filter in &filters {
                    seccompiler::apply_filter(filter).map_err(|_| std::io::Error::from_raw_os_error(libc::EPERM))?;
                }
                match libc::chdir(inner_work.as_ptr()) {
                    0 => Ok(()),
                    _ => Err(std::io::Error::last_os_error()),
                }
            })
        };
        let mut child = cmd.spawn().map_err(|e| format!("starting {}: {e}", program.display()))?;
        if let (Some(uplink), Some(firewall)) = (uplink, firewall) {
            let pid = child.id().map(|p| p as i32).unwrap_or_default();
            // slirp4netns's own messages are not the build's.
            let quiet = std::fs::File::create("/dev/null").map_err(|e| format!("network: {e}"))?;
            if let Err(e) = uplink.attach(pid, firewall.clone(), quiet).await {
                let _ = child.kill().await;
                return Err(e);
            }
        }
        let status = child.wait().await.map_err(|e| format!("waiting for {}: {e}", program.display()))?;
        match status.success() {
            true => Ok(()),
            false => Err(format!("{what} failed ({status})").into()),
        }
    }
}

/// In a new mount namespace (between fork and exec, as the server's root): binds each
/// `(host, inner)` directory pair in order (the build's directory, then within it the pulled
/// base images), where the build's own user can reach them.
///
/// # Safety
/// Only async-signal-safe calls: fit for `pre_exec`.
unsafe fn bind_work(binds: &[(&std::ffi::CStr, &std::ffi::CStr)]) -> std::io::Result<()> {
    let check = |r: libc::c_int| if r == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) };
    let none = std::ptr::null::<libc::c_char>();
    // SAFETY: system calls on prepared C strings.
    unsafe {
        check(libc::unshare(libc::CLONE_NEWNS))?;
        check(libc::mount(none, c"/".as_ptr(), none, libc::MS_REC | libc::MS_PRIVATE, std::ptr::null()))?;
        for (host, inner) in binds {
            check(libc::mount(host.as_ptr(), inner.as_ptr(), none, libc::MS_BIND | libc::MS_REC, std::ptr::null()))?;
        }
        Ok(())
    }
}

/// The last lines of the build log at `log`, for the failure's reason.
fn log_tail(log: &Path) -> String {
    let tail = super::error::last_lines(&std::fs::read_to_string(log).unwrap_or_default(), 8, "\n");
    match tail.is_empty() {
        true => String::new(),
        false => format!(":\n{tail}"),
    }
}

/// Unpacks the context archives into `dir`, in order (later files replace earlier ones). Only
/// files, directories and links; paths stay inside `dir` (the tar crate refuses `..` and
/// writes through no link that leads out); owners are not taken from the archives.
fn unpack_contexts(archives: &[PathBuf], dir: &Path) -> Result<(), JailError> {
    use tar::EntryType;
    for path in archives {
        let file = std::fs::File::open(path).map_err(|e| format!("opening a context: {e}"))?;
        let mut archive = tar::Archive::new(std::io::BufReader::new(file));
        archive.set_preserve_permissions(true);
        archive.set_preserve_ownerships(false);
        archive.set_unpack_xattrs(false);
        archive.set_overwrite(true);
        for entry in archive.entries().map_err(|e| format!("reading a context: {e}"))? {
            let mut entry = entry.map_err(|e| format!("reading a context: {e}"))?;
            let kind = entry.header().entry_type();
            if !matches!(
                kind,
                EntryType::Regular
                    | EntryType::Directory
                    | EntryType::Symlink
                    | EntryType::Link
                    | EntryType::Continuous
            ) {
                continue;
            }
            entry.unpack_in(dir).map_err(|e| format!("unpacking a context: {e}"))?;
        }
    }
    Ok(())
}

/// The images a Dockerfile starts from: every stage's `FROM` and every `COPY --from` that
/// names an image rather than an earlier stage, without `scratch`, in order, once each.
/// A `FROM` that takes its image from a build argument is refused (nothing can pull it
/// ahead).
pub fn base_images(dockerfile: &str) -> Result<Vec<String>, String> {
    let mut stages: Vec<String> = Vec::new();
    let mut images: Vec<String> = Vec::new();
    let mut add = |image: &str, stages: &[String]| -> Result<(), String> {
        if image.eq_ignore_ascii_case("scratch") || stages.iter().any(|s| s.eq_ignore_ascii_case(image)) {
            return Ok(());
        }
        if image.contains('$') {
            return Err(format!("FROM {image}: images named by build arguments cannot be built here"));
        }
        daytona_models::check_image_reference(image)?;
        if !images.iter().any(|i| i == image) {
            images.push(image.to_owned());
        }
        Ok(())
    };
    for line in instructions(dockerfile) {
        let mut words = line.split_whitespace();
        let Some(keyword) = words.next() else { continue };
        let words: Vec<&str> = words.collect();
        let plain: Vec<&str> = words.iter().copied().filter(|w| !w.starts_with("--")).collect();
        if keyword.eq_ignore_ascii_case("FROM") {
            let image = plain.first().ok_or("FROM names no image")?;
            add(image, &stages)?;
            match plain.as_slice() {
                [_, kw, name] if kw.eq_ignore_ascii_case("AS") => stages.push((*name).to_owned()),
                _ => stages.push(String::new()),
            }
        } else if keyword.eq_ignore_ascii_case("COPY") || keyword.eq_ignore_ascii_case("ADD") {
            for from in words.iter().filter_map(|w| w.strip_prefix("--from=")) {
                if from.parse::<usize>().is_err() {
                    add(from, &stages)?;
                }
            }
        }
    }
    match images.is_empty() && stages.is_empty() {
        true => Err("the Dockerfile has no FROM".into()),
        false => Ok(images),
    }
}

/// A Dockerfile's instructions: comments dropped, continued lines joined.
fn instructions(dockerfile: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in dockerfile.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar entry whose name is written raw (the tar crate refuses to write `..` itself).
    fn raw_entry(builder: &mut tar::Builder<Vec<u8>>, name: &str, kind: tar::EntryType, link: &str, data: &[u8]) {
        let mut header = tar::Header::new_gnu();
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        header.set_entry_type(kind);
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }

    #[test]
    fn contexts_unpack_inside_their_directory_only() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, outside) = (tmp.path().join("context"), tmp.path().join("outside"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        let mut b = tar::Builder::new(Vec::new());
        raw_entry(&mut b, "app/ok.txt", tar::EntryType::Regular, "", b"ok");
        raw_entry(&mut b, "../escape.txt", tar::EntryType::Regular, "", b"x");
        raw_entry(&mut b, "/abs.txt", tar::EntryType::Regular, "", b"x");
        raw_entry(&mut b, "dev", tar::EntryType::Char, "", b"");
        raw_entry(&mut b, "link", tar::EntryType::Symlink, outside.to_str().unwrap(), b"");
        raw_entry(&mut b, "hard", tar::EntryType::Link, "/etc/passwd", b"");
        raw_entry(&mut b, "link/pwned.txt", tar::EntryType::Regular, "", b"x");
        let archive = tmp.path().join("context.tar");
        std::fs::write(&archive, b.into_inner().unwrap()).unwrap();
        let _ = unpack_contexts(&[archive], &dir);
        assert_eq!(std::fs::read(dir.join("app/ok.txt")).unwrap(), b"ok");
        assert!(!tmp.path().join("escape.txt").exists());
        assert!(!Path::new("/abs.txt").exists());
        assert!(!outside.join("pwned.txt").exists(), "written through a link out of the context");
        assert!(!dir.join("dev").exists(), "device nodes are not made");
        assert!(
            std::fs::read(dir.join("hard")).map_or(true, |b| !b.starts_with(b"root:")),
            "a hard link to a host file"
        );
    }

    #[test]
    fn base_images_are_the_stages_sources_not_the_stages() {
        let df = "# syntax\nFROM --platform=linux/amd64 127.0.0.1:5000/a/b:1 AS build\nRUN make \\\n  all\n\
                  FROM build\nCOPY --from=build /x /x\nCOPY --from=ghcr.io/c/d:2 /y /y\nCOPY --from=0 /z /z\n\
                  from scratch\nFROM python:3.12-slim\n";
        assert_eq!(base_images(df).unwrap(), ["127.0.0.1:5000/a/b:1", "ghcr.io/c/d:2", "python:3.12-slim"]);
        assert!(base_images("ARG B\nFROM $B\n").is_err());
        assert!(base_images("FROM -x:1\n").is_err());
        assert!(base_images("RUN true\n").is_err());
        assert_eq!(base_images("FROM scratch\nCOPY a /a\n").unwrap(), Vec::<String>::new());
    }
}
