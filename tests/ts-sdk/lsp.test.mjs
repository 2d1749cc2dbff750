// The official TypeScript SDK's LSP (sandbox.createLspServer) in Node against a real
// daytona-local: typescript-language-server started as the sandbox user, a completion after
// `s.toU`, document symbols, stop.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { officialSdkSandbox } from '../support/official-sdk.js';

let ctx, sandbox;

before(async () => {
  ctx = await officialSdkSandbox();
  sandbox = ctx.sandbox;
});

after(async () => {
  await ctx?.stop();
});

test('completions and symbols from typescript-language-server', async () => {
  const file = '/home/daytona/web/main.ts';
  await sandbox.fs.uploadFile(Buffer.from("export function shout(s: string) {\n  return s.toU\n}\n"), file);
  const lsp = await sandbox.createLspServer('typescript', '/home/daytona/web');
  await lsp.start();
  await lsp.didOpen(file);
  const list = await lsp.completions(file, { line: 1, character: 14 });
  assert.ok(list.items.some((i) => i.label === 'toUpperCase'), JSON.stringify(list.items.map((i) => i.label)));
  const symbols = await lsp.documentSymbols(file);
  assert.deepEqual(symbols.map((s) => [s.name, s.kind, s.location.range.start.line]), [['shout', 12, 0]]);
  await lsp.didClose(file);
  await lsp.stop();
  await assert.rejects(lsp.completions(file, { line: 1, character: 14 }), (e) => e.code === 'LSP_SERVER_NOT_INITIALIZED');
});
