#!/usr/bin/env bash
# Builds the SDK's npm package into pkg/dist (wasm + ES module glue + .d.ts).
source "$(dirname "$0")/lib.sh"
log "building daytona-wasm (wasm32, size profile)"
wasm_cargo build -p daytona-wasm --profile wasm-release
rm -rf pkg/dist
"$WASM_BINDGEN" --target web --out-dir pkg/dist "target/$WASM_TARGET/wasm-release/daytona_wasm.wasm"
wasm_opt pkg/dist/daytona_wasm_bg.wasm
# The JS glue minified in place (as a bundler would; names kept, so classes keep theirs, and
# imports untouched): 14.6 -> 9.5 KB gzip. The .d.ts carries the documentation.
for js in pkg/dist/daytona_wasm.js pkg/dist/snippets/*/js/*.js; do
  node_modules/.bin/esbuild "$js" --minify --keep-names --format=esm --log-level=warning --outfile="$js.min" \
    && mv "$js.min" "$js"
done
# Re-export the typed error classes from wasm-bindgen's snippet (its folder name has a hash).
errors=$(cd pkg/dist && ls snippets/*/js/errors.js)
printf "export * from './%s';\n" "$errors" > pkg/dist/errors.js
log "SDK package ready in pkg/ ($(du -sh pkg/dist | cut -f1))"
