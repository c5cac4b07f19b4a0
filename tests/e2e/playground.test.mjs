// The playground end to end: every scenario through the real page (picture, number, sentence,
// all from the Report on screen), the API's refusals, exports that stand alone, and the main
// thread under 100,000 goroutines. Debian's Chromium; any console.error fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { installPngReader, launch, strictPage, engineReady, finished, instant, screenshot, servers, traceMainThread, calibrateMainThread } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

// Small parameters so every scenario runs in a second or two.
const RUNS = [
  ['unlimited', 'default', { tasks: 300, time_scale: 20 }],
  ['fixed-pool', 'default', { tasks: 60, sleep_max_ms: 200, time_scale: 20 }],
  ['context-pool', 'close', { time_scale: 20 }],
  ['context-pool', 'cancel', { tasks: 30, time_scale: 20 }],
  ['db-pool', 'pool', { time_scale: 20 }],
  ['db-pool', 'without-pool', { time_scale: 20 }],
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
  // The scenarios the issue "Every lesson proven" adds (run when this build's schema has them).
  ['backpressure', 'block', { time_scale: 20 }],
  ['backpressure', 'drop', { time_scale: 20 }],
  ['backpressure', 'unbounded', { time_scale: 20 }],
  ['rate-limit', 'token-bucket', { time_scale: 20 }],
  ['rate-limit', 'no-limit', { time_scale: 20 }],
];

const fmt = (v) => v.toLocaleString('en-US');

const max = (xs) => xs.reduce((m, v) => (v != null && v > m ? v : m), -Infinity);

/** A measure of Report.measures as the headline should write it (its unit from the Rust enum). */
const digits = (v, d) => v.toLocaleString('en-US', { maximumFractionDigits: d });
function measureShown({ value: v, of, unit }) {
  const kb = v >= 1024 * 1024 ? `${(v / 1024 / 1024).toFixed(2)} MB` : v >= 1024 ? `${(v / 1024).toFixed(1)} KB` : `${v.toFixed(0)} B`;
  const text = { count: digits(v, 0), ms: `${digits(v, v < 1 ? 2 : v < 10 ? 1 : 0)} ms`, instant: instant(v), bytes: kb, per_second: `${digits(v, 1)}/s`, times: `${digits(v, 1)}×` }[unit];
  return of == null ? text : `${text} of ${digits(of, 0)}`;
}

