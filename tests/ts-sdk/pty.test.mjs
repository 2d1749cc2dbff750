// The official TS SDK's PTY API in Node against daytona-local: createPty over the
// create-connect WebSocket (with envs in the subprotocol), input, output and exit codes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { officialSdkSandbox } from '../support/official-sdk.js';

let ctx, sandbox;

before(async () => {
  ctx = await officialSdkSandbox({ useDeprecatedPolling: true });
  sandbox = ctx.sandbox;
});

after(async () => {
  await ctx?.stop();
});

/** Resolves once `text` has appeared in the collected output. */
function waitFor(screen, text, ms = 10000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (screen.text.includes(text)) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`${text} not seen in ${screen.text.slice(-400)}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

test('createPty: envs, input, output, resize and wait() exit code', async () => {
  const screen = { text: '' };
  const decoder = new TextDecoder();
  const pty = await sandbox.process.createPty({
    id: `ts-pty-${Date.now()}`,
    envs: { TS_PTY: 'from-node' },
    cols: 90,
    rows: 20,
    onData: (data) => {
      screen.text += decoder.decode(data, { stream: true });
    },
  });
  await pty.waitForConnection();
  await pty.sendInput('echo value=$TS_PTY; stty size\n');
  await waitFor(screen, 'value=from-node');
  await waitFor(screen, '20 90');
  await pty.resize(132, 43);
  await pty.sendInput('stty size\n');
  await waitFor(screen, '43 132');
  await pty.sendInput('exit 5\n');
  const result = await pty.wait();
  assert.equal(result.exitCode, 5);
  assert.equal(pty.exitCode, 5);
});
