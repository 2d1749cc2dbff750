// The console's Notebook tab in headless Chromium against a real daytona-local: cells that
// define a variable and use it, a matplotlib figure shown as an image, a DataFrame as a
// table, input() answered inline, a `while True` cell interrupted, Markdown rendered, saved
// as .ipynb (valid nbformat 4.5 for Python's nbformat), the page reloaded and reopened with
// its outputs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT } from '../support/daytona-local.js';
import { artifact, consoleSuite, eventually } from './helpers.js';

let suite, server, page, daytona, sandbox, toolbox;
/** The last question the page asked (a notebook with unsaved changes asks before it goes). */
let asked;
/** Whether the next question about leaving is declined (the page stays). */
let decline = false;

before(async () => {
  ({ server, daytona, page } = suite = await consoleSuite({ width: 1300, height: 1000 }));
  // Tests leave notebooks with unsaved cells behind: the next page load goes ahead (the
  // browser's own question accepted) unless a test says otherwise.
  page.on('dialog', (d) => {
    asked = { type: d.type(), message: d.message() };
    return decline ? d.dismiss() : d.accept();
  });
  sandbox = await daytona.createStarted('e2e-notebook');
  toolbox = daytona.toolbox(sandbox.id);
});

after(async () => {
  await suite?.close();
});

const cells = () => page.locator('.nb-cell');
const source = (i) => cells().nth(i).getByLabel('Cell source');

/** Types `code` into cell `i` and runs it with Shift+Enter (the next cell gets the focus). */
async function runCell(i, code) {
  await source(i).fill(code);
  await source(i).press('Shift+Enter');
}

