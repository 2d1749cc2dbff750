// The official TypeScript SDK (@daytonaio/sdk, pinned) in Node against a real daytona-local:
// SSH access (create, log in with OpenSSH, validate, revoke), listing across cursor pages
// with a label filter, metrics, unmodified.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Daytona } from '@daytonaio/sdk';

import { startDaytonaLocal } from '../support/daytona-local.js';
import { ssh } from '../support/ssh.js';

let server, daytona;

before(async () => {
  server = await startDaytonaLocal();
  daytona = new Daytona({ apiUrl: server.apiUrl, apiKey: server.apiKey, useDeprecatedPolling: true });
});

after(async () => {
  await server?.stop();
});

test('SSH access: create, log in, validate and revoke with the official TS SDK', async () => {
  const sandbox = await daytona.create({ labels: { suite: 'ts-ssh' } });
  try {
    const access = await sandbox.createSshAccess(10);
    assert.equal(access.sandboxId, sandbox.id);
    assert.match(access.sshCommand, new RegExp(`^ssh (-p \\d+ )?${access.token}@`));
    const out = ssh(access.sshCommand, 'echo "$((20+22))"; exit 5');
    assert.equal(out.status, 5, out.stderr);
    assert.equal(out.stdout, '42\n');
    assert.deepEqual(await sandbox.validateSshAccess(access.token), { valid: true, sandboxId: sandbox.id });
    await sandbox.revokeSshAccess(access.token);
    assert.equal((await sandbox.validateSshAccess(access.token)).valid, false);
    assert.equal(ssh(access.sshCommand, 'true').status, 255, 'a revoked token no longer logs in');

    const metrics = await sandbox.getMetricsLatest();
    assert.equal(metrics.cpuCount, sandbox.cpu);
    assert.ok(metrics.diskTotal > metrics.diskUsed && metrics.diskUsed > 0, JSON.stringify(metrics));
    // The history (the suite's server samples every second), oldest first.
    let samples = [];
    for (let i = 0; i < 20 && samples.length < 2; i++) {
      samples = await sandbox.getMetrics();
      if (samples.length < 2) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(samples.length >= 2, JSON.stringify(samples));
    assert.ok(samples.every((s, i) => i === 0 || samples[i - 1].timestamp < s.timestamp));
    assert.equal(samples.at(-1).cpuCount, sandbox.cpu);
    assert.ok(samples.at(-1).diskUsed > 0);
  } finally {
    await daytona.delete(sandbox);
  }
});

test('listing follows cursor pages under a label filter', async () => {
  const tag = `pages-${Date.now()}`;
  const created = [];
  for (let i = 0; i < 3; i++) created.push(await daytona.create({ labels: { pagetag: tag } }));
  try {
    const seen = [];
    for await (const sb of daytona.list({ labels: { pagetag: tag }, limit: 1 })) seen.push(sb.id);
    assert.deepEqual(seen.sort(), created.map((s) => s.id).sort());
  } finally {
    for (const sb of created) await daytona.delete(sb);
  }
});

test('a TTL set at create and by setTtl shows as autoDestroyAt; 0 clears it', async () => {
  const minutesFrom = (at, since) => (Date.parse(at) - since) / 60_000;
  const sandbox = await daytona.create({ labels: { suite: 'ts-ttl' }, ttlMinutes: 30 });
  try {
    assert.ok(Math.abs(minutesFrom(sandbox.autoDestroyAt, Date.parse(sandbox.createdAt)) - 30) < 0.01, sandbox.autoDestroyAt);
    const now = Date.now();
    await sandbox.setTtl(5);
    const fresh = await daytona.get(sandbox.id);
    const left = minutesFrom(fresh.autoDestroyAt, now);
    assert.ok(left > 4.9 && left < 5.1, fresh.autoDestroyAt);
    await sandbox.setTtl(0);
    assert.equal((await daytona.get(sandbox.id)).autoDestroyAt, undefined);
  } finally {
    await daytona.delete(sandbox);
  }
});