test('every scenario through the page: the picture, the number and the sentence come from the Report beside them', async () => {
  const { page, problems, context } = await strictPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(srv.url('/?scenario=fixed-pool'));
  assert.equal((await engineReady(page)).build, 'threads');
  const specs = await page.evaluate(() => window.workerPoolPlayground.scenarios());
  for (const [id, variant, params] of RUNS) {
    const spec = specs.find((s) => s.id === id);
    if (!spec?.variants.some((v) => v.id === variant)) { console.log(`${id}/${variant}: not in this build's schema`); continue; }
    // Drive the real controls: pick the lesson and version, fill the form, press Run.
    await page.selectOption('#scenario', id);
    await page.check(`input[name=variant][value="${variant}"]`);
    for (const [k, v] of Object.entries(params)) if (spec.params.some((p) => p.name === k)) await page.fill(`#params [name=${k}]`, String(v));
    await page.click('#run');
    const r = await finished(page);
    assert.ok(r, `${id}/${variant}: a Report (${await page.textContent('#param-error')})`);
    assert.equal(`${r.scenario}/${r.variant}`, `${id}/${variant}`);
    const t = r.tasks;
    // Dropped tasks were refused before submission: not among the submitted (NEWS 11:35). A run
    // that panicked, deadlocked or hung counts the tasks it never finished as unfinished, not
    // cancelled (review R18), so every run adds up. (send-on-closed counts sends, and the late
    // send sometimes completes unaccounted: reported to scenarios.)
    if (id !== 'send-on-closed') assert.equal(t.submitted, t.successful + t.failed + t.cancelled + t.timed_out + t.unfinished, `${id}/${variant}: outcomes add up to the submitted`);
    if (r.ended === 'deadlock') assert.deepEqual([t.cancelled, t.unfinished > 0], [0, true], `${id}/${variant}: the stuck tasks are unfinished, nothing cancelled them`);
    // …and the figures say so: dropped beside the submitted, not inside their breakdown.
    await page.waitForFunction((name) => document.getElementById('figures-h').textContent.endsWith(name), `${id} / ${variant}`);
    const figs = Object.fromEntries(await page.$$eval('#figures dl > div', (ds) => ds.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])));
    // A recovered panic counts as failed and is drawn as panicked: the figure names how many.
    const panicked = r.timeline.flatMap((row) => row.tasks).filter((x) => x.outcome === 'panicked').length;
    assert.equal(figs['tasks submitted: ok / failed / timed out / cancelled / unfinished'], `${fmt(t.submitted)}: ${[t.successful, t.failed, t.timed_out, t.cancelled, t.unfinished].map(fmt).join(' / ')}${panicked ? ` (${fmt(panicked)} of the failed panicked)` : ''}`, `${id}/${variant}: figures`);
    assert.equal(figs['tasks dropped (refused, never submitted)'], fmt(t.dropped ?? 0), `${id}/${variant}: dropped beside`);
    // The sentence and the title are this run's and this lesson's.
    // The Report's sentence, its long numbers grouped ("102,268 ms") as the figures beside it.
    const sentence = await page.textContent('#lesson');
    assert.equal(sentence.replace(/(\d),(?=\d{3})/g, '$1'), r.lesson);
    assert.doesNotMatch(sentence, /(?<![\d.,])\d{5,}/, `${id}/${variant}: a long number not grouped: ${sentence}`);
    // The rest of the story, folded below the picture: the Report's details, or nothing at all.
    const more = await page.$eval('#lesson-more', (d) => ({ hidden: d.hidden, text: d.querySelector('p').textContent }));
    assert.equal(more.hidden, !r.lesson_details, `${id}/${variant}: details shown only when there are some`);
    assert.equal(more.text.replace(/(\d),(?=\d{3})/g, '$1'), r.lesson_details);
    assert.doesNotMatch(more.text, /(?<![\d.,])\d{5,}/, `${id}/${variant}: a long number not grouped: ${more.text}`);
    // The findings the runtime words itself group their numbers too (review N1, session 22:
    // "within 2000 ms (at 2,010.0 ms)"); Go's own lines stay as Go prints them.
    const own = await page.$$eval('#findings .finding-hang code, #findings .finding-early_return code, #findings .finding-leak code', (cs) => cs.map((c) => c.textContent));
    for (const text of own) assert.doesNotMatch(text, /(?<![\d.,])\d{4,}/, `${id}/${variant}: a number not grouped in a finding: ${text}`);
    assert.equal(await page.textContent('#title'), spec.title);
    assert.match(await page.textContent('#status'), new RegExp(`^(Done|Stopped): ${id} / ${variant}`));
    await page.waitForTimeout(80); // a frame for the pictures
    const drawn = await page.evaluate(() => {
      const p = window.workerPoolPlaygroundTest.pictures();
      const chart = (c) => (c.u && !c.host.hidden ? { labels: c.u.series.slice(1).map((s) => s.label), colors: c.u.series.slice(1).map((s) => s.stroke?.()), data: c.u.data, limit: c.limit, over: c.over, marks: c.marks.map((m) => m.kind) } : null);
      return {
        lesson: chart(p.lesson), goroutines: chart(p.goroutines), heap: chart(p.heap),
        svg: !document.getElementById('picture-svg').hidden ? document.getElementById('picture-svg').textContent : null,
        title: document.getElementById('picture-title').textContent, headline: document.getElementById('headline').textContent,
      };
    });
    // No chart misses the peak the figures report: thinning keeps every bucket's extremes.
    const counts = drawn.lesson?.labels[0] === 'goroutines alive' ? drawn.lesson : drawn.goroutines;
    if (counts) {
      assert.equal(max(counts.data[1]), max(r.series.goroutines), `${id}/${variant}: goroutine chart peak`);
      assert.equal(max(counts.data[1]), r.peak_goroutines, `${id}/${variant}: the chart's peak is the figure's`);
    }
    assert.equal(r.series.goroutines[0], r.goroutines_before, `${id}/${variant}: the series starts at goroutines_before`);
    for (const c of [drawn.lesson, drawn.goroutines, drawn.heap].filter(Boolean)) {
      assert.equal(new Set(c.colors).size, c.colors.length, `${id}/${variant}: distinct colours ${c.colors}`);
      assert.ok(c.labels.every((l) => l && !/^Value/.test(l)), `${id}/${variant}: legend names what is drawn: ${c.labels}`);
    }
    // The headline leads with the lesson's own measures, as the Report names them (review R21:
    // context-pool/cancel led with "peak goroutines 5" while its lesson was the cancel's 886 ms).
    const heads = await page.$$eval('#headline > div', (ds) => ds.map((d) => [d.querySelector('dt').textContent, d.querySelector('dd').textContent]));
    assert.ok(r.measures?.length >= 1, `${id}/${variant}: the lesson names its measures`);
    assert.ok(heads.length <= 3, `${id}/${variant}: at most three numbers: ${heads}`);
    (r.measures ?? []).slice(0, 3).forEach((m, i) => assert.deepEqual(heads[i], [m.label, measureShown(m)], `${id}/${variant}: headline item ${i}`));
    if (`${id}/${variant}` === 'context-pool/cancel' && r.numbers.cancelled_at_ms != null) {
      assert.deepEqual(heads[0], ['Cancel at', instant(r.numbers.cancelled_at_ms)]);
      assert.ok(heads.some(([k, v]) => k === 'tasks that never produced a result' && v === `${fmt(t.cancelled)} of ${fmt(t.submitted)}`), heads);
    }
    if (`${id}/${variant}` === 'deadlock-unbuffered/blocked-workers') {
      assert.deepEqual(heads[0], ['workers blocked on results, in total', `${fmt(Math.round(r.numbers.blocked_ms))} ms`]);
    }
    // The lesson's own picture, from the Report's gauges, graph or marks.
    const g = r.series.gauges ?? {};
    if (id === 'fixed-pool') {
      // The pool's bound is the lesson (review N2): goroutines alive, against the bound and one
      // goroutine per task; the queue is not the picture.
      assert.equal(drawn.title, 'Goroutines alive over time, against one goroutine per task');
      assert.deepEqual(drawn.lesson.labels, ['goroutines alive']);
    } else if (g.connections_in_use) {
      assert.match(drawn.title, /Connections in use/);
      assert.equal(max(drawn.lesson.data[1]), max(g.connections_in_use), `${id}/${variant}: connections drawn`);
      assert.equal(drawn.lesson.limit.value, r.params.connections);
      assert.ok(drawn.headline.includes(`at most${max(g.connections_in_use)}`), drawn.headline);
    } else if (g.queue_depth) {
      assert.match(drawn.title, /queue/);
      assert.equal(max(drawn.lesson.data[1]), max(g.queue_depth));
      assert.equal(max(drawn.lesson.data[2]), max(g.in_flight), `${id}/${variant}: in flight drawn`);
      // The capacity line where the queue had it; none where the queue outgrew it (unbounded).
      if (max(g.queue_depth) > r.params.queue) assert.equal(drawn.lesson.limit, null, `${id}/${variant}: no capacity line under a queue of ${max(g.queue_depth)}`);
      else assert.equal(drawn.lesson.limit?.value, r.params.queue, `${id}/${variant}: the capacity line`);
      // Every drop is marked on the picture, and counted beside it.
      assert.equal(drawn.lesson.marks.filter((k) => k === 'drop').length, t.dropped, `${id}/${variant}: drops marked`);
      if (t.dropped) assert.ok(drawn.headline.includes(`tasks refused, queue full${fmt(t.dropped)} of ${fmt(t.submitted + t.dropped)}`), drawn.headline);
    } else if (g.starts_per_s) {
      // The rate held, against its limit; what went over the limit + burst is shaded.
      assert.match(drawn.title, /rate limit/);
      assert.equal(max(drawn.lesson.data[1]), max(g.starts_per_s));
      assert.equal(drawn.lesson.limit.value, r.params.rate_per_s);
      assert.equal(drawn.lesson.over.value, r.params.rate_per_s + r.params.burst);
      assert.ok(drawn.headline.includes(`starts over limit + burst${fmt(r.numbers.over_limit)}`), drawn.headline);
      if (variant === 'no-limit') assert.ok(max(g.starts_per_s) > drawn.lesson.over.value, `${id}/${variant}: over the limit: ${max(g.starts_per_s)}`);
    } else if (g.waitgroup_counter) {
      assert.match(drawn.title, /WaitGroup counter/);
      assert.equal(max(drawn.lesson.data[1]), max(g.waitgroup_counter));
    } else if (r.wait_graph?.nodes?.length) {
      assert.match(drawn.title, /wait-for graph/);
      // Every blocked goroutine is drawn, alone or in its group ("worker [chan send] ×2").
      for (const n of r.wait_graph.nodes.filter((x) => x.kind === 'goroutine')) assert.ok(drawn.svg.includes(n.label) || drawn.svg.includes(`${n.label.replace(/\s*#\d+/g, '')} ×`), `${n.label} drawn`);
    }
    if (id === 'sizing-sweep') {
      // Each size's CPU point carries its rounds' spread: one whisker per size (review R13).
      const sizes = Object.keys(r.numbers).filter((k) => /^cpu_tps_min_\d+$/.test(k)).length;
      assert.ok(sizes >= 2, `${sizes} sizes with a spread`);
      assert.equal(await page.locator('svg.sweep .sweep-whisker').count(), sizes);
      // What the threads could give, drawn beside what the run got (review F8).
      assert.equal(await page.locator('svg.sweep .sweep-ideal').count(), r.numbers.gomaxprocs >= 2 ? 1 : 0);
    }
    if (id === 'control-comparison') {
      // Review F7: each phase between its marks, named, with its own peak on a log axis, and
      // main's time alone named with the sentence's figure.
      assert.match(drawn.title, /each phase \(log scale\)/);
      assert.equal(await page.locator('svg.phases .phase-band').count(), 2);
      assert.equal(await page.locator('svg.phases .phase-mark').count(), 4);
      const peaks = await page.$$eval('svg.phases .phase-peak', (ts) => ts.map((x) => x.textContent));
      assert.deepEqual(peaks, [`peak ${fmt(r.numbers.unlimited_peak)}`, `peak ${fmt(r.numbers.pool_peak)}`]);
      const names = await page.$$eval('svg.phases .phase-name', (ts) => ts.map((x) => x.textContent));
      assert.deepEqual(names.map((x) => x.split(':')[0]), ['no pool', `pool of ${r.params.workers}`]);
      assert.ok(drawn.svg.includes(`main alone (${fmt(Math.round(r.numbers.main_alone_ms))} ms)`), drawn.svg);
    }
    if (r.checklist?.length) {
      const marks = await page.$$eval('#tables .ok-mark, #tables .bad-mark', (m) => m.map((x) => x.textContent));
      assert.equal(marks.length, r.checklist.length);
      assert.ok(marks.every((m) => /^(✓ holds|✗ broken) \d+$/.test(m)), marks.join());
    }
    await screenshot(page, `scenario-${id}-${variant}`, { fullPage: false });
    console.log(`${id}/${variant}: ${r.ended}, wall ${r.wall_ms.toFixed(0)} ms, peak ${r.peak_goroutines}, picture "${drawn.title}"`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('side by side for any two runs: keep one as A, run another, shared axes and two columns', async () => {
  const { page, problems, context } = await strictPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(srv.url('/?scenario=db-pool&variant=without-pool&time_scale=40&run=1'));
  const a = await finished(page);
  await page.click('#pin');
  assert.match(await page.textContent('#pin-note'), /^A is db-pool \/ without-pool/);
  // The same lesson, the other version, other parameters.
  await page.check('input[name=variant][value="pool"]');
  await page.fill('#params [name=connections]', '2');
  await page.click('#run');
  const b = await finished(page);
  assert.equal(b.variant, 'pool');
  assert.equal(b.params.connections, 2);
  const pair = await page.evaluate(() => window.workerPoolPlaygroundTest.state.pair);
  assert.equal(pair.a.variant, 'without-pool');
  assert.equal(pair.b.variant, 'pool');
  await page.waitForTimeout(100);
  const view = await page.evaluate(() => {
    const c = window.workerPoolPlaygroundTest.pictures().lesson;
    return { labels: c.u.series.slice(1).map((s) => s.label), xMax: c.u.scales.x.max, heads: [...document.querySelectorAll('#figures th[scope=col]')].map((t) => t.textContent) };
  });
  assert.deepEqual(view.labels, ['A: connections in use', 'B: connections in use', 'A: workers waiting for a connection', 'B: workers waiting for a connection']);
  assert.ok(view.xMax >= Math.max(a.runtime_ms, b.runtime_ms) * 0.99, `shared x axis: ${view.xMax}`);
  assert.deepEqual(view.heads, ['figure', 'A: db-pool / without-pool', 'B: db-pool / pool']);
  // The lesson's measure, each run's value (review F3: the pair had compared goroutine peaks).
  assert.match(await page.textContent('#lesson'), new RegExp(`^Connections in use, at most ${max(a.series.gauges.connections_in_use)} in A and ${max(b.series.gauges.connections_in_use)} in B`));
  await screenshot(page, 'side-by-side-db-pool-1280x800', { fullPage: false });
  // Forget A: the next run stands alone again.
  await page.click('#unpin');
  await page.click('#run');
  await finished(page);
  assert.equal(await page.evaluate(() => window.workerPoolPlaygroundTest.state.pair), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Export trace: the run on screen downloads as Chrome Trace Event Format (Perfetto, chrome://tracing)', async () => {
  const { page, problems, context } = await strictPage(browser);
  // A pool that closes its channels: threads, goroutines, each time one ran, and the closes.
  await page.goto(srv.url('/?scenario=fixed-pool&tasks=20&time_scale=40&run=1'));
  const r = await finished(page);
  await page.click('summary:has-text("Share and export")');
  assert.equal(await page.isDisabled('#export-trace'), false, 'offered for the run on screen');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-trace')]);
  assert.equal(download.suggestedFilename(), 'fixed-pool-default.trace.json');
  const trace = JSON.parse(await (await import('node:fs/promises')).readFile(await download.path(), 'utf8'));
  // The JSON Object Format of the Trace Event Format: {traceEvents: [...]}, each event with a
  // name, a phase, pid and tid; timestamps in microseconds.
  assert.ok(Array.isArray(trace.traceEvents) && trace.traceEvents.length > 10, 'traceEvents');
  const byPh = (ph) => trace.traceEvents.filter((e) => e.ph === ph);
  for (const e of trace.traceEvents) {
    assert.equal(typeof e.name, 'string', JSON.stringify(e));
    assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid), `pid/tid: ${JSON.stringify(e)}`);
    if (e.ph !== 'M') assert.ok(Number.isFinite(e.ts) && e.ts >= 0, `ts: ${JSON.stringify(e)}`);
  }
  // M: names for the processes and for every thread (runner threads and goroutines).
  const meta = byPh('M');
  assert.ok(meta.every((e) => ['thread_name', 'process_name', 'thread_sort_index', 'process_sort_index'].includes(e.name)), meta.map((e) => e.name).join());
  const threadNames = meta.filter((e) => e.name === 'thread_name');
  assert.ok(threadNames.length >= 2 && threadNames.every((e) => typeof e.args?.name === 'string'), 'thread names');
  assert.ok(threadNames.some((e) => /main/.test(e.args.name)), `main named: ${threadNames.map((e) => e.args.name)}`);
  // X: complete events, each time a goroutine ran, with a duration, within the run.
  const xs = byPh('X');
  assert.ok(xs.length >= r.peak_goroutines, `X events: ${xs.length}`);
  assert.ok(xs.every((e) => Number.isFinite(e.dur) && e.dur >= 0), 'durations');
  const endUs = Math.max(...xs.map((e) => e.ts + e.dur));
  assert.ok(endUs <= (r.runtime_ms + 1) * 1000, `inside the run: ${endUs} µs vs ${r.runtime_ms} ms`);
  // i: instants, for the closes this program makes, with a scope.
  const is = byPh('i');
  assert.ok(is.some((e) => /^close\(/.test(e.name)), `close instants: ${is.map((e) => e.name)}`);
  assert.ok(is.every((e) => ['g', 'p', 't'].includes(e.s ?? 't')), 'instant scopes');
  assert.match(await page.textContent('#share-note'), /^Trace of fixed-pool \/ default saved: open it in ui\.perfetto\.dev/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the code panels: every variant of the schema shows its Go and its Rust, each naming its file and line (dist/snippets.json)', async () => {
  const { readFileSync } = await import('node:fs');
  const all = JSON.parse(readFileSync('dist/snippets.json', 'utf8'));
  const { page, problems, context } = await strictPage(browser);
  await page.goto(srv.url('/?scenario=unlimited'));
  await engineReady(page);
  const specs = await page.evaluate(() => window.workerPoolPlayground.scenarios());
  let n = 0;
  for (const spec of specs) {
    await page.selectOption('#scenario', spec.id);
    for (const v of spec.variants) {
      await page.check(`input[name=variant][value="${v.id}"]`);
      await page.waitForFunction((k) => document.querySelector('.code').dataset.shown === k, `${spec.id}/${v.id}`);
      const shown = await page.evaluate(() => ({
        go: document.getElementById('code-go').textContent, rust: document.getElementById('code-rust').textContent,
        goH: document.getElementById('code-go-h').textContent, rustH: document.getElementById('code-rust-h').textContent,
        vet: document.getElementById('code-vet').hidden ? null : document.getElementById('code-vet-words').textContent,
      }));
      const want = all[spec.id][v.id];
      assert.ok(shown.go.trim() && shown.rust.trim(), `${spec.id}/${v.id}: both panels have code`);
      assert.equal(shown.go, want.go.code, `${spec.id}/${v.id}: the Go excerpt`);
      assert.equal(shown.rust, want.rust.code, `${spec.id}/${v.id}: the Rust excerpt`);
      assert.match(shown.goH, /— go\/[\w/]+\.go, line \d+$/, `${spec.id}/${v.id}: ${shown.goH}`);
      assert.match(shown.rustH, /— src\/[\w/]+\.rs, line \d+$/, `${spec.id}/${v.id}: ${shown.rustH}`);
      assert.ok(shown.goH.endsWith(`${want.go.file}, line ${want.go.line}`) && shown.rustH.endsWith(`${want.rust.file}, line ${want.rust.line}`));
      // Where the guide's own code fails go vet, vet's real words about it (and only there).
      if (want.go_vet) {
        assert.equal(shown.vet, want.go_vet.vet, `${spec.id}/${v.id}: go vet's words`);
        assert.match(shown.vet, /passes lock by value/);
      } else assert.equal(shown.vet, null, `${spec.id}/${v.id}: no vet box`);
      n++;
    }
  }
  console.log(`code panels: ${n} variants, each with Go and Rust from dist/snippets.json`);
  assert.ok(n >= 33, `${n} variants`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the wait-for graph live: drawn while the run goes (stepping a deadlock, a leak in real time), final at its end', async () => {
  const { page, problems, context } = await strictPage(browser, { viewport: { width: 1280, height: 800 } });
  const graph = () => page.evaluate(() => {
    const host = document.getElementById('picture-svg');
    return {
      phase: document.body.dataset.phase, shown: !host.hidden && Boolean(host.querySelector('svg.waitgraph')),
      caption: host.querySelector('.wg-caption')?.textContent ?? '', nodes: host.querySelectorAll('svg.waitgraph .wg-label').length,
      title: document.getElementById('picture-title').textContent,
    };
  });
  // Stepping the unbuffered deadlock: one event per step; the graph grows with the waits.
  await page.goto(srv.url('/?scenario=deadlock-unbuffered&variant=wrong'));
  await engineReady(page);
  await page.click('#step');
  await page.waitForFunction(() => /^Step 0:/.test(document.getElementById('status').textContent));
  let live = null;
  for (let i = 0; i < 200 && !live; i++) {
    await page.click('#step');
    await page.waitForFunction((n) => new RegExp(`^Step ${n}:`).test(document.getElementById('status').textContent), i + 1);
    await page.waitForTimeout(30);
    const g = await graph();
    if (g.shown && g.nodes >= 2) live = { ...g, step: i + 1 };
  }
  assert.ok(live, 'the graph appears while stepping');
  assert.equal(live.phase, 'stepping');
  assert.match(live.caption, /^Now, [\d.,]+ ms in: /, live.caption);
  assert.match(live.title, /wait-for graph/);
  await page.screenshot({ path: 'test-results/live-graph-stepping-deadlock.png' });
  // Run to the end: the final graph, taken at the deadlock, with its cycle.
  await page.click('#run');
  const r = await finished(page);
  assert.equal(r.ended, 'deadlock');
  await page.waitForFunction(() => /^At the deadlock/.test(document.querySelector('#picture-svg .wg-caption')?.textContent ?? ''));
  const fin = await graph();
  assert.match(fin.caption, /^At the deadlock, [\d.,]+ ms in: main waits to send on jobs, .* None of them can move first, so every goroutine sleeps: a deadlock\.$/, fin.caption);
  console.log(`live graph: first drawn at step ${live.step} (${live.nodes} nodes), final: ${fin.caption.slice(0, 80)}…`);

  // A leak in real time: main sleeps 500 ms while its workers wait on a channel nobody closes.
  await page.goto(srv.url('/?scenario=leak-unclosed-channel&variant=wrong'));
  await engineReady(page);
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.phase === 'running' && /^Now, /.test(document.querySelector('#picture-svg .wg-caption')?.textContent ?? ''), null, { timeout: 10000 });
  const during = await graph();
  assert.equal(during.phase, 'running');
  assert.ok(during.nodes >= 2, `live nodes: ${during.nodes}`);
  // Alive, main could still send or close: no leak drawn yet.
  assert.doesNotMatch(during.caption, /leak/, during.caption);
  const done = await finished(page);
  assert.equal(done.goroutines_after, 5);
  await page.waitForFunction(() => /^After main returned/.test(document.querySelector('#picture-svg .wg-caption')?.textContent ?? ''));
  assert.match((await graph()).caption, /^After main returned: worker \[chan receive\] ×5 waits to receive jobs.*a leak\.$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a field the chosen version does not read is not offered as if it mattered', async () => {
  const { page, problems, context } = await strictPage(browser);
  await page.goto(srv.url('/?scenario=deadlock-unbuffered&variant=wrong'));
  await engineReady(page);
  const field = () => page.evaluate(() => {
    const input = document.getElementById('param-queue');
    const note = document.getElementById('param-queue-unused');
    return { disabled: input.disabled, note: note.hidden ? null : note.textContent, visible: note.getBoundingClientRect().height > 0, described: input.getAttribute('aria-describedby') };
  });
  // wrong is unbuffered: its schema entry says it ignores `queue` (checked natively by
  // declared_ignored_params_change_nothing).
  let f = await field();
  assert.equal(f.disabled, true);
  assert.equal(f.note, 'Not used: this version does not read it.');
  assert.ok(f.visible, 'the note is on screen');
  assert.match(f.described, /param-queue-unused/);
  // small-buffer reads it: offered again.
  await page.check('input[name=variant][value="small-buffer"]');
  f = await field();
  assert.equal(f.disabled, false);
  assert.equal(f.note, null);
  assert.equal(await page.inputValue('#param-queue'), '3', 'its own default');
  // Back to wrong: a run sends no buffer, and its link names none.
  await page.check('input[name=variant][value="wrong"]');
  assert.equal((await field()).disabled, true);
  await page.click('#run');
  const r = await finished(page);
  assert.equal(r.ended, 'deadlock');
  await page.click('summary:has-text("Share and export")');
  await page.click('#copy-link');
  await page.waitForFunction(() => document.getElementById('share-note').dataset.copied);
  assert.doesNotMatch(await page.getAttribute('#share-note', 'data-copied'), /queue=/);
  // send-on-closed: one sender in wrong (senders and trials unused), many senders in
  // many-senders (trials unused), the guide's timing tried `trials` times (senders unused).
  await page.goto(srv.url('/?scenario=send-on-closed&variant=wrong'));
  await engineReady(page);
  const off = () => page.evaluate(() => ['senders', 'trials'].filter((n) => document.getElementById(`param-${n}`).disabled));
  assert.deepEqual(await off(), ['senders', 'trials']);
  await page.check('input[name=variant][value="many-senders"]');
  assert.deepEqual(await off(), ['trials']);
  await page.check('input[name=variant][value="guide-timing"]');
  assert.deepEqual(await off(), ['senders']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the API refuses bad calls with the core\'s messages and stays usable', async () => {
  const { page, problems, context } = await strictPage(browser);
  await page.goto(srv.url('/?scenario=fixed-pool'));
  await engineReady(page);
  const msgs = await page.evaluate(async () => {
    const p = window.workerPoolPlayground;
    const m = (x) => x.then(() => 'accepted', (e) => e.message);
    return [
      await m(p.run('nope', {})),
      await m(p.run('fixed-pool', { variant: 'nope' })),
      await m(p.run('fixed-pool', { workers: 0 })),
      await m(p.run('fixed-pool', { wrokers: 3 })),
      await m(p.run('fixed-pool', 'tasks=3')),
      await m(p.run('waitgroup-misuse', { tasks: 1000000 })),
      await m(p.run('fixed-pool', { tasks: '10' })),
      await m(p.run(42)),
    ];
  });
  assert.match(msgs[0], /^unknown scenario "nope"/);
  assert.match(msgs[1], /^unknown variant "nope" of fixed-pool/);
  assert.match(msgs[2], /^workers: expected a whole number from 1 to 10000, got 0/);
  assert.match(msgs[3], /^wrokers: unknown parameter/);
  assert.match(msgs[4], /^params: expected an object/);
  // Over the memory budget measured per goroutine: refused up front, not a crashed tab.
  assert.match(msgs[5], /^tasks: 1000000 tasks with these settings need about \d+ MiB \(measured, with a 1.5× margin\), more than this build's budget of \d+ MiB/);
  assert.match(msgs[6], /^tasks: expected a whole number from 1 to 1000000, got "10"/);
  assert.match(msgs[7], /^scenario: expected a scenario id, got 42/);
  const ok = await page.evaluate(() => window.workerPoolPlayground.run('leak-unclosed-channel', { variant: 'right' }));
  assert.equal(ok.ended, 'completed', 'the engine still works after the refusals');
  assert.equal(Object.keys(await page.evaluate(() => window.workerPoolPlayground)).includes('lastReport'), false, 'no test hooks on the documented API');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the PNG stands alone: a title, a legend, distinct colours', async () => {
  const { page, problems, context } = await strictPage(browser);
  await page.goto(srv.url('/?scenario=db-pool&time_scale=40&run=1'));
  await finished(page);
  await page.waitForTimeout(100);
  await page.evaluate(installPngReader);
  const png = await page.evaluate(async () => {
    const p = window.workerPoolPlaygroundTest.pictures();
    const url = await p.png('The database connection pool: db-pool / pool', 'tasks 20');
    const img = await window.readPng(url);
    const { ctx } = img;
    const band = (y0, y1) => {
      const d = ctx.getImageData(0, y0, img.w, y1 - y0).data;
      const colors = new Set();
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] < 100 && d[i + 1] < 100 && d[i + 2] < 100) dark++;
        if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 80) colors.add(`${d[i] >> 4},${d[i + 1] >> 4},${d[i + 2] >> 4}`);
      }
      return { dark, colors: colors.size };
    };
    const chartH = p.lesson.u.ctx.canvas.height;
    const dpr = devicePixelRatio || 1;
    return { w: img.w, h: img.h, chartH, title: band(0, 40 * dpr), legend: band(img.h - 60 * dpr, img.h), strokes: p.lesson.u.series.slice(1).map((s) => s.stroke()) };
  });
  assert.ok(png.h >= png.chartH + 60, `room for a title and a legend: ${png.h} vs ${png.chartH}`);
  assert.ok(png.title.dark > 200, `a title: ${png.title.dark} dark pixels`);
  assert.ok(png.legend.colors >= 2, `a legend in colour: ${png.legend.colors}`);
  assert.equal(new Set(png.strokes).size, png.strokes.length, `distinct colours: ${png.strokes}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('100,000 goroutines through the page: the main thread never blocks over 50 ms and the pictures keep up', async () => {
  // Best of three runs: on 2 shared cores a compile elsewhere can stretch any frame.
  let best = null;
  for (let attempt = 0; attempt < 3 && !(best && best.long.every((d) => d <= 50)); attempt++) {
    const { page, problems, context } = await strictPage(browser);
    await page.goto(srv.url('/?scenario=unlimited&tasks=100000&time_scale=1'));
    await engineReady(page);
    // What the run costs, not what the page load still does: wait for the page to be idle.
    await page.evaluate(() => new Promise((ok) => requestIdleCallback(() => setTimeout(ok, 200))));
    // Before the long tasks are watched: the calibration's first run is one (Intl's set-up).
    const cal = await calibrateMainThread(page);
    await page.evaluate(() => {
      window.longTasks = [];
      new PerformanceObserver((l) => window.longTasks.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    });
    const drawn0 = await page.evaluate(() => window.workerPoolPlaygroundTest.pictures().drawn);
    // Playwright's own scripts go into the page on their first use, 8–14 ms tasks of its main
    // thread (a 330 KB Runtime.evaluate for waitForFunction): made before the trace starts.
    assert.ok(await page.isEnabled('#run'));
    await page.waitForFunction(() => true);
    const stopTrace = await traceMainThread(page);
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.phase === 'done', null, { timeout: 120000 });
    await page.waitForTimeout(400); // the charts and the timeline are drawn a few frames after the Report
    const tasks = await stopTrace();
    // Read the long tasks before the Report: handing a 100,000-task Report to the test is itself
    // a long task on the page's main thread.
    const { long, drawn } = await page.evaluate(() => ({ long: window.longTasks, drawn: window.workerPoolPlaygroundTest.pictures().drawn }));
    const r = await page.evaluate(() => { const x = window.workerPoolPlaygroundTest.state.report; return { peak_goroutines: x.peak_goroutines, wall_ms: x.wall_ms }; });
    const top = tasks.reduce((a, t) => (t.cpu > a.cpu ? t : a));
    const cpu = top.cpu;
    console.log(`100k goroutines: peak ${r.peak_goroutines}, wall ${r.wall_ms.toFixed(0)} ms, ${drawn - drawn0} draws, long tasks: ${JSON.stringify(long)}, `
      + `main-thread CPU of its longest task ${cpu.toFixed(1)} ms (calibration ${cal.toFixed(1)} ms) (wall ${top.wall.toFixed(1)} ms: ${top.parts()}), of all ${tasks.reduce((n, t) => n + t.cpu, 0).toFixed(0)} ms`);
    assert.ok(tasks.length > 20, `the trace has the run's tasks (${tasks.length})`);
    // Every attempt: no task asks the main thread for more than 5 times the calibration's CPU
    // time (calibrateMainThread), which other work on the machine stretches far less than wall
    // time (a 5 ms task took 56 ms while three compiles ran). Before the drawing was split into
    // tasks of their own (issue 10) the longest took 12.9–14.6 ms (the first frame after Run),
    // and this, then a fixed 12 ms, failed; after, 4.5–6.7 ms, and up to 8.8 ms under `nice` at a
    // load average of 13–15. On a slower machine (session 30) the same drawing took 10–13 ms a
    // task (14.1 and 18.9 once each) and the fixed 12 ms failed with nothing changed; the
    // calibration there was 3.8–6.7 ms (nine pages), a budget of 19–33 ms, and that drawing
    // put back in one rAF task took 31.6 ms: over the budget in 8 of the 9 pages, not in all.
    const budget = 5 * cal;
    assert.ok(cpu <= budget, `a main-thread task used ${cpu.toFixed(1)} ms of CPU, over 5 calibrations (${budget.toFixed(1)} ms): ${top.parts()}`);
    assert.ok(r.peak_goroutines >= 80000, `peak ${r.peak_goroutines}`);
    assert.ok(drawn - drawn0 >= 3, 'pictures drawn while it ran');
    // The timeline crossed from the worker packed (timeline-pack.js): the Report still reads as
    // rows, in the JSON export too, and the picture drew all of them.
    const tl = await page.evaluate(() => {
      const x = window.workerPoolPlaygroundTest.state.report;
      const json = JSON.parse(JSON.stringify(x)).timeline;
      return { rows: x.timeline?.length, tasks: x.timeline?.reduce((n, row) => n + row.tasks.length, 0), json: json?.length, first: json?.[1],
        label: document.querySelector('#timeline canvas')?.getAttribute('aria-label') };
    });
    assert.ok(tl.rows >= 1000 && tl.json === tl.rows, `timeline rows: ${JSON.stringify(tl)}`);
    assert.deepEqual(Object.keys(tl.first), ['worker', 'label', 'tasks', 'goroutine']);
    assert.deepEqual(Object.keys(tl.first.tasks[0]), ['task', 'start_ms', 'end_ms', 'outcome']);
    assert.match(tl.label, new RegExp(`^Timeline of ${tl.rows} rows and ${tl.tasks} tasks`));
    assert.deepEqual(problems, []);
    await context.close();
    if (!best || Math.max(0, ...long) < Math.max(0, ...best.long)) best = { long };
  }
  assert.ok(best.long.every((d) => d <= 50), `long tasks: ${best.long}`);
});
