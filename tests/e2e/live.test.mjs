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
  // Every event socket the page opens or loses, from the first load on.
  const sockets = { opened: 0, closed: 0 };
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/socket.io/')) return;
    sockets.opened++;
    ws.on('close', () => sockets.closed++);
  });
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.locator('.live-badge').waitFor();
  assert.deepEqual(sockets, { opened: 1, closed: 0 }, 'one event socket, open');
  let loads = 0;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/sandbox' && r.method() === 'GET') loads++;
  });
  // Each change must show well within the polling fallback's 5 s: pushed, it shows at once.
  const shown = async (what, check) => {
    const t0 = Date.now();
    await eventually(check, { what });
    const ms = Date.now() - t0;
    assert.ok(ms < 3000, `${what} took ${ms} ms: not pushed`);
  };

  const created = await daytona.call('POST', '/sandbox', { name: 'made-elsewhere' });
  assert.equal(created.status, 200);
  await shown('the new sandbox shown', async () => (await rowState('made-elsewhere')) === 'started');
  assert.equal((await daytona.call('POST', `/sandbox/${created.body.id}/stop`)).status, 200);
  await shown('the stop shown', async () => (await rowState('made-elsewhere')) === 'stopped');
  await page.screenshot({ path: artifact('console-live.png') });
  assert.equal((await daytona.call('DELETE', `/sandbox/${created.body.id}`)).status, 200);
  await shown('the deletion shown', async () => (await page.locator('tr[data-name="made-elsewhere"]').count()) === 0);
  assert.ok(loads > 0, 'the list reloaded on events');
  // The same socket throughout (no drop and reconnect, during which the page would poll).
  assert.deepEqual(sockets, { opened: 1, closed: 0 }, 'the event socket stayed open');
  assert.equal(await page.locator('.live-badge').count(), 1);
  assert.deepEqual(page.problems, []);
});
