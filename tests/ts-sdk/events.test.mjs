// The official TypeScript SDK (@daytonaio/sdk, pinned) as users run it: with its event socket
// (no `useDeprecatedPolling`). A counting proxy between the SDK and daytona-local shows that
// state waits end on pushed events, not on polling; and the calls the other files leave out
// (archive, labels, code run, preview links, pre-signed URLs, env and timeouts) are covered.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';

import { Daytona } from '@daytonaio/sdk';

import { startDaytonaLocal } from '../support/daytona-local.js';

let server, proxy, daytona;
/** Requests that passed the proxy, as `METHOD path` (query left out). */
const seen = [];

/** An HTTP and WebSocket proxy to `target` that records every request. */
function countingProxy(target) {
  const { hostname, port } = new URL(target);
  const srv = createServer((req, res) => {
    seen.push(`${req.method} ${req.url.split('?')[0]}`);
    const up = request({ hostname, port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  srv.on('upgrade', (req, socket, head) => {
    seen.push(`UPGRADE ${req.url.split('?')[0]}`);
    const up = connect(Number(port), hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  return new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok(srv)));
}

before(async () => {
  server = await startDaytonaLocal();
  proxy = await countingProxy(server.url);
  const apiUrl = `http://127.0.0.1:${proxy.address().port}/api`;
  daytona = new Daytona({ apiUrl, apiKey: server.apiKey });
});

after(async () => {
  proxy?.closeAllConnections?.();
  proxy?.close();
  await server?.stop();
});

/** GET `url` from 127.0.0.1 with its host in the Host header; the body (any status). */
function getByHost(url, headers) {
  return new Promise((ok, fail) => {
    const req = request(
      { hostname: '127.0.0.1', port: url.port, path: url.pathname, headers: { ...headers, host: url.host } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => ok(text));
      },
    );
    req.on('error', fail);
    req.end();
  });
}

/** GETs of sandbox `id` itself (what a polling wait sends) since `from`. */
const polls = (id, from) => seen.slice(from).filter((r) => r === `GET /api/sandbox/${id}`).length;

test('state waits end on the event socket, not on polling', async () => {
  const sandbox = await daytona.create({ labels: { suite: 'ts-events' } });
  assert.equal(sandbox.state, 'started');
  assert.ok(seen.includes('UPGRADE /api/socket.io/'), `the SDK opened the event socket: ${seen}`);
  // Another client stops the sandbox 1.5 s into the wait: pushed, the change ends the wait at
  // once; polled (the SDK's fallback), it would take a GET every 100 ms, ~15 by then.
  const from = seen.length;
  const waited = sandbox.waitUntilStopped(30);
  await new Promise((r) => setTimeout(r, 1500));
  const stop = await fetch(`${server.apiUrl}/sandbox/${sandbox.id}/stop?force=true`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}` },
  });
  assert.equal(stop.status, 200);
  await waited;
  assert.equal(sandbox.state, 'stopped');
  const gets = polls(sandbox.id, from);
  assert.ok(gets <= 3, `${gets} GETs of the sandbox during the wait (its sparse safety net is one a second)`);
  // Paused and resumed (start) with its processes where they were; the wait of pause() ends
  // on the pushed state too.
  await sandbox.start();
  await sandbox.process.executeCommand('nohup sleep 6543 >/dev/null 2>&1 &');
  await sandbox.pause();
  assert.equal(sandbox.state, 'paused');
  await assert.rejects(sandbox.process.executeCommand('true'), /paused/);
  await sandbox.start();
  assert.equal((await sandbox.process.executeCommand("pgrep -c -f 'sleep 6543'")).result, '1\n');
  // A fork: a new started sandbox with the source's files.
  await sandbox.process.executeCommand('echo ts-source > forked.txt');
  const fork = await sandbox.fork({ name: `ts-fork-${sandbox.id.slice(0, 8)}` });
  assert.equal(fork.state, 'started');
  assert.notEqual(fork.id, sandbox.id);
  assert.equal((await fork.process.executeCommand('cat forked.txt')).result, 'ts-source\n');
  await fork.delete();
  // A snapshot of its files, and a sandbox from it.
  const kept = `ts-snap-${sandbox.id.slice(0, 8)}`;
  await sandbox.createSnapshot(kept);
  assert.equal(sandbox.state, 'started');
  assert.equal((await daytona.snapshot.get(kept)).state, 'active');
  const made = await daytona.create({ snapshot: kept });
  assert.equal((await made.process.executeCommand('cat forked.txt')).result, 'ts-source\n');
  await made.delete();
  // Deletable once no sandbox runs on it (the deleted one may still be going).
  const snap = await daytona.snapshot.get(kept);
  for (let i = 0; ; i++) {
    const deleted = await daytona.snapshot.delete(snap).then(() => true, (e) => (i < 50 ? false : Promise.reject(e)));
    if (deleted) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await sandbox.stop();
  // Archive (from stopped) and restore.
  await sandbox.archive();
  assert.equal((await daytona.get(sandbox.id)).state, 'archived');
  await sandbox.start();
  assert.equal(sandbox.state, 'started');
  assert.equal((await sandbox.process.executeCommand('echo back')).result, 'back\n');
  await sandbox.delete();
});

test('labels, env and timeouts, code run, preview links and pre-signed URLs', async () => {
  const sandbox = await daytona.create({ envVars: { GREETING: 'hi' }, language: 'python' });
  const labels = await sandbox.setLabels({ phase: 'two', suite: 'ts-events' });
  assert.deepEqual(labels, { phase: 'two', suite: 'ts-events' });
  assert.deepEqual((await daytona.get(sandbox.id)).labels, { phase: 'two', suite: 'ts-events' });

  const env = await sandbox.process.executeCommand('echo $GREETING-$LOCAL', undefined, { LOCAL: 'there' });
  assert.equal(env.result, 'hi-there\n');
  await assert.rejects(sandbox.process.executeCommand('sleep 20', undefined, undefined, 1), /timeout|timed out|408/i);

  const run = await sandbox.process.codeRun('import sys\nprint(sum(range(10)), file=sys.stdout)\nsys.exit(3)');
  assert.equal(run.exitCode, 3);
  assert.equal(run.result.trim(), '45');

  await sandbox.process.executeCommand('mkdir -p site && echo served > site/index.html');
  await sandbox.process.createSession('web');
  await sandbox.process.executeSessionCommand('web', { command: 'cd site && python3 -m http.server 8080', runAsync: true });
  const preview = await sandbox.getPreviewLink(8080);
  assert.ok(preview.url && preview.token, JSON.stringify(preview));
  // `{port}-{id}.localhost`: resolved by browsers, not by Node, so sent to the server by address.
  const target = new URL(preview.url);
  let body = '';
  for (let i = 0; i < 100 && body !== 'served\n'; i++) {
    body = await getByHost(target, { 'x-daytona-preview-token': preview.token }).catch(() => '');
    if (body !== 'served\n') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(body, 'served\n');
  assert.match(await getByHost(target, {}), /preview token/, 'no token, no preview');

  // Pre-signed URLs, signed by the SDK with the sandbox's key: no other credential needed.
  await sandbox.fs.uploadFile(Buffer.from('shared bytes'), 'share/doc.txt');
  const fetched = await fetch(await sandbox.downloadUrl('share/doc.txt', 60));
  assert.equal(fetched.status, 200);
  assert.equal(await fetched.text(), 'shared bytes');
  const form = new FormData();
  form.append('file', new Blob(['sent without a key']), 'up.txt');
  const put = await fetch(await sandbox.uploadUrl('share/up.txt', 60), { method: 'POST', body: form });
  assert.equal(put.status, 200);
  assert.equal((await sandbox.fs.downloadFile('share/up.txt')).toString(), 'sent without a key');
  const tampered = (await sandbox.downloadUrl('share/doc.txt', 60)).replace('share%2Fdoc.txt', 'share%2Fup.txt');
  assert.equal((await fetch(tampered)).status, 401, 'a signature covers its path');
  await sandbox.delete();
});
