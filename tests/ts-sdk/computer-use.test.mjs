// The official TypeScript SDK's computer use (sandbox.computerUse) in Node against a real
// daytona-local: start, the mouse and keyboard driving the desktop's terminal until a typed
// command writes a file, screenshots (sizes read from the images), display info, a dialog
// answered through the accessibility tree, stop.
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

const pngSize = (b64) => {
  const bytes = Buffer.from(b64, 'base64');
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
};

const jpegSize = (b64) => {
  const bytes = Buffer.from(b64, 'base64');
  const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
  assert.ok(bytes[0] === 0xff && bytes[1] === 0xd8 && sof > 0, 'a JPEG');
  return [bytes.readUInt16BE(sof + 7), bytes.readUInt16BE(sof + 5)];
};

const until = async (check, ms = 10000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

test('start, mouse, keyboard, screenshots, stop', async () => {
  const cu = sandbox.computerUse;
  const started = await cu.start();
  assert.equal(started.status.xvfb.running, true, JSON.stringify(started));
  assert.equal((await cu.getStatus()).status, 'active');
  const info = await cu.display.getInfo();
  assert.deepEqual([info.displays[0].width, info.displays[0].height], [1280, 800]);
  assert.ok(await until(async () => (await cu.display.getWindows()).windows.some((w) => w.title === 'xterm')));
  const xterm = (await cu.display.getWindows()).windows.find((w) => w.title === 'xterm');

  const at = await cu.mouse.click(xterm.x + 80, xterm.y + 80);
  assert.deepEqual(at, { x: xterm.x + 80, y: xterm.y + 80 });
  assert.deepEqual(await cu.mouse.getPosition(), at);
  await cu.keyboard.type("echo 'from node' > ~/node-typed.txt");
  await cu.keyboard.press('enter');
  assert.ok(
    await until(async () => (await sandbox.process.executeCommand('cat ~/node-typed.txt 2>/dev/null')).result === 'from node\n'),
    'the typed command did not run',
  );
  await cu.keyboard.hotkey('ctrl+l');

  const full = await cu.screenshot.takeFullScreen();
  assert.deepEqual(pngSize(full.screenshot), [1280, 800]);
  // A square at the diagonal: @daytonaio/sdk 0.218's takeRegion passes its region to the API
  // client as (height, width, y, x) where (x, y, width, height) is expected, so only a region
  // whose four numbers are equal arrives as meant (the server answers what it is sent).
  const region = await cu.screenshot.takeRegion({ x: 120, y: 120, width: 120, height: 120 });
  assert.deepEqual(pngSize(region.screenshot), [120, 120]);
  const jpeg = await cu.screenshot.takeCompressed({ format: 'jpeg', quality: 70, scale: 0.5 });
  assert.deepEqual(jpegSize(jpeg.screenshot), [640, 400]);

  // The accessibility tree of a GTK dialog: read, its entry filled, its button pressed.
  const a11y = cu.accessibility;
  await sandbox.process.createSession('a11y');
  const dialog = await sandbox.process.executeSessionCommand('a11y', {
    command: "yad --entry --title=Node --text='Name' --button=Done:0",
    runAsync: true,
  });
  const done = async () =>
    (await a11y.findNodes({ scope: 'all', role: 'push button', name: 'Done', nameMatch: 'exact' })).matches;
  assert.ok(await until(async () => (await done()).length === 1, 20000), 'the dialog never showed in the tree');
  const tree = await a11y.getTree({ scope: 'focused', maxDepth: 1 });
  assert.equal(tree.root.name, 'yad');
  const [entry] = (await a11y.findNodes({ role: 'text', states: ['editable'] })).matches;
  await a11y.focusNode(entry.id);
  await a11y.setNodeValue(entry.id, 'from node');
  await a11y.invokeNode((await done())[0].id);
  assert.ok(
    await until(async () => (await sandbox.process.getSessionCommand('a11y', dialog.cmdId)).exitCode === 0),
    'the dialog did not end',
  );
  assert.match((await sandbox.process.getSessionCommandLogs('a11y', dialog.cmdId)).stdout, /from node/);

  const stopped = await cu.stop();
  assert.equal(stopped.status.xvfb.running, false);
  assert.equal((await cu.getStatus()).status, 'inactive');
});
