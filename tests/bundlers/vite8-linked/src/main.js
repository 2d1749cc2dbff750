// Vite 8's starter with the package linked from its folder (`npm i ../pkg`: a symlink whose real
// folder is outside the app, which Vite's dev server serves as /@fs/… only where it may), no
// configuration: the package's main entry and daytona-wasm/image (both ready on import).
import { Daytona } from 'daytona-wasm';
import { Image } from 'daytona-wasm/image';
import { scenario } from './scenario.js';

scenario(Daytona, Image);
