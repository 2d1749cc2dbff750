// esbuild (`--bundle --format=esm --loader:.wasm=file`): esbuild leaves `new URL(…,
// import.meta.url)` alone, so the app imports the wasm files as files and hands their URLs over.
import { Daytona, initDaytona } from 'daytona-wasm/init';
import { Image, initImage } from 'daytona-wasm/image/init';
import wasm from 'daytona-wasm/daytona_wasm_bg.wasm';
import imageWasm from 'daytona-wasm/daytona_image_bg.wasm';
import { scenario } from './scenario.js';

const url = (file) => new URL(file, import.meta.url);
Promise.all([initDaytona(url(wasm)), initImage(url(imageWasm))]).then(() => scenario(Daytona, Image));
