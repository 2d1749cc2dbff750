// The Overview's SSH and Resource use cards in headless Chromium against a real daytona-local:
// a token made in the console logs in with OpenSSH and runs a command in the sandbox, its
// revoke button ends it; the meters show the sandbox's own CPU, memory and disk, and a busy
// loop started in the sandbox shows on the CPU meter. Screenshots at desktop and phone width.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';
import { ssh } from '../support/ssh.js';

let suite, server, page, sandbox, toolbox, daytona;

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite({ width: 1300, height: 1100 }));
  sandbox = await daytona.createStarted('e2e-ssh');
  toolbox = daytona.toolbox(sandbox.id);
});

after(async () => {
  await suite?.close();
});

test('an SSH token made in the console logs in, and its revoke ends it', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}#apiKey=${encodeURIComponent(server.apiKey)}`);
  const card = page.locator('.ssh-access');
  await card.getByLabel('Token lifetime').selectOption('15');
  await card.getByRole('button', { name: 'Create SSH access' }).click();
  const field = card.getByLabel('SSH command');
  await field.waitFor();
  const command = await field.inputValue();
  assert.match(command, /^ssh -p \d+ [A-Za-z0-9]{32}@127\.0\.0\.1$/);
  assert.match(await card.locator('.ssh-expiry').innerText(), /Expires in (14|15) min/);
  // Copy puts the command on the clipboard and says so.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await card.getByRole('button', { name: 'Copy', exact: true }).click();
  await card.getByRole('button', { name: 'Copied', exact: true }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), command);
  await toolbox.exec('echo made-in-the-console > who.txt');
  const out = ssh(command, 'cat who.txt');
  assert.equal(out.status, 0, out.stderr);
  assert.equal(out.stdout, 'made-in-the-console\n');
  await card.screenshot({ path: artifact('overview-ssh.png') });

  await card.getByRole('button', { name: 'Revoke', exact: true }).click();
  await field.waitFor({ state: 'detached' });
  assert.equal(ssh(command, 'true').status, 255, 'the revoked token no longer logs in');
});

test('resource use shows the sandbox\'s own CPU, memory and disk, and a busy loop', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}#apiKey=${encodeURIComponent(server.apiKey)}`);
  const card = page.locator('.resource-use');
  const disk = card.getByRole('meter', { name: 'Disk' });
  await eventually(async () => /GiB$/.test(await card.locator('.meter.disk .meter-head').innerText()), {
    what: 'disk use shown',
  });
  // 200 MB written show on the disk meter (of a 3 GiB disk: some 6 %).
  await toolbox.exec('head -c 200M /dev/zero > filler.bin && sync');
  await eventually(async () => Number(await disk.getAttribute('aria-valuenow')) >= 5, { what: 'the written file on the disk meter' });
  assert.match(await card.locator('.meter.mem .meter-head').innerText(), /\/ 1\.0 GiB/);
  assert.match(await card.locator('.meter.cpu .meter-head').innerText(), /of 1 core/);
  const config = await (await fetch(`${server.apiUrl}/config`, { headers: { Authorization: `Bearer ${server.apiKey}` } })).json();
  if (config.localIsolation?.resourceLimits == null) {
    await toolbox.call('POST', '/process/session', { sessionId: 'busy' });
    await toolbox.call('POST', '/process/session/busy/exec', { command: "timeout 20 sh -c 'while :; do :; done'", runAsync: true });
    const cpu = card.getByRole('meter', { name: 'CPU' });
    await eventually(async () => Number(await cpu.getAttribute('aria-valuenow')) > 50, {
      timeout: 15_000,
      what: 'the busy loop on the CPU meter',
    });
    // The chart has drawn several samples.
    await eventually(async () => ((await card.locator('.line-cpu').getAttribute('points')) ?? '').split(' ').length >= 2, {
      what: 'the CPU line',
    });
  }
  // Opened afresh, the chart starts from the server's history (sampled every second here), not
  // from the few samples the page itself could have taken since (one per 3 s); so does the
  // longer range.
  const opened = Date.now();
  await page.goto(`${server.url}/sandboxes/${sandbox.id}#apiKey=${encodeURIComponent(server.apiKey)}`);
  const drawn = async () => ((await card.locator('.line-mem').getAttribute('points')) ?? '').split(' ').filter(Boolean).length;
  await eventually(async () => (await drawn()) >= 8, { what: 'the history drawn' });
  assert.ok((await drawn()) > (Date.now() - opened) / 3000 + 2, 'more points than the page sampled itself');
  await card.getByLabel('Chart range').selectOption('hour');
  await eventually(async () => (await drawn()) >= 8, { what: 'the last hour drawn' });
  await card.screenshot({ path: artifact('overview-resources.png') });
  await page.setViewportSize({ width: 390, height: 900 });
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: artifact('overview-resources-phone.png'), fullPage: false });
  const box = await card.boundingBox();
  assert.ok(box.width <= 390, `the card fits a phone's width (${box.width})`);
  await page.setViewportSize({ width: 1300, height: 1100 });
});

