// Vite 6's starter, no configuration. Its default build target (chrome87) has no top-level
// await, so the app takes the entries without one and initialises them itself.
import { Daytona, initDaytona } from 'daytona-wasm/init';
import { Image, initImage } from 'daytona-wasm/image/init';
import { scenario } from './scenario.js';

Promise.all([initDaytona(), initImage()]).then(() => scenario(Daytona, Image));
