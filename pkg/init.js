// daytona-wasm without a top-level await (documented in init.d.ts).
import init, { SandboxEventStream, SandboxIterator } from './dist/daytona_wasm.js';

for (const I of [SandboxEventStream, SandboxIterator]) I.prototype[Symbol.asyncIterator] = function () { return this; };

let ready;
export function initDaytona(url = new URL('./dist/daytona_wasm_bg.wasm', import.meta.url)) {
  return (ready ??= init({ module_or_path: url }).catch((e) => {
    ready = undefined;
    throw e instanceof WebAssembly.CompileError
      ? new Error(`daytona-wasm: ${url} is not the SDK's WebAssembly (often an HTML page): serve the package's .wasm as a file (Vite 6/7: optimizeDeps.exclude: ['daytona-wasm']; esbuild: --loader:.wasm=file) or pass its URL to initDaytona(url)`, { cause: e })
      : e;
  }));
}

export * from './dist/daytona_wasm.js';
export * from './dist/errors.js';
