// The dashboard follows the control plane's event socket: with the socket connected it stops
// polling, so a sandbox created, stopped and deleted through the API (not the page) can only
// show up through pushed events.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, daytona;

const rowState = (name) => page.locator(`tr[data-name="${name}"] .badge`).getAttribute('data-state');

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite());
});

after(async () => {
  await suite?.close();
});

test('shows changes made elsewhere as they happen', async () => {
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.locator('.live-badge').waitFor();
  let loads = 0;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/sandbox' && r.method() === 'GET') loads++;
  });

  const created = await daytona.call('POST', '/sandbox', { name: 'made-elsewhere' });
  assert.equal(created.status, 200);
  await eventually(async () => (await rowState('made-elsewhere')) === 'started', { what: 'the new sandbox shown' });
  assert.equal((await daytona.call('POST', `/sandbox/${created.body.id}/stop`)).status, 200);
  await eventually(async () => (await rowState('made-elsewhere')) === 'stopped', { what: 'the stop shown' });
  await page.screenshot({ path: artifact('console-live.png') });
  assert.equal((await daytona.call('DELETE', `/sandbox/${created.body.id}`)).status, 200);
  await eventually(async () => (await page.locator('tr[data-name="made-elsewhere"]').count()) === 0, {
    what: 'the deletion shown',
  });
  assert.ok(loads > 0, 'the list reloaded on events');
  // Connected throughout: nothing above came from polling (which only runs while the socket is down).
  assert.equal(await page.locator('.live-badge').count(), 1);
  assert.deepEqual(page.problems, []);
});
