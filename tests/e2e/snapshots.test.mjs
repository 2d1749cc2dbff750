// Snapshots in the console: pulled from a real registry on 127.0.0.1 with the state followed
// live, chosen in the New sandbox dialog (the sandbox runs on the image), deactivated and
// activated, deletion refused while in use (the reason shown), then done; one built from a
// Dockerfile and a folder and a file picked in the browser, its build log followed live, a sandbox on it;
// a private registry's login added on the page, so that a pull refused before it succeeds.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { startRegistry } from '../support/registry.js';
import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, daytona, reg, registry;

before(async () => {
  reg = startRegistry();
  registry = reg.host;
  ({ server, daytona, page } = suite = await consoleSuite());
});

after(async () => {
  await suite?.close();
  reg?.stop();
});

test('pull a snapshot, run a sandbox on it, toggle, refuse then delete', async () => {
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('link', { name: 'Snapshots', exact: true }).click();
  await page.getByRole('heading', { name: 'Snapshots' }).waitFor();
  assert.equal(await page.title(), 'Snapshots — Daytona Console');
  const fallback = page.locator('tr[data-snapshot="daytona-local"]');
  await fallback.locator('[data-state=active]').waitFor();
  assert.equal(await fallback.getByRole('button', { name: /Delete/ }).count(), 0, 'the default cannot be deleted');

  // One pulled elsewhere (here through the API) shows up and follows its pull by itself: the
  // page follows the event socket.
  const made = await daytona.call('POST', '/snapshots', { name: 'bb-elsewhere', imageName: `${registry}/test/busybox:1.0` });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const elsewhere = page.locator('tr[data-snapshot="bb-elsewhere"]');
  await elsewhere.locator('[data-state=active]').waitFor({ timeout: 60_000 });
  assert.equal((await daytona.call('DELETE', `/snapshots/${made.body.id}`)).status, 200);
  await elsewhere.waitFor({ state: 'detached', timeout: 30_000 });

  const form = page.getByRole('form', { name: 'New snapshot' });
  await form.getByLabel('Snapshot name').fill('bb-console');
  await form.getByLabel('Image').fill('busybox');
  await form.getByRole('button', { name: 'Pull' }).click();
  await form.getByText('latest tag or no tag is not allowed').waitFor();
  await form.getByLabel('Image').fill(`${registry}/test/busybox:1.0`);
  await form.getByRole('button', { name: 'Pull' }).click();
  const row = page.locator('tr[data-snapshot="bb-console"]');
  await row.locator('[data-state=active]').waitFor({ timeout: 60_000 });
  assert.match(await row.innerText(), /MB/);
  assert.match(await row.innerText(), new RegExp(`${registry}/test/busybox:1.0`));
  await page.screenshot({ path: artifact('snapshots.png') });

  // The dialog offers it; the sandbox runs on it.
  await page.getByRole('link', { name: 'Sandboxes', exact: true }).click();
  await page.getByRole('button', { name: '+ New sandbox' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('input[name=name]').fill('on-busybox');
  await dialog.locator('select[name=snapshot] option', { hasText: 'bb-console' }).waitFor({ state: 'attached' });
  await dialog.locator('select[name=snapshot]').selectOption({ label: `bb-console (${registry}/test/busybox:1.0)` });
  await dialog.getByRole('button', { name: 'Create' }).click();
  await page.getByText('Sandbox on-busybox created and started.').waitFor({ timeout: 60_000 });
  const sb = await daytona.byName('on-busybox');
  assert.equal(sb.snapshot, 'bb-console');
  assert.equal((await daytona.toolbox(sb.id).exec('echo $GREETING; pwd')).result, 'hello\n/work\n');

  // Deactivated, activated; deletion refused while the sandbox runs on it.
  await page.getByRole('link', { name: 'Snapshots', exact: true }).click();
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await row.locator('[data-state=inactive]').waitFor();
  await row.getByRole('button', { name: 'Activate' }).click();
  await row.locator('[data-state=active]').waitFor();
  await row.getByRole('button', { name: 'Delete snapshot bb-console' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByText(/bb-console could not be deleted: .*on-busybox/).waitFor();

  assert.equal((await daytona.call('DELETE', `/sandbox/${sb.id}`)).status, 200);
  await eventually(async () => (await daytona.list()).length === 0, { what: 'sandbox gone' });
  await row.getByRole('button', { name: 'Delete snapshot bb-console' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached', timeout: 30_000 });
  assert.deepEqual(page.problems, []);
});

test('build a snapshot from a Dockerfile and a picked file, watch its log, run a sandbox on it', async () => {
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('link', { name: 'Snapshots', exact: true }).click();
  await page.getByText('Build a snapshot…').click();
  const form = page.getByRole('form', { name: 'Build a snapshot' });
  const marker = `console-${Date.now().toString(36)}`;
  await form.getByLabel('Name', { exact: true }).fill('built-console');
  await form.getByLabel('Dockerfile', { exact: true }).fill(
    `FROM ${registry}/test/busybox:1.0\nRUN echo ${marker} > /marker\nCOPY app.py /app/app.py\nCOPY proj /srv/proj\nWORKDIR /app\n`,
  );
  // A folder picked (its tree kept, named by the folder), then a file beside it.
  const dir = mkdtempSync(join(tmpdir(), 'picked-'));
  mkdirSync(join(dir, 'proj/sub'), { recursive: true });
  writeFileSync(join(dir, 'proj/a.txt'), 'A\n');
  writeFileSync(join(dir, 'proj/sub/b.txt'), 'B\n');
  await form.getByLabel('Folder for the image').setInputFiles(join(dir, 'proj'));
  await eventually(async () => /Sent with it: .*proj\/sub\/b\.txt/.test(await form.innerText()), { what: 'the folder\'s files listed' });
  await form.getByLabel('Files for the image').setInputFiles({
    name: 'app.py',
    mimeType: 'text/x-python',
    buffer: Buffer.from(`print("${marker}")\n`),
  });
  await form.getByText('Sent with it: app.py, proj/a.txt, proj/sub/b.txt').waitFor();
  // Clear empties the list; picked again, the folder's files replace their earlier selves.
  await form.getByRole('button', { name: 'Clear' }).click();
  await form.getByText('No files picked').waitFor();
  await form.getByLabel('Folder for the image').setInputFiles(join(dir, 'proj'));
  await form.getByLabel('Folder for the image').setInputFiles(join(dir, 'proj'));
  await form.getByLabel('Files for the image').setInputFiles({ name: 'app.py', mimeType: 'text/x-python', buffer: Buffer.from(`print("${marker}")\n`) });
  await form.getByText('Sent with it: app.py, proj/a.txt, proj/sub/b.txt').waitFor();
  await form.getByRole('button', { name: 'Build' }).click();
  const log = page.getByLabel('Build log');
  await log.getByText(`RUN echo ${marker} > /marker`).waitFor({ timeout: 60_000 });
  await page.getByText('Snapshot built-console is built.').waitFor({ timeout: 120_000 });
  assert.match(await log.innerText(), /Build succeeded/);
  const row = page.locator('tr[data-snapshot="built-console"]');
  await row.locator('[data-state=active]').waitFor();
  assert.match(await row.innerText(), new RegExp(`built: FROM ${registry}/test/busybox:1.0`));
  await page.screenshot({ path: artifact('snapshot-build.png') });

  const sb = await daytona.createStarted('on-built', { snapshot: 'built-console' });
  assert.equal((await daytona.toolbox(sb.id).exec('cat /marker app.py /srv/proj/a.txt /srv/proj/sub/b.txt')).result, `${marker}\nprint("${marker}")\nA\nB\n`);
  assert.equal((await daytona.call('DELETE', `/sandbox/${sb.id}`)).status, 200);
  await eventually(async () => (await daytona.call('GET', `/sandbox/${sb.id}`)).status === 404, {
    what: 'the sandbox on it gone',
  });

  // Rebuild: the snapshot is built again under its name from the same Dockerfile and files
  // (a new snapshot id, active again; its context files kept on the server), and runs.
  const before = (await daytona.call('GET', '/snapshots/built-console')).body;
  await row.getByRole('button', { name: 'Rebuild snapshot built-console' }).click();
  const confirm = page.getByRole('dialog', { name: 'Make snapshot again' });
  assert.match(await confirm.innerText(), /Build snapshot built-console again from its Dockerfile and files/);
  await confirm.getByRole('button', { name: 'Make again' }).click();
  const after = await eventually(async () => {
    const s = (await daytona.call('GET', '/snapshots/built-console')).body;
    return s.id && s.id !== before.id && s.state === 'active' && s;
  }, { what: 'the snapshot built again', timeout: 120_000 });
  assert.equal(after.buildInfo.dockerfileContent, before.buildInfo.dockerfileContent);
  assert.deepEqual(after.buildInfo.contextHashes, before.buildInfo.contextHashes);
  await page.locator('tr[data-snapshot="built-console"] [data-state=active]').waitFor();
  const again = await daytona.createStarted('on-rebuilt', { snapshot: 'built-console' });
  assert.equal((await daytona.toolbox(again.id).exec('cat /marker /app/app.py')).result, `${marker}\nprint("${marker}")\n`);
  assert.equal((await daytona.call('DELETE', `/sandbox/${again.id}`)).status, 200);
  await page.screenshot({ path: artifact('snapshot-rebuilt.png') });
  assert.deepEqual(page.problems, []);
});

test('build a snapshot from the image form: the Dockerfile it makes shown as typed, its files dropped in copied to the working directory', async () => {
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('link', { name: 'Snapshots', exact: true }).click();
  await page.getByText('Build a snapshot…').click();
  const form = page.getByRole('form', { name: 'Build a snapshot' });
  await form.getByLabel('an image form').check();
  const marker = `form-${Date.now().toString(36)}`;
  await form.getByLabel('Name', { exact: true }).fill('formed');
  await form.getByLabel('Base image').fill(`${registry}/test/busybox:1.0`);
  const preview = form.getByLabel('Dockerfile preview');
  // The SDK's Image builder writes the Dockerfile as the fields change (packages sorted).
  await form.getByLabel('Python packages').fill('requests, attrs');
  await eventually(async () => (await preview.innerText()).includes('RUN python -m pip install attrs requests'), {
    what: 'the pip line in the preview',
  });
  await form.getByLabel('Python packages').fill('');
  await form.getByLabel('Environment').fill(`GREETING=${marker}\n1BAD=x`);
  await form.locator('.build-preview .field-error', { hasText: '1BAD' }).waitFor();
  await form.getByLabel('Environment').fill(`GREETING=${marker}`);
  await form.getByLabel('Working directory').fill('/srv');
  await form.getByLabel('Commands').fill('echo "$GREETING" > /greeting');
  // Files dragged in from the desktop (a drop on the files row).
  const zone = form.locator('.build-files');
  await zone.evaluate((zone) => {
    window.__drop = new DataTransfer();
    window.__drop.items.add(new File(['from the browser\n'], 'data.txt', { type: 'text/plain' }));
    for (const type of ['dragenter', 'dragover']) {
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: window.__drop, bubbles: true, cancelable: true }));
    }
  });
  await form.locator('.build-files.dragging .drop-hint', { hasText: 'Drop to send with the image' }).waitFor();
  await zone.evaluate((zone) => zone.dispatchEvent(new DragEvent('drop', { dataTransfer: window.__drop, bubbles: true, cancelable: true })));
  await form.getByText('Sent with it: data.txt').waitFor();
  assert.equal(await form.locator('.build-files.dragging').count(), 0);
  assert.equal(
    await preview.innerText(),
    `FROM ${registry}/test/busybox:1.0\nENV GREETING=${marker}\nWORKDIR /srv\nCOPY ["files", "/srv"]\nRUN echo "$GREETING" > /greeting\n`,
  );
  await form.getByRole('button', { name: 'Build' }).click();
  // How long it has taken, ticking while it builds, then the build's time.
  await page.locator('.build-time', { hasText: /^Building… \d+\.\d s$/ }).waitFor();
  await page.getByLabel('Build log').getByText('WORKDIR /srv').waitFor({ timeout: 60_000 });
  await page.getByText('Snapshot formed is built.').waitFor({ timeout: 120_000 });
  assert.match(await page.locator('.build-time[data-ended=ok]').innerText(), /^Built in (\d+\.\d s|\d+ min \d\d s)$/);
  await page.locator('tr[data-snapshot="formed"] [data-state=active]').waitFor();
  await page.screenshot({ path: artifact('snapshot-image-form.png') });

  // Its row's New sandbox opens the dashboard's dialog on it; the sandbox made there runs on it.
  await page.getByRole('link', { name: 'New sandbox on formed' }).click();
  const dialog = page.getByRole('dialog', { name: 'New sandbox' });
  await dialog.waitFor();
  assert.ok(!page.url().includes('newOn'), `the address keeps no newOn: ${page.url()}`);
  await eventually(async () => (await dialog.locator('select[name=snapshot]').inputValue()) === 'formed', { what: 'the snapshot chosen' });
  await dialog.locator('input[name=name]').fill('on-formed');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 60_000 });
  const sb = await daytona.byName('on-formed');
  assert.equal(sb.snapshot, 'formed');
  // The preset served that dialog only: the next one starts on the default.
  await page.getByRole('button', { name: '+ New sandbox' }).click();
  await dialog.waitFor();
  await dialog.locator('select[name=snapshot] option[value=formed]').waitFor({ state: 'attached' });
  assert.equal(await dialog.locator('select[name=snapshot]').inputValue(), '');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await daytona.toolbox(sb.id).exec('cat /greeting /srv/data.txt')).result, `${marker}\nfrom the browser\n`);
  assert.equal((await daytona.call('DELETE', `/sandbox/${sb.id}`)).status, 200);
  assert.deepEqual(page.problems, []);
});

