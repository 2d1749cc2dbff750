// webpack 5 with no configuration file (`webpack` builds src/index.js into dist/main.js):
// the package's main entry (ready on import).
import { Daytona } from 'daytona-wasm';
import { scenario } from './scenario.js';

scenario(Daytona);
