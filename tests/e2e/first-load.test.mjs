// The console's first load as a new user gets it (empty cache), on a normal connection and
// a throttled one (1.6 Mbit/s, 150 ms): bytes transferred per file (compressed as sent) and
// the time to the page's shell and to the first sandbox list, printed as BENCH lines. It
// holds the compression to what the server sends (Brotli, smaller than the file), not a time.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { consoleSuite, eventually } from './helpers.js';

let suite, server, daytona, browser;

before(async () => {
  suite = await consoleSuite();
  ({ server, daytona } = suite);
  browser = suite.page.context().browser();
  await daytona.createStarted('first-load');
});

after(async () => {
  await suite?.close();
});

/** One cold load of the dashboard (empty cache), or with `warm` a second visit in `warm`'s
 * browser context; `throttle` in CDP's terms or none. */
async function coldLoad(throttle, warm) {
  const context = warm ?? (await browser.newContext({ viewport: { width: 1280, height: 800 } }));
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (!warm) await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (throttle) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...throttle });
  const files = new Map();
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    files.set(requestId, {
      url: new URL(response.url).pathname,
      encoding: response.headers['content-encoding'] ?? '',
      cacheControl: response.headers['cache-control'] ?? '',
      cached: response.fromDiskCache || response.fromMemoryCache,
    });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const f = files.get(requestId);
    if (f) f.bytes = encodedDataLength;
  });
  const t0 = Date.now();
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`, { waitUntil: 'commit' });
  await page.getByText('first-load', { exact: true }).first().waitFor({ timeout: 120_000 });
  const list = Date.now() - t0;
  // The first paint: index.html's static shell (top bar, "Loading the console…"), before the app.
  const shell = Math.round(
    await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN),
  );
  if (!warm) await page.close();
  const loaded = [...files.values()].filter((f) => f.bytes !== undefined && !f.url.startsWith('/api'));
  return { context, shell, list, loaded, total: loaded.reduce((sum, f) => sum + (f.cached ? 0 : f.bytes), 0) };
}

test('first load: compressed assets, bytes and times printed', async () => {
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  for (const [label, throttle] of [
    ['normal', null],
    ['throttled 1.6 Mbit/s, 150 ms', { latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 }],
  ]) {
    const run = await coldLoad(throttle);
    const biggest = run.loaded.sort((a, b) => b.bytes - a.bytes).slice(0, 4);
    console.log(
      `BENCH console first load (${label}): ${kb(run.total)} transferred (${biggest.map((f) => `${f.url.split('/').pop()} ${kb(f.bytes)}${f.encoding ? ` ${f.encoding}` : ''}`).join(', ')}); first paint (the static shell) ${run.shell} ms, first sandbox list ${run.list} ms`,
    );
    const wasm = run.loaded.find((f) => f.url.endsWith('.wasm'));
    assert.equal(wasm?.encoding, 'br', 'the console wasm is sent Brotli-compressed');
    // Named by its content, it is kept for a year: a second visit takes it (and the glue) from
    // the cache and downloads only what is revalidated.
    assert.match(wasm.url, /\/pkg\/daytona-console_bg\.[0-9a-f]{12}\.wasm$/);
    assert.equal(wasm.cacheControl, 'public, max-age=31536000, immutable');
    const again = await coldLoad(throttle, run.context);
    await run.context.close();
    const fromCache = again.loaded.filter((f) => f.cached).map((f) => f.url.split('/').pop());
    console.log(
      `BENCH console second visit (${label}): ${kb(again.total)} transferred, ${fromCache.length} files from the cache (${fromCache.join(', ')}); first sandbox list ${again.list} ms`,
    );
    assert.ok(
      again.loaded.some((f) => f.cached && f.url === wasm.url),
      `the wasm came from the cache: ${JSON.stringify(again.loaded.filter((f) => f.url.endsWith('.wasm')))}`,
    );
    assert.ok(again.total < 64 * 1024, `a second visit transferred ${kb(again.total)}`);
    assert.ok(wasm.bytes < 800 * 1024, `the wasm went over the wire compressed (${kb(wasm.bytes)})`);
    // xterm.js, noVNC and CodeMirror are their tabs' own: the sandbox list does not load them;
    // nor the parts of the wasm split off with the tabs and pages it does not show.
    const names = run.loaded.map((f) => f.url.split('/').pop());
    assert.deepEqual(names.filter((n) => /^(xterm|novnc)\./.test(n)), [], `loaded: ${names.join(', ')}`);
    // The stylesheet is index.html's own: the shell paints without waiting for another file.
    assert.deepEqual(names.filter((n) => n.endsWith('.css')), [], `loaded: ${names.join(', ')}`);
    assert.deepEqual(run.loaded.filter((f) => f.url.startsWith('/cm/')), [], 'the code editor is not loaded');
    assert.deepEqual(names.filter((n) => /^(split_|chunk_)/.test(n)), [], `loaded: ${names.join(', ')}`);
    // The issue's budget for a first visit, all files compressed as sent.
    assert.ok(run.total <= 450 * 1024, `the first load transferred ${kb(run.total)} (budget 450 KB)`);
  }
});

test('a tab is its own part of the wasm: fetched when its link is pointed at, and working', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const fetched = [];
  page.on('response', (r) => {
    const name = new URL(r.url()).pathname.split('/').pop();
    if (/^(split_|chunk_)/.test(name)) fetched.push({ name, status: r.status(), type: r.headers()['content-type'] });
  });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const sandbox = await daytona.byName('first-load');
  await page.goto(`${server.url}/sandboxes/${sandbox.id}#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('link', { name: 'Files', exact: true }).waitFor();
  assert.deepEqual(fetched, [], 'the Overview loads no tab part');

  // Pointing at the tab starts its download before any click.
  await page.getByRole('link', { name: 'Files', exact: true }).hover();
  const files = await eventually(() => fetched.find((f) => f.name.startsWith('split___files_route_view')), {
    what: 'the Files part fetched on hover',
  });
  assert.equal(files.status, 200);
  assert.equal(files.type, 'application/wasm');
  assert.ok(!fetched.some((f) => f.name.startsWith('split___terminal_route_view')), 'only the pointed tab');
  // …and the tab works from it: the (empty) home folder is listed.
  await page.getByRole('link', { name: 'Files', exact: true }).click();
  await page.getByText('This folder is empty').waitFor({ timeout: 30_000 });

  // A tab opened by its URL (no hover first) loads its part on the way.
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/commands`);
  await page.getByRole('button', { name: 'Run', exact: true }).first().waitFor({ timeout: 30_000 });
  assert.ok(fetched.some((f) => f.name.startsWith('split___commands_route_view')), JSON.stringify(fetched));
  assert.deepEqual(problems, []);
  await page.close();
});
