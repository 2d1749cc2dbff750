// The console's Files tab in headless Chromium against a real daytona-local: a folder
// uploaded with its tree (folder picker) and files dropped on the listing, with progress;
// previews that escape what they show; editing and saving; search by content opening the
// file at the line; downloads of a file and of a folder as .tar.gz.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, sandbox, toolbox, local, daytona;

const HOME = '/home/daytona';
const README = '# Project\n\nSee **this** and <img src=x onerror="window.__xss = 1">.\n\n<script>window.__xss = 2</script>\n';
const MAIN_PY = 'def greet():\n    return "needle in a haystack"\n';
const BLOB = randomBytes(3 << 20);
// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const row = (name) => page.locator(`.files-table tr[data-name="${name}"]`);

before(async () => {
  local = mkdtempSync(join(tmpdir(), 'e2e-files-'));
  mkdirSync(join(local, 'proj/src'), { recursive: true });
  writeFileSync(join(local, 'proj/README.md'), README);
  writeFileSync(join(local, 'proj/src/main.py'), MAIN_PY);
  writeFileSync(join(local, 'proj/data.bin'), BLOB);
  writeFileSync(join(local, 'proj/pic.png'), PNG);
  ({ server, daytona, page } = suite = await consoleSuite({ width: 1400, height: 900 }));
  sandbox = await daytona.createStarted('e2e-files');
  toolbox = daytona.toolbox(sandbox.id);
});

after(async () => {
  await suite?.close();
  if (local) rmSync(local, { recursive: true, force: true });
});

test('opens in the home folder and uploads a folder with its tree', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/files#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.waitForURL(/\/files\?path=%2Fhome%2Fdaytona$/);
  await page.getByText('This folder is empty').waitFor();

  await page.getByLabel('Folder to upload').setInputFiles(join(local, 'proj'));
  const transfers = page.locator('.transfer');
  await eventually(async () => (await transfers.count()) === 4, { what: 'four transfers listed' });
  await eventually(
    async () => (await transfers.evaluateAll((ts) => ts.map((t) => t.dataset.status))).every((s) => s === 'done'),
    { what: 'every upload done', timeout: 30_000 },
  );
  const paths = await transfers.evaluateAll((ts) => ts.map((t) => t.dataset.path).sort());
  assert.deepEqual(paths, [
    `${HOME}/proj/README.md`,
    `${HOME}/proj/data.bin`,
    `${HOME}/proj/pic.png`,
    `${HOME}/proj/src/main.py`,
  ]);
  const big = page.locator(`.transfer[data-path="${HOME}/proj/data.bin"]`);
  assert.equal(await big.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
  assert.match(await big.locator('.transfer-bytes').innerText(), /^3\.0 MB \/ 3\.0 MB$/);

  await row('proj').waitFor();
  const found = await toolbox.exec(`cd ${HOME}/proj && find . -type f | sort && md5sum data.bin`);
  const md5 = (await import('node:crypto')).createHash('md5').update(BLOB).digest('hex');
  assert.equal(found.result, `./README.md\n./data.bin\n./pic.png\n./src/main.py\n${md5}  data.bin\n`);

  await row('proj').getByRole('link').click();
  await page.waitForURL(/path=%2Fhome%2Fdaytona%2Fproj$/);
  await row('src').waitFor();
  assert.deepEqual(await page.locator('.files-table tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.name)), [
    'src',
    'data.bin',
    'pic.png',
    'README.md',
  ]);
  const info = (await toolbox.call('GET', `/files?path=${encodeURIComponent(`${HOME}/proj`)}`)).body.find((f) => f.name === 'data.bin');
  // The wire has the owner's uid (as Daytona sends it); the listing shows the sandbox's name for it.
  assert.deepEqual([info.owner, info.group], ['1000', '1000']);
  await eventually(async () => (await row('data.bin').locator('td').nth(3).innerText()) === 'daytona', {
    what: 'the owner by name',
  });
  const cells = await row('data.bin').locator('td').allInnerTexts();
  assert.deepEqual(cells.slice(1, 5), ['3.0 MB', info.mode, 'daytona', 'just now']);
  assert.ok(await page.locator('.tree-row.current', { hasText: 'proj' }).isVisible(), 'the tree shows the folder');
  // A link to a folder is a folder of the tree (on a merged-/usr userland, /bin → usr/bin).
  const root = (await toolbox.call('GET', `/files?path=${encodeURIComponent('/')}`)).body;
  assert.match(root.find((f) => f.name === 'bin')?.mode ?? '', /^L/, "the sandbox's /bin is a link");
  await page.locator('.tree-row a[title="/bin"]').waitFor();
  await page.screenshot({ path: artifact('files-listing.png') });
});

