// daytona-wasm without a top-level await (documented in init.d.ts).
import init, { Daytona, SandboxEventStream, SandboxIterator } from './dist/daytona_wasm.js';

for (const I of [SandboxEventStream, SandboxIterator]) I.prototype[Symbol.asyncIterator] = function () { return this; };
// `await using daytona = new Daytona(…)` (browsers without Symbol.asyncDispose call close()).
if (Symbol.asyncDispose) Daytona.prototype[Symbol.asyncDispose] = async function () { this.close(); };

let ready;
export function initDaytona(url) {
  return (ready ??= load(url).catch((e) => {
    ready = undefined;
    throw e instanceof WebAssembly.CompileError
      ? new Error(`daytona-wasm: ${url ?? own()} is not the SDK's WebAssembly (often an HTML page): serve the package's .wasm as a file (esbuild: --loader:.wasm=file; Vite 6/7 with a linked package: optimizeDeps.exclude: ['daytona-wasm']) or pass its URL to initDaytona(url)`, { cause: e })
      : e;
  }));
}

/** The package's own .wasm, beside this module. */
const own = () => new URL('./dist/daytona_wasm_bg.wasm', import.meta.url);

async function load(url) {
  if (url !== undefined) return init({ module_or_path: url });
  const beside = own();
  try {
    return await init({ module_or_path: beside });
  } catch (e) {
    // The dev servers of Vite 6 and 7 serve this module pre-bundled from node_modules/.vite/deps/,
    // away from its .wasm (answering that URL with their HTML page): the package's own copy is
    // still served from its folder in node_modules.
    const deps = beside.pathname.indexOf('/.vite/deps/');
    if (!(e instanceof WebAssembly.CompileError) || deps < 0) throw e;
    return init({ module_or_path: new URL(`${beside.pathname.slice(0, deps)}/daytona-wasm/dist/daytona_wasm_bg.wasm`, beside) });
  }
}

export * from './dist/daytona_wasm.js';
export * from './dist/errors.js';
