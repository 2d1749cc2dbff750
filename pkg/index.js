// Entry of the `daytona-wasm` npm package: initialises the WebAssembly module once
// (top-level await) so the API can be used right away, like @daytonaio/sdk.
import init, { SandboxEventStream, SandboxIterator } from './dist/daytona_wasm.js';

await init({ module_or_path: new URL('./dist/daytona_wasm_bg.wasm', import.meta.url) });

// `daytona.list()` is an async iterator: `for await (const sandbox of daytona.list())`.
// So is `await daytona.events()`: `for await (const event of stream)`.
for (const Iterable of [SandboxIterator, SandboxEventStream]) {
  Iterable.prototype[Symbol.asyncIterator] = function () {
    return this;
  };
}

export * from './dist/daytona_wasm.js';
export * from './dist/errors.js';
