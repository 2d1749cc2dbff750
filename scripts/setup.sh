#!/usr/bin/env bash
# Installs what the build and tests need, skipping what is present:
# Debian packages, the wasm32 standard library, the pinned wasm-bindgen CLI, npm packages,
# and (with --python) the venv for the official-SDK compatibility tests and the fuzz run.
source "$(dirname "$0")/lib.sh"

want_python=0
[ "${1:-}" = "--python" ] && want_python=1

apt_missing=()
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || apt_missing+=("$1"); }
need_pkg bubblewrap
need_pkg slirp4netns
need_pkg nftables
need_pkg e2fsprogs    # mkfs.ext4: a disk of its own per sandbox
need_pkg iproute2     # ip: the isolation tests' own network namespaces
need_pkg chromium
need_pkg chromium-driver
need_pkg python3-venv
need_pkg python3-matplotlib
need_pkg python3-numpy
need_pkg python3-pandas  # the interpreter's DataFrames (rich HTML outputs)
need_pkg git            # toolbox git (/git/*) runs the git CLI inside sandboxes
# Snapshots: images pulled from OCI registries (skopeo) and unpacked (umoci); the tests' own
# registry (docker-registry, the reference OCI distribution server, on 127.0.0.1) and its
# logins' bcrypt htpasswd (apache2-utils).
for p in skopeo umoci docker-registry busybox-static apache2-utils; do need_pkg "$p"; done
# A musl image for the tests (musl's loader and musl-gcc: what Alpine's programs need).
for p in musl musl-tools; do need_pkg "$p"; done
# Image builds (buildah bud, in a user namespace per build); the HTTPS port's local CA joins
# the host's trusted certificates with update-ca-certificates.
for p in buildah ca-certificates; do need_pkg "$p"; done
# SSH access: OpenSSH's clients for the gateway's tests, and the SFTP server sandboxes run
# for `sftp`/`scp` (the default snapshot is the host's userland).
for p in openssh-client openssh-sftp-server; do need_pkg "$p"; done
# Computer use: the sandboxes' desktop (TigerVNC's Xvnc: X server and VNC in one, resizable
# by its viewers; window manager, terminal, noVNC), mouse and keyboard, recordings; its
# session bus and accessibility bus (AT-SPI), and yad, GTK dialogs that expose an
# accessibility tree (the tests' application for it); xprop (x11-utils) for the tests.
for p in tigervnc-standalone-server openbox xterm websockify novnc xdotool ffmpeg dbus-daemon at-spi2-core yad x11-utils; do
  need_pkg "$p"
done

# Debian's Rust for the web, its std sources and wasm linker: the npm package's wasm is built
# with them (std rebuilt for size: lib.sh's sdk_cargo), and they are the wasm32 route of a
# machine whose rustup has no wasm32 target.
for p in rustc-web cargo-web rust-web-src lld-19; do need_pkg "$p"; done
# wasm32 std of the other wasm builds: rustup's target if present or obtainable quickly, else
# Debian's build-std route.
if [ "$(wasm_route)" != rustup ]; then
  log "adding the wasm32 target with rustup (bounded wait)"
  timeout 180 rustup target add "$WASM_TARGET" || log "rustup target unavailable; using Debian rustc-web with -Zbuild-std"
fi

if [ ${#apt_missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${apt_missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
fi
# The SSH benchmark's reference: OpenSSH's sshd, run by the benchmark on a loopback port. Its
# package would start a host-wide sshd on port 22 when installed: a policy-rc.d keeps it off.
if ! [ -x /usr/sbin/sshd ]; then
  log "installing openssh-server (the SSH benchmark's reference; its service is not started)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if ! [ -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod 755 "$policy" && own_policy=1
  fi
  [ ${#apt_missing[@]} -gt 0 ] || $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends openssh-server || true
  [ "$own_policy" = 0 ] || $SUDO rm -f "$policy"
fi

if [ ! -x "$WASM_BINDGEN" ] || [ ! -x "$WASM_SPLIT" ] || [ ! -x "$CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER" ] \
   || [ -n "$(find Cargo.lock tools/wasm-bindgen -type f -newer "$WASM_SPLIT" | head -1)" ]; then
  log "building the pinned wasm-bindgen CLI and test runner (first time: several minutes)"
  cargo build --release -p wasm-bindgen-tools
fi
# wasm-pack, which runs the SDK's browser tests (lib.sh's sdk_browser_tests), from crates.io;
# offline (--mode no-install) it takes the pinned wasm-bindgen and test runner from
# target/wasm-pack-bin.
if ! wasm-pack --version 2>/dev/null | grep -qx "wasm-pack $WASM_PACK_VERSION"; then
  log "building wasm-pack $WASM_PACK_VERSION (first time: about 3 minutes)"
  cargo install wasm-pack --version "=$WASM_PACK_VERSION" --locked
fi
mkdir -p "$WASM_PACK_BIN"
ln -sf "$WASM_BINDGEN" "$WASM_PACK_BIN/wasm-bindgen"
ln -sf "$CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER" "$WASM_PACK_BIN/wasm-bindgen-test-runner"

# TypeScript for the sandboxes' codeRun (they see the host's /usr read-only).
if [ ! -f "$(npm root -g)/typescript/lib/typescript.js" ]; then
  log "installing TypeScript 5 globally (codeRun typescript)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO npm install -g --no-audit --no-fund typescript@5
fi

# Language servers for toolbox LSP, where sandboxes see them (the host's /usr, read-only):
# typescript-language-server over the TypeScript 5 above (TypeScript 7 has no tsserver), and
# pylsp with pyflakes (diagnostics) in a venv of its own that sees Debian's Python packages.
if [ ! -x "$(npm root -g)/../../bin/typescript-language-server" ]; then
  log "installing typescript-language-server (toolbox LSP)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO npm install -g --no-audit --no-fund typescript-language-server@5
fi
lsp_venv=/usr/local/lib/daytona-lsp/python  # Debian's Python (the one sandboxes run), not a PATH python
if [ ! -x /usr/local/bin/pylsp ] || [ "$(readlink -f "$lsp_venv/bin/python3")" != "$(readlink -f /usr/bin/python3)" ]; then
  log "installing pylsp (toolbox LSP) into $lsp_venv"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO /usr/bin/python3 -m venv --system-site-packages "$lsp_venv"
  $SUDO "$lsp_venv/bin/pip" install -q 'python-lsp-server[pyflakes]==1.*'
  $SUDO ln -sf "$lsp_venv/bin/pylsp" /usr/local/bin/pylsp
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund
fi

if [ $want_python -eq 1 ]; then
  if [ ! -x .venv/bin/pytest ] || [ ! -x .venv/bin/st ] || [ tests/python/requirements.txt -nt .venv/bin/pytest ] \
     || [ tests/fuzz/requirements.txt -nt .venv/bin/pytest ]; then
    log "creating the Python venv for the official SDK tests and the fuzz run"
    python3 -m venv .venv
    .venv/bin/pip install -q -r tests/python/requirements.txt -r tests/fuzz/requirements.txt
    touch .venv/bin/pytest
  fi
fi
log "setup complete"
