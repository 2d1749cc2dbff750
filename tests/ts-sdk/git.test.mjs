// The official TypeScript SDK's git (sandbox.git) in Node against a real daytona-local and a
// real git server (git's smart-HTTP backend behind Basic auth, run inside the sandbox: see
// tests/support/git-fixture.sh): clone with and without credentials, status, add, commit,
// push, branches, and the typed errors.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { DaytonaGitAuthFailedError, DaytonaGitBranchNotFoundError } from '@daytonaio/sdk';

import { officialSdkSandbox } from '../support/official-sdk.js';

const PORT = 8418;
const BASE = `http://127.0.0.1:${PORT}`;
const USER = 'carol';
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;

let ctx, sandbox;

before(async () => {
  ctx = await officialSdkSandbox();
  sandbox = ctx.sandbox;
  for (const name of ['git-fixture.sh', 'git_http_server.py']) {
    const data = await readFile(new URL(`../support/${name}`, import.meta.url));
    await sandbox.fs.uploadFile(data, `gitfix/${name}`);
  }
  const r = await sandbox.process.executeCommand(`sh gitfix/git-fixture.sh ${PORT}`, undefined, {
    GIT_SERVER_USER: USER,
    GIT_SERVER_PASSWORD: PASSWORD,
  });
  assert.equal(r.exitCode, 0, r.result);
});

after(async () => {
  await ctx?.stop();
});

test('clone, status, add, commit, push, branches', async () => {
  const git = sandbox.git;
  await assert.rejects(git.clone(`${BASE}/private/app.git`, 'nope'), DaytonaGitAuthFailedError);
  await git.clone(`${BASE}/private/app.git`, 'app', undefined, undefined, USER, PASSWORD);
  const clean = await git.status('app');
  assert.deepEqual(
    [clean.currentBranch, clean.ahead, clean.behind, clean.branchPublished, clean.fileStatus],
    ['main', 0, 0, true, []],
  );

  await sandbox.fs.uploadFile(Buffer.from('from node\n'), 'app/node.txt');
  assert.deepEqual((await git.status('app')).fileStatus, [
    { name: 'node.txt', staging: 'Untracked', worktree: 'Untracked', extra: '' },
  ]);
  await git.add('app', ['node.txt']);
  const { sha } = await git.commit('app', 'from node', 'Node', 'node@example.org');
  assert.match(sha, /^[0-9a-f]{40}$/);
  assert.equal((await git.status('app')).ahead, 1);
  await git.push('app', USER, PASSWORD);
  assert.equal((await git.status('app')).ahead, 0);
  const pushed = await sandbox.process.executeCommand('git --git-dir=srv/private/app.git log -1 --format=%H:%s main');
  assert.equal(pushed.result.trim(), `${sha}:from node`);

  await git.createBranch('app', 'topic');
  await git.checkoutBranch('app', 'topic');
  const branches = await git.branches('app');
  assert.deepEqual([branches.branches.sort(), branches.current], [['main', 'topic'], 'topic']);
  await assert.rejects(git.checkoutBranch('app', 'missing'), DaytonaGitBranchNotFoundError);
});

test('BENCH clone of a 10 MB repository: the git route against git clone run in the sandbox', async () => {
  // 10 MB of incompressible data in one commit, served by the same HTTP backend.
  const seeded = await sandbox.process.executeCommand(
    'set -e; git init -q -b main big && head -c 10485760 /dev/urandom > big/blob.bin && git -C big add . && ' +
      'git -C big -c user.name=B -c user.email=b@example.org commit -qm big && git init -q --bare -b main srv/big.git && ' +
      'git -C big push -q ../srv/big.git main',
  );
  assert.equal(seeded.exitCode, 0, seeded.result);
  const rounds = Number(process.env.GIT_BENCH_ROUNDS ?? 4);
  const [route, direct] = [[], []];
  for (let i = 0; i < rounds; i++) {
    // Alternating which goes first.
    const runs = [
      async () => {
        const t = performance.now();
        await sandbox.git.clone(`${BASE}/big.git`, `b/route-${i}`);
        route.push(performance.now() - t);
      },
      async () => {
        const t = performance.now();
        const r = await sandbox.process.executeCommand(`git clone -q ${BASE}/big.git b/direct-${i}`);
        direct.push(performance.now() - t);
        assert.equal(r.exitCode, 0, r.result);
      },
    ];
    if (i % 2) runs.reverse();
    for (const run of runs) await run();
  }
  const size = await sandbox.process.executeCommand('stat -c %s b/route-0/blob.bin');
  assert.equal(size.result.trim(), '10485760');
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const [r, d] = [median(route), median(direct)];
  console.log(`BENCH git clone 10 MB: route ${r.toFixed(0)} ms, git clone via exec ${d.toFixed(0)} ms, ratio ${(r / d).toFixed(2)} (median of ${rounds})`);
  await sandbox.process.executeCommand('rm -rf b big');
});