test('cancels an upload in flight', async () => {
  writeFileSync(join(local, 'slow.bin'), randomBytes(4 << 20));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 1 << 20,
  });
  try {
    await page.getByLabel('Files to upload').setInputFiles(join(local, 'slow.bin'));
    const slow = page.locator(`.transfer[data-path="${HOME}/proj/slow.bin"]`);
    await slow.locator('.bar[aria-valuenow]').waitFor();
    await eventually(async () => Number(await slow.getByRole('progressbar').getAttribute('aria-valuenow')) > 0, {
      what: 'the upload under way',
    });
    await slow.getByRole('button', { name: 'Cancel transfer' }).click();
    await page.locator(`.transfer[data-path="${HOME}/proj/slow.bin"][data-status="cancelled"]`).waitFor();
    assert.ok(Number(await slow.getByRole('progressbar').getAttribute('aria-valuenow')) < 100, 'stopped short');
  } finally {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  }
  // The abort reaches the sandbox's agent a moment after the page shows it.
  await eventually(async () => !/slow/.test((await toolbox.exec(`ls -a ${HOME}/proj`)).result), {
    what: 'nothing left behind',
  });
  assert.equal(await row('slow.bin').count(), 0);
});

test('uploads files dropped on the listing', async () => {
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['dropped!\n'], 'dropped.txt', { type: 'text/plain' }));
    const zone = document.querySelector('.drop-zone');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  });
  await row('dropped.txt').waitFor();
  assert.equal(await toolbox.read(`${HOME}/proj/dropped.txt`), 'dropped!\n');
});

test('renders markdown without running the HTML in it', async () => {
  await row('README.md').getByRole('link').click();
  const preview = page.locator('.viewer .markdown');
  await preview.waitFor();
  assert.equal(await preview.locator('h1').innerText(), 'Project');
  assert.equal(await preview.locator('strong').innerText(), 'this');
  assert.match(await preview.innerText(), /<img src=x onerror="window.__xss = 1">/);
  assert.equal(await preview.locator('img, script').count(), 0, 'no element from the file');
  assert.equal(await page.evaluate(() => window.__xss), undefined);

  // Edit opens it in the code editor; back in the folder, its tab is still there and works
  // (the open file belongs to the sandbox page, not to the viewer that opened it).
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.locator('.viewer .cm-content').waitFor();
  await page.goBack();
  await row('README.md').waitFor();
  const tab = page.locator('.open-file', { hasText: 'README.md' });
  await tab.getByRole('link').click();
  await page.locator('.viewer .cm-content').waitFor();
  assert.match(await page.locator('.viewer .cm-content').innerText(), /# Project/);
  await tab.getByRole('button', { name: 'Close README.md' }).click();
  await tab.waitFor({ state: 'detached' });
  assert.deepEqual(page.problems, []);
});

test('previews an image', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/files?file=${encodeURIComponent(`${HOME}/proj/pic.png`)}`);
  const img = page.locator('.viewer .image-preview img');
  await img.waitFor();
  assert.match(await img.getAttribute('src'), /^blob:/);
  await eventually(async () => (await img.evaluate((i) => i.complete && i.naturalWidth)) === 1, { what: 'the PNG decoded' });
});

test('edits a file in the code editor and saves it', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/files?file=${encodeURIComponent(`${HOME}/proj/src/main.py`)}`);
  const code = page.locator('.viewer .cm-content');
  await code.waitFor();
  const lines = () => page.locator('.viewer .cm-line').allTextContents();
  assert.deepEqual(await lines(), MAIN_PY.split('\n'));
  const save = page.getByRole('button', { name: 'Save', exact: true });
  assert.ok(await save.isDisabled(), 'nothing to save yet');

  // Select all and type over it: the text is escaped on screen and written as typed.
  await code.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText('def greet():\n    return "edited <here>"\n');
  await page.getByText('Modified', { exact: true }).waitFor();
  await save.click();
  await page.getByText('Saved', { exact: true }).waitFor();
  assert.equal(await toolbox.read(`${HOME}/proj/src/main.py`), 'def greet():\n    return "edited <here>"\n');
  // The header follows the save: the new size (40 bytes, it was 47).
  await page.locator('.viewer-title', { hasText: '40 B' }).waitFor();
  assert.match((await lines()).join('\n'), /return "edited <here>"/);
  await page.screenshot({ path: artifact('files-viewer.png') });
});

