// Volumes in the console: one made elsewhere shown and removed as it happens, one made on the
// Volumes page, mounted (with a subpath) from the New
// sandbox dialog, the file one sandbox writes seen by another, which sandboxes mount each
// volume, the in-use refusal shown as the server words it, then deletion.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, daytona;

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite());
});

after(async () => {
  await suite?.close();
});

test('make a volume, mount it from the dialog, share a file, refuse then delete', async () => {
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('link', { name: 'Volumes', exact: true }).click();
  await page.getByRole('heading', { name: 'Volumes' }).waitFor();
  assert.equal(await page.title(), 'Volumes — Daytona Console');
  await page.getByText('No volumes yet.').waitFor();
  // One made elsewhere (here through the API) shows up, and goes, by itself: the page follows
  // the event socket (it does not poll).
  await daytona.call('POST', '/volumes', { name: 'made-elsewhere' });
  const elsewhere = page.locator('tr[data-volume="made-elsewhere"]');
  await elsewhere.waitFor({ timeout: 10_000 });
  const other = (await daytona.call('GET', '/volumes/by-name/made-elsewhere')).body;
  assert.equal((await daytona.call('DELETE', `/volumes/${other.id}`)).status, 200);
  await elsewhere.waitFor({ state: 'detached', timeout: 10_000 });

  // A bad name is refused in the form, a good one makes a ready volume.
  const form = page.getByRole('form', { name: 'New volume' });
  await form.locator('input[name=volumeName]').fill('bad name');
  await form.getByRole('button', { name: 'Create' }).click();
  await form.getByText('Invalid volume name').waitFor();
  await form.locator('input[name=volumeName]').fill('team-data');
  await form.getByRole('button', { name: 'Create' }).click();
  const row = page.locator('tr[data-volume="team-data"]');
  await row.locator('[data-state=ready]').waitFor();
  const vol = (await daytona.call('GET', '/volumes/by-name/team-data')).body;
  assert.equal(vol.state, 'ready');

  // A sandbox made with the whole volume, through the API; one through the dialog with a subpath.
  const writer = await daytona.createStarted('vol-writer', {
    volumes: [{ volumeId: vol.id, mountPath: '/data' }],
  });
  await page.getByRole('link', { name: 'Sandboxes' }).click();
  await page.getByRole('button', { name: '+ New sandbox' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('input[name=name]').fill('vol-reader');
  await dialog.getByRole('button', { name: '+ Add volume' }).click();
  await dialog.getByLabel('Mount path').fill('/home/daytona/shared');
  await dialog.getByLabel('Subpath').fill('reports');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.getByText('Choose a volume.').waitFor();
  await dialog.getByLabel('Volume', { exact: true }).selectOption({ label: 'team-data' });
  await page.screenshot({ path: artifact('volumes-dialog.png') });
  await dialog.getByRole('button', { name: 'Create' }).click();
  await page.getByText('Sandbox vol-reader created and started.').waitFor({ timeout: 60_000 });
  const reader = await daytona.byName('vol-reader');
  assert.deepEqual(reader.volumes, [{ volumeId: vol.id, mountPath: '/home/daytona/shared', subpath: 'reports' }]);

  // What one writes the other reads.
  const w = await daytona.toolbox(writer.id).exec('echo quarterly > /data/reports/q3.txt');
  assert.equal(w.exitCode, 0, w.result);
  assert.equal(await daytona.toolbox(reader.id).read('/home/daytona/shared/q3.txt'), 'quarterly\n');

  // The Overview lists the mount; the Volumes page who mounts the volume.
  await page.goto(`${server.url}/sandboxes/${reader.id}`);
  await page.getByText(`/home/daytona/shared ← volume ${vol.id} (reports)`).waitFor();
  await page.getByRole('link', { name: 'Volumes', exact: true }).click();
  await row.locator('.mounted-by').getByRole('link', { name: 'vol-reader' }).waitFor();
  await row.locator('.mounted-by').getByRole('link', { name: 'vol-writer' }).waitFor();
  await page.screenshot({ path: artifact('volumes.png') });

  // Deleting it while mounted: asked, refused, the reason shown, the volume kept.
  await row.getByRole('button', { name: 'Delete volume team-data' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.getByText(/team-data was not deleted: .*in use/).waitFor();
  assert.equal((await daytona.call('GET', `/volumes/${vol.id}`)).status, 200);

  // Once its sandboxes are gone, it goes.
  for (const s of [writer, reader]) assert.equal((await daytona.call('DELETE', `/sandbox/${s.id}`)).status, 200);
  await eventually(async () => (await daytona.list()).length === 0, { what: 'sandboxes gone' });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await row.locator('.mounted-by').getByText('none').waitFor();
  await row.getByRole('button', { name: 'Delete volume team-data' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });
  await eventually(async () => (await daytona.call('GET', `/volumes/${vol.id}`)).status === 404, { what: 'volume gone' });
  assert.deepEqual(page.problems, []);
});

test('phone width: the volumes page and the dialog fit', async () => {
  await page.setViewportSize({ width: 390, height: 800 });
  try {
    await page.goto(`${server.url}/volumes`);
    await page.getByRole('heading', { name: 'Volumes' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: artifact('volumes-phone.png') });
  } finally {
    await page.setViewportSize({ width: 1400, height: 900 });
  }
});