test('runs cells with state, rich outputs, input and interrupts; saves and reopens .ipynb', async () => {
  const panics = [];
  page.on('console', (m) => m.type() === 'error' && m.text().includes('panicked') && panics.push(m.text().slice(0, 600)));
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/notebook#apiKey=${encodeURIComponent(server.apiKey)}`);
  await source(0).waitFor();

  // State across cells, the last expression shown as the result with its count.
  await runCell(0, 'x = 21');
  await cells().nth(0).locator('.nb-gutter', { hasText: '[1]:' }).waitFor();
  // Shift+Enter to the rendered output, on a warm context (printed; not a timed assertion).
  const times = [];
  for (let i = 0; i < 5; i++) {
    await source(0).fill(`print("tick-${i}")`);
    const t0 = performance.now();
    await source(0).press('Control+Enter');
    await cells().nth(0).locator('.nb-stream', { hasText: `tick-${i}` }).waitFor();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`BENCH notebook Ctrl+Enter -> output rendered, median of 5: ${times[2].toFixed(1)} ms`);
  await source(0).fill('x = 21');
  await source(0).press('Shift+Enter');
  await runCell(1, 'print("double:", x * 2)\nx * 3');
  const second = cells().nth(1);
  await second.locator('.nb-stream', { hasText: 'double: 42' }).waitFor();
  await second.locator('.nb-result', { hasText: '63' }).waitFor();
  assert.equal(await second.locator('.nb-gutter').innerText(), '[8]:');
  assert.equal(await cells().count(), 3, 'Shift+Enter on the last cell added one');

  // A figure as an image, a DataFrame as a table in its frame.
  await runCell(2, 'import matplotlib.pyplot as plt\nplt.plot([1, 4, 9])\nplt.title("squares")\nplt.show()');
  const figure = cells().nth(2).locator('img.nb-image');
  await figure.waitFor();
  assert.ok((await figure.getAttribute('src')).startsWith('data:image/png;base64,iVBOR'));
  assert.ok(await figure.evaluate((img) => img.complete && img.naturalWidth > 100), 'the PNG decodes');
  await runCell(3, 'import pandas as pd\npd.DataFrame({"name": ["ada", "bob"], "n": [1, 2]})');
  const frame = cells().nth(3).locator('iframe.nb-html');
  await frame.waitFor();
  const table = page.frameLocator('.nb-cell:nth-child(4) iframe.nb-html').locator('table');
  await table.waitFor();
  assert.ok((await table.innerText()).includes('ada'));
  // No script runs in HTML outputs.
  await runCell(4, 'class H:\n    def _repr_html_(self): return "<script>parent.document.title=\'pwned\'</script><b>bold</b>"\nH()');
  await page.frameLocator('.nb-cell:nth-child(5) iframe.nb-html').locator('b').waitFor();
  assert.notEqual(await page.title(), 'pwned', 'a script in an HTML output did not run');

  // input() answered in the page.
  await runCell(5, 'name = input("who? ")\nprint("hello", name)');
  const answer = cells().nth(5).getByLabel('Input for the running code');
  await answer.waitFor();
  await answer.fill('notebook');
  await answer.press('Enter');
  await cells().nth(5).locator('.nb-stream', { hasText: 'hello notebook' }).waitFor();

  // A file the cell wrote is a link to it in the Files tab (followed at the end).
  await runCell(6, 'open("report.txt", "w").write("made by a cell")\nprint("\\x1b[1;31mred alert\\x1b[0m plain")');
  // Terminal colours in output are rendered (as classes; the text stays text).
  await cells().nth(6).locator('.nb-stream .ansi-red', { hasText: 'red alert' }).waitFor();
  const wrote = cells().nth(6).locator('.nb-files a', { hasText: '/home/daytona/report.txt' });
  await wrote.waitFor();
  const wroteHref = await wrote.getAttribute('href');
  assert.ok(wroteHref.includes('/files?file=%2Fhome%2Fdaytona%2Freport.txt'), wroteHref);

  // A cell that never ends, interrupted from the toolbar; the state survives.
  await runCell(7, 'import time\nprint("looping", flush=True)\nwhile True:\n    time.sleep(0.1)');
  await cells().nth(7).locator('.nb-stream', { hasText: 'looping' }).waitFor();
  assert.equal(await cells().nth(7).locator('.nb-gutter').innerText(), '[*]:');
  await page.getByRole('button', { name: 'Interrupt' }).click();
  await cells().nth(7).locator('.nb-error', { hasText: 'KeyboardInterrupt' }).waitFor();
  await runCell(
    8,
    'import json\ndisplay({"application/json": json.dumps({"inner": {"deep": [1, True]}}), "text/plain": "t"}, raw=True)\n' +
      'class Tex:\n    def _repr_latex_(self): return r"Ratio $\\frac{a}{b}$ and $\\href{javascript:alert(1)}{here}$"\n' +
      'display(Tex())\nx',
  );
  await cells().nth(8).locator('.nb-result', { hasText: '21' }).waitFor();
  // JSON as a tree: keys at every level, opened three levels deep.
  await cells().nth(8).locator('.nb-json .json-key', { hasText: 'deep' }).waitFor();
  assert.equal(await cells().nth(8).locator('.nb-json .json-lit').innerText(), 'true');
  assert.equal(await cells().nth(8).locator('.nb-json summary').first().innerText(), '1 entry');
  // LaTeX typeset by KaTeX (loaded for it), the text around the math kept; \href makes no
  // link (KaTeX without trust shows the command itself, in its error colour).
  const tex = cells().nth(8).locator('.nb-latex');
  await tex.locator('.katex .mfrac').waitFor();
  assert.match(await tex.innerText(), /^Ratio /);
  assert.equal(await tex.locator('a').count(), 0, 'no link from \\href');
  assert.match(await tex.locator('.katex-html').last().innerText(), /\\href/);

  // Markdown rendered (no HTML passes through).
  await cells().nth(9).getByLabel('Cell type').selectOption('markdown');
  await runCell(9, '# Results\n\nSome **bold** text <img src=x onerror=alert(1)>');
  const rendered = cells().nth(9).locator('.nb-rendered');
  await rendered.locator('h1', { hasText: 'Results' }).waitFor();
  assert.equal(await rendered.locator('img').count(), 0, 'raw HTML in Markdown is text');
  await page.screenshot({ path: artifact('notebook.png'), fullPage: true });

  // Saved as .ipynb in the sandbox, then autosaved after a change.
  await page.getByLabel('Notebook path').fill('work/analysis.ipynb');
  await toolbox.exec('mkdir -p work');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page
    .locator('.nb-saved', { hasText: /^Saved$/ })
    .or(page.locator('.notebook .alert'))
    .waitFor();
  assert.deepEqual(await page.locator('.notebook .alert').allInnerTexts(), [], 'saving reported no error');
  const saved = await toolbox.read('work/analysis.ipynb');
  const notebook = JSON.parse(saved);
  assert.equal(notebook.nbformat, 4);
  assert.equal(notebook.nbformat_minor, 5);
  assert.equal(notebook.cells[1].execution_count, 8);
  assert.ok(notebook.cells[2].outputs.some((o) => o.output_type === 'display_data' && o.data['image/png']));
  // Jupyter's own validator accepts it.
  const file = join(tmpdir(), `nb-${Date.now()}.ipynb`);
  writeFileSync(file, saved);
  execFileSync(join(ROOT, '.venv/bin/python'), ['-c', 'import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', file]);
  await source(8).fill('x + 1');
  await page.locator('.nb-saved', { hasText: 'Unsaved changes' }).waitFor();
  await page.locator('.nb-saved', { hasText: /^Saved$/ }).waitFor({ timeout: 10_000 });
  assert.ok((await toolbox.read('work/analysis.ipynb')).includes('x + 1'), 'autosaved');

  // Reloaded, and opened from the Files tab: cells, counts and outputs are back.
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/files?file=${encodeURIComponent("/home/daytona/work/analysis.ipynb")}#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByRole('link', { name: 'Open in notebook' }).click();
  await page.waitForURL(/\/notebook\?path=/);
  await cells().nth(1).locator('.nb-stream', { hasText: 'double: 42' }).waitFor();
  assert.equal(await cells().nth(1).locator('.nb-gutter').innerText(), '[8]:');
  await cells().nth(2).locator('img.nb-image').waitFor();
  assert.equal(await source(8).inputValue(), 'x + 1');
  await cells().nth(8).locator('.nb-latex .katex .mfrac').waitFor();

  // Phone width: the notebook still fits.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: artifact('notebook-phone.png'), fullPage: false });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scroll at phone width (${overflow}px)`);
  // The written file's link opens it in the Files tab.
  await page.setViewportSize({ width: 1300, height: 1000 });
  await page.goto(`${server.url}${wroteHref}#apiKey=${encodeURIComponent(server.apiKey)}`);
  await page.getByText('made by a cell').waitFor();
  assert.deepEqual(panics, [], 'the page never panicked');
});

