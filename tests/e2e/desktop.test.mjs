// The console's Desktop tab in headless Chromium against a real daytona-local: start the
// desktop, see the noVNC view connect and draw (non-blank canvas), type into the terminal
// window through the viewer and see the effect in the sandbox and in a later screenshot, drive
// it in screenshot mode, record a few seconds and find the recording listed, resize the
// desktop to the view, stop.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, daytona, sandbox, toolbox;

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite({ width: 1400, height: 1100 }));
  sandbox = await daytona.createStarted('e2e-desktop');
  toolbox = daytona.toolbox(sandbox.id);
});

after(async () => {
  await suite?.close();
});

/** How many distinct colours a sample of the noVNC canvas has (1 = blank). */
const canvasColours = () =>
  page.evaluate(() => {
    const canvas = document.querySelector('.desktop-screen canvas');
    if (!canvas || !canvas.width) return 0;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4 * 97) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  });

test('starts the desktop, shows it live over noVNC, drives it, records it, stops it', async () => {
  const panics = [];
  page.on('console', (m) => m.type() === 'error' && m.text().includes('panicked') && panics.push(m.text().slice(0, 600)));
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/desktop#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('button', { name: 'Start desktop' }).click();
  await page.locator('.desktop-status[data-status="active"]').waitFor({ timeout: 30_000 });

  // The live view connects through the preview proxy and draws the desktop.
  await page.locator('.desktop-link[data-link="connected"]').waitFor({ timeout: 30_000 });
  await eventually(async () => (await canvasColours()) > 3, { what: 'a drawn desktop in the noVNC canvas' });
  await page.screenshot({ path: artifact('desktop-live.png') });

  // Frames per second the view shows while a window moves (xdotool moves the terminal in the
  // sandbox; the page counts canvas samples that differ from the one before, per frame).
  const mover = await toolbox.exec(
    "(for i in $(seq 120); do xdotool search --class xterm windowmove %@ $((40 + i * 4)) 60; sleep 0.02; done; " +
      'xdotool search --class xterm windowmove %@ 40 40) >/dev/null 2>&1 &',
  );
  assert.equal(mover.exitCode, 0, mover.result);
  const fps = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const canvas = document.querySelector('.desktop-screen canvas');
        const ctx = canvas.getContext('2d');
        const sample = () => {
          const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
          let h = 0;
          for (let i = 0; i < data.length; i += 4 * 211) h = (h * 31 + data[i] + data[i + 1] * 7) >>> 0;
          return h;
        };
        let last = sample();
        let changes = 0;
        const start = performance.now();
        const tick = () => {
          const now = sample();
          if (now !== last) changes++;
          last = now;
          if (performance.now() - start < 2000) requestAnimationFrame(tick);
          else resolve(changes / ((performance.now() - start) / 1000));
        };
        requestAnimationFrame(tick);
      }),
  );
  console.log(`BENCH noVNC view while a window moves: ${fps.toFixed(1)} frames/s (headless Chromium)`);
  assert.ok(fps >= 2, `the view hardly updated (${fps} frames/s)`);
  await eventually(async () => (await toolbox.exec('pgrep -f "xdotool search" || echo done')).result === 'done\n', {
    what: 'the window mover to finish',
  });

  // Typing through the viewer reaches the terminal window.
  const windows = await toolbox.call('GET', '/computeruse/display/windows');
  const xterm = windows.body.windows.find((w) => w.title === 'xterm');
  assert.ok(xterm, JSON.stringify(windows.body));
  const canvas = page.locator('.desktop-screen canvas');
  const box = await canvas.boundingBox();
  const scale = box.width / 1280;
  await page.mouse.click(box.x + (xterm.x + 80) * scale, box.y + (xterm.y + 80) * scale);
  await page.keyboard.type('echo through-novnc > ~/vnc.txt');
  await page.keyboard.press('Enter');
  await eventually(async () => (await toolbox.exec('cat ~/vnc.txt 2>/dev/null')).result === 'through-novnc\n', {
    what: 'the command typed through noVNC',
    timeout: 60_000,
  });

  // Screenshot mode: an image of the screen; a click and typing on it reach the terminal.
  await page.getByRole('button', { name: 'Screenshots' }).click();
  const shot = page.locator('.desktop-shot img');
  const natural = await eventually(async () => {
    const size = await shot.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
    return size[0] > 0 && size;
  }, { what: 'a screenshot shown' });
  assert.deepEqual(natural, [1280, 800]);
  const sbox = await shot.boundingBox();
  const k = sbox.width / 1280;
  await page.mouse.click(sbox.x + (xterm.x + 80) * k, sbox.y + (xterm.y + 80) * k);
  await shot.focus();
  await page.keyboard.type('touch ~/from-shots');
  await page.keyboard.press('Enter');
  // Each key is a computer-use call queued in order: under a loaded machine (the other e2e files
  // run beside this one) the 19 keys can take longer than the default 20 s.
  await eventually(async () => (await toolbox.exec('ls ~')).result.includes('from-shots'), {
    what: 'the command typed on the screenshot',
    timeout: 90_000,
  });
  await page.screenshot({ path: artifact('desktop-screenshots.png') });

  // A recording of a couple of seconds, listed with its length.
  await page.getByRole('button', { name: 'Start recording' }).click();
  await page.getByRole('button', { name: 'Stop recording' }).waitFor();
  await new Promise((r) => setTimeout(r, 2000));
  await page.getByRole('button', { name: 'Stop recording' }).click();
  const row = page.locator('.desktop-recordings tr[data-recording]').first();
  await row.locator('td', { hasText: / s$/ }).waitFor();
  const list = (await toolbox.call('GET', '/computeruse/recordings')).body.recordings;
  assert.equal(list.length, 1);
  assert.equal(list[0].status, 'completed');
  await row.getByRole('button', { name: 'Play' }).click();
  await page.locator('video.desktop-video').waitFor();

  // "Resize desktop to view": back in the live view, the sandbox's display takes the view's
  // size (noVNC's remote resize), and the canvas draws it unscaled.
  await page.getByRole('button', { name: 'Live' }).click();
  await page.locator('.desktop-link[data-link="connected"]').waitFor({ timeout: 30_000 });
  await page.getByRole('checkbox', { name: 'Resize desktop to view' }).check();
  const view = await page.locator('.desktop-screen').evaluate((el) => [el.clientWidth, el.clientHeight]);
  assert.notDeepEqual(view, [1280, 800]);
  const resized = await eventually(async () => {
    const d = (await toolbox.call('GET', '/computeruse/display/info')).body.displays[0];
    return d.width === view[0] && d.height === view[1] && [d.width, d.height];
  }, { what: `the display resized to the view (${view})` });
  assert.deepEqual(resized, view);
  await eventually(async () => {
    const c = await page.locator('.desktop-screen canvas').evaluate((c) => [c.width, c.height]);
    return c[0] === view[0] && c[1] === view[1];
  }, { what: 'the canvas at the new size' });
  await page.screenshot({ path: artifact('desktop-resized.png') });

  // Stop: the status says so and nothing is left running.
  await page.getByRole('button', { name: 'Stop desktop' }).click();
  await page.locator('.desktop-status[data-status="inactive"]').waitFor();
  const status = (await toolbox.call('GET', '/computeruse/status')).body.status;
  assert.equal(status, 'inactive');

  // Phone width: the page fits, and the tab strip scrolls to show the Desktop tab it is on.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  const tab = page.locator('nav.tabs a[aria-current="page"]');
  await tab.waitFor();
  assert.equal(await tab.innerText(), 'Desktop');
  await eventually(async () => {
    const [t, n] = [await tab.boundingBox(), await page.locator('nav.tabs').boundingBox()];
    return t.x >= n.x - 1 && t.x + t.width <= n.x + n.width + 1;
  }, { what: 'the current tab scrolled into view' });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scroll at phone width (${overflow}px)`);
  await page.screenshot({ path: artifact('desktop-phone.png') });
  assert.deepEqual(panics, []);
});

test("the Accessibility card reads a dialog's tree, outlines an element on the live view, fills and presses it", async () => {
  await page.setViewportSize({ width: 1400, height: 1100 });
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/desktop#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('button', { name: 'Start desktop' }).click();
  await page.locator('.desktop-link[data-link="connected"]').waitFor({ timeout: 30_000 });
  // A GTK dialog in the sandbox, its answer written to a file.
  const run = await toolbox.exec("yad --entry --title=Console --text='Your city' --button=Submit:0 > ~/city.txt 2>&1 &");
  assert.equal(run.exitCode, 0, run.result);
  const card = page.locator('section.desktop-a11y');
  await eventually(async () => {
    await card.getByRole('button', { name: /Read (tree|again)/ }).click();
    return (await card.locator('.a11y-node', { hasText: 'Submit' }).count()) === 1;
  }, { what: "the dialog's button in the tree" });
  assert.equal(await card.locator('.a11y-node').first().innerText(), 'application yad');

  // Picking the button outlines it over the live view, where the button is drawn.
  await card.locator('.a11y-node', { hasText: 'Submit' }).click();
  await card.getByRole('heading', { name: 'push button Submit' }).waitFor();
  const outline = page.locator('.a11y-outline');
  await outline.waitFor();
  const [box, canvas] = [await outline.boundingBox(), await page.locator('.desktop-screen canvas').boundingBox()];
  assert.ok(box.width > 10 && box.height > 5, JSON.stringify(box));
  assert.ok(box.x >= canvas.x && box.y >= canvas.y && box.x + box.width <= canvas.x + canvas.width + 1, JSON.stringify([box, canvas]));
  await page.screenshot({ path: artifact('desktop-a11y.png') });

  // The entry: its text set; then the button pressed with its own action.
  await card.locator('.a11y-node', { hasText: /^text/ }).click();
  await card.getByLabel('Text').fill('Lisbon');
  await card.getByRole('button', { name: 'Set text' }).click();
  await card.getByText('Done: value').waitFor();
  await card.locator('.a11y-node', { hasText: 'Submit' }).click();
  await card.locator('.a11y-details').getByRole('button', { name: 'click' }).click();
  const answer = await eventually(async () => {
    const out = (await toolbox.exec('cat ~/city.txt')).result;
    return out.includes('Lisbon') && out;
  }, { what: "the dialog's answer" });
  assert.match(answer, /Lisbon/);
  await page.getByRole('button', { name: 'Stop desktop' }).click();
  await page.locator('.desktop-status[data-status="inactive"]').waitFor();
});
