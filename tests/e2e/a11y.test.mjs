// An accessibility scan (axe-core, WCAG 2 A and AA rules) of every page and tab of the console,
// and of the New sandbox dialog, at desktop and phone width: no serious or critical violation;
// and at both widths no page scrolls sideways.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { consoleSuite } from './helpers.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let suite, server, daytona, page, sandbox;

before(async () => {
  suite = await consoleSuite();
  ({ server, daytona, page } = suite);
  sandbox = await daytona.createStarted('a11y', { labels: { team: 'qa' } });
});

after(async () => {
  await suite?.close();
});

/** The serious and critical violations on the page as it is now, one line each. */
async function scan(what) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${what}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

const PAGES = [
  ['sandboxes', '/', () => page.getByText('a11y', { exact: true }).first()],
  ['new sandbox dialog', '/', async () => {
    await page.getByText('a11y', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: '+ New sandbox' }).click();
    return page.getByRole('dialog');
  }],
  ['overview', () => `/sandboxes/${sandbox.id}`, () => page.getByRole('heading', { name: 'Overview' })],
  ['terminal', () => `/sandboxes/${sandbox.id}/terminal`, () => page.getByText('No terminals are open in this sandbox')],
  ['files', () => `/sandboxes/${sandbox.id}/files`, () => page.getByText('This folder is empty')],
  ['commands', () => `/sandboxes/${sandbox.id}/commands`, () => page.getByRole('button', { name: 'Run', exact: true }).first()],
  ['source control', () => `/sandboxes/${sandbox.id}/git`, () => page.getByRole('heading').first()],
  ['notebook', () => `/sandboxes/${sandbox.id}/notebook`, () => page.locator('.nb-cell').first()],
  ['desktop', () => `/sandboxes/${sandbox.id}/desktop`, () => page.getByRole('button', { name: 'Start desktop' })],
  ['snapshots', '/snapshots', () => page.getByRole('heading', { name: 'Snapshots' })],
  ['volumes', '/volumes', () => page.getByRole('heading', { name: 'Volumes' })],
  ['settings', '/settings', () => page.getByRole('heading', { name: 'Settings' })],
];

test('at phone width the dashboard keeps its actions in sight', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByText('a11y', { exact: true }).first().waitFor();
  for (const name of ['+ New sandbox', 'Refresh']) {
    const box = await page.getByRole('button', { name, exact: true }).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${name} at x=${box?.x}, width ${box?.width} in 390 px`);
  }
  // The top bar's links are all in sight, none cut at the bar's edge, on phones 360 px wide and up.
  for (const width of [390, 360]) {
    await page.setViewportSize({ width, height: 800 });
    const nav = await page.locator('header nav').boundingBox();
    for (const name of ['Sandboxes', 'Snapshots', 'Volumes', 'Settings']) {
      const box = await page.locator('header nav').getByRole('link', { name, exact: true }).boundingBox();
      assert.ok(box && box.x >= nav.x && box.x + box.width <= nav.x + nav.width + 0.5, `${name} at x=${box?.x}, width ${box?.width} in a bar of ${nav.width} px at ${width} px`);
    }
  }
});

for (const [width, height] of [[1280, 800], [390, 844]]) {
  test(`no serious or critical accessibility violation on any page at ${width} px`, async () => {
    await page.setViewportSize({ width, height });
    const found = [];
    for (const [what, path, ready] of PAGES) {
      const to = typeof path === 'function' ? path() : path;
      await page.goto(`${server.url}${to}#apiKey=${encodeURIComponent(server.apiKey)}`);
      await (await ready()).waitFor({ timeout: 30_000 }).catch((e) => assert.fail(`${what} did not show: ${e.message}`));
      found.push(...(await scan(`${what} (${width} px)`)));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) found.push(`${what} (${width} px): scrolls sideways by ${overflow} px`);
    }
    assert.deepEqual(found, []);
  });
}
