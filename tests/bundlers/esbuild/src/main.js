// esbuild (`--bundle --format=esm --loader:.wasm=file`): esbuild leaves `new URL(…,
// import.meta.url)` alone, so the app imports the wasm as a file and hands its URL over.
import { Daytona, initDaytona } from 'daytona-wasm/init';
import wasm from 'daytona-wasm/daytona_wasm_bg.wasm';
import { scenario } from './scenario.js';

initDaytona(new URL(wasm, import.meta.url)).then(() => scenario(Daytona));
