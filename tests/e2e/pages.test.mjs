// What every page shows about itself: a title naming the page (and the sandbox and tab), the
// favicon, and a sandbox's environment values hidden until asked for.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { consoleSuite } from './helpers.js';

let suite, server, page, daytona, sandbox;

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite());
  sandbox = await daytona.createStarted('e2e-pages', { env: { API_TOKEN: 'hunter2-secret' } });
});

after(async () => {
  await suite?.close();
});

test('titles name the page, the sandbox and its tab', async () => {
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  assert.equal(await page.title(), 'Sandboxes — Daytona Console');
  assert.match(await page.locator('link[rel=icon]').getAttribute('href'), /^data:image\/svg\+xml,/);

  await page.locator('tr[data-name="e2e-pages"]').getByRole('link', { name: 'e2e-pages' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.waitForFunction(() => document.title === 'e2e-pages · Overview — Daytona Console');
  await page.getByRole('link', { name: 'Files', exact: true }).click();
  await page.waitForFunction(() => document.title === 'e2e-pages · Files — Daytona Console');

  await page.goto(`${server.url}/settings`);
  await page.waitForFunction(() => document.title === 'Settings — Daytona Console');
  await page.goto(`${server.url}/no/such/page`);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  assert.equal(await page.title(), 'Page not found — Daytona Console');
});

test("hides the environment's values until asked", async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}`);
  const env = page.locator('section.card', { has: page.getByRole('heading', { name: 'Environment' }) });
  await env.locator('dt', { hasText: 'API_TOKEN' }).waitFor();
  assert.ok(!(await page.content()).includes('hunter2-secret'), 'the value is nowhere in the page');
  assert.equal(await env.locator('dd').innerText(), '••••••');
  await env.getByRole('button', { name: 'Show values' }).click();
  assert.equal(await env.locator('dd').innerText(), 'hunter2-secret');
  await env.getByRole('button', { name: 'Hide values' }).click();
  assert.equal(await env.locator('dd').innerText(), '••••••');
  assert.deepEqual(page.problems, []);
});

test('a rejected API key is not saved, and the header and alerts say where to fix it', async () => {
  const stored = () => page.evaluate(() => localStorage.getItem('daytona.console.apiKey'));
  const health = () => page.locator('.conn .dot').getAttribute('data-health');
  await page.goto(`${server.url}/settings`);
  await page.waitForFunction(() => document.querySelector('.conn .dot')?.dataset.health === 'Connected');

  // Save checks the key first (it used to store a key the server had just refused).
  await page.locator('input[name=apiKey]').fill('not-the-key');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Not saved: the server rejected this API key (HTTP 401).').waitFor();
  assert.equal(await stored(), server.apiKey);
  assert.equal(await health(), 'Connected');

  // A stored key the server no longer takes: the dot turns red (it stayed green), and the
  // list's error links to Settings.
  await page.evaluate(() => localStorage.setItem('daytona.console.apiKey', 'revoked-key'));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.querySelector('.conn .dot')?.dataset.health === 'Rejected');
  assert.match(await page.locator('.conn').getAttribute('title'), /rejected/);
  const alert = page.getByRole('alert').filter({ hasText: 'The API key was rejected' });
  await alert.getByRole('link', { name: 'Settings' }).click();
  await page.waitForURL(/\/settings$/);

  await page.locator('input[name=apiKey]').fill(server.apiKey);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved. Connected.').waitFor();
  assert.equal(await stored(), server.apiKey);
  await page.waitForFunction(() => document.querySelector('.conn .dot')?.dataset.health === 'Connected');
  assert.deepEqual(page.problems, []);
});
