// The built npm package (pkg/) imported by a plain HTML page in headless Chromium,
// driving a real daytona-local across origins (CORS) like a browser app would.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { startDaytonaLocal } from '../support/daytona-local.js';
import { startStaticServer } from '../support/static-server.js';

let server, site, browser;

before(async () => {
  server = await startDaytonaLocal();
  site = await startStaticServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.stop();
  await server?.stop();
});

test('create, list, exec, stop/start, delete and typed errors from plain JS', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site.url}/tests/npm/page.html`);
  await page.waitForFunction(() => window.ready === true);
  const out = await page.evaluate(([u, k]) => window.scenario(u, k), [server.apiUrl, server.apiKey]);
  assert.deepEqual(errors, []);

  assert.equal(out.created.state, 'started');
  assert.equal(out.created.labels.suite, 'npm');
  assert.equal(out.created.labels['code-toolbox-language'], 'python');
  assert.equal(out.created.cpu, 1);
  assert.deepEqual(out.listed, [out.created.id]);
  assert.deepEqual(out.pageIds, [out.created.id]);
  assert.deepEqual(out.exec, { exitCode: 3, result: 'hi from npm\nx\n', stdout: 'hi from npm\nx\n' });
  assert.equal(out.fs.text, 'hello from the npm package\n');
  assert.equal(out.fs.size, 27);
  assert.ok(out.fs.progressEnd >= 27, `upload progress reached the end: ${out.fs.progressEnd}`);
  assert.deepEqual(out.fs.listing, [['tree', true], ['hello.txt', false]]);
  assert.deepEqual(out.fs.found.sort(), [
    '/home/daytona/docs/hello.txt',
    '/home/daytona/docs/tree/a.txt',
    '/home/daytona/docs/tree/sub/b.txt',
  ]);
  assert.deepEqual(out.fs.missing, { isNotFound: true, code: 'FILE_NOT_FOUND', source: 'DAYTONA_DAEMON' });
  assert.deepEqual(out.fs.stringSource, { isInvalidArgument: true });
  assert.equal(out.afterStop, 'stopped');
  assert.equal(out.afterStart, 'started');
  assert.equal(out.notFound.isNotFound, true);
  assert.equal(out.notFound.isDaytonaError, true);
  assert.equal(out.notFound.isError, true);
  assert.equal(out.notFound.name, 'DaytonaNotFoundError');
  assert.equal(out.notFound.statusCode, 404);
  assert.match(out.notFound.message, /not found/);
  assert.deepEqual(out.auth, { isAuth: true, statusCode: 401 });
  assert.equal(out.noKey.isInvalidArgument, true);
});
