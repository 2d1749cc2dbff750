// The built npm package (pkg/) imported by a plain HTML page in headless Chromium,
// driving a real daytona-local across origins (CORS) like a browser app would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { ROOT, startDaytonaLocal } from '../support/daytona-local.js';
import { startRegistry } from '../support/registry.js';
import { startStaticServer } from '../support/static-server.js';

let server, site, browser, registry;

before(async () => {
  registry = startRegistry();
  server = await startDaytonaLocal();
  site = await startStaticServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.stop();
  await server?.stop();
  registry?.stop();
});

/** A new page of `html` (under tests/npm/) once its module is ready, and the page errors it raises. */
async function openPage(html) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site.url}/tests/npm/${html}`);
  await page.waitForFunction(() => window.ready === true);
  return { page, errors };
}

test('create, list, exec, stop/start, delete and typed errors from plain JS', async () => {
  const { page, errors } = await openPage('page.html');
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

test("an area's module loads at its first call, once; a failed load rejects and the next call loads it", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const wasm = [];
  page.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(new URL(r.url()).pathname.split('/').pop()));
  let refuse = true;
  await page.route('**/daytona_wasm_streams.wasm', (r) => (refuse ? r.abort() : r.continue()));
  await page.goto(`${site.url}/tests/npm/page.html`);
  await page.waitForFunction(() => window.ready === true);
  const step = (name) =>
    page.evaluate(
      async ([name, apiUrl, apiKey]) => {
        const { Daytona } = await import('/pkg/index.js');
        const run = async (code) => {
          try {
            return { stdout: (await window.lazy.codeInterpreter.runCode(code)).stdout };
          } catch (e) {
            return { name: e.name, message: e.message };
          }
        };
        switch (name) {
          case 'create':
            window.lazy = await new Daytona({ apiUrl, apiKey }).create({ labels: { suite: 'npm-lazy' } }, { timeout: 60 });
            return (await window.lazy.process.executeCommand('echo core')).result;
          case 'run':
            return run('print(6 * 7)');
          case 'twice':
            return Promise.all([run('print(1)'), run('print(2)')]);
          case 'bad': {
            // Methods run by an area's module check their arguments there: a rejection.
            const why = (p) => p.then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
            return Promise.all([
              why(window.lazy.git.status(42)),
              why(window.lazy.process.resizePtySession('x', 0, 24)),
              why(window.lazy.computerUse.screenshot.takeRegion('all')),
            ]);
          }
          case 'delete':
            return window.lazy.delete();
        }
      },
      [name, server.apiUrl, server.apiKey],
    );
  try {
    assert.equal(await step('create'), 'core\n');
    // Creating a sandbox and running a command load the main module alone.
    assert.deepEqual(wasm, ['daytona_wasm_bg.wasm']);
    const failed = await step('run');
    assert.equal(failed.name, 'DaytonaConnectionError', JSON.stringify(failed));
    assert.match(failed.message, /module of the SDK could not be loaded/);
    refuse = false;
    assert.deepEqual(await step('run'), { stdout: '42\n' });
    assert.deepEqual(await step('twice'), [{ stdout: '1\n' }, { stdout: '2\n' }]);
    assert.deepEqual(await step('bad'), [
      'DaytonaInvalidArgumentError: path must be a string',
      'DaytonaInvalidArgumentError: cols must be an integer from 1 to 65535',
      'DaytonaInvalidArgumentError: region must be { x, y, width, height }',
    ]);
    // The refused fetch and the one that loaded it; later calls fetch nothing.
    assert.equal(wasm.filter((f) => f === 'daytona_wasm_streams.wasm').length, 2, wasm.join(' '));
    assert.deepEqual(errors, []);
  } finally {
    await step('delete').catch(() => {});
    await page.close();
  }
});

test('a rate-limited call comes back when the server says, within its timeout; past a minute or with no time it fails', async () => {
  const { page, errors } = await openPage('page.html');
  // While `plan` lasts, the sandbox's GET answers 429 with the next entry's headers (exposed
  // to the page across origins, as a server must for the browser to read them).
  const plan = [];
  let limited = 0;
  await page.route(`${server.apiUrl}/sandbox/*`, (route) => {
    if (route.request().method() !== 'GET' || !plan.length) return route.continue();
    const headers = plan.shift();
    limited++;
    const cors = { 'Access-Control-Allow-Origin': site.url, 'Access-Control-Expose-Headers': Object.keys(headers).join(', ') };
    const body = JSON.stringify({ statusCode: 429, message: 'ThrottlerException: Too Many Requests', error: 'Too Many Requests' });
    return route.fulfill({ status: 429, contentType: 'application/json', headers: { ...cors, ...headers }, body });
  });
  const step = (name) =>
    page.evaluate(
      async ([name, apiUrl, apiKey]) => {
        const { Daytona } = await import('/pkg/index.js');
        const timed = async (f) => {
          const started = performance.now();
          const outcome = await f().then((v) => (v?.id ? 'answered' : v), (e) => e.name);
          return [outcome, Math.round((performance.now() - started) / 100) / 10];
        };
        if (name === 'create') {
          window.limitedSandbox = await new Daytona({ apiUrl, apiKey }).create({ labels: { suite: 'npm-429' } });
          return window.limitedSandbox.id;
        }
        if (name === 'delete') return window.limitedSandbox.delete();
        const id = window.limitedSandbox.id;
        // A client that gives each call a second.
        const quick = name === 'timeout' ? { requestTimeoutMs: 1000 } : {};
        return timed(() => new Daytona({ apiUrl, apiKey, ...quick }).get(id));
      },
      [name, server.apiUrl, server.apiKey],
    );
  try {
    await step('create');
    // Told to come back in a second, twice (the longest of its Retry-After headers counts).
    plan.push({ 'Retry-After-authenticated': '1' }, { 'Retry-After': '0', 'Retry-After-sandbox-lifecycle': '1' });
    const [answered, waited] = await step('again');
    assert.deepEqual([answered, limited], ['answered', 2]);
    assert.ok(waited >= 2 && waited < 5, `came back after ${waited} s`);
    // The call's timeout ends the wait.
    plan.push({ 'Retry-After': '30' });
    const [timedOut, after] = await step('timeout');
    assert.equal(timedOut, 'DaytonaTimeoutError');
    assert.ok(after >= 0.9 && after < 3, `gave up after ${after} s`);
    // More than a minute away, or no time given: the 429 is the answer, at once.
    for (const headers of [{ 'Retry-After': '120' }, { 'Retry-After': new Date(Date.now() + 600_000).toUTCString() }, {}]) {
      plan.push(headers);
      const [outcome, took] = await step('again');
      assert.equal(outcome, 'DaytonaRateLimitError', JSON.stringify(headers));
      assert.ok(took < 1, `${JSON.stringify(headers)}: ${took} s`);
    }
    // Three times at most.
    limited = 0;
    plan.push(...Array(5).fill({ 'Retry-After': '0' }));
    assert.equal((await step('again'))[0], 'DaytonaRateLimitError');
    assert.equal(limited, 4, 'the call and three retries');
    plan.length = 0;
    assert.deepEqual(errors, []);
  } finally {
    plan.length = 0;
    await step('delete').catch(() => {});
    await page.close();
  }
});

test('daytona-wasm/init loads the wasm when asked, and names the fix when a server answers HTML', async () => {
  const page = await browser.newPage();
  const wasm = [];
  page.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(r.url()));
  await page.goto(`${site.url}/tests/npm/init.html`);
  await page.waitForFunction(() => window.ready === true);
  assert.deepEqual(wasm, [], 'importing daytona-wasm/init fetches no wasm');
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  const out = await page.evaluate(([u, k]) => window.scenario(u, k), [server.apiUrl, server.apiKey]);
  assert.match(out.htmlInstead, /init\.html is not the SDK's WebAssembly.*--loader:\.wasm=file.*initDaytona\(url\)/s);
  assert.equal(out.listed, true);
  const before = consoleErrors.length;
  assert.equal(await page.evaluate(([u, k]) => window.deleteOne(u, k), [server.apiUrl, server.apiKey]), 'destroyed');
  await new Promise((r) => setTimeout(r, 200)); // console events arrive after the page's promise
  assert.deepEqual(consoleErrors.slice(before), [], 'a deletion awaited to its end logs nothing in the console');
  assert.equal(wasm.filter((u) => u.endsWith('/pkg/dist/daytona_wasm_bg.wasm')).length, 1, `wasm fetched once: ${wasm}`);
});

test('daytona-wasm/errors alone loads no WebAssembly', async () => {
  const page = await browser.newPage();
  const loaded = [];
  page.on('request', (r) => loaded.push(new URL(r.url()).pathname));
  await page.goto(`${site.url}/tests/npm/errors-only.html`);
  await page.waitForFunction(() => window.ready === true);
  assert.deepEqual(await page.evaluate(() => window.out), { subclass: true });
  assert.ok(loaded.includes('/pkg/dist/errors.js'), loaded.join(' '));
  assert.deepEqual(loaded.filter((p) => p.endsWith('.wasm') || p.endsWith('daytona_wasm.js')), [], 'no wasm, no glue');
});

test('the package exports its entries, errors, wasm and package.json, and ships its license', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'pkg/package.json'), 'utf8'));
  for (const target of Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))) {
    assert.ok(existsSync(join(ROOT, 'pkg', target)), `exported ${target} exists`);
  }
  assert.ok(pkg.files.includes('LICENSE') && existsSync(join(ROOT, 'pkg/LICENSE')));
  // Resolved by name as Node and bundlers resolve it: the errors subpath works without wasm.
  const dir = mkdtempSync(join(tmpdir(), 'daytona-wasm-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'pkg'), join(dir, 'node_modules', 'daytona-wasm'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(
    join(dir, 'probe.js'),
    `import { DaytonaNotFoundError } from 'daytona-wasm/errors';
     import meta from 'daytona-wasm/package.json' with { type: 'json' };
     console.log(JSON.stringify([typeof DaytonaNotFoundError, meta.name]));`,
  );
  const out = execFileSync(process.execPath, ['probe.js'], { cwd: dir, encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(JSON.parse(out), ['function', 'daytona-wasm']);
});

/** `Class.method` for every method of every class in the package's `.d.ts` (but `free`). */
function exportedMethods() {
  const dts = readFileSync(join(ROOT, 'pkg/dist/daytona_wasm.d.ts'), 'utf8');
  const methods = ['Daytona.constructor'];
  for (const [, name, body] of dts.matchAll(/^export class (\w+) \{\n([\s\S]*?)^\}/gm)) {
    for (const [, method] of body.matchAll(/^ {4}(?!constructor\b)(\w+)\(/gm)) {
      if (method !== 'free') methods.push(`${name}.${method}`);
    }
  }
  for (const [cls, names] of tableMethods(dts)) methods.push(...names.map((m) => `${cls}.${m}`));
  // Methods init.d.ts types itself (overloads wasm-bindgen cannot write).
  const init = readFileSync(join(ROOT, 'pkg/init.d.ts'), 'utf8');
  for (const [, name, body] of init.matchAll(/^ {2}interface (\w+) \{\n([\s\S]*?)^ {2}\}/gm)) {
    for (const [, method] of body.matchAll(/^ {4}(\w+)\(/gm)) methods.push(`${name}.${method}`);
  }
  return [...new Set(methods)].sort();
}

/** The methods the .d.ts declares on interfaces merged with a class (init.js defines them). */
function tableMethods(dts) {
  const classes = new Set([...dts.matchAll(/^export class (\w+) /gm)].map((m) => m[1]));
  return [...dts.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)]
    .filter(([, name]) => classes.has(name))
    .map(([, name, body]) => [name, [...body.matchAll(/^ {4}(\w+)\(/gm)].map((m) => m[1])])
    .filter(([, names]) => names.length > 0);
}

test("the methods init.js defines from the wasm's tables are the ones the .d.ts declares", async () => {
  // The package loaded in Node the synchronous way (the other way, initDaytona, runs in every
  // browser test): init.js's initSync defines the methods too.
  const init = await import(join(ROOT, 'pkg/init.js'));
  init.initSync({ module: readFileSync(join(ROOT, 'pkg/dist/daytona_wasm_bg.wasm')) });
  const rows = init.Daytona._posted().map(([cls, names]) => [cls, names.split(' ')]);
  assert.ok(rows.flatMap(([, names]) => names).length >= 38, JSON.stringify(rows));
  for (const [cls, names] of rows) {
    for (const name of names) assert.equal(typeof init[cls].prototype[name], 'function', `${cls}.${name}`);
  }
  const sorted = (list) => list.map(([cls, names]) => [cls, [...names].sort()]).sort();
  const dts = readFileSync(join(ROOT, 'pkg/dist/daytona_wasm.d.ts'), 'utf8');
  assert.deepEqual(sorted(rows), sorted(tableMethods(dts)));
});

test('daytona-wasm/image: an Image with local files built from the browser, reused, failing, as a snapshot', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const wasm = [];
  page.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(new URL(r.url()).pathname));
  await page.goto(`${site.url}/tests/npm/image.html`);
  await page.waitForFunction(() => window.ready === true);
  const out = await page.evaluate(([u, k, r]) => window.scenario(u, k, r), [server.apiUrl, server.apiKey, registry.host]);
  assert.deepEqual(errors, []);
  // The main module, the image module, and the one of snapshot.create (with what it shares with other areas).
  const modules = wasm.filter((f) => !f.includes('_chunk_')).sort();
  assert.deepEqual(modules, ['/pkg/dist/daytona_image_bg.wasm', '/pkg/dist/daytona_wasm_bg.wasm', '/pkg/dist/daytona_wasm_manage.wasm']);

  const base = `${registry.host}/test/busybox:1.0`;
  assert.equal(out.same, true, 'a builder method returns its image');
  assert.deepEqual(out.walked, [['a.txt', true], ['sub/b.txt', true]], 'readDirectory: the folder\'s files by path, in order');
  assert.deepEqual(out.notADirectory, ['TypeError', 'readDirectory takes a FileSystemDirectoryHandle']);
  assert.equal(out.dockerfile.split('\n')[0], `FROM ${base}`);
  for (const line of ['ENV MARKER=', 'COPY ["hello.txt", "/app/hello.txt"]', 'COPY ["data", "/data"]', 'RUN "sh" "-c" "echo two > /two.txt"', 'WORKDIR /app']) {
    assert.ok(out.dockerfile.includes(line), `${line} in:\n${out.dockerfile}`);
  }
  assert.equal(out.state, 'started');
  const run = out.dockerfile.match(/ENV MARKER=(\S+)/)[1];
  assert.equal(out.files, `hello ${run}\nA\nB\n${run}\ntwo\n${run}\n/app\n`, 'the files, commands, env and workdir in the sandbox');
  assert.ok(out.dockerfile.includes(`COPY ["${run}", "/direct"]`), out.dockerfile);
  assert.equal(out.direct, './a.txt\n./late.txt\n./sub/b.txt\nA\nB\nlate\nno-late-in-data\n', 'a folder handle read at the build, a file written after the call included');
  assert.equal(out.goneFolder[0], 'DaytonaInvalidArgumentError', JSON.stringify(out.goneFolder));
  assert.match(out.goneFolder[1], new RegExp(`addLocalDir: the folder "${run}-gone" could not be read: \\S`), out.goneFolder[1]);
  assert.deepEqual(out.logs, [true, true], 'the build log reached the callback as it came');
  assert.equal(out.progress, true, 'the upload reported its progress to its end');
  assert.deepEqual(out.reused, [true, 0, 0], 'the same image again: its snapshot, no upload, no build');
  assert.equal(out.named, 'named\n', 'an image name builds FROM it');
  assert.equal(out.failed[0], true);
  assert.match(out.failed[1], /exit|3|failed/i, out.failed[1]);
  assert.deepEqual(out.snapshot, ['active', true, true]);
  assert.deepEqual([out.cancelled, out.cancelledLeft], ['DaytonaAbortError', 0], 'a cancelled upload rejects and makes no sandbox');
  assert.equal(out.pyproject, "FROM x\nRUN python -m pip install pytest 'requests>=2' rich --pre\n");
  assert.ok(out.requirements.startsWith('FROM python:3.12'), out.requirements);
  assert.ok(out.requirements.includes('COPY requirements.txt /.requirements.txt') && out.requirements.includes('--index-url https://pypi.example/simple'), out.requirements);
  assert.equal(out.misc, 'FROM busybox\nCOPY a.txt /a.txt\nENTRYPOINT ["sh"]\nCMD ["-c", "true"]\nLABEL x=1\n');
  assert.deepEqual(out.refusals.map((r) => r[0]), Array(4).fill('DaytonaInvalidArgumentError'), JSON.stringify(out.refusals));
  assert.deepEqual(out.badImage, ['DaytonaInvalidArgumentError', "params.image must be an image name or an Image (import { Image } from 'daytona-wasm/image')"]);
});

