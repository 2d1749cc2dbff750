// The npm package as web developers install it: `npm pack`'s tarball installed into a small app
// per bundler (Vite 6, 7 and 8, webpack 5, esbuild; each folder here is the tool's own starter
// with no configuration file), and linked from its folder into a Vite 8 app (`npm i ../pkg`),
// built, served and driven in headless Chromium against
// daytona-local: create a sandbox, run a command, list, delete, with nothing in the browser's
// console. Vite's dev servers are driven too. Prints each build's emitted sizes (raw and gzip)
// as BENCH lines. The fixtures' npm installs stay in their node_modules between runs.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { launchBrowser } from '../support/browser.js';
import { ROOT, freePort, startDaytonaLocal } from '../support/daytona-local.js';
import { startStaticServer } from '../support/static-server.js';

const run = promisify(execFile);
const HERE = import.meta.dirname;

/** Each fixture: how it builds, the folder its built page is served from, whether the
 * package is linked from pkg/ (a `file:` dependency of its package.json) rather than installed
 * from the tarball, and whether the app imports daytona-wasm/image too (all of them: Vite 6 and
 * esbuild through daytona-wasm/image/init, with no top-level await). */
const FIXTURES = {
  vite6: { build: ['vite', 'build', '--logLevel', 'warn'], site: 'dist', dev: true, image: true },
  vite7: { build: ['vite', 'build', '--logLevel', 'warn'], site: 'dist', dev: true, image: true },
  vite8: { build: ['vite', 'build', '--logLevel', 'warn'], site: 'dist', dev: true, image: true },
  'vite8-linked': { build: ['vite', 'build', '--logLevel', 'warn'], site: 'dist', dev: true, linked: true, image: true },
  webpack: { build: ['webpack'], site: '.', out: 'dist', image: true },
  // esbuild follows no `new URL(…)`: the app copies the areas' modules beside its bundle (README).
  esbuild: { build: ['esbuild', 'src/main.js', '--bundle', '--format=esm', '--loader:.wasm=file', '--outdir=out', '--log-level=warning'], site: '.', out: 'out', copyAreas: true, image: true },
};

/** The package's WebAssembly files: the main module, its areas' modules (and chunks), and
 * daytona-wasm/image's module. */
const PACKAGE_WASM = readdirSync(join(ROOT, 'pkg/dist')).filter((f) => f.endsWith('.wasm'));
const AREAS = PACKAGE_WASM.filter((f) => /^daytona_wasm_(?!bg)/.test(f));

let server, browser, tarball;
const sites = [];

before(async () => {
  const packed = mkdtempSync(join(tmpdir(), 'daytona-wasm-pack-'));
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', packed], { cwd: join(ROOT, 'pkg') });
  tarball = join(packed, stdout.trim().split('\n').pop());
  // The installs (each fixture's tool and the tarball) run side by side; npm's cache and the
  // fixtures' node_modules make later runs quick.
  await Promise.all(
    Object.keys(FIXTURES).map(async (name) => {
      const dir = join(HERE, name);
      copyFileSync(join(HERE, 'scenario.js'), join(dir, 'src/scenario.js'));
      const started = Date.now();
      const from = FIXTURES[name].linked ? [] : [tarball];
      await run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', ...from], {
        cwd: dir,
        maxBuffer: 16 << 20,
      });
      console.log(`npm install of the ${name} fixture: ${Date.now() - started} ms`);
    }),
  );
  server = await startDaytonaLocal();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const s of sites) await s.stop();
  await server?.stop();
  if (tarball) rmSync(join(tarball, '..'), { recursive: true, force: true });
});

/** Opens `url` with daytona-local in its fragment and returns the scenario's outcome and what
 * the browser's console said. */
