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
      ? new Error(`daytona-wasm: ${url ?? own()} is not the SDK's WebAssembly (often an HTML page): serve the package's .wasm as a file (esbuild: --loader:.wasm=file) or pass its URL to initDaytona(url) (Vite: import url from 'daytona-wasm/daytona_wasm_bg.wasm?url')`, { cause: e })
      : e;
  }));
}

/** The package's own .wasm, beside this module. */
const own = () => new URL('./dist/daytona_wasm_bg.wasm', import.meta.url);

async function load(url) {
  return init({ module_or_path: url ?? (await located()) });
}

/**
 * Where this page gets the package's .wasm: beside this module, except on Vite's dev servers,
 * which serve it there only where they may. Versions 6 and 7 serve this module pre-bundled from
 * node_modules/.vite/deps/, away from its .wasm (answering that URL with their HTML page), and a
 * package linked from outside the project (`npm i ../daytona-wasm`) is served from its real
 * folder as /@fs/…, where the .wasm is refused (403: outside `server.fs.allow`). Both serve the
 * package's own copy from its folder in the app's node_modules (through the link), which is
 * asked first: answered with something else (a monorepo's package hoisted above the app), the
 * .wasm beside this module it is, without a refused request in the browser's console.
 */
async function located() {
  const beside = own();
  const { pathname } = beside;
  const at = pathname.indexOf('/.vite/deps/');
  const modules = at >= 0 ? pathname.slice(0, at) : pathname.startsWith('/@fs/') ? '/node_modules' : undefined;
  if (modules === undefined) return beside;
  const copy = await fetch(new URL(`${modules}/daytona-wasm/dist/daytona_wasm_bg.wasm`, beside)).catch(() => undefined);
  return copy?.ok && copy.headers.get('content-type')?.startsWith('application/wasm') ? copy : beside;
}

export * from './dist/daytona_wasm.js';
export * from './dist/errors.js';
