// Starts a real daytona-local for a test file: free port, temporary data dir, known key.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * Starts `daytona-local serve` and waits until it answers.
 * Returns `{ url, apiUrl, apiKey, stop() }`.
 */
export async function startDaytonaLocal({ consoleDir = join(ROOT, 'dist/console') } = {}) {
  const bin = process.env.DAYTONA_LOCAL_BIN ?? join(ROOT, 'target/debug/daytona-local');
  const dataDir = mkdtempSync(join(tmpdir(), 'daytona-e2e-'));
  // A key of its own: a server of another test file that took the port never answers 200.
  const apiKey = `e2e-${randomUUID()}`;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      bin,
      ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--api-key', apiKey, '--console-dir', consoleDir,
        '--metrics-interval', '1'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const url = `http://127.0.0.1:${port}`;
    let up = false;
    for (let i = 0; i <= 300 && child.exitCode === null; i++) {
      try {
        if ((await fetch(`${url}/api/config`, { headers: { Authorization: `Bearer ${apiKey}` } })).ok) {
          up = true;
          break;
        }
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!up) {
      child.kill('SIGKILL');
      // The port was taken between probing and binding: another one.
      if (attempt < 5) continue;
      throw new Error('daytona-local did not start');
    }
    return {
      url,
      apiUrl: `${url}/api`,
      apiKey,
      async stop() {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
}