test('a failing build: its reason readable, how long it ran, nothing registered', async () => {
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('link', { name: 'Snapshots', exact: true }).click();
  await page.getByText('Build a snapshot…').click();
  const form = page.getByRole('form', { name: 'Build a snapshot' });
  await form.getByLabel('Name', { exact: true }).fill('fails');
  await form.getByLabel('Dockerfile', { exact: true }).fill(`FROM ${registry}/test/busybox:1.0\nRUN echo failing-step; exit 3\n`);
  await form.getByRole('button', { name: 'Build' }).click();
  await page.locator('.build-time[data-ended=failed]', { hasText: /^Failed after \d+\.\d s$/ }).waitFor({ timeout: 120_000 });
  assert.match(await page.getByLabel('Build log').innerText(), /failing-step/);
  const alert = page.locator('.build-new [role=alert]');
  await alert.waitFor();
  // The reason, without the log lines it quotes (shown just below it).
  assert.match(await alert.innerText(), /the build failed \(exit status: 3\) \(the build log below has the details\)$/);
  const snap = await daytona.call('GET', '/snapshots/fails');
  assert.ok(snap.status === 404 || snap.body.state === 'build_failed', JSON.stringify(snap.body));
  await page.screenshot({ path: artifact('snapshot-build-failed.png') });
  assert.deepEqual(page.problems, []);
});