test('search by name lists matching files', async () => {
  await page.getByLabel('Search files').fill('main');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const results = page.getByRole('region', { name: 'Search results' });
  await results.getByRole('link', { name: `${HOME}/proj/src/main.py` }).waitFor();
  assert.deepEqual(await results.getByRole('link').allInnerTexts(), [`${HOME}/proj/src/main.py`]);
  await results.getByRole('button', { name: 'Close search results' }).click();
  await results.waitFor({ state: 'detached' });
});

test('search by content opens the file at the matching line', async () => {
  await toolbox.exec(`printf 'one\\ntwo\\nthe needle line\\n' > ${HOME}/proj/src/notes.txt`);
  await page.getByLabel('Search by').selectOption('content');
  await page.getByLabel('Search files').fill('needle');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const results = page.getByRole('region', { name: 'Search results' });
  const hit = results.getByRole('link', { name: `${HOME}/proj/src/notes.txt:3` });
  await hit.waitFor();
  assert.match(await results.locator('strong').innerText(), /^1 match for “needle” in \/home\/daytona\/proj\/src$/);
  await hit.click();
  await page.waitForURL(/file=%2Fhome%2Fdaytona%2Fproj%2Fsrc%2Fnotes\.txt&line=3$/);
  // The editor opens with the cursor on the match.
  await page.locator('.viewer[data-path$="notes.txt"] .cm-content').waitFor();
  await eventually(
    async () => (await page.locator('.viewer .cm-lineNumbers .cm-activeLineGutter').innerText()) === '3',
    { what: 'the cursor on line 3' },
  );
  assert.equal(await page.locator('.viewer .cm-activeLine').innerText(), 'the needle line');
  await page.screenshot({ path: artifact('files-search.png') });
});

