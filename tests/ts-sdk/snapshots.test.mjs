// The official TypeScript SDK's snapshots (daytona.snapshot) in Node against a real
// daytona-local and a real registry on 127.0.0.1 (tests/support/oci-registry.sh): create from
// an image, list, get, a sandbox on it (the image's ENV and WORKDIR), delete.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { officialSdkSandbox } from '../support/official-sdk.js';
import { startRegistry } from '../support/registry.js';

let ctx, reg, registry;

before(async () => {
  reg = startRegistry();
  registry = reg.host;
  ctx = await officialSdkSandbox();
});

after(async () => {
  await ctx?.stop();
  reg?.stop();
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
