#!/usr/bin/env bash
# Builds the SDK's npm package into pkg/dist (wasm + ES module glue + .d.ts).
source "$(dirname "$0")/lib.sh"
log "building daytona-wasm (wasm32, size profile)"
built="$SDK_TARGET_DIR/$WASM_TARGET/wasm-release/daytona_wasm.wasm"
# daytona-wasm/image first: the same crate with the `js-image` feature alone, a module of its
# own (the Image builder and its uploads, which pages that build no image never download).
sdk_cargo build -p daytona-wasm --profile wasm-release --no-default-features --features js-image
cp "$built" "$SDK_TARGET_DIR/daytona_image.wasm"
sdk_cargo build -p daytona-wasm --profile wasm-release
rm -rf pkg/dist
"$WASM_BINDGEN" --target web --out-dir pkg/dist "$built"
"$WASM_BINDGEN" --target web --out-dir pkg/dist --out-name daytona_image "$SDK_TARGET_DIR/daytona_image.wasm"
wasm_opt pkg/dist/daytona_wasm_bg.wasm
wasm_opt pkg/dist/daytona_image_bg.wasm
# daytona-wasm/image's declarations: its own types and the Image class (the module's build also
# declares every model type of the crate, which belong to the main module's declarations).
node -e '
  const fs = require("fs"), file = process.argv[1], dts = fs.readFileSync(file, "utf8");
  const end = "// (end of daytona-wasm/image\x27s own types";
  if (dts.indexOf(end) < 0) throw new Error(`${file}: the end of its own types is not marked`);
  const own = dts.slice(0, dts.indexOf(end));
  const cls = dts.match(/\/\*\*(?:(?!\*\/)[^])*\*\/\nexport class Image \{[^]*?\n\}\n/);
  if (!own.includes("export interface Image") || !cls) throw new Error(`${file}: Image declarations not found`);
  fs.writeFileSync(file, own + cls[0]);
' pkg/dist/daytona_image.d.ts
# The JS glue minified in place (as a bundler would; imports untouched): 14.6 -> 8.7 KB gzip.
# The error classes' snippet keeps its names (`err.name` is the class's); the glue's classes are
# exported under their names, and keeping every function's name cost 1.1 KB gzip. The .d.ts
# carries the documentation.
minify() {
  node_modules/.bin/esbuild "$1" --minify "${@:2}" --format=esm --log-level=warning --outfile="$1.min" && mv "$1.min" "$1"
}
minify pkg/dist/daytona_wasm.js
minify pkg/dist/daytona_image.js
for js in pkg/dist/snippets/*/js/*.js; do minify "$js" --keep-names; done
# Re-export the typed error classes from wasm-bindgen's snippet (its folder name has a hash).
errors=$(cd pkg/dist && ls snippets/*/js/errors.js)
printf "export * from './%s';\n" "$errors" > pkg/dist/errors.js
# The license travels with the package (npm pack takes it from pkg/).
cp LICENSE pkg/LICENSE
log "SDK package ready in pkg/ ($(du -sh pkg/dist | cut -f1))"