test('the New sandbox dialog runs a sandbox on a Dockerfile built first, its build log shown as it comes', async () => {
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('button', { name: '+ New sandbox' }).click();
  const dialog = page.getByRole('dialog', { name: 'New sandbox' });
  await dialog.locator('input[name=name]').fill('from-dockerfile');
  // An image with no name is refused beside its field, and nothing is sent.
  await dialog.getByLabel('Runs on').selectOption('image');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.locator('.field-error', { hasText: 'Name the image' }).waitFor();
  assert.equal(await daytona.byName('from-dockerfile'), undefined);

  const marker = `dialog-${Date.now().toString(36)}`;
  await dialog.getByLabel('Runs on').selectOption('dockerfile');
  await dialog.locator('textarea[name=dockerfile]').fill(`FROM ${registry}/test/busybox:1.0\nRUN echo ${marker} > /made\n`);
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.getByLabel('Build log').getByText(`RUN echo ${marker} > /made`).waitFor({ timeout: 60_000 });
  await dialog.waitFor({ state: 'detached', timeout: 120_000 });
  await page.getByText('Sandbox from-dockerfile created and started.').waitFor();
  const sb = await daytona.byName('from-dockerfile');
  assert.equal(sb.state, 'started');
  assert.equal((await daytona.toolbox(sb.id).exec('cat /made')).result, `${marker}\n`);
  assert.equal((await daytona.call('DELETE', `/sandbox/${sb.id}`)).status, 200);
  assert.deepEqual(page.problems, []);
});

