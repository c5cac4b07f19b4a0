// One run, one truth (issue 10), as the independent review of session 16 found it: the form says
// whose settings it holds beside a pair (F11); the Go comparison says what each memory and time
// figure measures (F12); a real-time outcome that varies says so (N8); a pair writes "no cancel"
// where a run has none by design (N5). Debian's Chromium; any console.error fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, finished, servers } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

const open = (path, opts) => openPage(browser, srv, path, opts);
const pairDone = (page) => page.waitForFunction(() => document.body.dataset.phase === 'done' && window.workerPoolPlaygroundTest.state.pair?.b, null, { timeout: 180000 });

// F11: the first screen ran B (fixed-pool) at time scale 50 and the form showed A's settings
// (unlimited, time scale 10) as if they were the page's.
test('beside a pair, the form says whose settings it holds and lists the other run\'s', async () => {
  const { page, problems, context } = await open('/', { viewport: { width: 1280, height: 800 } });
  await pairDone(page);
  const pair = await page.evaluate(() => window.workerPoolPlaygroundTest.state.pair);
  assert.notEqual(pair.a.params.time_scale, pair.b.params.time_scale, 'the first screen runs A and B at different time scales');
  const note = () => page.$eval('#form-note', (n) => ({ hidden: n.hidden, holds: n.dataset.holds, text: n.textContent }));
  let n = await note();
  assert.equal(n.hidden, false);
  assert.equal(n.holds, 'A');
  assert.match(n.text, /form holds A’s settings/);
  assert.ok(n.text.includes(`B ran fixed-pool / ${pair.b.variant}`) && n.text.includes(`time_scale ${pair.b.params.time_scale} (A: ${pair.a.params.time_scale})`), n.text);
  // The form's own fields are A's: time scale and mode as A ran them.
  assert.equal(await page.inputValue('#params [name=time_scale]'), String(pair.a.params.time_scale));
  // Changed, it matches neither run, and says so.
  await page.fill('#params [name=tasks]', '999');
  n = await note();
  assert.equal(n.holds, 'neither');
  assert.match(n.text, /neither run’s settings/);
  await page.fill('#params [name=tasks]', String(pair.a.params.tasks));
  assert.equal((await note()).holds, 'A');
  assert.deepEqual(problems, []);
  await context.close();
});

// N8: context-pool / guide-cancel ended completed in 1 of 12 real-time runs, and nothing on the
// page said a real-time outcome may vary; a deterministic run says nothing of the kind.
test('a real-time run says beside its verdict that its outcome can vary; a deterministic one does not', async () => {
  const { page, problems, context } = await open('/?scenario=context-pool&variant=guide-cancel&mode=real&run=1', { viewport: { width: 1280, height: 800 } });
  await finished(page);
  const note = () => page.$eval('#mode-note', (n) => ({ hidden: n.hidden, text: n.textContent }));
  let n = await note();
  assert.equal(n.hidden, false);
  assert.equal(n.text, 'Real time: the outcome and counts can vary run to run; mode “deterministic” replays a run exactly.');
  await page.selectOption('#params [name=mode]', 'deterministic');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.phase === 'done' && window.workerPoolPlaygroundTest.state.report?.params.mode === 'deterministic', null, { timeout: 60000 });
  n = await note();
  assert.equal(n.hidden, true, n.text);
  assert.deepEqual(problems, []);
  await context.close();
});
