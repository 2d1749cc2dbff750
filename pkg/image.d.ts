/**
 * `daytona-wasm/image`: `Image`, the declarative image of `@daytonaio/sdk`, built into a
 * snapshot by `daytona.create({ image })` or `daytona.snapshot.create({ name, image })`. A
 * WebAssembly module of its own, loaded on import (a top-level await); pages that build no image
 * never download it.
 */
export { Image } from './dist/daytona_image.js';
export { readDirectory } from './image-init.js';
export type { PipInstallOptions, PyprojectOptions, LocalDirectory } from './dist/daytona_image.js';