test('a private registry: a pull refused without its login, the registry added on the page, the pull then logs in', async () => {
  const priv = startRegistry({ auth: 'carol:e2e-Pa55' });
  try {
    await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
    await page.getByRole('link', { name: 'Snapshots', exact: true }).click();
    const image = `${priv.host}/test/busybox:1.0`;
    const pull = async (name) => {
      const form = page.getByRole('form', { name: 'New snapshot' });
      await form.getByLabel('Snapshot name').fill(name);
      await form.getByLabel('Image').fill(image);
      await form.getByRole('button', { name: 'Pull' }).click();
      return page.locator(`tr[data-snapshot="${name}"]`);
    };
    const refused = await pull('bb-private-refused');
    await refused.locator('[data-state=error]').waitFor({ timeout: 60_000 });
    assert.match(await refused.innerText(), /authentication required|unauthorized/);

    await page.getByText('No registries: public images need none.').waitFor();
    const add = page.getByRole('form', { name: 'Add registry' });
    // Checked as typed: a URL with a path is refused beside the form, and nothing is sent.
    await add.getByLabel('Registry name').fill('private');
    await add.getByLabel('Registry URL').fill(`${priv.host}/some/path`);
    await add.getByLabel('User name').fill('carol');
    await add.getByLabel('Password or token').fill('e2e-Pa55');
    await add.getByRole('button', { name: 'Add registry' }).click();
    await add.getByText('Invalid registry URL').waitFor();
    assert.deepEqual((await daytona.call('GET', '/docker-registry')).body, []);
    await add.getByLabel('Registry URL').fill(`http://${priv.host}`);
    await add.getByRole('button', { name: 'Add registry' }).click();
    const row = page.locator('tr[data-registry="private"]');
    await row.waitFor();
    assert.match(await row.innerText(), /carol/);
    assert.equal(await add.getByLabel('Password or token').inputValue(), '', 'the password leaves the form');
    assert.doesNotMatch(await page.content(), /e2e-Pa55/, 'the password is nowhere on the page');

    const pulled = await pull('bb-private');
    await pulled.locator('[data-state=active]').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: artifact('registries.png'), fullPage: true });

    await row.getByRole('button', { name: 'Remove registry private' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual((await daytona.call('GET', '/docker-registry')).body, []);
    for (const name of ['bb-private', 'bb-private-refused']) {
      const snap = (await daytona.call('GET', `/snapshots/${name}`)).body;
      assert.equal((await daytona.call('DELETE', `/snapshots/${snap.id}`)).status, 200);
    }
    assert.deepEqual(page.problems, []);
  } finally {
    priv.stop();
  }
});
