// The official TypeScript SDK's declarative images in Node: an `Image` with a local file,
// uploaded by the SDK to daytona-local's object storage (@aws-sdk/client-s3, SigV4, the HEAD
// first), built with buildah; `create({ image })` with the build log streamed; a snapshot from
// an Image.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Image } from '@daytonaio/sdk';

import { officialSdkSandbox } from '../support/official-sdk.js';
import { startRegistry } from '../support/registry.js';

let ctx, reg, dir;

before(async () => {
  reg = startRegistry();
  ctx = await officialSdkSandbox();
  dir = mkdtempSync(join(tmpdir(), 'dl-ts-build-'));
});

after(async () => {
  await ctx?.stop();
  reg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a sandbox from an Image with a local file, its build log streamed', async () => {
  const { daytona } = ctx;
  const marker = `ts-${Date.now().toString(36)}`;
  writeFileSync(join(dir, 'hello.txt'), `hello ${marker}\n`);
  const image = Image.base(`${reg.host}/test/busybox:1.0`)
    .runCommands(`echo ${marker} > /built.txt`)
    .env({ BUILT_BY: 'ts' })
    .workdir('/app')
    .addLocalFile(join(dir, 'hello.txt'), '/app/hello.txt');
  const logs = [];
  const sandbox = await daytona.create({ image }, { onSnapshotCreateLogs: (l) => logs.push(l), timeout: 300 });
  try {
    assert.equal(sandbox.state, 'started');
    assert.ok(logs.some((l) => l.includes(`RUN echo ${marker} > /built.txt`)), logs.join('\n'));
    const run = await sandbox.process.executeCommand('cat /built.txt hello.txt; echo $BUILT_BY; pwd');
    assert.equal(run.result, `${marker}\nhello ${marker}\nts\n/app\n`);
  } finally {
    await sandbox.delete();
  }
});

test('a snapshot from an Image', async () => {
  const { daytona } = ctx;
  const name = `ts-built-${Date.now().toString(36)}`;
  const image = Image.base(`${reg.host}/test/busybox:1.0`).runCommands('echo made > /made');
  const snap = await daytona.snapshot.create({ name, image }, { onLogs: () => {} });
  assert.equal(snap.state, 'active');
  const sandbox = await daytona.create({ snapshot: name });
  try {
    assert.equal((await sandbox.process.executeCommand('cat /made')).result, 'made\n');
  } finally {
    await sandbox.delete();
  }
});
