// One daytona-local, a client of the official TypeScript SDK (@daytonaio/sdk) and one sandbox,
// for a node:test file: `ctx = await officialSdkSandbox()` in its `before`, `await ctx?.stop()`
// in its `after`.
import { Daytona } from '@daytonaio/sdk';

import { startDaytonaLocal } from './daytona-local.js';

/** Starts daytona-local and creates a sandbox through the official SDK (`options` go to `Daytona`). */
export async function officialSdkSandbox(options = {}) {
  const server = await startDaytonaLocal();
  try {
    const daytona = new Daytona({ apiUrl: server.apiUrl, apiKey: server.apiKey, ...options });
    const sandbox = await daytona.create();
    const stop = async () => {
      await sandbox.delete().catch(() => {});
      await server.stop();
    };
    return { server, daytona, sandbox, stop };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
