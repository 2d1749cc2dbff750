#!/usr/bin/env bash
# Runs every test: server (Rust), a bounded schemathesis fuzz run, official Python SDK
# compatibility, SDK in headless Chromium, the npm package from plain JS and TypeScript, and
# the console end to end.
source "$(dirname "$0")/lib.sh"
bash scripts/setup.sh --python

# Every temporary file of the run (test servers' data dirs, browser profiles, chromedriver's
# scoped dirs) goes under one directory, removed at the end, with any disk image a killed test
# server left mounted there: a run leaves nothing on the machine's disk. Sticky and
# world-writable as /tmp is, for the isolation suite's unprivileged run.
run_tmp=$(mktemp -d /tmp/dl-run.XXXXXX)
chmod 1777 "$run_tmp"
export TMPDIR="$run_tmp"
server= registry=
cleanup() {
  [ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  [ -z "$registry" ] || kill "$registry" 2>/dev/null || true
  findmnt -rn -o TARGET | grep "^$run_tmp/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$run_tmp" 2>/dev/null || true
}
trap cleanup EXIT
# CI builds once: incremental compilation's caches would only take disk (2 GB).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

log "formatting (cargo fmt --check)"
cargo fmt --all --check

log "building daytona-local"
cargo build -p daytona-local
# The official Python SDK uploads image contexts over HTTPS only, trusting the system's store.
log "trusting daytona-local's local CA (its HTTPS port)"
target/debug/daytona-local trust-ca
log "lints: clippy -D warnings (server, models)"
cargo clippy -p daytona-local -p daytona-models --all-targets -- -D warnings
log "server tests, models unit tests"
cargo test -p daytona-local -p daytona-models
log "isolation suite with daytona-local run by a normal user"
bash scripts/test-unprivileged.sh
log "fuzz: schemathesis on the served operations of Daytona's specs (bounded; tests/fuzz)"
bash tests/fuzz/run.sh target/debug/daytona-local
bash scripts/build-sdk.sh
bash scripts/build-console.sh
log "console unit tests (native)"
cargo test -p daytona-console
log "lints: clippy -D warnings (SDK, console; wasm32)"
wasm_cargo clippy -p daytona-wasm -p daytona-console --all-targets -- -D warnings
# daytona-wasm/image: the crate as build-sdk.sh builds that module.
wasm_cargo clippy -p daytona-wasm --no-default-features --features js-image --lib -- -D warnings

# One live server for the browser-side SDK tests (its URL is compiled into the test wasm).
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key="test-$(date +%s)-$RANDOM"
target/debug/daytona-local serve --listen "127.0.0.1:$port" --data-dir "$data" --api-key "$key" \
  --console-dir dist/console --metrics-interval 1 > "$data/server.log" 2>&1 &
server=$!
# Ready means *this* server answers with *this* key (not some other process on the port).
for _ in $(seq 150); do
  curl -fs -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/config" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$data/server.log"; echo "daytona-local failed to start" >&2; exit 1; }
  sleep 0.1
done

# And a registry holding test/busybox:1.0, for the images the browser tests build.
read -r registry_port registry < <(bash tests/support/oci-registry.sh "$data/registry")

log "SDK tests in headless Chromium (wasm-pack test)"
DAYTONA_TEST_API_URL="http://127.0.0.1:$port/api" DAYTONA_TEST_API_KEY="$key" \
  DAYTONA_TEST_REGISTRY="127.0.0.1:$registry_port" \
  WASM_BINDGEN_TEST_TIMEOUT=180 WASM_BINDGEN_TEST_DRIVER_TIMEOUT=30 \
  sdk_browser_tests --nocapture

log "official Python SDK against daytona-local"
DAYTONA_LOCAL_BIN="$ROOT/target/debug/daytona-local" .venv/bin/pytest tests/python -q

log "npm package types (tsc --noEmit)"
node_modules/.bin/tsc -p tests/npm/tsconfig.json

log "npm package (and in apps built by Vite 6/7/8, webpack 5, esbuild), official TS SDK in Node, console in headless Chromium"
node --test tests/npm/ tests/ts-sdk/ tests/e2e/ tests/bundlers/

log "the SDK against @daytonaio/sdk in one page (a few rounds; size budget checked)"
bash scripts/bench-peer.sh

log "snapshots and volumes against references in the same run (pull, create on an image, throughput)"
bash scripts/bench-images.sh target/debug/daytona-local

log "the SSH gateway against OpenSSH's sshd and the toolbox's download in the same run"
N=5 bash scripts/bench-ssh.sh target/debug/daytona-local
