// An accessibility scan (axe-core, WCAG 2 A and AA rules) of every page and tab of the console,
// and of its dialogs, at desktop and phone width: no serious or critical violation.
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

for (const [width, height] of [[1280, 800], [390, 844]]) {
  test(`no serious or critical accessibility violation on any page at ${width} px`, async () => {
    await page.setViewportSize({ width, height });
    const found = [];
    for (const [what, path, ready] of PAGES) {
      const to = typeof path === 'function' ? path() : path;
      await page.goto(`${server.url}${to}#apiKey=${encodeURIComponent(server.apiKey)}`);
      await (await ready()).waitFor({ timeout: 30_000 }).catch((e) => assert.fail(`${what} did not show: ${e.message}`));
      found.push(...(await scan(`${what} (${width} px)`)));
    }
    assert.deepEqual(found, []);
  });
}
