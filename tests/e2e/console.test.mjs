// The web console in headless Chromium against a real daytona-local: connecting via the
// URL fragment, creating through the dialog (with the organization's limits), the resources in
// use, row and bulk lifecycle actions, the detail page's tabs and command runner, deletion with
// confirmation and form validation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, daytona;

const row = (name) => page.locator(`tr[data-name="${name}"]`);
const rowState = (name) => row(name).locator('.badge').getAttribute('data-state');

/** Waits until the row of `name` shows `state` and the server agrees. */
async function expectState(name, state) {
  await eventually(async () => (await rowState(name)) === state, { what: `${name} shown as ${state}` });
  const s = await daytona.byName(name);
  assert.equal(s?.state, state, `server state of ${name}`);
}

/** The dashboard's "In use" figures of `meter` (cpu, mem, disk), once shown. */
async function inUse(meter) {
  const figures = page.locator(`section[aria-label="Resources in use"] .meter.${meter} .meter-head .mono`);
  await figures.waitFor();
  return figures.innerText();
}

/** Fills and submits the create dialog; waits until it closes. */
async function createThroughDialog(name, labels = {}) {
  await page.getByRole('button', { name: '+ New sandbox' }).click();
  const dialog = page.getByRole('dialog', { name: 'New sandbox' });
  await dialog.locator('input[name=name]').fill(name);
  for (const [k, v] of Object.entries(labels)) {
    await dialog.getByRole('button', { name: '+ Add label' }).click();
    await dialog.getByLabel('Label key').last().fill(k);
    await dialog.getByLabel('Label value').last().fill(v);
  }
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 60_000 });
}

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite());
});

after(async () => {
  await suite?.close();
});

