#!/usr/bin/env bash
# The SDK against the official @daytonaio/sdk in one Chromium page (tests/peer/bench.mjs):
# bundles the official SDK for browsers as a web developer would (esbuild, minified, with the
# Buffer polyfill), then prints BENCH lines. PEER_FULL=1 for the full run. Needs pkg/ built.
source "$(dirname "$0")/lib.sh"
mkdir -p target/peer
node_modules/.bin/esbuild tests/peer/official-entry.js --bundle --minify --format=esm --platform=browser \
  --inject:tests/peer/buffer-shim.js \
  --target=es2022 --outfile=target/peer/official.js --log-level=warning
node tests/peer/bench.mjs
