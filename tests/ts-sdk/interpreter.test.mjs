// The official TypeScript SDK's code interpreter (sandbox.codeInterpreter) in Node against a
// real daytona-local: runCode with streaming callbacks, state across runs, a context of its
// own (isolated, listed, deleted) and a timeout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DaytonaTimeoutError } from '@daytonaio/sdk';

import { officialSdkSandbox } from '../support/official-sdk.js';

let ctx, sandbox;

before(async () => {
  ctx = await officialSdkSandbox({ useDeprecatedPolling: true });
  sandbox = ctx.sandbox;
});

after(async () => {
  await ctx?.stop();
});

test('runCode streams to its callbacks and keeps state', async () => {
  const ci = sandbox.codeInterpreter;
  const out = [];
  const errs = [];
  const errors = [];
  const result = await ci.runCode("import sys\nprint('to out')\nprint('to err', file=sys.stderr)\nvalue = 6 * 7", {
    onStdout: (m) => out.push(m.output),
    onStderr: (m) => errs.push(m.output),
    onError: (e) => errors.push(e),
  });
  assert.equal(out.join(''), 'to out\n');
  assert.equal(errs.join(''), 'to err\n');
  assert.equal(result.stdout, 'to out\n');
  assert.equal(errors.length, 0);

  const again = await ci.runCode('value');
  assert.equal(again.stdout, '42\n');
  const failed = await ci.runCode('undefined_name', { onError: (e) => errors.push(e) });
  assert.equal(failed.error?.name, 'NameError');
  assert.equal(errors[0]?.name, 'NameError');
});

test('a context of its own is isolated, listed and deleted', async () => {
  const ci = sandbox.codeInterpreter;
  await ci.runCode("where = 'default'");
  const ctx = await ci.createContext('/tmp');
  assert.equal(ctx.cwd, '/tmp');
  const isolated = await ci.runCode('where', { context: ctx });
  assert.equal(isolated.error?.name, 'NameError');
  const cwd = await ci.runCode('import os\nos.getcwd()', { context: ctx });
  assert.equal(cwd.stdout, "'/tmp'\n");
  assert.deepEqual((await ci.listContexts()).map((c) => c.id), [ctx.id]);
  await ci.deleteContext(ctx);
  assert.deepEqual(await ci.listContexts(), []);
});

test('a timeout rejects or reports the interruption, and the context lives on', async () => {
  const ci = sandbox.codeInterpreter;
  await ci.runCode("alive = 'yes'");
  // The SDK settles on the `interrupted` control frame that precedes the 4008 close: the run
  // resolves with the KeyboardInterrupt error (or rejects with a timeout error).
  const outcome = await ci.runCode('while True:\n    pass', { timeout: 1 }).then(
    (r) => r.error?.name,
    (e) => (e instanceof DaytonaTimeoutError ? 'timeout' : String(e)),
  );
  assert.ok(['KeyboardInterrupt', 'timeout'].includes(outcome), outcome);
  assert.equal((await ci.runCode('alive')).stdout, "'yes'\n");
});