test('takes the API key from the URL fragment and hides it', async () => {
  await page.goto(`${server.url}/#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  await page.getByText('No sandboxes yet.').waitFor();
  assert.ok(!page.url().includes('apiKey'), `fragment still in ${page.url()}`);
  const stored = await page.evaluate(() => Object.values(localStorage));
  assert.ok(stored.includes(server.apiKey), 'key kept in localStorage');
  assert.ok(!(await page.content()).includes(server.apiKey), 'key rendered in the page');
  assert.match(await page.locator('.conn-key').innerText(), new RegExp(`••••${server.apiKey.slice(-4)}$`));
  // The organization's resources in use: nothing yet, against what the host has.
  assert.match(await inUse('cpu'), /^0 of \d+ cores$/);
  assert.match(await inUse('disk'), /^0 of \d+ GiB$/);
});

test('shows validation errors next to fields and sends nothing', async () => {
  // Every create the page sends (the form's submit handler shows the errors or sends it).
  const creates = [];
  const onRequest = (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/sandbox') creates.push(r.url());
  };
  page.on('request', onRequest);
  await page.getByRole('button', { name: '+ New sandbox' }).click();
  const dialog = page.getByRole('dialog', { name: 'New sandbox' });
  await dialog.locator('input[name=name]').fill('bad name!');
  await dialog.locator('input[name=cpu]').fill('-1');
  await dialog.getByRole('button', { name: '+ Add variable' }).click();
  await dialog.getByLabel('Variable key').fill('1BAD');
  await dialog.locator('input[name=networkAllowList]').fill('10.0.0.0');
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  const nameField = dialog.locator('.field', { has: page.locator('input[name=name]') });
  assert.match(await nameField.locator('.field-error').innerText(), /Spaces are not allowed/);
  const cpuField = dialog.locator('.field', { has: page.locator('input[name=cpu]') });
  assert.match(await cpuField.locator('.field-error').innerText(), /whole number ≥ 1/);
  assert.match(await dialog.locator('.kv-error').innerText(), /letters, digits and '_'/);
  const allowField = dialog.locator('.field', { has: page.locator('input[name=networkAllowList]') });
  assert.match(await allowField.locator('.field-error').innerText(), /^"10\.0\.0\.0" is not a network in CIDR notation/);
  assert.doesNotMatch(await dialog.innerText(), /networkAllowList/, 'no wire names in the form');
  assert.ok(await dialog.isVisible(), 'dialog stays open');
  assert.deepEqual(creates, [], 'no create was sent');
  assert.deepEqual(await daytona.list(), [], 'nothing was created');
  await dialog.locator('input[name=name]').fill('fine-name');
  assert.equal(await nameField.locator('.field-error').count(), 0, 'error clears once the name is valid');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  page.off('request', onRequest);
});

test("the create dialog states the organization's limits and holds resources to them as typed; a refusal is shown beside its field, with Create in sight", async () => {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 720 });
  const creates = [];
  const onRequest = (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/sandbox') creates.push(r.url());
  };
  page.on('request', onRequest);
  try {
    await page.getByRole('button', { name: '+ New sandbox' }).click();
    const dialog = page.getByRole('dialog', { name: 'New sandbox' });
    const create = dialog.getByRole('button', { name: 'Create', exact: true });
    // The footer stays at the bottom of the window while the form is taller than it.
    const box = await create.boundingBox();
    assert.ok(box && box.y + box.height <= 720, `Create at y=${box?.y} in a 720 px window`);
    // daytona-local's limits per sandbox (GET /organizations/local/usage), before any submit.
    const limits = dialog.locator('.limits');
    await limits.waitFor();
    assert.match(
      await limits.innerText(),
      /^Up to 16 cores, 64 GiB memory and 100 GiB disk per sandbox; in use now: 0 of \d+ cores, 0 of \d+ GiB memory\.$/,
    );
    // Past a limit is said as it is typed, beside the field, and Create sends nothing.
    await dialog.locator('input[name=cpu]').fill('999');
    const cpuField = dialog.locator('.field', { has: page.locator('input[name=cpu]') });
    assert.equal(await cpuField.locator('.field-error').innerText(), 'At most 16 per sandbox here.');
    for (const [field, past, max] of [['memory', '65', 64], ['disk', '101', 100]]) {
      await dialog.locator(`input[name=${field}]`).fill(past);
      const at = dialog.locator('.field', { has: page.locator(`input[name=${field}]`) });
      assert.equal(await at.locator('.field-error').innerText(), `At most ${max} per sandbox here.`, field);
    }
    await create.click();
    assert.deepEqual(creates, [], 'no create was sent');
    await dialog.locator('input[name=memory]').fill('');
    await dialog.locator('input[name=disk]').fill('');
    // Editing the field answers the objection; -1 (never) is a valid auto-delete.
    await dialog.locator('input[name=cpu]').fill('2');
    assert.equal(await cpuField.locator('.field-error').count(), 0);
    await dialog.locator('input[name=autoDelete]').fill('-1');
    const deleteField = dialog.locator('.field', { has: page.locator('input[name=autoDelete]') });
    assert.equal(await deleteField.locator('.field-error').count(), 0);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // A control plane that states no limits (here: a key not allowed to read the usage): the
    // server's refusal is shown beside the field it is about, not in the footer.
    const forbidden = JSON.stringify({ statusCode: 403, message: 'Forbidden', error: 'Forbidden' });
    await page.route('**/api/organizations/*/usage', (r) => r.fulfill({ status: 403, contentType: 'application/json', body: forbidden }));
    await page.getByRole('button', { name: '+ New sandbox' }).click();
    await dialog.locator('input[name=cpu]').fill('999');
    await create.click();
    await cpuField.locator('.field-error').waitFor();
    assert.match(await cpuField.locator('.field-error').innerText(), /cpu must be between 1 and 16, got 999/);
    assert.equal(await dialog.locator('.limits').count(), 0, 'no limits stated');
    assert.equal(await dialog.locator('.alert').count(), 0, 'no footer alert');
    assert.deepEqual(await daytona.list(), [], 'nothing was created');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  } finally {
    await page.unroute('**/api/organizations/*/usage');
    page.off('request', onRequest);
    await page.setViewportSize(viewport);
  }
});

test('creates a sandbox with a label through the dialog', async () => {
  let usageReads = 0, organizationReads = 0;
  const onRequest = (r) => {
    const path = new URL(r.url()).pathname;
    if (path === '/api/organizations') organizationReads++;
    if (path === '/api/organizations/local/usage') usageReads++;
  };
  page.on('request', onRequest);
  await page.getByRole('button', { name: '+ New sandbox' }).click();
  await page.getByRole('dialog', { name: 'New sandbox' }).locator('input[name=name]').fill('e2e-one');
  await page.getByRole('button', { name: '+ Add label' }).click();
  await page.getByLabel('Label key').fill('team');
  await page.getByLabel('Label value').fill('qa');
  await page.locator('input[name=networkAllowList]').fill('10.0.0.0/8, 192.0.2.7/32');
  await page.locator('input[name=ttl]').fill('600');
  await page.screenshot({ path: artifact('console-create-dialog.png') });
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached', timeout: 60_000 });

  await expectState('e2e-one', 'started');
  const chips = await row('e2e-one').locator('.chip').allInnerTexts();
  assert.ok(chips.includes('team=qa'), `chips: ${chips}`);
  assert.equal((await daytona.byName('e2e-one')).labels.team, 'qa');
  assert.equal((await daytona.byName('e2e-one')).networkAllowList, '10.0.0.0/8, 192.0.2.7/32');
  const made = await daytona.byName('e2e-one');
  assert.equal(Date.parse(made.autoDestroyAt) - Date.parse(made.createdAt), 600 * 60_000, 'a TTL of 600 minutes');
  await page.getByText('Sandbox e2e-one created and started.').waitFor();
  // Its CPU, memory and disk count in the dashboard's "In use" (defaults: 1 core, 1 GiB, 3 GiB).
  await eventually(async () => /^1 of \d+ cores$/.test(await inUse('cpu')), { what: 'one core in use' });
  assert.match(await inUse('mem'), /^1 of \d+ GiB$/);
  assert.match(await inUse('disk'), /^3 of \d+ GiB$/);
  // The usage was read again with the list (the dialog, each of the creation's events); the
  // organization it belongs to was asked at most once (the last test's refusal forgot it),
  // not with each reload.
  page.off('request', onRequest);
  assert.ok(usageReads > 2 && organizationReads <= 1, `usage read ${usageReads} times, the organization ${organizationReads}`);
  // A success notice goes by itself.
  await page.getByText('Sandbox e2e-one created and started.').waitFor({ state: 'detached', timeout: 15_000 });
});

test('pauses, resumes, stops and starts it from its row', async () => {
  // Paused: only Start (which resumes it), Stop and Delete apply.
  await row('e2e-one').getByRole('button', { name: 'Pause', exact: true }).click();
  await expectState('e2e-one', 'paused');
  const enabled = async (name) => !(await row('e2e-one').getByRole('button', { name, exact: true }).isDisabled());
  assert.deepEqual(
    await Promise.all(['Start', 'Pause', 'Stop', 'Archive', 'Delete'].map(enabled)),
    [true, false, true, false, true],
    'Start, Pause, Stop, Archive, Delete enabled when paused',
  );
  await row('e2e-one').getByRole('button', { name: 'Start', exact: true }).click();
  await expectState('e2e-one', 'started');
  await row('e2e-one').getByRole('button', { name: 'Stop', exact: true }).click();
  await expectState('e2e-one', 'stopped');
  assert.ok(await row('e2e-one').getByRole('button', { name: 'Stop', exact: true }).isDisabled(), 'Stop disabled when stopped');
  // Stopped: no CPU in use, its disk still kept.
  await eventually(async () => /^0 of \d+ cores$/.test(await inUse('cpu')), { what: 'no core in use' });
  assert.match(await inUse('disk'), /^3 of \d+ GiB$/);

  // Archive asks first, in a dialog named by its heading that keeps the focus: Cancel has it
  // on opening, Tab and Shift+Tab go round the dialog's controls, Escape gives it back.
  await row('e2e-one').getByRole('button', { name: 'Archive', exact: true }).click();
  const ask = page.getByRole('dialog', { name: 'Archive sandbox' });
  assert.match(await ask.innerText(), /Archive sandbox e2e-one\? Its files move to archive storage/);
  // Named by its heading (aria-labelledby), not by a label of its own.
  const heading = await ask.getAttribute('aria-labelledby');
  assert.equal(await page.locator(`[id="${heading}"]`).innerText(), 'Archive sandbox');
  assert.equal(await ask.getAttribute('aria-label'), null);
  const focused = () => page.evaluate(() => ({
    text: document.activeElement?.textContent?.trim(),
    inDialog: !!document.activeElement?.closest('[role=dialog]'),
  }));
  assert.deepEqual(await focused(), { text: 'Cancel', inDialog: true });
  for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    assert.ok((await focused()).inDialog, `the focus left the dialog after ${key}`);
  }
  await page.keyboard.press('Escape');
  await ask.waitFor({ state: 'detached' });
  assert.deepEqual(await focused(), { text: 'Archive', inDialog: false });
  assert.equal((await daytona.byName('e2e-one')).state, 'stopped', 'a cancelled archive did nothing');
  await row('e2e-one').getByRole('button', { name: 'Start', exact: true }).click();
  await expectState('e2e-one', 'started');
  await page.screenshot({ path: artifact('console-dashboard.png') });
});

test('edits labels and auto-stop, runs a command from the Commands tab, and forks it', async () => {
  await row('e2e-one').getByRole('link', { name: 'e2e-one' }).click();
  await page.waitForURL(/\/sandboxes\/[0-9a-f-]+$/);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const id = (await daytona.byName('e2e-one')).id;
  assert.ok(page.url().endsWith(`/sandboxes/${id}`));
  assert.ok((await page.locator('.props').first().innerText()).includes(id), 'overview shows the id');
  assert.ok((await page.locator('.chip').allInnerTexts()).includes('team=qa'), 'labels shown');

  await page.getByRole('button', { name: 'Edit labels' }).click();
  await page.getByRole('button', { name: '+ Add label' }).click();
  await page.getByLabel('Label key').last().fill('tier');
  await page.getByLabel('Label value').last().fill('gold');
  await page.getByRole('button', { name: 'Save labels' }).click();
  await page.getByRole('button', { name: 'Edit labels' }).waitFor();
  assert.ok((await page.locator('.chip').allInnerTexts()).includes('tier=gold'), 'edited label shown');
  assert.deepEqual(
    { team: (await daytona.byName('e2e-one')).labels.team, tier: (await daytona.byName('e2e-one')).labels.tier },
    { team: 'qa', tier: 'gold' },
  );

  await page.getByLabel('Auto-stop minutes').fill('30');
  await page.locator('form.interval', { has: page.getByLabel('Auto-stop minutes') }).getByRole('button', { name: 'Set' }).click();
  await eventually(async () => (await daytona.byName('e2e-one')).autoStopInterval === 30, { what: 'auto-stop 30 on the server' });
  await page.locator('.interval-value', { hasText: '30 min' }).waitFor();
  // The TTL given at create, shown as the minutes left; 0 takes it away.
  const ttl = page.locator('form.interval', { has: page.getByLabel('TTL minutes') });
  assert.equal(await ttl.locator('.interval-value').innerText(), 'destroyed in 600 min');
  await page.getByLabel('TTL minutes').fill('0');
  await ttl.getByRole('button', { name: 'Set' }).click();
  await ttl.locator('.interval-value', { hasText: 'none' }).waitFor();
  assert.equal((await daytona.byName('e2e-one')).autoDestroyAt, undefined);

  await page.getByRole('link', { name: 'Commands', exact: true }).click();
  await page.waitForURL(new RegExp(`/sandboxes/${id}/commands$`));
  await page.locator('input[name=command]').fill('echo "console-$((6 * 7))"; exit 3');
  await page.locator('form.run-form').getByRole('button', { name: 'Run', exact: true }).click();
  const output = page.getByLabel('Command output');
  await output.waitFor();
  assert.match(await output.innerText(), /^console-42\s*$/);
  assert.equal(await page.locator('.exit').getAttribute('data-exit-code'), '3');

  await page.locator('input[name=command]').fill('pwd');
  await page.locator('input[name=cwd]').fill('/tmp');
  await page.locator('form.run-form').getByRole('button', { name: 'Run', exact: true }).click();
  await eventually(async () => (await output.innerText()).trim() === '/tmp', { what: 'pwd in /tmp' });
  assert.equal(await page.locator('.exit').innerText(), 'exit 0');

  // A long command: the last output goes while it runs, Cancel ends it (on the sandbox too)
  // and frees the form; ArrowUp brings back the commands run before, ArrowDown what was typed.
  const run = page.locator('form.run-form').getByRole('button', { name: 'Run', exact: true });
  await page.locator('input[name=cwd]').fill('');
  await page.locator('input[name=command]').fill('echo started > /tmp/long.txt; sleep 30; echo done >> /tmp/long.txt');
  await run.click();
  await page.getByRole('button', { name: 'Running…' }).waitFor();
  assert.equal(await output.count(), 0, 'the previous output is gone while the command runs');
  const toolbox = daytona.toolbox(id);
  await eventually(async () => (await toolbox.exec('cat /tmp/long.txt')).result === 'started\n', { what: 'the command started' });
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByText(/^Cancelled after \d+\.\d s\.$/).waitFor();
  assert.equal(await run.isEnabled(), true, 'the form is free again');
  await eventually(async () => !(await toolbox.exec('pgrep -f "sleep [3]0"')).result.trim(), { what: 'the sleep ended on the sandbox' });
  const field = page.locator('input[name=command]');
  await field.fill('typed but not run');
  await field.press('ArrowUp');
  assert.match(await field.inputValue(), /^echo started > \/tmp\/long\.txt; sleep 30/);
  await field.press('ArrowUp');
  assert.equal(await field.inputValue(), 'pwd');
  await field.press('ArrowDown');
  await field.press('ArrowDown');
  assert.equal(await field.inputValue(), 'typed but not run');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: artifact('console-detail.png'), fullPage: true });

  // Fork: a new sandbox with this one's files, whose page opens once it has started.
  assert.equal((await toolbox.exec('echo forked-file > fork-me.txt')).exitCode, 0);
  await page.getByRole('button', { name: 'Fork', exact: true }).click();
  await page.waitForURL((url) => /\/sandboxes\/[0-9a-f-]+$/.test(url.pathname) && !url.pathname.endsWith(id));
  const forkId = page.url().split('/').pop();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  assert.equal(await page.locator('.detail-title .badge').getAttribute('data-state'), 'started');
  assert.equal((await daytona.toolbox(forkId).exec('cat fork-me.txt')).result, 'forked-file\n');

  // Snapshot: the fork's files kept under a name asked for, on the snapshots page; a sandbox
  // made on it starts with them.
  await page.getByRole('button', { name: 'Snapshot', exact: true }).click();
  const ask = page.getByRole('dialog', { name: 'Snapshot of this sandbox' });
  await ask.getByLabel('Name').fill('e2e-kept');
  await ask.getByRole('button', { name: 'Create snapshot' }).click();
  await page.waitForURL((url) => url.pathname.endsWith('/snapshots'));
  const kept = page.locator('tr[data-snapshot="e2e-kept"]');
  await kept.waitFor();
  assert.match(await kept.innerText(), new RegExp(`the files of sandbox ${forkId.slice(0, 8)}`));
  const made = await daytona.createStarted('e2e-from-kept', { snapshot: 'e2e-kept' });
  assert.equal((await daytona.toolbox(made.id).exec('cat fork-me.txt')).result, 'forked-file\n');
  assert.equal((await daytona.call('DELETE', `/sandbox/${made.id}`)).status, 200);
  await eventually(async () => (await daytona.call('DELETE', '/snapshots/e2e-kept')).status === 200, { what: 'the snapshot deleted' });
  await page.locator('nav.nav').getByRole('link', { name: 'Sandboxes', exact: true }).click();
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  assert.equal((await daytona.call('DELETE', `/sandbox/${forkId}`)).status, 200);
  await eventually(async () => (await daytona.call('GET', `/sandbox/${forkId}`)).status === 404, { what: 'the fork deleted' });
});

test('deletes it after confirmation, and asks nothing more of it', async () => {
  const id = (await daytona.byName('e2e-one')).id;
  // Every answer about the sandbox from here on (a 404 would be the page still asking after it).
  const refused = [];
  const onResponse = (r) => {
    if (r.status() >= 400 && new URL(r.url()).pathname.includes(id)) refused.push(`${r.status()} ${r.url()}`);
  };
  page.on('response', onResponse);
  await row('e2e-one').getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete sandbox' });
  assert.match(await confirm.innerText(), /Delete sandbox e2e-one\?/);
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await row('e2e-one').waitFor({ state: 'detached', timeout: 30_000 });
  await eventually(async () => (await daytona.byName('e2e-one')) === undefined, { what: 'e2e-one gone on the server' });
  // Past the list's polling period, with the dashboard live.
  await page.waitForTimeout(6000);
  page.off('response', onResponse);
  assert.deepEqual(refused, [], 'requests about the deleted sandbox that failed');
});

test('filters by name, label and state, with the filters in the URL', async () => {
  await createThroughDialog('e2e-a', { group: 'x' });
  await createThroughDialog('e2e-b');
  await expectState('e2e-a', 'started');
  await expectState('e2e-b', 'started');

  await page.getByLabel('Search by name').fill('e2e-b');
  await page.waitForURL(/[?&]name=e2e-b/);
  await row('e2e-a').waitFor({ state: 'detached' });
  assert.equal(await row('e2e-b').count(), 1);

  await page.goto(`${server.url}/?labels=group%3Dx`);
  await row('e2e-a').waitFor();
  assert.equal(await row('e2e-b').count(), 0, 'label filter from the URL applies');
  assert.equal(await page.getByLabel('Filter by labels').inputValue(), 'group=x');

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await row('e2e-b').waitFor();
  // Typed labels apply as the name does, without Enter (only Enter applied them before).
  await page.getByLabel('Filter by labels').pressSequentially('group=x');
  await page.waitForURL(/[?&]labels=group%3Dx/);
  await row('e2e-b').waitFor({ state: 'detached' });
  assert.equal(await row('e2e-a').count(), 1);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await row('e2e-b').waitFor();
  await page.getByLabel('Filter by state').selectOption('stopped');
  await page.waitForURL(/[?&]state=stopped/);
  await page.getByText('No sandboxes match these filters.').waitFor();
  await page.getByLabel('Filter by state').selectOption('');
  await row('e2e-a').waitFor();
  await row('e2e-b').waitFor();
});

test('bulk-stops and bulk-deletes a selection', async () => {

  await row('e2e-a').getByRole('checkbox').check();
  await row('e2e-b').getByRole('checkbox').check();
  const bulk = page.getByRole('region', { name: 'Bulk actions' });
  assert.match(await bulk.innerText(), /2 selected/);
  // Stopping several asks first, naming them; Cancel stops nothing.
  await bulk.getByRole('button', { name: 'Stop (2)' }).click();
  let ask = page.getByRole('dialog', { name: 'Stop sandboxes' });
  assert.match(await ask.innerText(), /Stop 2 sandboxes: (e2e-a, e2e-b|e2e-b, e2e-a)\? Their processes end/);
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'detached' });
  assert.equal((await daytona.byName('e2e-a')).state, 'started');
  await bulk.getByRole('button', { name: 'Stop (2)' }).click();
  ask = page.getByRole('dialog', { name: 'Stop sandboxes' });
  await ask.getByRole('button', { name: 'Stop all' }).click();
  await expectState('e2e-a', 'stopped');
  await expectState('e2e-b', 'stopped');
  // When all are done, a notice says so, and goes by itself.
  const stopped = page.getByRole('status').filter({ hasText: 'Stopped 2 sandboxes.' });
  await stopped.waitFor();
  await stopped.waitFor({ state: 'detached', timeout: 15_000 });

  await bulk.getByRole('button', { name: 'Delete (2)' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete sandboxes' });
  assert.match(await confirm.innerText(), /Delete 2 sandboxes: (e2e-a, e2e-b|e2e-b, e2e-a)\?/);
  await confirm.getByRole('button', { name: 'Delete all' }).click();
  await row('e2e-a').waitFor({ state: 'detached', timeout: 30_000 });
  await row('e2e-b').waitFor({ state: 'detached', timeout: 30_000 });
  await eventually(async () => (await daytona.list()).length === 0, { what: 'all sandboxes gone on the server' });
  await page.getByRole('status').filter({ hasText: 'Deleted 2 sandboxes.' }).waitFor();
  await page.getByText('No sandboxes yet.').waitFor();
});

test('ran without page errors or requests left unanswered', () => {
  assert.deepEqual(page.problems, []);
  // The one request meant to be dropped: the command the Cancel button stopped.
  assert.deepEqual(page.failed.filter((f) => !f.startsWith('POST /toolbox/') || !f.endsWith('/process/execute: net::ERR_ABORTED')), []);
  assert.equal(page.failed.length, 1, `the cancelled command's request: ${page.failed}`);
});
