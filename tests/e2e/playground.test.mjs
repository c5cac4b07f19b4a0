// The playground end to end: every scenario through the real page, embedding, share links,
// responsiveness and the memory budget. Debian's Chromium; any console.error fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../scripts/serve.mjs';
import { launch, strictPage, engineReady, screenshot } from './browser.mjs';

let browser, isolated, plain, host;
const url = (s, path = '/') => `http://localhost:${s.address().port}${path}`;

before(async () => {
  browser = await launch();
  isolated = await serve({ root: 'dist', port: 0, isolation: true });
  plain = await serve({ root: 'dist', port: 0, isolation: false });
  // A course page: not cross-origin isolated, another origin (port), embedding the widget.
  const dir = await mkdtemp(join(tmpdir(), 'wpp-host-'));
  await writeFile(join(dir, 'host.js'), `
    window.messages = [];
    window.addEventListener('message', (e) => {
      if (e.data?.source !== 'worker-pool-playground') return;
      window.messages.push(e.data);
      if (e.data.type === 'ready') {
        document.querySelector('iframe').contentWindow.postMessage(
          { type: 'run', scenario: 'fixed-pool', params: { tasks: 30, sleep_max_ms: 100, time_scale: 20 } }, '*');
      }
    });`);
  await writeFile(join(dir, 'index.html'), `<!doctype html><title>Course page</title><link rel="icon" href="data:,"><h1>Lesson 4: worker pools</h1>
    <script src="host.js"></script>
    <iframe src="${url(plain, '/embed.html?scenario=fixed-pool&coi=0')}" width="1000" height="700"></iframe>`);
  host = await serve({ root: dir, port: 0, isolation: false });
});
after(async () => { await browser?.close(); for (const s of [isolated, plain, host]) s?.close(); });

// Small parameters so every scenario runs in a second or two.
const RUNS = [
  ['unlimited', 'default', { tasks: 300, time_scale: 20 }],
  ['fixed-pool', 'default', { tasks: 60, sleep_max_ms: 200, time_scale: 20 }],
  ['context-pool', 'close', { time_scale: 20 }],
  ['context-pool', 'cancel', { tasks: 30, time_scale: 20 }],
  ['db-pool', 'pool', { time_scale: 20 }],
  ['control-comparison', 'default', { tasks: 100 }],
  ['leak-unclosed-channel', 'wrong', {}],
  ['leak-unclosed-channel', 'right', {}],
  ['send-on-closed', 'wrong', {}],
  ['send-on-closed', 'many-senders', {}],
  ['deadlock-unbuffered', 'wrong', {}],
  ['deadlock-unbuffered', 'blocked-workers', { time_scale: 20 }],
  ['waitgroup-misuse', 'forgot-done', { time_scale: 20 }],
  ['waitgroup-misuse', 'right', { time_scale: 20 }],
  ['best-practices', 'default', { time_scale: 20 }],
  ['sizing-sweep', 'default', { tasks: 30, workers: 8, work_iterations: 200000, time_scale: 20 }],
];

const LESSON = {
  'unlimited/default': (r) => assert.ok(r.peak_goroutines >= 0.95 * 300, `peak ${r.peak_goroutines}`),
  'fixed-pool/default': (r) => assert.ok(r.peak_goroutines <= 5 + 3, `peak ${r.peak_goroutines}`),
  'context-pool/cancel': (r) => assert.ok(r.tasks.cancelled > 0 || r.tasks.submitted < 30),
  'db-pool/pool': (r) => assert.ok(r.series.gauges.find((g) => g.name === 'connections_in_use').values.every((v) => v <= 3)),
  'control-comparison/default': (r) => assert.equal(r.tables[0].rows.length, 5),
  'leak-unclosed-channel/wrong': (r) => assert.equal(r.findings.find((f) => f.kind === 'leak').goroutines.length, 5),
  'leak-unclosed-channel/right': (r) => assert.equal(r.goroutines_after, 0),
  'send-on-closed/wrong': (r) => assert.ok(r.findings.some((f) => f.message.includes('send on closed channel'))),
  'deadlock-unbuffered/wrong': (r) => {
    assert.equal(r.ended, 'deadlock');
    assert.equal(r.findings[0].message, 'fatal error: all goroutines are asleep - deadlock!');
  },
  'waitgroup-misuse/forgot-done': (r) => assert.ok(r.findings.some((f) => f.kind === 'hang')),
  'best-practices/default': (r) => assert.ok(r.checklist.every((c) => c.ok), JSON.stringify(r.checklist.filter((c) => !c.ok))),
};

