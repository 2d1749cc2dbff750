// The console's Terminal tab in headless Chromium against a real daytona-local: a shell in
// xterm.js over a PTY, resizing with the window, a reload reattaching to the same shell
// (screen replayed, no new PTY), copy and paste, several terminals, exit codes, and
// closing = killing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, sandbox, toolbox, daytona;

/** The text on the shown terminal's screen (xterm's DOM rows). */
const screen = () => page.locator('.term-pane .xterm-rows').innerText();
/** Ids of the sandbox's PTY sessions, as the server lists them. */
const ptys = async () => (await toolbox.call('GET', '/process/pty')).body.sessions.map((s) => s.id);
/** The PTY size the status line shows, as [cols, rows]. */
const shownSize = async () => (await page.locator('.term-size').innerText()).split('×').map(Number);

/** Types `text` into the shown terminal. */
async function type(text) {
  await page.locator('.term-host').click();
  await page.keyboard.type(text);
}

/** Waits until a line of the screen matches `re`. */
async function onScreen(re, what) {
  await eventually(async () => (await screen()).split('\n').some((l) => re.test(l.trimEnd())), { what });
}

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite({ width: 1300, height: 850 }));
  sandbox = await daytona.createStarted('e2e-terminal');
  toolbox = daytona.toolbox(sandbox.id);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
});

after(async () => {
  await suite?.close();
});

test('opens a terminal and runs a command in it', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/terminal#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByText('No terminals are open in this sandbox').waitFor();
  assert.deepEqual(await ptys(), [], 'visiting the tab spawns nothing');

  await page.getByRole('button', { name: 'Open a terminal' }).click();
  await page.waitForURL(/\/terminal\?pty=term-1$/);
  await page.locator('.term-pane[data-state="connected"]').waitFor();
  assert.match(await page.locator('.term-state').innerText(), /^Connected$/);
  await type('echo $((6*7))\n');
  await onScreen(/^42$/, '42 on the screen');
  assert.deepEqual(await ptys(), ['term-1']);
  // The session's folder and start, as the sandbox says, in sight on the status line.
  const { cwd } = (await toolbox.call('GET', '/process/pty/term-1')).body;
  assert.ok(cwd.startsWith('/'), cwd);
  await eventually(async () => (await page.locator('.term-info').innerText()).startsWith(`${cwd} · started `), {
    what: 'the session info',
  });
});

test('resizes the PTY with the window', async () => {
  const [cols, rows] = await shownSize();
  await page.setViewportSize({ width: 950, height: 640 });
  await eventually(async () => (await shownSize())[0] < cols && (await shownSize())[1] < rows, { what: 'a smaller PTY' });
  const [newCols, newRows] = await shownSize();
  assert.equal(await page.locator('.term-pane .xterm-rows > div').count(), newRows, 'xterm shows as many rows');
  await type('clear; stty size\n');
  await onScreen(new RegExp(`^${newRows} ${newCols}$`), `stty size = ${newRows} ${newCols}`);
  const info = (await toolbox.call('GET', '/process/pty/term-1')).body;
  assert.deepEqual([info.cols, info.rows], [newCols, newRows]);
  await page.screenshot({ path: artifact('terminal.png') });
});

test('a reload reattaches to the same shell and replays its screen', async () => {
  await type('echo marker-$((40+2))\n');
  await onScreen(/^marker-42$/, 'the marker');
  await page.reload();
  await page.locator('.term-pane[data-state="connected"]').waitFor();
  await onScreen(/^marker-42$/, 'the marker replayed after the reload');
  await eventually(async () => / · started /.test(await page.locator('.term-info').innerText()), { what: 'the info of the attached session' });
  assert.deepEqual(await ptys(), ['term-1'], 'no new PTY');
  assert.deepEqual(await page.locator('.subtab').evaluateAll((tabs) => tabs.map((t) => t.dataset.pty)), ['term-1']);
  await type('echo still-$((1+1))\n');
  await onScreen(/^still-2$/, 'the same shell answering');
});

test('copies the selection and pastes into the shell', async () => {
  await type('echo copy-$((3*3))\n');
  await onScreen(/^copy-9$/, 'the text to copy');
  // A double click selects the word under the pointer (xterm's own mouse layer takes it).
  const box = await page.locator('.xterm-rows > div').filter({ hasText: /^copy-9\s*$/ }).boundingBox();
  await page.mouse.dblclick(box.x + 12, box.y + box.height / 2);
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await eventually(async () => (await page.evaluate(() => navigator.clipboard.readText())) === 'copy-9', {
    what: 'the selection in the clipboard',
  });
  await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((2+3))'));
  await page.getByRole('button', { name: 'Paste', exact: true }).click();
  await onScreen(/\$ echo pasted-\$\(\(2\+3\)\)$/, 'the pasted text at the prompt');
  await page.keyboard.press('Enter');
  await onScreen(/^pasted-5$/, 'the pasted command run');
});

test('opens a second terminal; closing its tab kills its PTY', async () => {
  await page.getByRole('button', { name: 'New terminal' }).click();
  await page.waitForURL(/pty=term-2$/);
  await page.locator('.term-pane[data-pty="term-2"][data-state="connected"]').waitFor();
  assert.deepEqual(await ptys(), ['term-1', 'term-2']);

  await page.getByRole('button', { name: 'Close terminal term-2' }).click();
  const confirm = page.getByRole('dialog', { name: 'Close terminal' });
  assert.match(await confirm.innerText(), /Close terminal term-2\?/);
  await confirm.getByRole('button', { name: 'Close terminal' }).click();
  await page.locator('.subtab[data-pty="term-2"]').waitFor({ state: 'detached' });
  await eventually(async () => (await ptys()).join() === 'term-1', { what: 'term-2 gone on the server' });
  await page.locator('.term-pane[data-pty="term-1"][data-state="connected"]').waitFor();
  assert.match(page.url(), /pty=term-1$/);
  // Opened again, the tab describes its session as the sandbox lists it.
  await page.reload();
  await page.locator('.term-pane[data-pty="term-1"][data-state="connected"]').waitFor();
  const title = await page.locator('.subtab[data-pty="term-1"] a').getAttribute('title');
  assert.match(title, /^\d+×\d+ · \/home\/daytona · started .+ · running$/);
});

test('shows the exit code when the shell ends', async () => {
  await type('exit 3\n');
  await page.locator('.term-pane[data-state="exited"]').waitFor();
  assert.equal(await page.locator('.term-state').innerText(), 'Exited with code 3');
  await eventually(async () => (await ptys()).length === 0, { what: 'the exited PTY forgotten' });
  await page.getByRole('button', { name: 'Close tab' }).click();
  await page.getByText('No terminals are open in this sandbox').waitFor();
});

test('ran without page errors', () => {
  assert.deepEqual(page.problems, []);
});
