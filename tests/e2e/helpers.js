// Shared helpers of the browser end-to-end tests: a real daytona-local serving the built
// console, headless Chromium, and small waits/assertions on top of playwright-core.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { launchBrowser } from '../support/browser.js';
import { ROOT, startDaytonaLocal } from '../support/daytona-local.js';

export { launchBrowser, startDaytonaLocal };

/** Fails fast, with the fix, when the console has not been built into dist/console. */
export function requireBuiltConsole() {
  if (!existsSync(join(ROOT, 'dist/console/index.html')) || !existsSync(join(ROOT, 'dist/console/pkg'))) {
    throw new Error('dist/console is not built: run scripts/build-console.sh first');
  }
}

/** Where tests save screenshots (gitignored). */
export const ARTIFACTS = join(ROOT, 'tests/artifacts');

/** Path of screenshot `name` in the artifacts directory (created on demand). */
export function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/**
 * A new page that records uncaught page errors and console errors in `page.problems`,
 * so a test can assert the app ran cleanly.
 */
export async function newPage(browser, { width = 1400, height = 900 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs every 4xx/5xx answer ("Failed to load resource"); some are the point of a
    // test (a refused key, a refusal shown beside its field), so tests check statuses
    // themselves (`page.failed`, and the responses they watch).
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      page.problems.push(`console: ${m.text()}`);
    }
  });
  // Requests that got no answer (`net::ERR_ABORTED` and the like), as "METHOD path: error".
  page.failed = [];
  page.on('requestfailed', (r) => page.failed.push(`${r.method()} ${new URL(r.url()).pathname}: ${r.failure()?.errorText}`));
  return page;
}

/**
 * What every console test file starts from: the built console served by a fresh daytona-local,
 * a client of its API and a page in headless Chromium. `close()` ends them.
 */
export async function consoleSuite({ width, height } = {}) {
  requireBuiltConsole();
  const server = await startDaytonaLocal();
  const browser = await launchBrowser();
  const page = await newPage(browser, { width, height });
  return {
    server,
    daytona: api(server),
    page,
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

/** A tiny client of daytona-local's API, to check what the UI did on the server side. */
export function api(server) {
  const headers = { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' };
  const send = async (url, method, body) => {
    const res = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const call = (method, path, body) => send(`${server.apiUrl}${path}`, method, body);
  return {
    call,
    /** All sandboxes (first page of up to 200). */
    async list() {
      return (await call('GET', '/sandbox?limit=200')).body.items;
    },
    /** The sandbox named `name`, or undefined. */
    async byName(name) {
      return (await this.list()).find((s) => s.name === name);
    },
    /** Creates sandbox `name` (with `extra` fields of the request) and waits until it has started; returns it. */
    async createStarted(name, extra = {}) {
      const created = await call('POST', '/sandbox', { name, ...extra });
      assert.equal(created.status, 200, `create ${name}: ${JSON.stringify(created.body)}`);
      return eventually(async () => {
        const s = (await call('GET', `/sandbox/${created.body.id}`)).body;
        return s.state === 'started' && s;
      }, { what: `${name} started` });
    },
    /** A client of sandbox `id`'s toolbox (the API key is accepted there too). */
    toolbox(id) {
      const base = `${server.url}/toolbox/${id}`;
      return {
        /** A JSON call: `{ status, body }`. */
        call: (method, path, body) => send(`${base}${path}`, method, body),
        /** Runs `command` and returns `{ exitCode, result }`. */
        async exec(command) {
          return (await send(`${base}/process/execute`, 'POST', { command })).body;
        },
        /** The text of file `path`. */
        async read(path) {
          const res = await fetch(`${base}/files/download?path=${encodeURIComponent(path)}`, { headers });
          assert.equal(res.status, 200, `download ${path}`);
          return res.text();
        },
      };
    },
  };
}

/** Polls `fn` until it returns a truthy value or `timeout` ms pass; returns that value. */
export async function eventually(fn, { timeout = 20_000, interval = 100, what = 'condition' } = {}) {
  const start = Date.now();
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