test('several notebooks side by side, each with its own context, kept across tabs; closing one or leaving the sandbox deletes its context', async () => {
  const contexts = async () => (await toolbox.call('GET', '/process/interpreter/context')).body.contexts.length;
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/notebook#apiKey=${encodeURIComponent(server.apiKey)}`);
  await source(0).waitFor();
  const tabs = page.getByRole('navigation', { name: 'Open notebooks' });
  const before = await contexts();
  await runCell(0, 'who = "first"\nwho');
  await cells().nth(0).locator('.nb-result', { hasText: "'first'" }).waitFor();

  // A second notebook: empty, its own context (the first one's variable is not there).
  await tabs.getByRole('button', { name: '+ Notebook' }).click();
  await tabs.getByRole('button', { name: 'notebook-2.ipynb', exact: true }).waitFor();
  assert.equal(await tabs.locator('[aria-current=true]').innerText(), 'notebook-2.ipynb');
  assert.equal(await cells().count(), 1);
  await runCell(0, 'who');
  await cells().nth(0).locator('.nb-error', { hasText: 'NameError' }).waitFor();
  await runCell(1, 'who = "second"\nwho');
  await cells().nth(1).locator('.nb-result', { hasText: "'second'" }).waitFor();
  assert.equal(await contexts(), before + 2, 'a context per notebook');
  await page.screenshot({ path: artifact('notebook-tabs.png') });

  // Back to the first: its cells and outputs as they were, its variable its own.
  await tabs.getByRole('button', { name: 'notebook.ipynb', exact: true }).click();
  await cells().nth(0).locator('.nb-result', { hasText: "'first'" }).waitFor();
  await runCell(1, 'who');
  await cells().nth(1).locator('.nb-result', { hasText: "'first'" }).waitFor();

  // Another tab of the sandbox and back: both notebooks are still open, unsaved cells kept.
  await page.getByRole('link', { name: 'Files', exact: true }).click();
  await page.waitForURL(/\/files/);
  await page.getByRole('link', { name: 'Notebook', exact: true }).click();
  await tabs.getByRole('button', { name: 'notebook-2.ipynb', exact: true }).click();
  await cells().nth(1).locator('.nb-result', { hasText: "'second'" }).waitFor();
  assert.equal(await source(1).inputValue(), 'who = "second"\nwho');

  // Closing one deletes its context; leaving the sandbox deletes the other's.
  await tabs.getByRole('button', { name: 'Close notebook notebook-2.ipynb' }).click();
  await tabs.getByRole('button', { name: 'notebook-2.ipynb', exact: true }).waitFor({ state: 'detached' });
  await cells().nth(0).locator('.nb-result', { hasText: "'first'" }).waitFor();
  await eventually(async () => (await contexts()) === before + 1, { what: 'the closed notebook context deleted' });
  await page.getByRole('link', { name: 'Sandboxes', exact: true }).click();
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  await eventually(async () => (await contexts()) === before, { what: 'the contexts deleted on leaving the sandbox' });
});

