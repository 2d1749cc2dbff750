//! The sandbox's seccomp filter, installed by the agent on itself before it serves anything,
//! and so inherited by every process the sandbox runs. It refuses the system calls a sandbox
//! has no use for and that have been ways out of containers or into the kernel's attack
//! surface: the kernel keyrings (shared per host user), file handles (`open_by_handle_at`
//! reads any file of a mount), kernel modules and kexec, BPF and perf, userfaultfd and
//! io_uring, mounts, `setns`, and new user namespaces (which would hand the sandbox user a
//! full capability set over namespaces of its own). `clone3` answers `ENOSYS`, as in Docker's
//! profile, because its flags cannot be inspected: the C library then falls back to `clone`,
//! whose flags can. A system call of another architecture (32-bit `int 0x80`) kills the process.
//!
//! Image builds get [`build_filters`]: the same refusals but those of mounts and namespaces,
//! which bubblewrap and buildah's chroot isolation need to set up each `RUN` step.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
};

/// System calls refused with `EPERM` to sandboxes and builds, whatever their arguments: the
/// kernel's attack surface no workload here needs.
const KERNEL_SURFACE: &[i64] = &[
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_open_by_handle_at,
    libc::SYS_name_to_handle_at,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_reboot,
    libc::SYS_acct,
    libc::SYS_quotactl,
    libc::SYS_syslog,
    libc::SYS_lookup_dcookie,
    libc::SYS_vhangup,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_iopl,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_ioperm,
];

/// System calls refused to sandboxes beyond [`KERNEL_SURFACE`]: mounts and joining namespaces
/// (new user namespaces are refused by the flags of `unshare` and `clone`).
const MOUNTS_AND_NAMESPACES: &[i64] = &[
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_move_mount,
    libc::SYS_open_tree,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
    libc::SYS_setns,
];

/// A sandbox's filters: the main one, then `clone3` → `ENOSYS` (a filter has one action).
pub fn filters() -> Result<Vec<BpfProgram>, String> {
    compile(&[KERNEL_SURFACE, MOUNTS_AND_NAMESPACES], true)
}

/// An image build's filters: [`KERNEL_SURFACE`] refused; mounts and namespaces allowed (its
/// own namespaces confine it, as [`crate::jail::build`] sets them up).
pub fn build_filters() -> Result<Vec<BpfProgram>, String> {
    compile(&[KERNEL_SURFACE], false)
}

/// The filters refusing `denied` (and, with `no_new_users`, new user namespaces), plus
/// `clone3` → `ENOSYS`.
fn compile(denied: &[&[i64]], no_new_users: bool) -> Result<Vec<BpfProgram>, String> {
    let arch = std::env::consts::ARCH.try_into().map_err(|e| format!("seccomp: {e:?}"))?;
    let flag = |arg: u8, bit: u64| -> Result<SeccompRule, String> {
        let cond = SeccompCondition::new(arg, SeccompCmpArgLen::Qword, SeccompCmpOp::MaskedEq(bit), bit)
            .map_err(|e| format!("seccomp: {e}"))?;
        SeccompRule::new(vec![cond]).map_err(|e| format!("seccomp: {e}"))
    };
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        denied.iter().flat_map(|l| l.iter()).map(|&nr| (nr, Vec::new())).collect();
    if no_new_users {
        let newuser = libc::CLONE_NEWUSER as u64;
        rules.insert(libc::SYS_unshare, vec![flag(0, newuser)?]);
        // clone(flags, ...): flags are the first argument on every architecture Linux has.
        rules.insert(libc::SYS_clone, vec![flag(0, newuser)?]);
    }
    // TIOCSTI pushes input into a terminal, TIOCLINUX into the console: never needed.
    let ioctl = |req: u64| -> Result<SeccompRule, String> {
        let cond = SeccompCondition::new(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, req)
            .map_err(|e| format!("seccomp: {e}"))?;
        SeccompRule::new(vec![cond]).map_err(|e| format!("seccomp: {e}"))
    };
    rules.insert(libc::SYS_ioctl, vec![ioctl(libc::TIOCSTI)?, ioctl(libc::TIOCLINUX)?]);
    let main = SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(libc::EPERM as u32), arch)
        .map_err(|e| format!("seccomp: {e}"))?;
    let clone3 = SeccompFilter::new(
        [(libc::SYS_clone3, Vec::new())].into_iter().collect(),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )
    .map_err(|e| format!("seccomp: {e}"))?;
    let to_bpf = |f: SeccompFilter| BpfProgram::try_from(f).map_err(|e| format!("seccomp: {e}"));
    Ok(vec![to_bpf(main)?, to_bpf(clone3)?])
}

/// Installs the filters on the calling thread (and so on everything it starts from now on).
/// Needs `no_new_privs` (or `CAP_SYS_ADMIN`) and must run while the process is single-threaded.
pub fn install() -> Result<(), String> {
    for program in filters()? {
        seccompiler::apply_filter(&program).map_err(|e| format!("installing the seccomp filter: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn filters_compile() {
        let programs = super::filters().expect("filters");
        assert_eq!(programs.len(), 2);
        assert!(programs[0].len() > super::KERNEL_SURFACE.len() + super::MOUNTS_AND_NAMESPACES.len());
        let build = super::build_filters().expect("build filters");
        assert!(build[0].len() > super::KERNEL_SURFACE.len() && build[0].len() < programs[0].len());
    }
}
