// daytona-wasm/image: the `Image` builder, a WebAssembly module of its own (its builder, TOML
// parser and uploads are a third of the main module's size: only pages that import it load it).
// Ready on import (a top-level await), as the main entry; daytona-wasm/image/init leaves it to
// initImage().
import { initImage } from './image-init.js';

await initImage();
export { Image, readDirectory } from './image-init.js';
