// A page that holds up (issue 11): garbage from the form, the URL and postMessage runs nothing
// and says why; Stop ends every mode with a stopped Report; a lesson switch during a run drops
// that run; focus and Enter; the link reproduces the run. Debian's Chromium; any console.error
// or pageerror fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, strictPage, engineReady, finished, servers } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

const S = (page) => page.evaluate(() => {
  const s = window.workerPoolPlaygroundTest.state;
  return { phase: s.phase, runId: s.runId, report: s.report && { scenario: s.report.scenario, variant: s.report.variant, ended: s.report.ended, params: s.report.params, tasks: s.report.tasks }, spec: s.spec?.id, message: s.message };
});

async function open(path = '/?scenario=fixed-pool', opts) {
  const p = await strictPage(browser, opts);
  await p.page.goto(srv.url(path));
  await engineReady(p.page);
  return p;
}

test('garbage typed in the form shows an error next to it and runs nothing', async () => {
  const { page, problems, context } = await open();
  for (const [field, text, want] of [
    ['tasks', '--5', /^tasks: expected a whole number from 1 to 1000000, got "--5"$/],
    ['tasks', '1e', /^tasks: expected a whole number from 1 to 1000000, got "1e"$/],
    ['tasks', '', /^tasks: expected a whole number from 1 to 1000000, got ""$/],
    ['tasks', '2.5', /^tasks: expected a whole number from 1 to 1000000, got "2.5"$/],
    ['tasks', '0', /^tasks: expected a whole number from 1 to 1000000, got 0$/],
    ['time_scale', '1e', /^time_scale: expected a number from 0.01 to 10000, got "1e"$/],
    ['tasks', 'x'.repeat(5000), /^tasks: expected a whole number from 1 to 1000000, got "x{40}…" \(5,000 characters\)$/],
  ]) {
    const before = await S(page);
    await page.fill(`#params [name=${field}]`, text);
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('param-error').textContent.length > 0);
    assert.match(await page.textContent('#param-error'), want, `${field}=${text.slice(0, 20)}`);
    assert.equal(await page.getAttribute(`#params [name=${field}]`, 'aria-invalid'), 'true');
    assert.equal(await page.inputValue(`#params [name=${field}]`), text, 'the text stays as typed');
    const now = await S(page);
    assert.equal(now.runId, before.runId, 'nothing ran');
    assert.equal(now.phase, 'idle');
    await page.click('#reset');
  }
  // Enter runs, after the same check.
  await page.fill('#params [name=tasks]', '-3');
  await page.press('#params [name=tasks]', 'Enter');
  await page.waitForFunction(() => document.getElementById('param-error').textContent.length > 0);
  assert.match(await page.textContent('#param-error'), /^tasks: expected a whole number from 1 to 1000000, got -3/);
  assert.equal(await page.getAttribute('#params [name=tasks]', 'aria-invalid'), 'true');
  assert.equal((await S(page)).report, null);
  assert.deepEqual(problems, []);
  await context.close();
});

test('garbage in the URL is shown, kept in the form, and nothing runs (even with run=1)', async () => {
  for (const [q, want, field] of [
    ['?scenario=fixed-pool&tasks=abc&run=1', /tasks: expected a whole number from 1 to 1000000, got "abc"/, 'tasks'],
    ['?scenario=fixed-pool&mode=evil&run=1', /mode: expected one of real, deterministic, got "evil"/, 'mode'],
    ['?scenario=fixed-pool&workload=%3Cb%3Ex&run=1', /workload: expected one of io, cpu, mixed, got "<b>x"/, 'workload'],
    ['?scenario=fixed-pool&tasks=--5&run=1', /tasks: expected a whole number from 1 to 1000000, got "--5"/, 'tasks'],
    ['?scenario=nope&run=1', /unknown scenario "nope"/, null],
    ['?scenario=fixed-pool&variant=evil&run=1', /fixed-pool has no variant "evil"/, null],
    ['?scenario=fixed-pool&wrokers=3&run=1', /wrokers: not a parameter of fixed-pool/, null],
    ['?scenario=fixed-pool&run=yes', /run: expected 1 or 0/, null],
  ]) {
    const { page, problems, context } = await strictPage(browser);
    await page.goto(srv.url(`/${q}`));
    await engineReady(page);
    await page.waitForTimeout(300);
    const s = await S(page);
    const msg = await page.textContent('#param-error');
    assert.match(msg, want, q);
    assert.ok(msg.length < 300, `short: ${msg.length}`);
    assert.equal(s.report, null, `${q}: nothing ran`);
    assert.notEqual(s.phase, 'running');
    assert.equal(await page.$$eval('b', (bs) => bs.length), 0, 'no markup from the URL');
    if (field) assert.equal(await page.getAttribute(`#params [name=${field}]`, 'aria-invalid'), 'true');
    assert.deepEqual(problems, [], q);
    await context.close();
  }
});

