#!/usr/bin/env bash
# A throwaway OCI registry for tests: Debian's docker-registry (the reference distribution
# server) on 127.0.0.1, holding a small image the script makes itself with umoci and pushes
# with skopeo: `test/busybox:1.0`, a static busybox with ENV GREETING=hello, WORKDIR /work,
# CMD /bin/sh and a /data directory of uid 1000 (about 1 MB).
#
#   bash tests/support/oci-registry.sh DIR     → prints "PORT PID" once the image is pushed
#   (OCI_BIG_MB=50: a second image, test/big:1.0, of about that size; OCI_ESCAPE=1: test/escape:1.0;
#   OCI_MUSL=1: test/musl:1.0; OCI_PYTHON=1: test/python:1.0; OCI_AUTH=user:password: a private
#   registry, which answers only that login)
#
# Everything lives under DIR; the caller kills PID and removes DIR.
set -euo pipefail
dir=$1
mkdir -p "$dir"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$dir/config.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
log:
  level: error
YML
# A private registry: htpasswd (bcrypt, the only kind the registry takes; the password read
# from stdin, never an argv) of the one login, which every push below then uses.
creds=()
if [ -n "${OCI_AUTH:-}" ]; then
  printf %s "${OCI_AUTH#*:}" | htpasswd -niB "${OCI_AUTH%%:*}" | head -n1 > "$dir/htpasswd"
  printf 'auth:\n  htpasswd:\n    realm: test\n    path: %s\n' "$dir/htpasswd" >> "$dir/config.yml"
  # The pushes log in through an auth file, as the server's pulls do (no password in an argv).
  (umask 077; printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}' "$port" "$(printf %s "$OCI_AUTH" | base64 -w0)" > "$dir/auth.json")
  creds=(--dest-authfile "$dir/auth.json")
fi
setsid docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 < /dev/null &
pid=$!
for _ in $(seq 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" != 000 ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/registry.log" >&2; exit 1; }
  sleep 0.1
done
layout="$dir/layout"
umoci init --layout "$layout"
umoci new --image "$layout:busybox"
umoci unpack --image "$layout:busybox" "$dir/bundle" > /dev/null
mkdir -p "$dir/bundle/rootfs/bin" "$dir/bundle/rootfs/work" "$dir/bundle/rootfs/data" "$dir/bundle/rootfs/etc"
chown 1000:1000 "$dir/bundle/rootfs/data"
# Users as images have them: no USER, so root; `daytona` owns /data; `app` is the musl image's USER.
printf 'root:x:0:0:root:/root:/bin/sh\ndaytona:x:1000:1000::/home/daytona:/bin/sh\napp:x:1234:1234::/home/app:/bin/sh\n' \
  > "$dir/bundle/rootfs/etc/passwd"
printf 'root:x:0:\nstaff:x:50:app\ndaytona:x:1000:\napp:x:1234:\n' > "$dir/bundle/rootfs/etc/group"
cp /bin/busybox "$dir/bundle/rootfs/bin/busybox"
for applet in sh ls cat echo id env pwd mkdir; do ln -s busybox "$dir/bundle/rootfs/bin/$applet"; done
umoci repack --image "$layout:busybox" "$dir/bundle"
umoci config --image "$layout:busybox" --config.env GREETING=hello --config.workingdir /work --config.cmd /bin/sh
skopeo copy -q --dest-tls-verify=false "${creds[@]}" "oci:$layout:busybox" "docker://127.0.0.1:$port/test/busybox:1.0"
# With OCI_BIG_MB=N also `test/big:1.0`: the busybox image plus a layer of N MB of random data
# (incompressible, so the pull moves that much), for the image benchmark.
if [ -n "${OCI_BIG_MB:-}" ]; then
  umoci unpack --image "$layout:busybox" "$dir/big" > /dev/null
  head -c "${OCI_BIG_MB}M" /dev/urandom > "$dir/big/rootfs/blob"
  umoci repack --image "$layout:big" "$dir/big"
  skopeo copy -q --dest-tls-verify=false "${creds[@]}" "oci:$layout:big" "docker://127.0.0.1:$port/test/big:1.0"
