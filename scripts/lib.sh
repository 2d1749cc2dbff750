# Shared helpers of the project's scripts (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
WASM_TARGET=wasm32-unknown-unknown
WASM_BINDGEN="$ROOT/target/release/wasm-bindgen-cli"
WASM_SPLIT="$ROOT/target/release/wasm-split"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$ROOT/target/release/wasm-bindgen-test-runner"
WASM_PACK_VERSION=0.15.1
# The pinned wasm-bindgen and test runner under the names wasm-pack looks for.
WASM_PACK_BIN="$ROOT/target/wasm-pack-bin"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# Which way this machine builds wasm32: "rustup" (target installed) or "debian" (build-std).
wasm_route() {
  if rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then echo rustup; else echo debian; fi
}

# cargo for the wasm32 target with Debian's Rust for the web, the standard library built from
# its sources (rust-web-src) and linked by wasm-ld-19.
debian_wasm_cargo() {
  local sub="$1"; shift
  RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19 RUSTC=/usr/bin/rustc \
    /usr/bin/cargo "$sub" --target "$WASM_TARGET" -Zbuild-std=std,panic_abort "$@"
}

# cargo for the wasm32 target, by whichever route works here.
wasm_cargo() {
  local sub="$1"; shift
  if [ "$(wasm_route)" = rustup ]; then
    cargo "$sub" --target "$WASM_TARGET" "$@"
  else
    debian_wasm_cargo "$sub" "$@"
  fi
}

# cargo for the npm package's wasm, built for size: the standard library rebuilt with Debian's
# Rust for the web (its std sources and wasm linker; scripts/setup.sh installs them) so that a
# panic aborts at once with no message formatting or location (-Cpanic=immediate-abort,
# -Zlocation-detail=none), and with `Debug` compiled out (-Zfmt-debug=none: messages quote their
# values with daytona_models::Quoted, never `{:?}`): 146.3 -> 132.8 KB gzip of wasm. Its own
# target dir (another std and other flags than the console's and the tests' wasm builds).
# Without Debian's Rust, the plain wasm build (bigger; the size check says so).
SDK_TARGET_DIR="$ROOT/target/pkg"
sdk_cargo() {
  if [ -d /usr/lib/rustlib/src/rust/library ] && [ -x /usr/bin/rustc ] && command -v wasm-ld-19 >/dev/null; then
    CARGO_TARGET_DIR="$SDK_TARGET_DIR" \
      RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
      debian_wasm_cargo "$@"
  else
    log "Debian's rustc-web is missing (scripts/setup.sh installs it): the package is built without its size flags"
    CARGO_TARGET_DIR="$SDK_TARGET_DIR" wasm_cargo "$@"
  fi
}

# The SDK's browser tests in headless Chromium: `wasm-pack test --headless --chrome sdk-wasm`,
# offline (--mode no-install: the pinned tools in $WASM_PACK_BIN, Debian's chromedriver); on
# the Debian route (no rustup wasm32 target, std built from source) cargo runs them with the
# same runner. Arguments go to the test binaries (`--nocapture`, a test's name).
sdk_browser_tests() {
  if [ "$(wasm_route)" = rustup ]; then
    PATH="$WASM_PACK_BIN:$PATH" wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver \
      --mode no-install sdk-wasm -- "$@"
  else
    CHROMEDRIVER=/usr/bin/chromedriver wasm_cargo test -p daytona-wasm -- "$@"
  fi
}

# Optional size pass with wasm-opt (binaryen from npm when installed); never fatal.
wasm_opt() {
  local f="$1" opt="$ROOT/node_modules/.bin/wasm-opt"
  [ -x "$opt" ] || return 0
  # --low-memory-unused: Rust puts its data at 1 MiB and its stack below, growing down from there,
  # so the first 1 KiB is reached only by a stack overflow (-1.6 KB gzip on the SDK). --converge
  # repeats -Oz while it still shrinks the module (-0.7 KB gzip).
  "$opt" -Oz --converge --strip-debug --strip-producers --low-memory-unused --enable-reference-types --enable-bulk-memory --enable-multivalue \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals "$f" -o "$f.opt" \
    && mv "$f.opt" "$f" || { rm -f "$f.opt"; log "wasm-opt failed on $f (kept unoptimised)"; }
}