test('garbage from postMessage: a short error within a second, the widget unchanged, nothing runs', async () => {
  const { page, problems, context } = await strictPage(browser);
  const frame = await srv.course(page, '?scenario=db-pool');
  await page.waitForFunction(() => window.replies.some((r) => r.type === 'ready'), null, { timeout: 30000 });
  const cases = [
    ['no scenario', { type: 'run' }, /^scenario: expected a scenario id, got nothing/],
    ['params null', { type: 'run', scenario: 'fixed-pool', params: null }, /^params: expected an object, got null/],
    ['tasks NaN', { type: 'run', scenario: 'fixed-pool', params: { tasks: NaN } }, /^tasks: expected a whole number from 1 to 1000000, got NaN$/],
    ['tasks "10"', { type: 'run', scenario: 'fixed-pool', params: { tasks: '10' } }, /^tasks: expected a whole number from 1 to 1000000, got "10"$/],
    ['tasks 0', { type: 'run', scenario: 'fixed-pool', params: { tasks: 0 } }, /^tasks: expected a whole number from 1 to/],
    ['5 MB seed', 'BIG', /^seed: expected a whole number from 0 to 4294967295, got "x{40}…" \(5,000,000 characters\)$/],
    ['1,000 deep', 'DEEP1000', /^seed: expected a whole number from 0 to 4294967295, got an object$/],
    ['3,000 deep', 'DEEP', /^message: expected \{type: "run", …\}, got null \(or an object nested too deep to read\)$|^seed: expected a whole number from 0 to 4294967295, got an object$/],
    ['array params', { type: 'run', scenario: 'fixed-pool', params: [1, 2] }, /^params: expected an object, got an array/],
    ['unknown scenario', { type: 'run', scenario: 'nope' }, /^unknown scenario "nope"/],
    ['bad engine', { type: 'run', scenario: 'fixed-pool', engine: 'evil' }, /^engine: expected "rust" or "go"/],
    ['bad type', { type: 'evil' }, /^type: expected "run" or "stop"/],
  ];
  for (const [name, msg, want] of cases) {
    const replies = await page.evaluate(async (m) => {
      if (m === 'BIG') m = { type: 'run', scenario: 'fixed-pool', params: { seed: 'x'.repeat(5000000) } };
      if (m === 'DEEP' || m === 'DEEP1000') { let o = {}; for (let i = 0; i < (m === 'DEEP' ? 3000 : 1000); i++) o = { a: o }; m = { type: 'run', scenario: 'fixed-pool', params: { seed: o } }; }
      window.send(m);
      const t = performance.now();
      while (!window.replies.length && performance.now() - t < 3000) await new Promise((r) => setTimeout(r, 10));
      return window.replies.map((r) => ({ type: r.type, message: r.message, ms: r.at - (t - window.t0) }));
    }, msg);
    assert.equal(replies.length, 1, `${name}: one reply, got ${JSON.stringify(replies).slice(0, 200)}`);
    assert.equal(replies[0].type, 'error', name);
    assert.match(replies[0].message, want, name);
    assert.ok(replies[0].message.length < 300, `${name}: short message (${replies[0].message.length})`);
    assert.ok(replies[0].ms < 1000, `${name}: answered in ${replies[0].ms} ms`);
    assert.equal(await frame.inputValue('#scenario'), 'db-pool', `${name}: the picker did not move`);
    assert.equal(await frame.evaluate(() => window.workerPoolPlaygroundTest.state.report), null, `${name}: nothing ran`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a host-driven run updates the widget; the host can stop it; Stop reports "stopped"', async () => {
  const { page, problems, context } = await strictPage(browser);
  const frame = await srv.course(page, '?scenario=db-pool');
  await page.waitForFunction(() => window.replies.some((r) => r.type === 'ready'), null, { timeout: 30000 });
  await page.evaluate(() => window.send({ type: 'run', scenario: 'fixed-pool', params: { tasks: 30, sleep_max_ms: 100, time_scale: 20 } }));
  await page.waitForFunction(() => window.replies.some((r) => r.type === 'report' || r.type === 'error'), null, { timeout: 30000 });
  const replies = await page.evaluate(() => window.replies);
  assert.ok(replies.some((r) => r.type === 'progress'), 'progress while it runs');
  const { report } = replies.find((r) => r.type === 'report');
  assert.equal(report.tasks.successful, 30);
  assert.equal(await frame.inputValue('#scenario'), 'fixed-pool', 'the picker follows the host');
  assert.equal(await frame.inputValue('#params [name=tasks]'), '30', 'so does the form');
  assert.match(await frame.textContent('#status'), /^Done: fixed-pool \/ default \(started by the page around this widget\), ended completed/);
  assert.equal((await frame.textContent('#lesson')).replace(/(\d),(?=\d{3})/g, '$1'), report.lesson);
  // A long run, stopped by the host.
  await page.evaluate(() => window.send({ type: 'run', scenario: 'unlimited', params: { tasks: 2000, time_scale: 1 } }));
  await page.waitForFunction(() => window.replies.some((r) => r.type === 'progress'), null, { timeout: 30000 });
  const busy = await page.evaluate(async () => {
    const before = window.replies.length;
    document.querySelector('iframe').contentWindow.postMessage({ type: 'run', scenario: 'fixed-pool' }, '*');
    const t = performance.now();
    while (window.replies.length === before || window.replies.at(-1).type === 'progress') { if (performance.now() - t > 2000) break; await new Promise((r) => setTimeout(r, 10)); }
    return window.replies.filter((r) => r.type === 'error').map((r) => r.message);
  });
  assert.match(busy[0] ?? '', /in progress; send \{type: "stop"\} first/);
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'stop' }, '*'));
  await page.waitForFunction(() => window.replies.some((r) => r.type === 'report'), null, { timeout: 30000 });
  const stopped = (await page.evaluate(() => window.replies)).find((r) => r.type === 'report').report;
  assert.equal(stopped.ended, 'stopped');
  assert.match(await frame.textContent('#status'), /^Stopped: unlimited \/ default/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Stop ends every mode with ended "stopped": a run, a stepping run, side by side', async () => {
  const { page, problems, context } = await open('/?scenario=unlimited&tasks=3000&time_scale=1');
  // A run.
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.phase === 'running');
  await page.waitForFunction(() => /^Running/.test(document.getElementById('status').textContent));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'stop', 'focus moves to Stop');
  await page.click('#stop');
  let r = await finished(page);
  assert.equal(r.ended, 'stopped');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'run', 'focus back on Run');
  assert.match(await page.textContent('#status'), /^Stopped: unlimited \/ default/);
  // A stepping run.
  await page.click('#step');
  await page.waitForFunction(() => /^Step 0:/.test(document.getElementById('status').textContent));
  for (let i = 1; i <= 3; i++) {
    await page.click('#step');
    await page.waitForFunction((n) => document.getElementById('status').textContent.startsWith(`Step ${n}:`), i);
  }
  await page.click('#stop');
  r = await finished(page);
  assert.equal(r.ended, 'stopped');
  assert.ok(r.tasks.successful < 3000, `stopped early: ${r.tasks.successful} done`);
  // Side by side: Stop during A; B never starts.
  await page.selectOption('#params [name=mode]', 'real');
  await page.click('#compare');
  await page.waitForFunction(() => document.body.dataset.phase === 'side-by-side' && /^A: Running unlimited/.test(document.getElementById('status').textContent));
  await page.click('#stop');
  await page.waitForFunction(() => document.body.dataset.phase === 'done');
  const pair = await page.evaluate(() => window.workerPoolPlaygroundTest.state.pair);
  assert.equal(pair.a.ended, 'stopped');
  assert.equal(pair.b, null);
  assert.match(await page.textContent('#status'), /Stopped during A .*B was not run/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('switching the lesson during a run stops it and shows nothing of it under the new title', async () => {
  const { page, problems, context } = await open('/?scenario=unlimited&tasks=3000&time_scale=1');
  await page.click('#run');
  await page.waitForFunction(() => /^Running/.test(document.getElementById('status').textContent));
  await page.selectOption('#scenario', 'db-pool');
  await page.waitForFunction(() => document.body.dataset.phase === 'idle');
  await page.waitForTimeout(500); // the stopped run's late Report must not be drawn
  const s = await S(page);
  assert.equal(s.spec, 'db-pool');
  assert.equal(s.report, null);
  assert.match(await page.textContent('#status'), /^Stopped the run of unlimited \/ default to show this lesson/);
  assert.equal(await page.textContent('#lesson'), await page.evaluate(() => window.workerPoolPlaygroundTest.state.spec.shows));
  assert.equal(await page.$$eval('#figures dd', (d) => d.length), 0, 'no figures of the old run');
  // The engine is free again.
  await page.fill('#params [name=time_scale]', '20');
  await page.click('#run');
  const r = await finished(page);
  assert.equal(r.scenario, 'db-pool');
  assert.equal(r.ended, 'completed');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Enter in a field runs; "Copy link" carries run=1 and the link reproduces the run', async () => {
  const { page, problems, context } = await open('/?scenario=context-pool&variant=close');
  await page.selectOption('#params [name=mode]', 'deterministic');
  await page.fill('#params [name=seed]', '42');
  await page.fill('#params [name=tasks]', '25');
  await page.press('#params [name=tasks]', 'Enter');
  const r1 = await finished(page);
  assert.equal(r1.params.seed, 42);
  await page.click('summary:has-text("Share and export")');
  await page.click('#copy-link');
  await page.waitForSelector('#share-note[data-copied]');
  const link = await page.getAttribute('#share-note', 'data-copied');
  assert.match(link, /[?&]run=1(&|$)/);
  assert.match(link, /seed=42/);
  assert.deepEqual(problems, []);
  await context.close();
  const again = await strictPage(browser);
  await again.page.goto(link);
  const r2 = await finished(again.page);
  const strip = (r) => JSON.stringify({ ...r, wall_ms: 0, heap_peak_bytes: 0, total_alloc_bytes: 0, throughput_per_s: 0, series: { ...r.series, heap_bytes: [] } });
  assert.equal(r2.params.seed, 42);
  assert.equal(strip(r2), strip(r1), 'the same deterministic Report');
  assert.deepEqual(again.problems, []);
  await again.context.close();
});
