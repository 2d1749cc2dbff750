// Where Vite's dev servers refuse a .wasm beside its module, the app's node_modules copy (README).
export async function _located(beside) {
  const { pathname } = beside;
  const deps = pathname.indexOf('/.vite/deps/'), fs = pathname.indexOf('/@fs/');
  const modules = deps >= 0 ? pathname.slice(0, deps) : fs >= 0 ? `${pathname.slice(0, fs)}/node_modules` : undefined;
  if (modules === undefined) return beside;
  const copy = await fetch(new URL(`${modules}/daytona-wasm/dist/${pathname.split('/').pop()}`, beside)).catch(() => undefined);
  return copy?.ok && copy.headers.get('content-type')?.startsWith('application/wasm') ? copy : beside;
}
