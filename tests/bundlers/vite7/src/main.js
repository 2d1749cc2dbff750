// Vite 7's starter, no configuration: the package's main entry and daytona-wasm/image (both ready on import).
import { Daytona } from 'daytona-wasm';
import { Image } from 'daytona-wasm/image';
import { scenario } from './scenario.js';

scenario(Daytona, Image);
