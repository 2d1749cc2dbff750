export * from './dist/daytona_wasm.js';
export * from './errors.js';

declare module './dist/daytona_wasm.js' {
  interface SandboxIterator {
    [Symbol.asyncIterator](): SandboxIterator;
  }
  interface SandboxEventStream {
    [Symbol.asyncIterator](): SandboxEventStream;
  }
}