test('replace in files rewrites every file the content search found', async () => {
  await toolbox.exec(`mkdir -p ${HOME}/proj/ren && printf 'old_name()\nkeep\nold_name()\n' > ${HOME}/proj/ren/a.py && printf 'x = old_name\n' > ${HOME}/proj/ren/b.py`);
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/files?path=${encodeURIComponent(`${HOME}/proj/ren`)}`);
  await page.getByLabel('Search by').selectOption('content');
  await page.getByLabel('Search files').fill('old_name');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const results = page.getByRole('region', { name: 'Search results' });
  await results.getByRole('link', { name: `${HOME}/proj/ren/b.py:1` }).waitFor();
  assert.equal(await results.getByRole('link').count(), 3);
  await results.getByLabel('Replace with').fill('new_name');
  await results.getByRole('button', { name: 'Replace in files' }).click();
  await results.getByRole('status').filter({ hasText: 'Replaced in 2 files.' }).waitFor();
  // Searched again: nothing left.
  await results.locator('strong', { hasText: 'Nothing matches “old_name”' }).waitFor();
  assert.equal(await toolbox.read(`${HOME}/proj/ren/a.py`), 'new_name()\nkeep\nnew_name()\n');
  assert.equal(await toolbox.read(`${HOME}/proj/ren/b.py`), 'x = new_name\n');
});

test('downloads a file, and a folder as .tar.gz', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/files?path=${encodeURIComponent(`${HOME}/proj`)}`);
  let [download] = await Promise.all([
    page.waitForEvent('download'),
    row('README.md').getByRole('button', { name: 'Download' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'README.md');
  assert.equal(readFileSync(await download.path(), 'utf8'), README);

  [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    row('src').getByRole('button', { name: 'Download' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'src.tar.gz');
  const archive = readFileSync(await download.path());
  assert.deepEqual([...archive.subarray(0, 2)], [0x1f, 0x8b], 'gzip data');
  // What is in it: the folder's files, under the folder's name.
  const listed = execFileSync('tar', ['-tzf', await download.path()], { encoding: 'utf8' });
  const names = listed.split('\n').filter((n) => n && !n.endsWith('/')).sort();
  const expected = (await toolbox.exec(`cd ${HOME}/proj && find src -type f | sort`)).result.trim().split('\n');
  assert.ok(expected.length > 0 && expected[0].startsWith('src/'), `files of src: ${expected}`);
  assert.deepEqual(names.map((n) => n.replace(/^\.\//, '')), expected);
  const left = await toolbox.exec('ls /tmp | grep -c daytona-console || true');
  assert.equal(left.result.trim(), '0', 'the archive was removed from the sandbox');
});

test('creates a folder, renames it, changes its mode and deletes it', async () => {
  await page.getByRole('button', { name: 'New folder' }).click();
  const create = page.getByRole('dialog', { name: 'New folder' });
  await create.getByLabel('Name').fill('made');
  await create.getByRole('button', { name: 'Create' }).click();
  await row('made').waitFor();

  await row('made').getByRole('button', { name: 'Rename' }).click();
  const move = page.getByRole('dialog', { name: 'Rename or move' });
  assert.equal(await move.getByLabel('New path').inputValue(), `${HOME}/proj/made`);
  // The name is selected: typing renames in place (it used to append to the path).
  await page.waitForFunction(() => document.activeElement?.selectionEnd > document.activeElement?.selectionStart);
  await page.keyboard.type('renamed');
  assert.equal(await move.getByLabel('New path').inputValue(), `${HOME}/proj/renamed`);
  await move.getByRole('button', { name: 'Move' }).click();
  await row('renamed').waitFor();
  assert.equal(await row('made').count(), 0);
  // Into a folder that does not exist: the dialog says so (it said "file not found" of the
  // destination) and stays open; nothing moved.
  await row('renamed').getByRole('button', { name: 'Rename' }).click();
  await move.getByLabel('New path').fill(`${HOME}/proj/nowhere/renamed`);
  await move.getByRole('button', { name: 'Move' }).click();
  await move.getByText(`no folder to move into: ${HOME}/proj/nowhere`).waitFor();
  await page.keyboard.press('Escape');
  await move.waitFor({ state: 'detached' });
  await row('renamed').waitFor();

  await row('renamed').getByRole('button', { name: 'Permissions' }).click();
  const perms = page.getByRole('dialog', { name: 'Permissions' });
  assert.equal(await perms.getByLabel('Mode').inputValue(), '755');
  await perms.getByLabel('Mode').fill('700');
  await perms.getByRole('button', { name: 'Apply' }).click();
  await row('renamed').getByText('drwx------').waitFor();
  assert.equal((await toolbox.exec(`stat -c %a ${HOME}/proj/renamed`)).result, '700\n');

  await row('renamed').getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete' });
  assert.match(await confirm.innerText(), /Delete folder renamed and everything in it\?/);
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await row('renamed').waitFor({ state: 'detached' });
  assert.equal((await toolbox.exec(`test -e ${HOME}/proj/renamed; echo $?`)).result, '1\n');
});

test('ran without page errors', () => {
  assert.deepEqual(page.problems, []);
});
