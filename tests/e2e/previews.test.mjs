// Port previews in headless Chromium against a real daytona-local: the Overview's Ports card
// finds a server listening in the sandbox, its link opens the server's page on its own
// origin (`{port}-{id}.localhost`, signed in by a cookie, the token gone from the address),
// and that origin cannot read the console's storage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, sandbox, toolbox, daytona;

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite({ width: 1300, height: 1000 }));
  sandbox = await daytona.createStarted('e2e-previews');
  toolbox = daytona.toolbox(sandbox.id);
  const made = await toolbox.exec("mkdir -p site && printf '<title>preview</title><h1>hello preview</h1>' > site/index.html");
  assert.equal(made.exitCode, 0, made.result);
  assert.equal((await toolbox.call('POST', '/process/session', { sessionId: 'web' })).status, 201);
  const run = await toolbox.call('POST', '/process/session/web/exec', {
    command: 'python3 -m http.server 8000 --bind 127.0.0.1 --directory site',
    runAsync: true,
  });
  assert.equal(run.status, 202, JSON.stringify(run.body));
  await eventually(async () => (await toolbox.exec('cat /proc/net/tcp')).result.includes(':1F40 '), {
    what: 'the server in the sandbox listening',
  });
});

after(async () => {
  await suite?.close();
});

test('lists the listening port and opens its preview on its own origin', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}#apiKey=${encodeURIComponent(server.apiKey)}`);
  const row = page.locator('.ports li[data-port="8000"]');
  await row.waitFor();
  const port = new URL(server.url).port;
  const origin = `http://8000-${sandbox.id}.localhost:${port}`;
  assert.equal(await row.locator('a').innerText(), origin);
  await page.locator('.ports').screenshot({ path: artifact('previews-ports.png') });

  const [preview] = await Promise.all([page.waitForEvent('popup'), row.locator('a').click()]);
  await preview.waitForLoadState();
  assert.equal(await preview.locator('h1').innerText(), 'hello preview');
  assert.equal(preview.url(), `${origin}/`, 'the token left the address bar');
  // A reload is let in by the cookie alone.
  await preview.reload();
  assert.equal(await preview.locator('h1').innerText(), 'hello preview');
  // The console keeps its settings in its own origin's storage; the preview sees none of it.
  assert.ok(await page.evaluate(() => localStorage.length) > 0, 'the console stores its settings');
  assert.equal(await preview.evaluate(() => localStorage.length), 0);
  await preview.close();

  // A shared (signed) link opens the port in a fresh browser context, with no cookie, key
  // or token; expired, it does not.
  await row.getByRole('button', { name: 'Share link' }).click();
  const shared = await page.locator('.share-link[data-shared-port="8000"] input').inputValue();
  assert.match(shared, new RegExp(`^http://8000-[a-z0-9]{16}\\.localhost:${port}$`));
  const stranger = await page.context().browser().newContext();
  const visitor = await stranger.newPage();
  await visitor.goto(shared);
  assert.equal(await visitor.locator('h1').innerText(), 'hello preview');
  const token = new URL(shared).hostname.split('.')[0].slice('8000-'.length);
  const expired = await fetch(`${server.apiUrl}/sandbox/${sandbox.id}/ports/8000/signed-preview-url/${token}/expire`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}` },
  });
  assert.equal(expired.status, 200);
  // (Another URL of the same origin: the page itself may come from the browser's cache.)
  const refused = await visitor.goto(`${shared}/?after-expiry`);
  assert.equal(refused.status(), 401);
  // The browser shows why, not the API's JSON.
  assert.equal(await visitor.locator('h1').innerText(), 'This preview is private');
  assert.match(await visitor.locator('body').innerText(), /may have expired/);
  await stranger.close();

  // Any port can be previewed by number.
  await page.getByLabel('Port to preview').fill('9000');
  await page.getByRole('button', { name: 'Preview port' }).click();
  await page.locator('.ports li[data-port="9000"]').waitFor();
  // Another update of the sandbox (an interval set) keeps the port added by hand (it used to
  // rescan and drop it); so does a rescan, which finds 8000 again.
  await page.getByLabel('Auto-stop minutes').fill('45');
  await page.locator('form.interval', { has: page.getByLabel('Auto-stop minutes') }).getByRole('button', { name: 'Set' }).click();
  await page.locator('.interval-value', { hasText: '45 min' }).waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(await page.locator('.ports li').evaluateAll((l) => l.map((e) => e.dataset.port)), ['8000', '9000']);
  await page.getByRole('button', { name: 'Rescan' }).click();
  await page.waitForTimeout(300);
  await page.getByRole('button', { name: 'Rescan' }).waitFor({ state: 'visible' });
  await eventually(async () => (await page.getByRole('button', { name: 'Rescan' }).isEnabled()), { what: 'the rescan done' });
  assert.deepEqual(await page.locator('.ports li').evaluateAll((l) => l.map((e) => e.dataset.port)), ['8000', '9000']);
  assert.deepEqual(page.problems, []);
});

test('public previews: switched on, a port opens for anyone with its URL; off, it does not', async () => {
  const origin = `http://8000-${sandbox.id}.localhost:${new URL(server.url).port}`;
  const stranger = await page.context().browser().newContext();
  // Each visit a URL of its own: the browser's HTTP cache may keep the page served while the
  // sandbox was public (the app's server sends Last-Modified), and a revisit would not reach
  // the proxy at all.
  let visits = 0;
  const open = async () => (await (await stranger.newPage()).goto(`${origin}/?visit=${++visits}`)).status();
  assert.equal(await open(), 401, 'private at first');
  const box = page.getByRole('checkbox', { name: 'Public previews' });
  assert.equal(await box.isChecked(), false);
  await box.check();
  await eventually(async () => (await daytona.byName('e2e-previews')).public === true, { what: 'the sandbox public' });
  assert.equal(await open(), 200, 'no token needed');
  await box.uncheck();
  await eventually(async () => (await daytona.byName('e2e-previews')).public === false, { what: 'the sandbox private again' });
  assert.equal(await open(), 401);
  await stranger.close();
  assert.deepEqual(page.problems, []);
});
