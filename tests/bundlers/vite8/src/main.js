// Vite 8's starter, no configuration: the package's main entry (ready on import).
import { Daytona } from 'daytona-wasm';
import { scenario } from './scenario.js';

scenario(Daytona);
