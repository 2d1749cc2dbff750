/* Tries system calls that a sandbox and an image build are refused (the kernel's keyrings,
 * BPF, io_uring, perf events, userfaultfd, file handles) and prints, one line each,
 * "NAME refused" when the answer is EPERM or ENOSYS (a seccomp filter's: ours answers EPERM, and
 * a filter of buildah's own, installed after ours, wins with ENOSYS for some) or "NAME reached
 * the kernel" otherwise (whatever the kernel then said about the arguments, which are invalid). Built static by
 * tests/support/oci-registry.sh (OCI_ESCAPE=1) into test/escape:1.0 as /probe. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void try(const char *name, long nr, long a, long b, long c) {
    long r = syscall(nr, a, b, c);
    printf("%s %s\n", name, r < 0 && (errno == EPERM || errno == ENOSYS) ? "refused" : "reached the kernel");
}

int main(void) {
    try("keyctl", SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
    try("bpf", SYS_bpf, 0, 0, 0);
    try("io_uring_setup", SYS_io_uring_setup, 1, 0, 0);
    try("perf_event_open", SYS_perf_event_open, 0, 0, -1);
    try("userfaultfd", SYS_userfaultfd, 0, 0, 0);
    try("open_by_handle_at", SYS_open_by_handle_at, -1, 0, 0);
    return 0;
}