fi
# With OCI_ESCAPE=1 also `test/escape:1.0`: the busybox image plus /escape, a static program
# that leaves a chroot the classic way (tests/support/chroot-escape.c), and /probe, which tries
# system calls a build is refused (tests/support/syscall-probe.c), for the builds' isolation
# tests.
if [ -n "${OCI_ESCAPE:-}" ]; then
  umoci unpack --image "$layout:busybox" "$dir/escape" > /dev/null
  cc -static -O2 -o "$dir/escape/rootfs/escape" "$(dirname "$0")/chroot-escape.c"
  cc -static -O2 -o "$dir/escape/rootfs/probe" "$(dirname "$0")/syscall-probe.c"
  umoci repack --image "$layout:escape" "$dir/escape"
  skopeo copy -q --dest-tls-verify=false "${creds[@]}" "oci:$layout:escape" "docker://127.0.0.1:$port/test/escape:1.0"
fi
# With OCI_MUSL=1 also `test/musl:1.0`: the busybox image plus musl's dynamic loader (Debian's
# musl, the C library of Alpine images) and /hello, a program linked against it (musl-gcc):
# an image whose programs need musl, and with no glibc at all. It runs as `USER app` (uid 1234,
# groups app and staff), where the others run as root.
if [ -n "${OCI_MUSL:-}" ]; then
  umoci unpack --image "$layout:busybox" "$dir/musl" > /dev/null
  mkdir -p "$dir/musl/rootfs/lib"
  cp -L /lib/ld-musl-x86_64.so.1 "$dir/musl/rootfs/lib/ld-musl-x86_64.so.1"
  printf '#include <stdio.h>\nint main(void) { puts("hello from musl"); return 0; }\n' > "$dir/hello.c"
  musl-gcc -O2 -o "$dir/musl/rootfs/hello" "$dir/hello.c"
  umoci repack --image "$layout:musl" "$dir/musl"
  umoci config --image "$layout:musl" --config.user app
  skopeo copy -q --dest-tls-verify=false "${creds[@]}" "oci:$layout:musl" "docker://127.0.0.1:$port/test/musl:1.0"
fi
# With OCI_PYTHON=1 also `test/python:1.0`: the busybox image plus a Debian python (this host's
# python3.11: the interpreter, its standard library, and the glibc and libraries it and its
# extension modules load; no site packages), as python:3.x-slim images are: ~50 MB.
if [ -n "${OCI_PYTHON:-}" ]; then
  root="$dir/python/rootfs"
  umoci unpack --image "$layout:busybox" "$dir/python" > /dev/null
  mkdir -p "$root/usr/bin" "$root/usr/lib"
  cp /usr/bin/python3.11 "$root/usr/bin/" && ln -s python3.11 "$root/usr/bin/python3"
  cp -a /usr/lib/python3.11 "$root/usr/lib/"
  rm -rf "$root"/usr/lib/python3.11/{test,idlelib,tkinter,dist-packages,site-packages}
  find "$root/usr/lib/python3.11" -name __pycache__ -prune -exec rm -rf {} +
  rm -f "$root"/usr/lib/python3.11/lib-dynload/_tkinter.*
  for lib in $(for f in /usr/bin/python3.11 "$root"/usr/lib/python3.11/lib-dynload/*.so; do ldd "$f"; done |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/lib64\// { print $1 }' | sort -u); do
    mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"
  done
  umoci repack --image "$layout:python" "$dir/python"
  umoci config --image "$layout:python" --config.env PATH=/usr/local/bin:/usr/bin:/bin
  skopeo copy -q --dest-tls-verify=false "${creds[@]}" "oci:$layout:python" "docker://127.0.0.1:$port/test/python:1.0"
fi
echo "$port $pid"
