#!/usr/bin/env bash
# Builds the console into dist/console (served by daytona-local at /).
source "$(dirname "$0")/lib.sh"

[ -f node_modules/@xterm/xterm/lib/xterm.mjs ] && [ -f node_modules/@xterm/addon-fit/lib/addon-fit.mjs ] \
  || { log "xterm.js is missing from node_modules: run npm ci"; exit 1; }

[ -x "$WASM_SPLIT" ] || { log "the wasm splitter is missing: run scripts/setup.sh"; exit 1; }
log "building daytona-console (wasm32, size profile)"
# Linked with its relocations, which the splitter reads to cut the module at the lazy routes.
wasm_cargo rustc -p daytona-console --bin daytona-console --profile wasm-release -- -C link-arg=--emit-relocs
out=dist/console
rm -rf "$out"; mkdir -p "$out/pkg"
# The routes declared with `lazy_views!` (console/src/app.rs) become wasm modules of their own
# (and what only they share, chunks), fetched by pkg/__wasm_split.js when a route first opens;
# the main module keeps what the first page needs, and exports what the parts share with it.
built="target/$WASM_TARGET/wasm-release"
"$WASM_SPLIT" "$built/daytona-console.wasm" "$out/pkg" "$built/daytona-console.main.wasm" >/dev/null
"$WASM_BINDGEN" --target web --no-typescript --keep-lld-exports --no-demangle --out-name daytona-console \
  --out-dir "$out/pkg" "$built/daytona-console.main.wasm"
