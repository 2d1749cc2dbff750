// The console's Commands tab in headless Chromium against a real daytona-local: a session
// created in the UI, a long-running command's stdout and stderr streaming in live (coloured
// apart), input sent to it, its exit code; and a code run whose chart is shown as an image.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, daytona, sandbox, toolbox;

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite({ width: 1300, height: 1000 }));
  sandbox = await daytona.createStarted('e2e-commands');
  toolbox = daytona.toolbox(sandbox.id);
});

after(async () => {
  await suite?.close();
});

test('streams a session command live, sends it input and shows its exit code', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/commands#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('button', { name: '+ New session' }).click();
  const dialog = page.getByRole('dialog', { name: 'New session' });
  assert.equal(await dialog.getByLabel('Session id').inputValue(), 'session-1');
  // The suggestion is selected: typing replaces it (it used to append to it).
  await page.waitForFunction(() => document.activeElement?.selectionEnd > document.activeElement?.selectionStart);
  await page.keyboard.type('typed');
  assert.equal(await dialog.getByLabel('Session id').inputValue(), 'typed');
  await dialog.getByLabel('Session id').fill('session-1');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/commands\?session=session-1$/);
  assert.deepEqual((await toolbox.call('GET', '/process/session')).body.map((s) => s.sessionId), ['session-1']);

  // The command waits for input after its first lines: what shows before the input was
  // streamed (no timing involved).
  const script =
    'echo out-1; echo err-1 >&2; read -r line; for i in 2 3; do echo out-$i; echo err-$i >&2; done; echo "got:$line"; exit 4';
  await page.getByLabel('Command to run in the session').fill(script);
  await page.locator('.session-panel').getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForURL(/session=session-1&command=/);
  const log = page.getByLabel('Command log');

  // Live: out-1 and err-1 show while the command still waits.
  await log.locator('.out-stdout', { hasText: 'out-1' }).waitFor();
  await log.locator('.out-stderr', { hasText: 'err-1' }).waitFor();
  assert.ok(!(await log.innerText()).includes('out-2'), 'nothing past the read yet');
  assert.equal(await page.locator('.command-log .exit-running').count(), 1, 'shown as running');

  await page.getByLabel('Input to the command').fill('hello');
  await page.getByRole('button', { name: 'Send' }).click();
  await log.locator('.out-stdout', { hasText: 'out-3' }).waitFor();
  await log.locator('.out-stderr', { hasText: 'err-3' }).waitFor();
  assert.equal(await log.locator('.out-stderr', { hasText: 'out-' }).count(), 0, 'stdout never styled as stderr');
  assert.equal(await log.locator('.out-stdout', { hasText: 'err-' }).count(), 0, 'stderr never styled as stdout');
  await log.locator('.out-stdout', { hasText: 'got:hello' }).waitFor();
  const exit = page.locator('.command-log [data-exit-code]');
  await exit.waitFor();
  assert.equal(await exit.getAttribute('data-exit-code'), '4');
  assert.ok(await page.getByLabel('Input to the command').isDisabled(), 'no input once ended');

  const session = (await toolbox.call('GET', '/process/session/session-1')).body;
  assert.equal(session.commands.length, 1);
  assert.equal(session.commands[0].exitCode, 4);
  await page.locator('.command-list li', { hasText: 'exit 4' }).waitFor();
  await page.screenshot({ path: artifact('commands-session.png') });
});

test('shows a finished command again from its URL', async () => {
  await page.reload();
  const log = page.getByLabel('Command log');
  await log.locator('.out-stdout', { hasText: 'got:hello' }).waitFor();
  // The whole log again (stdout and stderr come through separate pipes, so only each
  // stream's own order is fixed; the input sent is echoed into the log).
  const lines = (await log.innerText()).split('\n').filter(Boolean);
  assert.deepEqual([...lines].sort(), ['err-1', 'err-2', 'err-3', 'got:hello', 'hello', 'out-1', 'out-2', 'out-3']);
  assert.deepEqual(lines.filter((l) => l.startsWith('out-')), ['out-1', 'out-2', 'out-3']);
  assert.equal(await page.locator('.command-log [data-exit-code]').getAttribute('data-exit-code'), '4');
});

test('runs code and shows its chart', async () => {
  await page.locator('.code-run').getByRole('button', { name: 'Run', exact: true }).click();
  const output = page.getByLabel('Code output');
  await output.waitFor({ timeout: 30_000 });
  assert.match(await output.innerText(), /sum of squares: 285/);
  const chart = page.locator('.charts figure');
  await chart.waitFor();
  assert.equal(await chart.locator('figcaption').innerText(), 'Squares');
  const img = chart.locator('img');
  assert.match(await img.getAttribute('src'), /^data:image\/png;base64,iVBORw0KGgo/);
  await eventually(async () => (await img.evaluate((i) => i.complete && i.naturalWidth)) > 100, { what: 'the chart decoded' });
  await chart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: artifact('commands-code-run.png') });
});

test('explains that a stopped sandbox must be started, and starts it', async () => {
  assert.equal((await daytona.call('POST', `/sandbox/${sandbox.id}/stop`)).status, 200);
  await page.reload();
  await page.getByRole('heading', { name: 'Running commands needs a started sandbox' }).waitFor();
  assert.equal(await page.locator('.session-panel, .code-run').count(), 0, 'nothing that needs the toolbox');
  await page.getByRole('button', { name: 'Start sandbox' }).click();
  await page.locator('.code-run').waitFor({ timeout: 30_000 });
  assert.equal((await daytona.call('GET', `/sandbox/${sandbox.id}`)).body.state, 'started');
});

test('ran without page errors', () => {
  assert.deepEqual(page.problems, []);
});
