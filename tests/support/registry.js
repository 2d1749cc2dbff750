// The tests' OCI registry from Node: tests/support/oci-registry.sh run in a temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** Starts a registry on 127.0.0.1 holding test/busybox:1.0; `{ host, stop }` (host is `127.0.0.1:PORT`).
 * With `auth` (`user:password`), a private one that answers only that login. */
export function startRegistry({ auth } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dl-registry'));
  const env = auth ? { ...process.env, OCI_AUTH: auth } : process.env;
  const out = execFileSync('bash', [join(ROOT, 'tests/support/oci-registry.sh'), dir], { encoding: 'utf8', env });
  const [port, pid] = out.trim().split(/\s+/);
  return {
    host: `127.0.0.1:${port}`,
    stop() {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
