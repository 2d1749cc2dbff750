// daytona-wasm/image without a top-level await (documented in image-init.d.ts).
import init, { Image } from './dist/daytona_image.js';
import { _located } from './located.js';

let ready;
export function initImage(url) {
  return (ready ??= load(url).catch((e) => {
    ready = undefined;
    throw e;
  }));
}

// Beside this module, or where a bundler put it (webpack and Vite follow the URL written out);
// Vite's dev servers as for the main module (located.js).
async function load(url) {
  await init({ module_or_path: url ?? (await _located(new URL('./dist/daytona_image_bg.wasm', import.meta.url))) });
  // The builder methods, each a row of the module's table (`_post(index, args)`), returning the
  // image so that calls chain as in @daytonaio/sdk.
  Image._steps().split(' ').forEach((name, i) =>
    Object.defineProperty(Image.prototype, name, { value(...a) { this._post(i, a); return this; }, configurable: true, writable: true }));
  // The folders given to addLocalDir as handles are read when the contexts go up.
  const upload = Image.prototype._uploadContexts;
  Object.defineProperty(Image.prototype, '_uploadContexts', { value(access, options) { return upload.call(this, access, options, readDirectory); }, configurable: true, writable: true });
}

/**
 * A directory's files as `addLocalDir` takes them: `[path, File]` pairs, paths relative to the
 * directory, in order. From a FileSystemDirectoryHandle: `showDirectoryPicker()`'s, a dropped
 * folder's (`DataTransferItem.getAsFileSystemHandle()`) or the origin private file system's.
 */
export async function readDirectory(directory) {
  if (directory?.kind !== 'directory' || typeof directory.entries !== 'function') {
    throw new TypeError('readDirectory takes a FileSystemDirectoryHandle');
  }
  const files = [];
  const walk = async (dir, prefix) => {
    for await (const [name, entry] of dir.entries()) {
      if (entry.kind === 'directory') await walk(entry, `${prefix}${name}/`);
      else files.push([`${prefix}${name}`, await entry.getFile()]);
    }
  };
  await walk(directory, '');
  return files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export { Image };
