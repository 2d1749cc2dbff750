// The official TypeScript SDK (@daytonaio/sdk, pinned) in Node against a real daytona-local:
// lifecycle, command execution and file transfers, unmodified.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Daytona, DaytonaNotFoundError } from '@daytonaio/sdk';

import { startDaytonaLocal } from '../support/daytona-local.js';

let server, daytona;

before(async () => {
  server = await startDaytonaLocal();
  daytona = new Daytona({ apiUrl: server.apiUrl, apiKey: server.apiKey, useDeprecatedPolling: true });
});

after(async () => {
  await server?.stop();
});

test('create, exec, files, delete with the official TS SDK', async () => {
  const run = `ts-${Date.now()}`;
  const sandbox = await daytona.create({ labels: { run }, envVars: { FROM_SDK: 'ts' } });
  assert.equal(sandbox.state, 'started');
  assert.equal(sandbox.labels.run, run);

  const exec = await sandbox.process.executeCommand('echo $FROM_SDK; pwd; exit 4');
  assert.equal(exec.exitCode, 4);
  assert.equal(exec.result, 'ts\n/home/daytona\n');
  const inDir = await sandbox.process.executeCommand('pwd; echo "A=$A"', '/tmp', { A: '1' }, 10);
  assert.equal(inDir.result, '/tmp\nA=1\n');

  await sandbox.fs.uploadFile(Buffer.from('hello from node\n'), 'notes/hello.txt');
  await sandbox.fs.uploadFiles([
    { source: Buffer.from('one'), destination: 'notes/a/one.txt' },
    { source: Buffer.from('two'), destination: 'notes/b/two.txt' },
  ]);
  const downloaded = await sandbox.fs.downloadFile('notes/hello.txt');
  assert.equal(downloaded.toString(), 'hello from node\n');
  const many = await sandbox.fs.downloadFiles([
    { source: 'notes/a/one.txt' },
    { source: 'notes/b/two.txt' },
    { source: 'notes/missing.txt' },
  ]);
  assert.equal(many[0].result.toString(), 'one');
  assert.equal(many[1].result.toString(), 'two');
  assert.ok(many[2].error, 'a missing file is reported per file');

  const files = await sandbox.fs.listFiles('notes');
  assert.deepEqual(files.map((f) => f.name).sort(), ['a', 'b', 'hello.txt']);
  const info = await sandbox.fs.getFileDetails('notes/hello.txt');
  assert.equal(info.size, 16);
  assert.equal(info.isDir, false);
  const matches = await sandbox.fs.findFiles('notes', 'node');
  assert.equal(matches.length, 1);
  assert.equal(matches[0].line, 1);
  await sandbox.fs.moveFiles('notes/hello.txt', 'notes/moved.txt');
  await sandbox.fs.deleteFile('notes/a', true);
  const after = await sandbox.fs.listFiles('notes');
  assert.deepEqual(after.map((f) => f.name).sort(), ['b', 'moved.txt']);

  await sandbox.delete(60, true);
  await assert.rejects(daytona.get(sandbox.id), DaytonaNotFoundError);
});

test('a session command streams its logs to onStdout/onStderr', async () => {
  const sandbox = await daytona.create();
  await sandbox.process.createSession('ts-session');
  await sandbox.process.executeSessionCommand('ts-session', { command: 'cd /tmp && export X=kept' });
  const same = await sandbox.process.executeSessionCommand('ts-session', { command: 'echo $X in $(pwd)' });
  assert.equal(same.stdout, 'kept in /tmp\n');
  // `output` is the raw log with its stream markers, as Daytona's daemon sends it to SDKs >= 0.167.
  assert.equal(same.output, '\x01\x01\x01kept in /tmp\n');
  assert.equal(same.stderr, '');
  assert.equal(same.exitCode, 0);

  const started = await sandbox.process.executeSessionCommand('ts-session', {
    command: 'for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.2; done',
    runAsync: true,
  });
  let stdout = '';
  let stderr = '';
  await sandbox.process.getSessionCommandLogs(
    'ts-session',
    started.cmdId,
    (chunk) => (stdout += chunk),
    (chunk) => (stderr += chunk),
  );
  assert.equal(stdout, 'out1\nout2\nout3\n');
  assert.equal(stderr, 'err1\nerr2\nerr3\n');
  const cmd = await sandbox.process.getSessionCommand('ts-session', started.cmdId);
  assert.equal(cmd.exitCode, 0);
  await sandbox.delete(60, true);
});