# (wasm-opt does not know the splitter's name subsection 3 and says so once per part: dropped.)
for wasm in "$out"/pkg/*.wasm; do
  wasm_opt "$wasm" 2>&1 | { grep -v "unknown name subsection" || true; } >&2
done
cp index.html "$out/index.html"
cp -r console/static/. "$out/"
# xterm.js 6 and its fit addon bundled into one module next to index.html, with its
# stylesheet: the Terminal tab loads both when its first terminal opens (nothing else does).
echo "export { Terminal } from '@xterm/xterm'; export { FitAddon } from '@xterm/addon-fit';" \
  | node_modules/.bin/esbuild --bundle --format=esm --minify --log-level=warning --outfile="$out/xterm.js"
cp node_modules/@xterm/xterm/css/xterm.css "$out/xterm.css"
# noVNC (the Desktop tab's live view): its ES modules bundled into one file next to
# index.html, which the tab imports when it first opens (nothing else loads it).
[ -f node_modules/@novnc/novnc/core/rfb.js ] || { log "noVNC is missing from node_modules: run npm ci"; exit 1; }
node_modules/.bin/esbuild node_modules/@novnc/novnc/core/rfb.js --bundle --format=esm --minify --log-level=warning \
  --outfile="$out/novnc.js"
# CodeMirror 6 (the code editor: its LSP client, merge view and languages) from
# console/src/code/codemirror.js into /cm/: a core and a chunk per language, imported when
# the first editor or diff opens (nothing else loads them).
[ -f node_modules/@codemirror/lsp-client/dist/index.js ] || { log "CodeMirror is missing from node_modules: run npm ci"; exit 1; }
node_modules/.bin/esbuild console/src/code/codemirror.js --bundle --splitting --format=esm --minify \
  --log-level=warning --chunk-names='[name].[hash]' --outdir="$out/cm"
# KaTeX and its auto-render (console/src/notebook/katex.js) into /katex/, with its stylesheet
# and fonts (woff2 only: every browser the console runs in takes it, and the stylesheet lists
# it first), imported when a notebook first shows a LaTeX output.
[ -f node_modules/katex/dist/katex.min.css ] || { log "KaTeX is missing from node_modules: run npm ci"; exit 1; }
node_modules/.bin/esbuild console/src/notebook/katex.js --bundle --format=esm --minify --log-level=warning \
  --outfile="$out/katex/katex.js"
cp node_modules/katex/dist/katex.min.css "$out/katex/"
mkdir -p "$out/katex/fonts" && cp node_modules/katex/dist/fonts/*.woff2 "$out/katex/fonts/"
# The stylesheet, minified (inlined into index.html below).
node_modules/.bin/esbuild "$out/style.css" --minify --log-level=warning --outfile="$out/style.min.css"
rm "$out/style.css"
# Content hashes in the names of the app's own files (its wasm and JS glue) and of
# CodeMirror's chunks: daytona-local serves a name of the form `name.HASH.ext` as immutable for
# a year, so a second visit downloads none of them; index.html and the few entry modules keep
# their names and are revalidated (no-cache).
node -e '
  const fs = require("fs"), path = require("path"), crypto = require("crypto");
  const out = process.argv[1];
  const hash = (data) => crypto.createHash("sha256").update(data).digest("hex").slice(0, 12);
  const rename = (dir, from, to) => fs.renameSync(path.join(out, dir, from), path.join(out, dir, to));
  const swap = (file, from, to) => {
    const text = fs.readFileSync(path.join(out, file), "utf8");
    if (!text.includes(from)) throw new Error(`${file} does not name ${from}`);
    fs.writeFileSync(path.join(out, file), text.split(from).join(to));
  };
  // The lazy routes\x27 modules, named in their loader; the loader keeps its name (it names
  // the glue, which names it: one of them cannot carry the other\x27s hash) and is revalidated.
  for (const part of fs.readdirSync(path.join(out, "pkg")).filter((f) => f.endsWith(".wasm") && !f.startsWith("daytona-console"))) {
    const named = `${part.slice(0, -5)}.${hash(fs.readFileSync(path.join(out, "pkg", part)))}.wasm`;
    rename("pkg", part, named);
    swap("pkg/__wasm_split.js", `"./${part}"`, `"./${named}"`);
  }
  const wasm = `daytona-console_bg.${hash(fs.readFileSync(path.join(out, "pkg/daytona-console_bg.wasm")))}.wasm`;
  rename("pkg", "daytona-console_bg.wasm", wasm);
  swap("pkg/daytona-console.js", "\x27daytona-console_bg.wasm\x27", `\x27${wasm}\x27`);
  const glue = `daytona-console.${hash(fs.readFileSync(path.join(out, "pkg/daytona-console.js")))}.js`;
  rename("pkg", "daytona-console.js", glue);
  swap("pkg/__wasm_split.js", `"./daytona-console.js"`, `"./${glue}"`);
  swap("index.html", "/pkg/daytona-console.js", `/pkg/${glue}`);
  // The stylesheet goes into index.html: the page\x27s shell paints from the first response
  // instead of waiting another round trip for a stylesheet (150 ms and more on a slow link);
  // index.html is revalidated, so a second visit downloads it no more than a file would.
  const style = fs.readFileSync(path.join(out, "style.min.css"), "utf8").trim();
  if (/<\/style/i.test(style)) throw new Error("the stylesheet cannot go inline: it names </style>");
  swap("index.html", "<link rel=\"stylesheet\" href=\"/style.css\">", `<style>${style}</style>`);
  fs.unlinkSync(path.join(out, "style.min.css"));
' "$out"
# Brotli (quality 11) and gzip (-9) next to every text and wasm asset: daytona-local serves
# whichever the browser takes, with no compression work per request.
node -e '
  const fs = require("fs"), path = require("path"), zlib = require("zlib");
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
  for (const f of walk(process.argv[1]).filter((f) => /\.(wasm|js|css|html|svg|json)$/.test(f))) {
    const data = fs.readFileSync(f);
    fs.writeFileSync(f + ".br", zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
    fs.writeFileSync(f + ".gz", zlib.gzipSync(data, { level: 9 }));
  }' "$out"
log "console ready in $out ($(du -ch "$out"/pkg/*.br "$out"/*.br 2>/dev/null | tail -1 | cut -f1) with Brotli)"