test("a sandbox's data getters defined by init.js are the ones its .d.ts declares", () => {
  const init = readFileSync(join(ROOT, 'pkg/init.js'), 'utf8');
  const defined = init.match(/for \(const k of '([^']+)'\.split/)[1].split(' ');
  const dts = readFileSync(join(ROOT, 'pkg/dist/daytona_wasm.d.ts'), 'utf8');
  const body = dts.match(/export interface Sandbox \{([^}]*)\}/)[1];
  const declared = [...body.matchAll(/readonly (\w+):/g)].map((m) => m[1]);
  assert.ok(defined.length >= 20, `${defined}`);
  assert.deepEqual([...defined].sort(), [...declared].sort());
});

test('every exported method, called from plain JS as users import the package', async () => {
  const { page, errors } = await openPage('every-method.html');
  const out = await page.evaluate(([u, k, r]) => window.scenario(u, k, r), [server.apiUrl, server.apiKey, registry.host]);
  assert.deepEqual(errors, []);

  const expected = exportedMethods();
  assert.ok(expected.length > 50, `methods found in the .d.ts: ${expected.length}`);
  assert.deepEqual(expected.filter((m) => !out.called.includes(m)), [], 'exported methods no test calls');

  assert.deepEqual(out.pushed, ['sandbox.created', 'yes'], 'a creation pushed on the event socket');
  assert.deepEqual(out.stateAfterCreate, ['sandbox.state.updated', true, 'started']);
  assert.equal(out.afterClose, true, 'a closed stream is done');
  assert.equal(out.endedByClose, true, 'closing the client ends its streams, a pending next() included');
  assert.equal(out.endedAfterClose, true);
  assert.equal(out.iterated.length, 1);
  assert.deepEqual([out.found, out.page, out.got], [true, 1, true]);
  assert.deepEqual(out.numbered, [1, true, 'object', 1, 1, 1], 'a numbered page of Sandbox objects with its totals');
  assert.equal(out.numberedPast, 0, 'past the last page: no items');
  const noField = ['DaytonaInvalidArgumentError', 'query has no field "run" (labels go in query.labels)'];
  assert.deepEqual(out.labelsAsQuery, [noField, noField], 'labels passed as the query are refused by name');
  assert.deepEqual(out.createRefused, [
    ['DaytonaInvalidArgumentError', 'params has no field "secrets"'],
    ['DaytonaInvalidArgumentError', 'params.image and params.snapshot exclude each other'],
    ['DaytonaInvalidArgumentError', "params.image must be an image name or an Image (import { Image } from 'daytona-wasm/image')"],
    ['DaytonaInvalidArgumentError', 'params must be an object'],
    ['DaytonaInvalidArgumentError', 'query must be an object'],
    ['DaytonaInvalidArgumentError', 'params.resources has no field "gpu"'],
    ['DaytonaInvalidArgumentError', 'params.autoStopInterval must be an integer'],
    ['DaytonaInvalidArgumentError', 'config.requestTimeoutMs must be an integer from 0 to 4294967295'],
    0,
  ], 'create refuses what it cannot honour, creating nothing');
  assert.deepEqual([out.home, out.rootDir, out.work], ['/home/daytona', '/home/daytona', '/home/daytona']);
  assert.deepEqual(out.fields, ['started', false, 'container', true, 'string'], 'the data fields of @daytonaio/sdk\'s Sandbox');
  assert.deepEqual(out.labels, { suite: 'every', run: out.labels.run, phase: '2' });
  assert.deepEqual(out.intervals, [30, 60, -1]);
  // A TTL from now, shown as autoDestroyAt; a negative one refused; 0 takes it away.
  assert.deepEqual(out.streamedUp, ['streamed up\n', true], 'uploadFileStream from a ReadableStream');
  assert.deepEqual(out.ttl, [90, ['DaytonaInvalidArgumentError', 'ttlMinutes must be a non-negative integer'], undefined]);
  assert.equal(out.autoPause[0], 0);
  assert.equal(out.autoPause[1][0], 'DaytonaBadRequestError');
  assert.match(out.autoPause[1][1], /automatic pausing is not supported by daytona-local: pause a sandbox yourself/);
  assert.equal(out.cpu, 2);
  assert.deepEqual(out.matches, [['a.txt', 1]]);
  assert.deepEqual(out.replaced, [true]);
  assert.equal(out.mode, '-rw-------');
  assert.deepEqual(out.listed.sort(), ['a.txt', 'b.txt', 'd']);
  assert.equal(out.searched, 2);
  assert.equal(out.streamed, 'alpha thread\n');
  assert.equal(out.downloaded, 'beta\n');
  assert.deepEqual(out.many, ['alpha thread\n', true]);
  assert.deepEqual([out.signedUp, out.signedDown, out.afterRotation], [200, 'signed upload', 401]);
  assert.equal(out.gone, true);
  assert.deepEqual(out.exec, ['hi\n', 'hi\n', []], 'artifacts as @daytonaio/sdk gives them');
  assert.deepEqual(out.code, [0, "['x'] 42\n", true]);
  assert.deepEqual(out.charts, [['line', 't', true, 1]], 'a matplotlib figure comes back as a typed chart');
  assert.deepEqual(out.sessionSync, [0, 'v\n']);
  // The input is echoed into the log as stdout, as Daytona's daemon does.
  assert.deepEqual(out.streamedLogs, ['input\ngot input\n', 'err\n']);
  assert.deepEqual(out.logs, ['input\ngot input\n', 'err\n']);
  assert.equal(out.command, 0);
  assert.equal(out.session, 2);
  assert.deepEqual(out.sessions, ['s']);
  assert.deepEqual(out.ciFirst, ['v 42\n', 'e\n', null, ['v 42\n', 'e\n']], 'the callbacks got what the result holds');
  assert.deepEqual(out.ciError, ['NameError', ['NameError']]);
  assert.deepEqual(out.ciRich, [['display', 'result'], true, '42', ''], 'a display, then the value as a result');
  assert.equal(out.ciIsolated, 'NameError');
  assert.deepEqual(out.ciListed, [true]);
  assert.equal(out.ciAborted, 'DaytonaAbortError');
  assert.equal(out.ciInterrupted, 'KeyboardInterrupt');
  assert.equal(out.ciState, 'idle');
  assert.equal(out.ciRestarted, 'NameError', 'a restarted context forgot its import');
  assert.equal(out.ciEnv, 'yes\n');
  assert.deepEqual(out.ciTimedOut, [true, true, 'DaytonaTimeoutError']);
  assert.equal(out.ciKept, '1\n', 'the timed-out context kept its state');
  assert.equal(out.ciDeleted, 0);
  // Computer use: every answer as the toolbox sent it, checked against what the desktop did.
  assert.deepEqual(out.cuStarted, ['novnc', 'x11vnc', 'xfce4', 'xvfb']);
  assert.equal(out.cuStatus, 'active');
  assert.equal(out.cuXvfb, true);
  assert.equal(out.cuRestarted, 'x11vnc');
  assert.deepEqual(out.cuLogs, ['string', 'string']);
  assert.deepEqual(out.mouse, [[100, 120], [100, 120], true, [50, 60], [40, 45], [5, 6], [5, 6]]);
  assert.deepEqual(out.keys, [undefined, undefined, undefined, undefined, undefined], 'keyboard calls resolve to nothing');
  assert.equal(out.keyInjection, 'DaytonaBadRequestError', 'an unknown modifier is refused');
  const [w, h] = [out.screen[1], out.screen[2]];
  assert.deepEqual(out.screen, [1, w, h]);
  assert.deepEqual(out.shots, [[w, h], [64, 48], [Math.round(w / 2), Math.round(h / 2)], [100, 50]]);
  assert.equal(out.windows, true);
  assert.equal(out.recStopped, 'completed');
  assert.deepEqual([out.recListed, out.recGot], [true, true]);
  assert.deepEqual(out.video, ['ftyp', true], 'the recording downloads as an MP4 with progress to its end');
  assert.equal(out.recGone, true);
  assert.deepEqual(out.a11y, ['yad', ['frame'], true, 'every method', 'DaytonaBadRequestError']);
  assert.equal(out.cuAfterStop, 'inactive');
  // Git through the JS face, against git's own HTTP backend in the sandbox.
  assert.equal(out.gitFixture, 0);
  assert.equal(out.gitAuth, 'DaytonaGitAuthFailedError');
  assert.deepEqual(out.gitAt, [true, true], 'commitId checks out that commit, detached');
  assert.deepEqual(out.gitStaged, [['new.txt', 'Added']]);
  assert.deepEqual([out.gitSha, out.gitAhead], [true, 1]);
  assert.deepEqual(out.gitPushed, [0, 'origin/main']);
  assert.deepEqual(out.gitHistory, ['from the browser', 'init']);
  assert.equal(out.gitCurrent, 'topic');
  assert.deepEqual(out.gitBranches, ['main']);
  assert.equal(out.gitExists, 'DaytonaGitBranchExistsError');
  assert.deepEqual(out.gitRestored, [0, 'new\n'], 'unstaged, then restored from HEAD');
  assert.equal(out.gitInit, 'trunk');
  assert.deepEqual(out.gitRemotes, [['origin', 'http://127.0.0.1:8419/open.git']]);
  assert.deepEqual(out.gitRemoteGet, ['http://127.0.0.1:8419/open.git', undefined]);
  assert.deepEqual(out.gitConfig, ['Dora D', 'dd@example.org', undefined]);
  assert.equal(out.gitStored, 'cloned', 'stored credentials serve a later clone');
  // LSP through the JS face, on pylsp.
  assert.equal(out.lspEarly, 'LSP_SERVER_NOT_INITIALIZED');
  assert.equal(out.lspCompletions, true, 'os.pa completes to path');
  assert.deepEqual(out.lspSymbols, [['greet', 12]]);
  assert.deepEqual([out.lspSandbox, out.lspWorkspace], [['greet'], ['greet']]);
  assert.deepEqual(out.lspDiagnostic, [7], "pyflakes' undefined name, on its line");
  assert.equal(out.lspHover, true);
  assert.deepEqual([out.lspDefinition, out.lspReferences], [[3], 2]);
  assert.ok(out.lspRename >= 2, `rename edits: ${out.lspRename}`);
  assert.equal(out.lspFormatting, true);
  assert.equal(out.lspStopped, 'LSP_SERVER_NOT_INITIALIZED');
  assert.deepEqual([out.connected, out.ptyOut], [true, true]);
  assert.deepEqual(out.resized, [100, 110]);
  assert.equal(out.info, 31);
  assert.deepEqual(out.ptys, ['t']);
  assert.ok(out.ptyExit !== 0 && out.killedExit !== 0, `killed PTYs exit non-zero: ${out.ptyExit}, ${out.killedExit}`);
  assert.equal(out.preview, true);
  assert.deepEqual(out.ssh, [true, true, true, false], 'an SSH token made, valid, then revoked');
  assert.equal(out.public, true);
  assert.equal(out.allowList, '192.0.2.0/24');
  assert.deepEqual(out.metrics, [2, true], 'metrics of the resized sandbox');
  assert.equal(out.env, 'yes--l\n', 'the environment changed for what starts after, a variable removed');
  assert.deepEqual(out.history, [true, true, 0], 'the metrics history: samples of the last hour, none of 2020');
  assert.deepEqual(out.snapshot, ['active', true, true], 'a snapshot made from the registry, got and listed');
  assert.equal(out.activated, 'active');
  assert.equal(out.snapshotGone, true, 'a deleted snapshot is gone');
  assert.deepEqual(out.badImage, ['DaytonaError', true], 'an image that cannot be pulled rejects naming the snapshot');
  assert.equal(out.badParams, 'DaytonaInvalidArgumentError', 'a snapshot without an image is refused before any request');
  assert.deepEqual(out.volume, [out.volume[0], true, true]);
  assert.equal(out.volumeGone, true, 'a deleted volume is gone');
  assert.deepEqual(out.signed, [8123, true, true], 'a signed preview URL carries its token in its host');
  assert.equal(out.signedTwice, true, 'an expired signed URL cannot be expired again');
  assert.deepEqual(out.paused, ['paused', true, 'started'], 'paused, its toolbox refused, resumed');
  assert.deepEqual(out.entrypoint, ['entrypoint', 0, { output: '', stdout: '', stderr: '' }], 'the entrypoint session of the default snapshot');
  assert.match(out.fork[0], /^fork-every-/);
  assert.deepEqual(out.fork.slice(1), ['started', true, 'g/new\n'], 'a fork with the files of its source');
  assert.deepEqual(out.kept, ['started', 'active', true, 'g/new\n'], 'a snapshot of the sandbox, and a sandbox from it with its files');
  assert.deepEqual([out.archived, out.started], ['archived', 'started']);
  assert.equal(out.recover, true, 'recover of a started sandbox is refused with 400');
  assert.equal(out.left, 0);
});
