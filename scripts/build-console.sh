#!/usr/bin/env bash
# Builds the console into dist/console (served by daytona-local at /).
source "$(dirname "$0")/lib.sh"
log "building daytona-console (wasm32, size profile)"
wasm_cargo build -p daytona-console --profile wasm-release
out=dist/console
rm -rf "$out"; mkdir -p "$out"
"$WASM_BINDGEN" --target web --no-typescript --out-dir "$out/pkg" "target/$WASM_TARGET/wasm-release/daytona-console.wasm"
wasm_opt "$out/pkg/daytona-console_bg.wasm"
cp index.html "$out/index.html"
cp -r console/static/. "$out/"
log "console ready in $out"
