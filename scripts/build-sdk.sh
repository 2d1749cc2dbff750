#!/usr/bin/env bash
# Builds the SDK's npm package into pkg/dist (wasm + ES module glue + .d.ts).
source "$(dirname "$0")/lib.sh"
log "building daytona-wasm (wasm32, size profile)"
built="$SDK_TARGET_DIR/$WASM_TARGET/wasm-release/daytona_wasm.wasm"
# daytona-wasm/image first: the same crate with the `js-image` feature alone, a module of its
# own (the Image builder and its uploads, which pages that build no image never download).
sdk_cargo build -p daytona-wasm --profile wasm-release --no-default-features --features js-image
cp "$built" "$SDK_TARGET_DIR/daytona_image.wasm"
# The main module, linked with its relocations (which the splitter reads) and cut at the JS
# face's lazily loaded areas (`lazy_area!`, sdk-wasm/src/js/lazy.rs): each becomes a module of
# its own (and what only areas share, a chunk), fetched by dist/__wasm_split.js at the area's
# first call; the main module keeps the rest and exports what the areas share with it.
[ -x "$WASM_SPLIT" ] || { log "the wasm splitter is missing: run scripts/setup.sh"; exit 1; }
sdk_cargo rustc -p daytona-wasm --lib --profile wasm-release --features split -- -C link-arg=--emit-relocs
rm -rf pkg/dist && mkdir -p pkg/dist
"$WASM_SPLIT" "$built" pkg/dist "$SDK_TARGET_DIR/daytona_wasm.main.wasm" ./daytona_wasm.js >/dev/null
"$WASM_BINDGEN" --target web --keep-lld-exports --out-dir pkg/dist --out-name daytona_wasm "$SDK_TARGET_DIR/daytona_wasm.main.wasm"
"$WASM_BINDGEN" --target web --out-dir pkg/dist --out-name daytona_image "$SDK_TARGET_DIR/daytona_image.wasm"
# (wasm-opt does not know the splitter's name subsection 3 and says so once per part: dropped.)
for wasm in pkg/dist/*.wasm; do
  wasm_opt "$wasm" 2>&1 | { grep -v "unknown name subsection" || true; } >&2
done
# The areas' modules named after the package (`split_interpreter.wasm` ->
# `daytona_wasm_interpreter.wasm`, a chunk `daytona_wasm_chunk_N.wasm`), fetched beside the
# loader, where a bundler put them (Vite and webpack follow `new URL(…, import.meta.url)`), or
# through located.js's dev-server fallback.
node -e '
  const fs = require("fs"), path = require("path"), dir = process.argv[1], loader = path.join(dir, "__wasm_split.js");
  let js = fs.readFileSync(loader, "utf8");
  for (const part of fs.readdirSync(dir).filter((f) => /^(split|chunk)_.*\.wasm$/.test(f))) {
    const named = `daytona_wasm_${part.replace(/^split_/, "")}`;
    if (!js.includes(`"./${part}"`)) throw new Error(`__wasm_split.js does not name ${part}`);
    js = js.split(`"./${part}"`).join(`"./${named}"`);
    fs.renameSync(path.join(dir, part), path.join(dir, named));
  }
  const fetches = js.split("fetch(new URL(").length - 1;
  if (fetches === 0) throw new Error("__wasm_split.js fetches no module");
  js = js.split("fetch(new URL(").join("located(new URL(");
  // (A failed fetch is seen by the loader once the area\x27s chunks are in: marked handled
  // meanwhile, or the page would report an unhandled rejection first.)
  js = `import { _located } from "../located.js";\nconst located = (url) => { const r = _located(url).then((r) => r instanceof Response ? r : fetch(r)); r.catch(() => {}); return r; };\n${js}`;
  fs.writeFileSync(loader, js);
  // wasm-bindgen imports the loader once per area, all under one key: one of each kept.
  const glue = path.join(dir, "daytona_wasm.js");
  const lines = fs.readFileSync(glue, "utf8").split("\n");
  const imports = lines.filter((l) => /^import \* as import\d+ from "\.\/__wasm_split\.js"$/.test(l));
  const keys = lines.filter((l) => /^ +"\.\/__wasm_split\.js": import\d+,$/.test(l));
  if (imports.length === 0 || keys.length !== imports.length) throw new Error("daytona_wasm.js: the loader\x27s imports not found");
  const dropped = new Set([...imports.slice(1), ...keys.slice(1)]);
  fs.writeFileSync(glue, lines.filter((l) => !dropped.has(l)).join("\n"));
' pkg/dist
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
minify pkg/dist/__wasm_split.js
for js in pkg/dist/snippets/*/js/*.js; do minify "$js" --keep-names; done
# Re-export the typed error classes from wasm-bindgen's snippet (its folder name has a hash).
errors=$(cd pkg/dist && ls snippets/*/js/errors.js)
printf "export * from './%s';\n" "$errors" > pkg/dist/errors.js
# The license travels with the package (npm pack takes it from pkg/).
cp LICENSE pkg/LICENSE
log "SDK package ready in pkg/ ($(du -sh pkg/dist | cut -f1))"
