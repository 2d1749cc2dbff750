// The official TypeScript SDK's snapshots (daytona.snapshot) in Node against a real
// daytona-local and a real registry on 127.0.0.1 (tests/support/oci-registry.sh): create from
// an image, list, get, a sandbox on it (the image's ENV and WORKDIR), delete.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { officialSdkSandbox } from '../support/official-sdk.js';

const ROOT = join(import.meta.dirname, '../..');
let ctx, registry, registryPid, registryDir;

before(async () => {
  registryDir = mkdtempSync(join(tmpdir(), 'dl-registry'));
  const out = execFileSync('bash', [join(ROOT, 'tests/support/oci-registry.sh'), registryDir], { encoding: 'utf8' });
  const [port, pid] = out.trim().split(/\s+/);
  registry = `127.0.0.1:${port}`;
  registryPid = Number(pid);
  ctx = await officialSdkSandbox();
});

after(async () => {
  await ctx?.stop();
  if (registryPid) process.kill(registryPid, 'SIGKILL');
  if (registryDir) rmSync(registryDir, { recursive: true, force: true });
});

test('snapshot create, list, get, a sandbox on it, delete', async () => {
  const { daytona } = ctx;
  const name = `ts-snap-${Date.now().toString(36)}`;
  const logs = [];
  const snap = await daytona.snapshot.create({ name, image: `${registry}/test/busybox:1.0` }, { onLogs: (l) => logs.push(l) });
  assert.equal(snap.state, 'active');
  assert.ok(logs.some((l) => l.includes(name)), logs.join('\n'));
  assert.equal((await daytona.snapshot.get(name)).id, snap.id);
  const page = await daytona.snapshot.list();
  assert.ok(page.items.some((s) => s.name === name) && page.items.some((s) => s.name === 'daytona-local'));

  const sandbox = await daytona.create({ snapshot: name });
  try {
    assert.equal(sandbox.snapshot, name);
    const run = await sandbox.process.executeCommand('echo $GREETING; pwd');
    assert.equal(run.result, 'hello\n/work\n');
  } finally {
    await sandbox.delete();
  }
  const end = Date.now() + 30000;
  for (;;) {
    try {
      await daytona.snapshot.delete(snap);
      break;
    } catch (e) {
      assert.ok(Date.now() < end, String(e));
      await new Promise((r) => setTimeout(r, 200));
    }
  }
});
