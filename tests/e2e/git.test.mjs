// The console's Source control tab in headless Chromium against a real daytona-local and a
// real git server (git's HTTP backend behind Basic auth, run inside the sandbox by
// tests/support/git-fixture.sh): clone a private repository with credentials that are not
// stored, see a change, stage it, commit it with an author, see it in the history, push it
// (the server has it), make and check out a branch; at desktop and phone width.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';

const PORT = 8421;
const BASE = `http://127.0.0.1:${PORT}`;
const [USER, PASSWORD] = ['fay', `pw-${Math.random().toString(36).slice(2)}`];

let suite, server, page, daytona, sandbox, toolbox;

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite({ width: 1300, height: 1000 }));
  sandbox = await daytona.createStarted('e2e-git');
  toolbox = daytona.toolbox(sandbox.id);
  for (const name of ['git-fixture.sh', 'git_http_server.py']) {
    const data = await readFile(new URL(`../support/${name}`, import.meta.url));
    const put = await toolbox.exec(`mkdir -p gitfix && echo ${data.toString('base64')} | base64 -d > gitfix/${name}`);
    assert.equal(put.exitCode, 0, put.result);
  }
  const fixture = await toolbox.call('POST', '/process/execute', {
    command: `sh gitfix/git-fixture.sh ${PORT}`,
    envs: { GIT_SERVER_USER: USER, GIT_SERVER_PASSWORD: PASSWORD },
  });
  assert.equal(fixture.body.exitCode, 0, fixture.body.result);
});

after(async () => {
  await suite?.close();
});

test('clone, stage, commit, push and branch from the Source control tab', async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/git#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('button', { name: 'Clone…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Clone a repository' });
  await dialog.getByLabel('URL').fill(`${BASE}/private/app.git`);
  // Without credentials: a readable refusal, not "the API key was rejected".
  await dialog.getByRole('button', { name: 'Clone' }).click();
  await dialog.getByText(/refused the credentials/).waitFor();
  await dialog.getByLabel('User').fill(USER);
  await dialog.getByLabel('Password or token').fill(PASSWORD);
  await dialog.getByRole('button', { name: 'Clone' }).click();
  await page.waitForURL(/\/git\?repo=app$/);
  await page.locator('.git-status-line', { hasText: 'main' }).waitFor();
  await page.getByText('Nothing to commit').waitFor();
  const config = await toolbox.exec('cat app/.git/config ~/.git-credentials 2>/dev/null; true');
  assert.ok(!config.result.includes(PASSWORD), 'the password is stored nowhere');

  // A change made in the sandbox shows as changed, then staged, then committed.
  await toolbox.exec('echo "from the console" > app/console.txt && echo more >> app/README.md');
  await page.getByRole('button', { name: 'Open' }).click();
  const changes = page.locator('.git-changes');
  await changes.locator('[data-group="Untracked"] [data-file="console.txt"]').waitFor();
  await changes.locator('[data-group="Changes"] [data-file="README.md"]').waitFor();
  await changes.locator('[data-group="Untracked"]').getByRole('button', { name: 'Stage all' }).click();
  await changes.locator('[data-group="Changes"] [data-file="README.md"]').getByRole('button', { name: 'Stage' }).click();
  await changes.locator('[data-group="Staged"] [data-file="README.md"]').waitFor();
  await changes.locator('[data-group="Staged"] [data-file="console.txt"]').waitFor();
  await page.getByLabel('Commit message').fill('Console commit');
  await page.getByLabel('Author name').fill('Console User');
  await page.getByLabel('Author email').fill('console@example.org');
  await page.getByRole('button', { name: 'Commit 2 staged' }).click();
  await page.getByText(/^Committed [0-9a-f]{7}\.$/).waitFor();
  await page.locator('.git-history li', { hasText: 'Console commit' }).waitFor();
  await page.locator('.git-ab', { hasText: '↑1 ↓0' }).waitFor();
  const log = await toolbox.exec("git -C app log -1 --format='%an <%ae> %s'");
  assert.equal(log.result.trim(), 'Console User <console@example.org> Console commit');

  // Push: refused without credentials, then done with them; the server has the commit.
  await page.getByRole('button', { name: 'Push' }).click();
  await page.locator('.git-side').getByText(/refused the credentials/).waitFor();
  await page.getByLabel('Git user name').fill(USER);
  await page.getByLabel('Password or token').fill(PASSWORD);
  await page.getByRole('button', { name: 'Push' }).click();
  await page.getByText('Pushed.').waitFor();
  await page.locator('.git-ab', { hasText: '↑0 ↓0' }).waitFor();
  const remote = await toolbox.exec('git --git-dir=srv/private/app.git log -1 --format=%s main');
  assert.equal(remote.result.trim(), 'Console commit');

  // A new branch, checked out.
  await page.getByRole('button', { name: '+ New branch' }).click();
  const branch = page.getByRole('dialog', { name: 'New branch' });
  await branch.getByLabel('Name').fill('feature-x');
  await branch.getByRole('button', { name: 'Create and check out' }).click();
  await page.locator('.git-branches li.current[data-branch="feature-x"]').waitFor();
  await page.locator('.git-status-line', { hasText: 'feature-x' }).waitFor();
  const head = await toolbox.exec('git -C app branch --show-current');
  assert.equal(head.result.trim(), 'feature-x');
  await page.screenshot({ path: artifact('git-source-control.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
});

test('the Source control tab at phone width', async () => {
  const phone = page;
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${server.url}/sandboxes/${sandbox.id}/git?repo=app#apiKey=${encodeURIComponent(server.apiKey)}`);
  await phone.locator('.git-status-line', { hasText: 'feature-x' }).waitFor();
  await eventually(async () => (await phone.locator('.git-history li').count()) >= 2, { what: 'history' });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at phone width`);
  await phone.screenshot({ path: artifact('git-phone.png'), fullPage: true });
  assert.deepEqual(phone.problems, []);
});