async function drive(url) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()}: ${r.url()}`));
  await page.goto(`${url}#api=${encodeURIComponent(server.apiUrl)}&key=${encodeURIComponent(server.apiKey)}`);
  // The outcome, or the first uncaught error (an entry that failed to load sets no outcome).
  const failed = new Promise((resolve) => page.once('pageerror', (e) => resolve({ error: `uncaught: ${e.message}` })));
  const outcome = await Promise.race([
    page.waitForFunction(() => window.outcome, null, { timeout: 120_000 }).then((h) => h.jsonValue()),
    failed,
  ]).catch((e) => ({ error: `${e.message} (the browser: ${problems.join('; ')})` }));
  await page.close();
  return { outcome, problems };
}

function assertRan({ outcome, problems }, what, image) {
  const expected = { state: outcome.state, result: 'bundled\n', code: '42\n', listed: true };
  if (image) expected.dockerfile = 'FROM busybox\nRUN true\n';
  assert.deepEqual(outcome, expected, `${what}: ${JSON.stringify(outcome)}`);
  assert.ok(['destroyed', 'destroying'].includes(outcome.state), `${what}: deleted, ${outcome.state}`);
  assert.deepEqual(problems, [], `${what}: the browser's console`);
}

/** The emitted .js and .wasm files under `dir` with their raw and gzip sizes. */
function emitted(dir) {
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]);
  return walk(dir)
    .filter((f) => /\.(m?js|wasm)$/.test(f))
    .map((f) => ({ file: relative(dir, f), raw: statSync(f).size, gzip: gzipSync(readFileSync(f), { level: 9 }).length }));
}

/** A file's SHA-256. */
const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

for (const [name, fixture] of Object.entries(FIXTURES)) {
  test(`${name}: built with no configuration, the app creates, runs, lists and deletes`, async () => {
    const dir = join(HERE, name);
    rmSync(join(dir, fixture.out ?? fixture.site), { recursive: true, force: true });
    const [tool, ...args] = fixture.build;
    await run(join(dir, 'node_modules/.bin', tool), args, { cwd: dir, maxBuffer: 16 << 20 });
    if (fixture.copyAreas) {
      for (const f of AREAS) copyFileSync(join(dir, 'node_modules/daytona-wasm/dist', f), join(dir, fixture.out, f));
    }
    const out = join(dir, fixture.out ?? fixture.site);
    const files = emitted(out);
    // Each of the package's wasm files emitted at most once, unchanged (Vite inlines those under
    // 4 KB as data: URLs), the main module's (and the image module's) among them.
    const wasm = files.filter((f) => f.file.endsWith('.wasm')).map((f) => sha(join(out, f.file)));
    const ours = new Map(PACKAGE_WASM.map((f) => [sha(join(ROOT, 'pkg/dist', f)), f]));
    const names = wasm.map((h) => ours.get(h));
    assert.ok(names.every(Boolean) && new Set(names).size === names.length, `${name} emitted each wasm once: ${JSON.stringify(files)}`);
    assert.ok(names.includes('daytona_wasm_bg.wasm') && names.includes('daytona_image_bg.wasm') === !!fixture.image, names.join(' '));
    const total = files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip }), { raw: 0, gzip: 0 });
    console.log(
      `BENCH bundler ${name}: ${kb(total.raw)} raw, ${kb(total.gzip)} gzip (${files.map((f) => `${f.file} ${kb(f.raw)}/${kb(f.gzip)}`).join(', ')})`,
    );
    const site = await startStaticServer(join(dir, fixture.site));
    sites.push(site);
    assertRan(await drive(`${site.url}/`), `${name} build`, fixture.image);
  });

  if (fixture.dev) {
    test(`${name}: its dev server, with no configuration`, async () => {
      const dir = join(HERE, name);
      const port = await freePort();
      const dev = spawn(join(dir, 'node_modules/.bin/vite'), ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      dev.stdout.on('data', (d) => (log += d));
      dev.stderr.on('data', (d) => (log += d));
      try {
        const url = `http://127.0.0.1:${port}/`;
        for (let i = 0; ; i++) {
          if (await fetch(url).then((r) => r.ok, () => false)) break;
          assert.ok(i < 300 && dev.exitCode === null, `the ${name} dev server did not start: ${log}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        assertRan(await drive(url), `${name} dev server`, fixture.image);
      } finally {
        dev.kill();
      }
    });
  }
}
