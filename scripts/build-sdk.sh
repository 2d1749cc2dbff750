#!/usr/bin/env bash
# Builds the SDK's npm package into pkg/dist (wasm + ES module glue + .d.ts).
source "$(dirname "$0")/lib.sh"
log "building daytona-wasm (wasm32, size profile)"
wasm_cargo build -p daytona-wasm --profile wasm-release
rm -rf pkg/dist
"$WASM_BINDGEN" --target web --out-dir pkg/dist "target/$WASM_TARGET/wasm-release/daytona_wasm.wasm"
wasm_opt pkg/dist/daytona_wasm_bg.wasm
# Re-export the typed error classes from wasm-bindgen's snippet (its folder name has a hash).
errors=$(cd pkg/dist && ls snippets/*/js/errors.js)
printf "export * from './%s';\n" "$errors" > pkg/dist/errors.js
log "SDK package ready in pkg/ ($(du -sh pkg/dist | cut -f1))"
