// daytona-wasm/image: the `Image` builder, a WebAssembly module of its own (its builder, TOML
// parser and uploads are a third of the main module's size: only pages that import it load it).
// Ready on import (a top-level await), as the main entry.
import init, { Image } from './dist/daytona_image.js';
import { _located } from './located.js';

// Beside this module, or where a bundler put it (webpack and Vite follow the URL written out);
// Vite's dev servers as for the main module (located.js).
await init({ module_or_path: await _located(new URL('./dist/daytona_image_bg.wasm', import.meta.url)) });

// The builder methods, each a row of the module's table (`_post(index, args)`), returning the
// image so that calls chain as in @daytonaio/sdk.
Image._steps().split(' ').forEach((name, i) =>
  Object.defineProperty(Image.prototype, name, { value(...a) { this._post(i, a); return this; }, configurable: true, writable: true }));

export { Image };