test('a page in a hidden tab asks nothing (so the sandbox can stop by itself), and catches up when shown', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.locator('.resource-use .meter.cpu').waitFor();
  const asked = [];
  const onRequest = (r) => {
    const path = new URL(r.url()).pathname;
    if (path.includes(sandbox.id)) asked.push(path);
  };
  page.on('request', onRequest);
  const setHidden = (hidden) =>
    page.evaluate((hidden) => {
      for (const [k, v] of [['hidden', hidden], ['visibilityState', hidden ? 'hidden' : 'visible']]) {
        Object.defineProperty(document, k, { value: v, configurable: true });
      }
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    }, hidden);
  try {
    // Shown: the meters sample (every 3 s) and the sandbox is read again (every 5 s).
    await eventually(async () => asked.some((p) => p.endsWith('/system/metrics')), { what: 'a metrics sample while shown' });
    await setHidden(true);
    asked.length = 0;
    await new Promise((r) => setTimeout(r, 7000));
    assert.deepEqual(asked, [], 'requests of a hidden page');
    // Shown again: at once, not at the next tick.
    const shown = Date.now();
    await setHidden(false);
    await eventually(async () => asked.some((p) => p.endsWith('/system/metrics')), { what: 'a metrics sample once shown' });
    assert.ok(Date.now() - shown < 2000, `caught up after ${Date.now() - shown} ms`);
  } finally {
    page.off('request', onRequest);
    await setHidden(false);
  }
});

test('resize and network rules are applied from the Overview', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}#apiKey=${encodeURIComponent(server.apiKey)}`);
  const card = page.locator('.sandbox-settings');
  const api = async () =>
    (await fetch(`${server.apiUrl}/sandbox/${sandbox.id}`, { headers: { Authorization: `Bearer ${server.apiKey}` } })).json();
  const config = await (await fetch(`${server.apiUrl}/config`, { headers: { Authorization: `Bearer ${server.apiKey}` } })).json();
  if (config.localIsolation?.resourceLimits == null) {
    await card.getByLabel('CPU cores').fill('2');
    await card.getByLabel('Memory GiB').fill('2');
    await card.getByRole('button', { name: 'Resize' }).click();
    await page.locator('.props dd', { hasText: '2 cores' }).waitFor();
    const sb = await api();
    assert.deepEqual([sb.cpu, sb.memory], [2, 2]);
    // The metrics follow the new limits.
    await page.locator('.meter.cpu .meter-head', { hasText: 'of 2 cores' }).waitFor({ timeout: 10_000 });
  }
  // A disk cannot shrink: the server's reason is shown.
  await card.getByLabel('Disk GiB').fill('1');
  await card.getByRole('button', { name: 'Resize' }).click();
  await card.getByRole('alert').filter({ hasText: /only be increased/ }).waitFor();
  // It grows: while the sandbox runs where the host lets a mounted filesystem grow, else (the
  // console says so) once it is stopped; either way its files' filesystem has the room.
  const before = (await api()).disk;
  await card.getByLabel('Disk GiB').fill(String(before + 1));
  await card.getByRole('button', { name: 'Resize' }).click();
  const refusedLive = card.getByRole('alert').filter({ hasText: /stop the sandbox and resize it then/ });
  const grown = await eventually(async () => (await api()).disk === before + 1 || ((await refusedLive.count()) > 0 && 'refused'), {
    what: 'the disk grown, or the reason it cannot grow live',
  });
  if (grown === 'refused') {
    const call = (method, path) => fetch(`${server.apiUrl}/sandbox/${sandbox.id}${path}`, { method, headers: { Authorization: `Bearer ${server.apiKey}` } });
    await call('POST', '/stop');
    await page.locator('.props dd', { hasText: 'stopped' }).or(page.getByText('stopped', { exact: true }).first()).first().waitFor();
    await eventually(async () => (await api()).state === 'stopped', { what: 'stopped' });
    await card.getByLabel('Disk GiB').fill(String(before + 1));
    await card.getByRole('button', { name: 'Resize' }).click();
    await eventually(async () => (await api()).disk === before + 1, { what: 'the stopped disk grown' });
    await call('POST', '/start');
    await eventually(async () => (await api()).state === 'started', { timeout: 60_000, what: 'started again' });
  }
  const size = await toolbox.exec('df -B1M --output=size . | tail -1');
  assert.ok(Number(size.result.trim()) > (before + 0.5) * 1024, `df after growing to ${before + 1} GiB: ${size.result}`);

  await card.getByLabel('Allowed networks').fill('203.0.113.0/24');
  await card.getByRole('button', { name: 'Apply network rules' }).click();
  await eventually(async () => (await api()).networkAllowList === '203.0.113.0/24', { what: 'the allow list stored' });
  await page.locator('.props dd', { hasText: '203.0.113.0/24' }).waitFor();
  await card.getByLabel('Block all network').check();
  assert.ok(await card.getByLabel('Allowed networks').isDisabled());
  await card.getByRole('button', { name: 'Apply network rules' }).click();
  await eventually(async () => (await api()).networkBlockAll === true, { what: 'networkBlockAll stored' });
  const blocked = await toolbox.exec("python3 -c \"import socket; socket.create_connection(('10.0.2.3', 53), 2)\"");
  assert.notEqual(blocked.exitCode, 0, 'the sandbox still reached its DNS forwarder');
  await card.screenshot({ path: artifact('overview-settings.png') });
});
