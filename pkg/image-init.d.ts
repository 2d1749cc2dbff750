/**
 * `daytona-wasm/image/init`: `daytona-wasm/image` without a top-level await (for bundlers that
 * build for browsers without one, such as Vite 6, or that follow no `new URL(…)`, such as
 * esbuild). Loads the image module's WebAssembly once (from `wasmUrl`, by default the `.wasm`
 * beside the module, e.g. esbuild's `import url from 'daytona-wasm/daytona_image_bg.wasm'`);
 * `Image` may be used once it has resolved (a failed load may be tried again).
 */
export declare function initImage(wasmUrl?: string | URL): Promise<void>;
/**
 * A directory's files as `Image.addLocalDir` takes them: `[path, File]` pairs, paths relative
 * to the directory, in order, read from a `FileSystemDirectoryHandle` (`showDirectoryPicker()`'s,
 * a dropped folder's or the origin private file system's). A `TypeError` for anything else.
 */
export declare function readDirectory(directory: FileSystemDirectoryHandle): Promise<[string, File][]>;
export { Image } from './dist/daytona_image.js';
export type { PipInstallOptions, PyprojectOptions, LocalDirectory } from './dist/daytona_image.js';
