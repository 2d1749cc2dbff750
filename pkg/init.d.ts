/// <reference lib="esnext.disposable" />
export * from './dist/daytona_wasm.js';
export * from './errors.js';

/**
 * `daytona-wasm/init`: the package without a top-level await. Loads the SDK's WebAssembly once
 * (from `wasmUrl`, by default the `.wasm` beside the module, e.g. Vite's
 * `import wasmUrl from 'daytona-wasm/daytona_wasm_bg.wasm?url'`); every other export may be
 * used once it has resolved. When the URL serves something else (a dev server's HTML page), it
 * rejects with a message naming the likely bundler setting, and a later call may try again.
 * `daytona-wasm` (the main entry) calls it on import.
 */
export declare function initDaytona(wasmUrl?: string | URL): Promise<void>;

declare module './dist/daytona_wasm.js' {
  interface Daytona {
    /** `close()`, for `await using daytona = new Daytona(…)`. */
    [Symbol.asyncDispose](): Promise<void>;
    /**
     * Every sandbox matching `query`, as an async iterator that fetches pages lazily
     * (`for await (const sb of daytona.list())`).
     */
    list(query?: ListSandboxesQuery): SandboxIterator;
    /**
     * Numbered page `page` (from 1) of `limit` sandboxes (default 10) matching `query`, with how
     * many match in all (`GET /sandbox/paginated`, the listing of the official SDKs' older
     * versions).
     */
    list(query: ListSandboxesQuery | undefined, page: number, limit?: number): Promise<NumberedSandboxPage>;
  }

  interface SandboxIterator {
    [Symbol.asyncIterator](): SandboxIterator;
  }
  interface SandboxEventStream {
    [Symbol.asyncIterator](): SandboxEventStream;
  }
}