test('a hidden notebook still autosaves when its run ends; a reload deletes the page\'s contexts', async () => {
  const contexts = async () => (await toolbox.call('GET', '/process/interpreter/context')).body.contexts.length;
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/notebook#apiKey=${encodeURIComponent(server.apiKey)}`);
  await source(0).waitFor();
  const tabs = page.getByRole('navigation', { name: 'Open notebooks' });
  const before = await contexts();
  // Given a file, then a slow cell; while it runs another notebook is shown.
  await page.getByLabel('Notebook path').fill('hidden-save.ipynb');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('.nb-saved', { hasText: /^Saved$/ }).waitFor();
  await runCell(0, 'import time\ntime.sleep(2)\nprint("ran while hidden")');
  await tabs.getByRole('button', { name: '+ Notebook' }).click();
  await tabs.locator('[aria-current=true]', { hasText: 'notebook' }).waitFor();
  await runCell(0, '1 + 1');
  await cells().nth(0).locator('.nb-result', { hasText: '2' }).waitFor();
  assert.equal(await contexts(), before + 2, 'a context per notebook');
  // The hidden one's output reaches its file without its being shown again.
  await eventually(async () => (await toolbox.read('hidden-save.ipynb')).includes('ran while hidden'), {
    what: 'the hidden notebook autosaved',
    timeout: 20_000,
  });
  // The new notebook's cell is unsaved: leaving the sandbox asks; declined, all stays.
  decline = true;
  asked = undefined;
  await page.getByRole('link', { name: '← Sandboxes' }).click();
  await eventually(async () => asked !== undefined, { what: 'the question before leaving' });
  assert.match(asked.message, /notebooks have unsaved changes/);
  assert.match(page.url(), /\/notebook/);
  await cells().nth(0).locator('.nb-result', { hasText: '2' }).waitFor();
  decline = false;
  // A reload (the browser's question accepted) forgets the page's notebooks: their contexts
  // are deleted as the page goes.
  asked = undefined;
  await page.reload();
  assert.equal(asked?.type, 'beforeunload', 'the browser asked before the reload');
  await source(0).waitFor();
  await eventually(async () => (await contexts()) === before, { what: "the reloaded page's contexts deleted" });
});

