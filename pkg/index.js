// daytona-wasm: ready on import (a top-level await); daytona-wasm/init leaves it to initDaytona().
import { initDaytona } from './init.js';
await initDaytona();
export * from './init.js';
