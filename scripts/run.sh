#!/usr/bin/env bash
# Builds everything and starts daytona-local with the console on http://localhost:3000.
# Env: DAYTONA_LOCAL_LISTEN (default 127.0.0.1:3000), DAYTONA_LOCAL_DATA (default .data),
#      DAYTONA_LOCAL_API_KEY (default: generated once and kept in the data dir).
source "$(dirname "$0")/lib.sh"
bash scripts/setup.sh
log "building daytona-local (release)"
cargo build --release -p daytona-local
# Its HTTPS port's certificates come from a local CA: trusted here, clients that speak HTTPS
# only (the Python SDK's uploads of image contexts) reach it.
target/release/daytona-local trust-ca || log "the local CA is not trusted: see the message above"
bash scripts/build-sdk.sh
bash scripts/build-console.sh

listen="${DAYTONA_LOCAL_LISTEN:-127.0.0.1:3000}"
data="${DAYTONA_LOCAL_DATA:-.data}"
target/release/daytona-local serve --listen "$listen" --data-dir "$data" --console-dir dist/console &
server=$!
trap 'kill $server 2>/dev/null' INT TERM EXIT
for _ in $(seq 100); do curl -fs "http://$listen/" >/dev/null 2>&1 && break; sleep 0.1; done
key="${DAYTONA_LOCAL_API_KEY:-$(cat "$data/api-key" 2>/dev/null)}"
port="${listen##*:}"
cat <<MSG

  daytona-local is running. Open the console:

      http://localhost:$port/#apiKey=$key

  SDKs: DAYTONA_API_URL=http://localhost:$port/api DAYTONA_API_KEY=$key
  Stop with Ctrl-C.

MSG
wait $server