test('every scenario runs through the page: report, charts, lesson, screenshot', async () => {
  const { page, problems, context } = await strictPage(browser, { viewport: { width: 1400, height: 1000 } });
  await page.goto(url(isolated));
  assert.equal((await engineReady(page)).build, 'threads');
  await page.waitForSelector('body[data-ready=true]');
  const list = await page.evaluate(() => window.workerPoolPlayground.scenarios());
  assert.deepEqual(list.map((s) => s.id), ['unlimited', 'fixed-pool', 'context-pool', 'db-pool', 'control-comparison',
    'leak-unclosed-channel', 'send-on-closed', 'deadlock-unbuffered', 'waitgroup-misuse', 'best-practices', 'sizing-sweep']);
  for (const [id, variant, params] of RUNS) {
    // Drive the real controls: pick the scenario and variant, fill the form, press Run.
    await page.selectOption('#scenario', id);
    await page.check(`input[name=variant][value="${variant}"]`);
    for (const [k, v] of Object.entries(params)) await page.fill(`#params [name=${k}]`, String(v));
    const before = await page.evaluate(() => window.workerPoolPlayground.charts.received);
    await page.click('#run');
    await page.waitForFunction((want) => document.body.dataset.lastReport === want && !document.getElementById('run').disabled,
      `${id}/${variant}`, { timeout: 60000 });
    const r = await page.evaluate(() => window.workerPoolPlayground.lastReport);
    const t = r.tasks;
    assert.equal(t.submitted, t.successful + t.failed + t.cancelled + t.timed_out, `${id}/${variant}: outcomes add up`);
    assert.ok(r.lesson.length > 40, `${id}/${variant}: a lesson`);
    assert.ok(r.series.t_ms.length > 1, `${id}/${variant}: a series`);
    LESSON[`${id}/${variant}`]?.(r);
    assert.ok(await page.evaluate((b) => window.workerPoolPlayground.charts.received > b, before), `${id}/${variant}: charts got data`);
    assert.equal(await page.textContent('#lesson'), r.lesson);
    await page.waitForTimeout(100); // a frame for the charts
    await screenshot(page, `scenario-${id}-${variant}`);
    console.log(`${id}/${variant}: ${r.ended}, wall ${r.wall_ms.toFixed(0)} ms, peak ${r.peak_goroutines} goroutines, heap ${(r.heap_peak_bytes / 1024).toFixed(0)} KB`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad parameters get a clear message, in the form and from the API', async () => {
  const { page, problems, context } = await strictPage(browser);
  await page.goto(url(isolated, '/?scenario=fixed-pool'));
  await engineReady(page);
  await page.waitForSelector('body[data-ready=true]');
  await page.fill('#params [name=tasks]', '-3');
  await page.click('#run');
  await page.waitForFunction(() => document.getElementById('param-error').textContent.length > 0);
  assert.match(await page.textContent('#param-error'), /^tasks: expected a whole number from 1 to 1000000, got -3/);
  const msgs = await page.evaluate(async () => {
    const p = window.workerPoolPlayground;
    const m = (x) => x.then(() => 'accepted', (e) => e.message);
    return [
      await m(p.run('nope', {})),
      await m(p.run('fixed-pool', { variant: 'nope' })),
      await m(p.run('fixed-pool', { workers: 0 })),
      await m(p.run('fixed-pool', { wrokers: 3 })),
      await m(p.run('fixed-pool', 'tasks=3')),
      await m(p.run('unlimited', { tasks: 1000000 })),
    ];
  });
  assert.match(msgs[0], /^unknown scenario "nope"/);
  assert.match(msgs[1], /^unknown variant "nope" of fixed-pool/);
  assert.match(msgs[2], /^workers: expected a whole number from 1 to 10000, got 0/);
  assert.match(msgs[3], /^wrokers: unknown parameter/);
  assert.match(msgs[4], /^params: expected an object/);
  // 1,000,000 goroutines alive at once: refused up front by the memory budget, not a crashed tab.
  assert.match(msgs[5], /^tasks: 1000000 goroutines alive at once need about \d+ MiB, more than this build's budget of 640 MiB/);
  const ok = await page.evaluate(() => window.workerPoolPlayground.run('leak-unclosed-channel', { variant: 'right' }));
  assert.equal(ok.ended, 'completed', 'the engine still works after the refusals');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a share link reproduces the same deterministic report', async () => {
  const link = '/?scenario=context-pool&variant=close&mode=deterministic&seed=42&tasks=25&run=1';
  const reports = [];
  for (let i = 0; i < 2; i++) {
    const { page, problems, context } = await strictPage(browser);
    await page.goto(url(isolated, link));
    await page.waitForFunction(() => document.body.dataset.lastReport === 'context-pool/close', null, { timeout: 60000 });
    const r = await page.evaluate(() => window.workerPoolPlayground.lastReport);
    assert.equal(r.params.seed, 42);
    assert.equal(r.params.mode, 'deterministic');
    delete r.wall_ms; delete r.heap_peak_bytes; delete r.total_alloc_bytes; delete r.series.heap_bytes;
    reports.push(JSON.stringify(r));
    assert.deepEqual(problems, []);
    await context.close();
  }
  assert.equal(reports[0], reports[1]);
});

test('Step advances a deterministic run one event at a time; Run finishes it', async () => {
  const { page, problems, context } = await strictPage(browser);
  await page.goto(url(isolated, '/?scenario=fixed-pool&tasks=10&seed=3'));
  await engineReady(page);
  await page.waitForSelector('body[data-ready=true]');
  await page.click('#step');
  await page.waitForFunction(() => /^Step 0:/.test(document.getElementById('status').textContent));
  for (let i = 1; i <= 5; i++) {
    await page.click('#step');
    await page.waitForFunction((n) => document.getElementById('status').textContent.startsWith(`Step ${n}:`), i);
  }
  assert.equal(await page.inputValue('#params [name=mode]'), 'deterministic');
  await page.click('#run'); // run on to the end
  await page.waitForFunction(() => document.body.dataset.lastReport === 'fixed-pool/default', null, { timeout: 60000 });
  const r = await page.evaluate(() => window.workerPoolPlayground.lastReport);
  assert.equal(r.params.mode, 'deterministic');
  assert.equal(r.tasks.successful, 10);
  assert.deepEqual(problems, []);
  await context.close();
});

test('embedded in a course page that is not isolated: single-threaded build, postMessage round trip', async () => {
  const { page, problems, context } = await strictPage(browser);
  await page.goto(url(host));
  await page.waitForFunction(() => window.messages.some((m) => m.type === 'report' || m.type === 'error'), null, { timeout: 60000 });
  const msgs = await page.evaluate(() => window.messages);
  const ready = msgs.find((m) => m.type === 'ready');
  assert.equal(ready.info.build, 'single');
  assert.equal(ready.info.crossOriginIsolated, false);
  assert.ok(msgs.some((m) => m.type === 'progress'), 'progress messages arrive while it runs');
  const { report } = msgs.find((m) => m.type === 'report');
  assert.equal(report.build, 'single');
  assert.equal(report.tasks.successful, 30);
  const frame = page.frames().find((f) => f.url().includes('embed.html'));
  assert.match(await frame.textContent('#build'), /Single-threaded build.*not cross-origin isolated.*Open the full version/s);
  await screenshot(page, 'embed-in-course-page');
  assert.deepEqual(problems, []);
  await context.close();
});

test('100,000 goroutines: the main thread never blocks over 50 ms and the charts keep updating', async () => {
  const { page, problems, context } = await strictPage(browser);
  await page.goto(url(isolated, '/?scenario=unlimited'));
  await engineReady(page);
  await page.waitForSelector('body[data-ready=true]');
  const result = await page.evaluate(async () => {
    const long = [];
    new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    const p = window.workerPoolPlayground;
    const c0 = p.charts.received;
    const updates = [];
    const r = await p.run('unlimited', { tasks: 100000, time_scale: 1 }, () => updates.push(performance.now()));
    await new Promise((ok) => setTimeout(ok, 200));
    return { long, updates: updates.length, received: p.charts.received - c0, peak: r.peak_goroutines, wall: r.wall_ms, heap: r.heap_peak_bytes };
  });
  console.log(`100k goroutines: peak ${result.peak}, wall ${result.wall.toFixed(0)} ms, heap ${(result.heap / 1048576).toFixed(1)} MB, ${result.updates} progress updates, long tasks: ${JSON.stringify(result.long)}`);
  // Goroutines with short sleeps finish while main is still spawning the rest.
  assert.ok(result.peak >= 80000, `peak ${result.peak}`);
  assert.ok(result.updates >= 3, 'progress while it ran');
  assert.ok(result.long.every((d) => d <= 50), `long tasks: ${result.long}`);
  assert.deepEqual(problems, []);
  await context.close();
});
