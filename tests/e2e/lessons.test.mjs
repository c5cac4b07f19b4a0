// One screen per lesson (issue 10, review R10, R21 and its nitpicks), through the real page: the
// first screen draws both runs' shapes, the Go comparison leads with the lesson's own measure,
// and nothing beside the picture says a thing twice or in a form that reads as a misprint.
// Debian's Chromium; any console.error fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { launch, openPage, finished, screenshot, servers } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

const open = (path, opts) => openPage(browser, srv, path, opts);

// R10: the first screen put A's 1,001 goroutines (about a second) on a shared 100,000 ms axis
// with B's pool: a hairline at x≈0, only B's flat 8 visible.
test('the first screen draws both runs across the chart, on an axis that says what it is', async () => {
  const { page, problems, context } = await open('/', { viewport: { width: 1280, height: 800 } });
  await page.waitForFunction(() => document.body.dataset.phase === 'done', null, { timeout: 60000 });
  await page.waitForTimeout(200);
  const drawn = await page.evaluate(() => {
    const { state } = window.workerPoolPlaygroundTest;
    const c = window.workerPoolPlaygroundTest.pictures().lesson;
    const [x, a, b] = c.u.data;
    const span = (ys) => { const xs = x.filter((_, i) => ys[i] != null); return [Math.min(...xs), Math.max(...xs)]; };
    return { xLabel: c.xLabel, xMax: c.u.scales.x.max, a: span(a), b: span(b), aPeak: Math.max(...a.filter((v) => v != null)), ends: [state.pair.a.runtime_ms, state.pair.b.runtime_ms], title: document.getElementById('picture-title').textContent };
  });
  assert.ok(drawn.ends[1] > 10 * drawn.ends[0], `the first screen's runs differ in length: ${drawn.ends}`);
  // Each run's time as a share of its own length: both cover the chart, and the axis says so,
  // with each run's own length in ms.
  assert.equal(drawn.xLabel, "time, % of each run's own length");
  // To 105 %: a pair's axes run 5 % past its end as a single run's do (review, session 20).
  assert.ok(drawn.xMax >= 104 && drawn.xMax <= 106, `x to 105 %: ${drawn.xMax}`);
  for (const [k, [lo, hi]] of Object.entries({ a: drawn.a, b: drawn.b })) assert.ok(lo <= 1 && hi >= 99, `${k} spans the axis: ${lo}–${hi}`);
  assert.ok(drawn.aPeak >= 900, `A's peak drawn: ${drawn.aPeak}`);
  assert.match(drawn.title, /each on its own run's time \(A: [\d,]+ ms, B: [\d,]+ ms\)$/);
  assert.match(await page.textContent('#section'), /^Side by side, each on its own run's time$/);
  assert.deepEqual(problems, []);
  await context.close();
});

// R21: the Go comparison compared peaks and heap only, never the lesson's own measure.
test('Run in real Go too leads with the lesson\'s own measure, read from Go\'s Report', { skip: !existsSync('dist/go/playground.wasm') && 'no Go build in dist/' }, async () => {
  const { page, problems, context } = await open('/?scenario=deadlock-unbuffered&variant=blocked-workers', { viewport: { width: 1280, height: 800 } });
  await page.click('#run-go');
  await page.waitForFunction(() => document.body.dataset.phase === 'done' && window.workerPoolPlaygroundTest.state.pair?.b, null, { timeout: 120000 });
  const { a, b } = await page.evaluate(() => window.workerPoolPlaygroundTest.state.pair);
  assert.equal(b.engine, 'go');
  const ms = (v) => `${Math.round(v).toLocaleString('en-US')} ms`;
  const sentence = await page.textContent('#lesson');
  assert.ok(sentence.startsWith(`The lesson's measures: workers blocked on results, in total ${ms(a.numbers.blocked_ms)} here and ${ms(b.numbers.blocked_ms)} in Go; `
    + `workers blocked while main slept ${a.numbers.workers_blocked_at_read} here and ${b.numbers.workers_blocked_at_read} in Go. `), sentence);
  // The headline's pair items are the lesson's too: one per measure, A's value and Go's beside it.
  const heads = await page.$$eval('#headline > div', (ds) => ds.map((d) => [d.querySelector('dt').textContent, ...[...d.querySelectorAll('.pair-v .run-label')].map((x) => x.textContent.trim())]));
  assert.deepEqual(heads, [['workers blocked on results, in total', 'A', 'B'], ['workers blocked while main slept', 'A', 'B'], ['jobs left queued', 'A', 'B']]);
  await screenshot(page, 'go-beside-blocked-workers', { fullPage: false });
  assert.deepEqual(problems, []);
  await context.close();
});

// The review's nitpicks about the page.
test('a link that gives a parameter twice, or a build the page does not have, is an error; nothing runs', async () => {
  for (const [query, want] of [
    ['?scenario=fixed-pool&tasks=10&tasks=20&run=1', /tasks: given twice in the link \("10", "20"\); give it once/],
    ['?scenario=fixed-pool&build=evil&run=1', /build: expected single, got "evil"/],
  ]) {
    const { page, problems, context } = await open(`/${query}`);
    await page.waitForFunction(() => document.getElementById('param-error').textContent !== '');
    assert.match(await page.textContent('#param-error'), want, query);
    await page.waitForTimeout(300);
    const st = await page.evaluate(() => ({ phase: document.body.dataset.phase, report: window.workerPoolPlaygroundTest.state.report }));
    assert.equal(st.report, null, `${query}: nothing ran`);
    assert.equal(st.phase, 'idle', query);
    page.removeAllListeners('console');
    assert.deepEqual(problems.filter((p) => !/given twice|expected single/.test(p)), []);
    await context.close();
  }
});

test('nothing said twice or as a misprint: "panic: panic:", "(this run) (this run", 114037 ms, 1878.15 MB, "shaded" beside a dotted line, 1 B ticks', async () => {
  const { page, problems, context } = await open('/?scenario=send-on-closed&variant=wrong&run=1');
  await finished(page);
  const findings = await page.textContent('#findings');
  assert.match(findings, /panic: send on closed channel/);
  assert.doesNotMatch(findings, /panic: panic:/);
  // The heap chart's y axis never tops below a kilobyte, so every tick is whole bytes: an empty
  // (all-zero) series had ticks "1 B, 1 B, 0 B".
  const top = await page.evaluate(async () => {
    const h = window.workerPoolPlaygroundTest.pictures().heap;
    h.setData([0, 1], [[0, 0]]);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // uPlot redraws after
    return h.u.scales.y.max;
  });
  assert.ok(top >= 1024, `an empty heap chart tops at ${top} B`);
  const fmt = await page.evaluate(async () => { const f = await import('/format.js'); return [f.bytes(1878.15 * 1024 * 1024), f.bytes(3.5 * 1024 * 1024)]; });
  assert.deepEqual(fmt, ['1.83 GB', '3.50 MB']);

  await page.goto(srv.url('/?scenario=control-comparison&tasks=50&run=1'));
  await finished(page);
  const heads = await page.$$eval('#tables h3', (h) => h.map((x) => x.textContent));
  assert.ok(heads.includes('Control comparison (this run: control-comparison / default)'), heads.join(' | '));
  assert.ok(heads.every((h) => !/\(this run\) \(this run/.test(h)), heads.join(' | '));

  // A run of 20,000 ms and more: its sentence groups the digits, as the figures do.
  await page.goto(srv.url('/?scenario=fixed-pool&tasks=200&time_scale=400&run=1'));
  const r = await finished(page, 120000);
  assert.ok(r.runtime_ms >= 10000, `a long run: ${r.runtime_ms}`);
  const details = await page.textContent('#lesson-details');
  assert.ok(details.includes(`${Math.round(r.runtime_ms).toLocaleString('en-US')} ms of runtime`), details);
  assert.doesNotMatch(details, /(?<![\d.,])\d{4,}/);
  assert.doesNotMatch(await page.textContent('#lesson'), /(?<![\d.,])\d{4,}/);

  // rate-limit: the limit + burst line is dotted; "shaded" only where the run went over it.
  await page.goto(srv.url('/?scenario=rate-limit&variant=token-bucket&time_scale=20&run=1'));
  const t = await finished(page);
  await page.waitForTimeout(100);
  const legend = await page.textContent('#picture-legend');
  const over = Math.max(...t.series.gauges.starts_per_s) > t.params.rate_per_s + t.params.burst;
  assert.match(legend, /dotted line: limit \+ burst: 25 in one second/);
  assert.match(legend, over ? /shaded above it: over the limit/ : /this run never went above it/);
  assert.deepEqual(problems, []);
  await context.close();
});

// Review F5 (session 15): samples were joined by straight lines, so a sparse run's goroutines,
// 1 → 6 → 1, were drawn as a triangle of counts that never existed. A count holds its value
// until the next sample: the line steps. Read from the canvas, halfway up the first rise.
test('charts draw counts as steps, not ramps between samples', async () => {
  const { page, problems, context } = await open('/?scenario=fixed-pool');
  const px = await page.evaluate(async () => {
    const { TimeChart } = await import('./render/chart.js');
    const host = document.createElement('div');
    host.style.width = '400px';
    document.body.append(host);
    const c = new TimeChart(host, { height: 200 });
    c.ensure([{ label: 'goroutines', color: '#000000' }]);
    c.setData([0, 10, 20], [[1, 6, 1]]);
    for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
    const u = c.u;
    // How dark the line is around a point (the series is black; grid lines are light grey).
    const ink = (x, y) => {
      const [cx, cy] = [Math.round(u.valToPos(x, 'x', true)), Math.round(u.valToPos(y, 'y', true))];
      const d = u.ctx.getImageData(cx - 1, cy - 1, 3, 3).data;
      let a = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 100 && d[i + 1] < 100 && d[i + 2] < 100) a = Math.max(a, d[i + 3]);
      return a;
    };
    // Off the grid lines: a third of the way along the first rise, as a ramp would draw it.
    const out = { ramp: ink(10 / 3, 1 + 5 / 3), flat: ink(10 / 3, 1), top: ink(50 / 3, 6) };
    host.remove();
    return out;
  });
  assert.ok(px.flat > 0 && px.top > 0, `the steps are drawn: ${JSON.stringify(px)}`);
  assert.equal(px.ramp, 0, `nothing between the samples' values: ${JSON.stringify(px)}`);
  await context.close();
  assert.deepEqual(problems, []);
});

// Review F1 (session 15): a shared link's run is the first on a fresh page, and V8 compiles each
// wasm function when it is first called; those milliseconds, times the time scale (10 here), were
// the program's time: guide-timing's first send came at 28–76 ms, its close at 142–192 ms, not
// the guide's 0 and 100. The engine now warms its code up before the first run; the runtime's
// clock begins when main first runs.
test('the first run on a fresh page starts at once', async () => {
  const { page, problems, context } = await open('/?scenario=send-on-closed&variant=guide-timing&run=1');
  const r = await finished(page, 120000);
  const first = Math.min(...r.marks.filter((m) => m.kind === 'send').map((m) => m.t_ms));
  assert.ok(first < 15, `first send at ${first} ms of runtime (×${r.params.time_scale})`);
  await context.close();
  assert.deepEqual(problems, []);
});

// Review F6 (session 15): blocked-workers' goroutine chart drew "blocked" at 3 (main's sleep
// counted) beside the headline's "workers blocked while main slept 2". Its picture is now the
// workers blocked on their send, against the pool, and the jobs left queued: the same numbers.
test('blocked-workers draws the workers blocked on the send: the headline\'s number', async () => {
  const { page, problems, context } = await open('/?scenario=deadlock-unbuffered&variant=blocked-workers&run=1', { viewport: { width: 1280, height: 800 } });
  const r = await finished(page, 120000);
  await page.waitForTimeout(300);
  const seen = await page.evaluate(() => {
    const c = window.workerPoolPlaygroundTest.pictures().lesson;
    const peak = (ys) => Math.max(...ys.filter((v) => v != null));
    return {
      title: document.getElementById('picture-title').textContent,
      series: c.u.series.slice(1).map((s) => s.label),
      peaks: c.u.data.slice(1).map(peak),
      heads: [...document.querySelectorAll('#headline dt')].map((d) => [d.textContent, d.nextElementSibling?.textContent]),
    };
  });
  assert.equal(seen.title, 'Workers blocked on the results channel, and jobs left queued');
  const blocked = seen.series.indexOf('workers blocked sending a result');
  assert.ok(blocked >= 0, `drawn: ${seen.series}`);
  assert.equal(seen.peaks[blocked], r.numbers.workers_blocked_at_read);
  const head = seen.heads.find(([k]) => k === 'workers blocked while main slept');
  assert.equal(head?.[1], String(r.numbers.workers_blocked_at_read), JSON.stringify(seen.heads));
  await screenshot(page, 'blocked-workers-1280', { fullPage: false });
  assert.deepEqual(problems, []);
  await context.close();
});

// Review F9: many-senders had no sends-and-close picture, and the lesson ("a closer waited for
// all of them") was only claimed.
test('many-senders draws every send and the closer\'s close after them', async () => {
  const { page, problems, context } = await open('/?scenario=send-on-closed&variant=many-senders&run=1', { viewport: { width: 1280, height: 800 } });
  const r = await finished(page, 120000);
  await page.waitForTimeout(300);
  const seen = await page.evaluate(() => {
    const svg = document.querySelector('#picture-svg svg.sequence');
    return {
      title: document.getElementById('picture-title').textContent,
      sends: [...(svg?.querySelectorAll('line[stroke="#0072B2"]') ?? [])].map((l) => Number(l.getAttribute('x1'))),
      closes: [...(svg?.querySelectorAll('rect') ?? [])].map((c) => Number(c.getAttribute('x')) + 2),
    };
  });
  assert.equal(seen.title, 'The sends and the close, on one time line');
  assert.equal(seen.sends.length, r.params.senders * r.params.tasks);
  assert.equal(seen.closes.length, 1);
  assert.ok(seen.sends.every((x) => x <= seen.closes[0] + 0.01), JSON.stringify(seen));
  await screenshot(page, 'many-senders-1280', { fullPage: false });
  assert.deepEqual(problems, []);
  await context.close();
});

// Review F9: at 390×844 guide-timing's labels ran into one another ("trial 1: jobs <- 0 <- 999
// (second sender)"). No two texts of the time line may overlap.
test('guide-timing\'s time line is readable at 390 px: no label over another', async () => {
  const { page, problems, context } = await open('/?scenario=send-on-closed&variant=guide-timing&run=1', { viewport: { width: 390, height: 844 } });
  await finished(page, 120000);
  await page.waitForTimeout(300);
  const boxes = await page.evaluate(() => [...document.querySelectorAll('#picture-svg svg.sequence text')].map((t) => {
    const b = t.getBoundingClientRect();
    return { text: t.textContent, l: b.left, r: b.right, t: b.top, b: b.bottom };
  }));
  assert.ok(boxes.filter((b) => /^(jobs <- )?\d+/.test(b.text)).length >= 5, `send labels: ${JSON.stringify(boxes.map((b) => b.text))}`);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [p, q] = [boxes[i], boxes[j]];
      if (p.l < q.r && q.l < p.r && p.t < q.b && q.t < p.b) overlaps.push(`${p.text} × ${q.text}`);
    }
  }
  assert.deepEqual(overlaps, []);
  await page.locator('#picture-svg').screenshot({ path: 'test-results/guide-timing-390.png' });
  assert.deepEqual(problems, []);
  await context.close();
});
