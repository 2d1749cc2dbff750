// daytona-wasm without a top-level await (documented in init.d.ts).
import init, * as glue from './dist/daytona_wasm.js';
import { _located } from './located.js';

const { Daytona, Sandbox, SandboxEventStream, SandboxIterator } = glue;

for (const I of [SandboxEventStream, SandboxIterator]) I.prototype[Symbol.asyncIterator] = function () { return this; };
// A sandbox's data fields, each read from its `data` (declared on Sandbox in the .d.ts).
for (const k of 'organizationId snapshot user target labels env public networkBlockAll networkAllowList kvm cpu gpu memory disk desiredState errorReason recoverable backupState autoStopInterval autoPauseInterval autoArchiveInterval autoDeleteInterval autoDestroyAt volumes createdAt updatedAt lastActivityAt sandboxClass daemonVersion toolboxProxyUrl'.split(' '))
  Object.defineProperty(Sandbox.prototype, k, { get() { return this.data[k]; }, configurable: true });
// `await using daytona = new Daytona(…)` (browsers without Symbol.asyncDispose call close()).
if (Symbol.asyncDispose) Daytona.prototype[Symbol.asyncDispose] = async function () { this.close(); };

let ready;
export function initDaytona(url) {
  return (ready ??= load(url).catch((e) => {
    ready = undefined;
    throw e instanceof WebAssembly.CompileError
      ? new Error(`daytona-wasm: ${url ?? own()} is not the SDK's WebAssembly (often an HTML page): serve the package's .wasm as a file (esbuild: --loader:.wasm=file) or pass its URL to initDaytona(url) (Vite: import url from 'daytona-wasm/daytona_wasm_bg.wasm?url')`, { cause: e })
      : e;
  }));
}

/** The package's own .wasm, beside this module. */
const own = () => new URL('./dist/daytona_wasm_bg.wasm', import.meta.url);

async function load(url) {
  return methods(await init({ module_or_path: url ?? (await _located(own())) }));
}

/** The glue's `initSync`, with the methods defined too. */
export const initSync = (m) => methods(glue.initSync(m));

// The methods that are rows of a table in the wasm, each a call of its class's `_post`.
function methods(out) {
  for (const [cls, names] of Daytona._posted())
    names.split(' ').forEach((name, i) => Object.defineProperty(glue[cls].prototype, name, { value(...a) { return this._post(i, a); }, configurable: true, writable: true }));
  return out;
}

export * from './dist/daytona_wasm.js';
export * from './dist/errors.js';
