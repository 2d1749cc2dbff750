// Vite 6's starter, no configuration. Its default build target (chrome87) has no top-level
// await, so the app takes the entry without one and initialises it itself.
import { Daytona, initDaytona } from 'daytona-wasm/init';
import { scenario } from './scenario.js';

initDaytona().then(() => scenario(Daytona));
