// The official TypeScript SDK's volumes (daytona.volume) in Node against a real daytona-local:
// get with create, list, a sandbox mounting a subpath of a volume another sandbox writes, the
// in-use refusal, then deletion.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { officialSdkSandbox } from '../support/official-sdk.js';

let ctx;

before(async () => {
  ctx = await officialSdkSandbox();
});

after(async () => {
  await ctx?.stop();
});

test('volume get(create), list, mount with a subpath, delete refused then done', async () => {
  const { daytona } = ctx;
  const name = `ts-vol-${Date.now().toString(36)}`;
  await assert.rejects(daytona.volume.get(name), (e) => e.statusCode === 404 || /not found/i.test(e.message));
  const vol = await daytona.volume.get(name, true);
  assert.equal(vol.name, name);
  assert.equal(vol.state, 'ready');
  assert.ok((await daytona.volume.list()).some((v) => v.id === vol.id));

  const writer = await daytona.create({ volumes: [{ volumeId: vol.id, mountPath: '/data' }] });
  const reader = await daytona.create({
    volumes: [{ volumeId: vol.id, mountPath: '/home/daytona/shared', subpath: 'team' }],
  });
  try {
    assert.equal((await writer.process.executeCommand('echo hello > /data/team/hi.txt')).exitCode, 0);
    assert.equal((await reader.process.executeCommand('cat shared/hi.txt')).result, 'hello\n');
    await assert.rejects(daytona.volume.delete(vol), /in use/);
  } finally {
    await writer.delete();
    await reader.delete();
  }
  // Deletion goes through once the sandboxes are gone (they go in the background).
  const end = Date.now() + 30000;
  for (;;) {
    try {
      await daytona.volume.delete(vol);
      break;
    } catch (e) {
      assert.ok(Date.now() < end && /in use/.test(e.message), String(e));
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const gone = Date.now() + 20000;
  while ((await daytona.volume.list()).some((v) => v.id === vol.id)) {
    assert.ok(Date.now() < gone, 'the deleted volume stays listed');
    await new Promise((r) => setTimeout(r, 200));
  }
});