test("the toolbar's runs, restart and clear, the cells' own buttons and Jupyter's keys do what they say", async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/notebook#apiKey=${encodeURIComponent(server.apiKey)}`);
  await source(0).waitFor();
  const results = () => page.locator('.nb-result').allInnerTexts();
  // Alt+Enter runs and inserts a cell below, focused; Ctrl+Enter runs and stays.
  await source(0).fill('a = 1');
  await source(0).press('Alt+Enter');
  await eventually(async () => (await cells().count()) === 2, { what: 'a cell inserted by Alt+Enter' });
  await eventually(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Cell source'), {
    what: 'the new cell in edit mode',
  });
  await source(1).fill('a += 1\na');
  await source(1).press('Control+Enter');
  await cells().nth(1).locator('.nb-result', { hasText: '2' }).waitFor();
  assert.equal(await cells().count(), 2, 'Ctrl+Enter added no cell');
  assert.match(await cells().nth(1).locator('.nb-elapsed').innerText(), /^\d+(\.\d)? m?s$/);

  // Run all: from the top again (a = 1, then 2); Clear outputs empties them all.
  await page.getByRole('button', { name: 'Run all' }).click();
  await eventually(async () => (await cells().nth(1).locator('.nb-gutter').innerText()) === '[4]:', { what: 'run all counted' });
  assert.deepEqual(await results(), ['2']);
  await page.getByRole('button', { name: 'Clear outputs' }).click();
  assert.deepEqual(await results(), []);
  // Run below from the second cell alone: a is 3 now; Run above from it: 1 then 2.
  await cells().nth(1).locator('.nb-gutter').click();
  await page.getByRole('button', { name: 'Run below' }).click();
  await cells().nth(1).locator('.nb-result', { hasText: '3' }).waitFor();
  await page.getByRole('button', { name: 'Run above' }).click();
  await cells().nth(1).locator('.nb-result', { hasText: '2' }).waitFor();
  // Restart: a fresh process, the variable gone.
  await page.getByRole('button', { name: 'Restart' }).click();
  await eventually(
    async () => {
      // Each try waits for its run's output: a run clears the cell's outputs when it starts.
      await cells().nth(1).getByRole('button', { name: 'Run cell' }).click();
      const gone = cells().nth(1).locator('.nb-error', { hasText: "NameError: name 'a' is not defined" });
      return gone.waitFor({ timeout: 2000 }).then(() => true, () => false);
    },
    { what: 'the variable gone after Restart', timeout: 20_000, interval: 1000 },
  );

  // The cell's own buttons: duplicate, move, delete.
  await cells().nth(0).getByRole('button', { name: 'Duplicate cell' }).click();
  assert.deepEqual(await page.locator('.nb-source').evaluateAll((a) => a.map((t) => t.value)), ['a = 1', 'a = 1', 'a += 1\na']);
  await cells().nth(2).getByRole('button', { name: 'Move cell up' }).click();
  assert.deepEqual(await page.locator('.nb-source').evaluateAll((a) => a.map((t) => t.value)), ['a = 1', 'a += 1\na', 'a = 1']);
  await cells().nth(2).getByRole('button', { name: 'Delete cell' }).click();
  assert.equal(await cells().count(), 2);

  // Command mode (Esc): A and B insert above and below, DD deletes, M and Y change the type,
  // ↑ selects the cell above.
  const focusedCell = () => page.evaluate(() => [...document.querySelectorAll('.nb-cell')].indexOf(document.activeElement?.closest('.nb-cell')));
  // Esc leaves the editor for the cell's box (on the next frame): keys go to it from then.
  const escape = async (i) => {
    await source(i).press('Escape');
    await eventually(() => page.evaluate(() => document.activeElement?.classList.contains('nb-cell')), { what: 'command mode' });
  };
  await escape(1);
  await page.keyboard.press('a');
  await eventually(async () => (await cells().count()) === 3, { what: 'A inserted a cell' });
  assert.equal(await source(1).inputValue(), '', 'the new cell is above the one selected');
  await escape(1);
  await page.keyboard.press('b');
  await eventually(async () => (await cells().count()) === 4, { what: 'B inserted a cell' });
  await eventually(async () => (await focusedCell()) === 2, { what: 'the new cell below focused' });
  await escape(2);
  await page.keyboard.press('d');
  await page.keyboard.press('d');
  await eventually(async () => (await cells().count()) === 3, { what: 'DD deleted the cell' });
  await cells().nth(1).locator('.nb-gutter').click();
  await page.keyboard.press('m');
  assert.equal(await cells().nth(1).getByLabel('Cell type').inputValue(), 'markdown');
  await cells().nth(1).locator('.nb-gutter').click();
  await page.keyboard.press('y');
  assert.equal(await cells().nth(1).getByLabel('Cell type').inputValue(), 'code');
  await page.keyboard.press('ArrowUp');
  await eventually(async () => (await focusedCell()) === 0, { what: 'the cell above selected' });
});

test("objects' _repr_png_, _repr_svg_ and _repr_json_ are shown as Jupyter shows them, an SVG's script never running", async () => {
  await page.goto(`${server.url}/sandboxes/${sandbox.id}/notebook#apiKey=${encodeURIComponent(server.apiKey)}`);
  await source(0).waitFor();
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  await runCell(
    0,
    [
      'import base64',
      'class P:',
      `    def _repr_png_(self): return base64.b64decode("${png}")`,
      'class S:',
      `    def _repr_svg_(self): return '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><script>parent.document.title="svg-ran"</script><rect width="20" height="10" fill="red"/></svg>'`,
      'class J:',
      '    def _repr_json_(self): return {"k": [1, 2]}',
      'display(P()); display(S()); display(J())',
    ].join('\n'),
  );
  const out = cells().nth(0);
  const image = out.locator('img[alt="Figure"]');
  await image.waitFor();
  assert.equal(await image.getAttribute('src'), `data:image/png;base64,${png}`);
  assert.ok(await image.evaluate((i) => i.complete && i.naturalWidth === 1), 'the PNG decodes');
  const svg = out.locator('img[alt="SVG figure"]');
  await svg.waitFor();
  assert.ok(await svg.evaluate((i) => i.complete && i.naturalWidth === 20), 'the SVG draws');
  assert.notEqual(await page.title(), 'svg-ran', "an SVG output's script did not run");
  await out.locator('.nb-json .json-key', { hasText: 'k' }).waitFor();
  assert.equal(await out.locator('.nb-json .json-num').count(), 2);
});
