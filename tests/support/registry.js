// The tests' OCI registry from Node: tests/support/oci-registry.sh run in a temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** Starts a registry on 127.0.0.1 holding test/busybox:1.0; `{ host, stop }` (host is `127.0.0.1:PORT`). */
export function startRegistry() {
  const dir = mkdtempSync(join(tmpdir(), 'dl-registry'));
  const out = execFileSync('bash', [join(ROOT, 'tests/support/oci-registry.sh'), dir], { encoding: 'utf8' });
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
