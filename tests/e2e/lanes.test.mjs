// The right versions' own pictures (review D5, session 17): leak/right's shutdown, the deadlock
// lesson's buffered and separate-goroutines versions, best-practices/inner-panic's panic, each
// drawn as goroutine lanes from the Report beside it, read back from the page: the lanes, the
// ticks of each send and read, which goroutine is marked. Debian's Chromium; any console.error
// fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, finished, overflow, screenshot, servers } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

const SEND = '#0072B2', RECEIVE = '#D55E00';

/** The lane picture on screen: its lanes (label, ticks by colour, bars, end caps, crosses). */
const lanesOf = (page, sel = '#picture-svg svg.lanes') => page.evaluate((s) => [...document.querySelectorAll(s)].map((svg) => {
  const W = Number(svg.getAttribute('width'));
  const labels = [...svg.querySelectorAll('.lane-label')];
  const ys = labels.map((t) => Number(t.getAttribute('y')) + 10); // the lane's line, 10 px under its label
  const laneAt = (y) => ys.findIndex((ly) => Math.abs(ly - y) <= 9);
  const lanes = labels.map((t) => { const b = t.getBBox(); return { label: t.querySelector('title').textContent, shown: t.childNodes[0].textContent, right: b.x + b.width, box: { x: b.x, y: b.y, w: b.width, h: b.height }, ticks: {}, bars: 0, ends: 0, cross: false, open: null, strong: t.classList.contains('seq-strong') }; });
  for (const o of svg.querySelectorAll('.lane-open')) { const m = /^M([\d.]+),([\d.]+) H([\d.]+)/.exec(o.getAttribute('d')); lanes[laneAt(Number(m[2]) + 5)].open = { from: Number(m[3]), to: Number(m[1]) }; }
  const go = [...svg.querySelectorAll('.lane-go')].map((g) => { const m = /^M([\d.]+),([\d.]+) V([\d.]+)/.exec(g.getAttribute('d')); return { x: Number(m[1]), y0: Number(m[2]), y1: Number(m[3]) }; });
  for (const l of svg.querySelectorAll('.lane-tick')) {
    const lane = lanes[laneAt((Number(l.getAttribute('y1')) + Number(l.getAttribute('y2'))) / 2)];
    (lane.ticks[l.dataset.c] ??= []).push(Number(l.getAttribute('x1')));
  }
  for (const b of svg.querySelectorAll('.lane-bar')) lanes[laneAt(Number(b.getAttribute('y')) + 5)].bars++;
  for (const e of svg.querySelectorAll('.lane-end')) lanes[laneAt(Number(e.getAttribute('y')) + 7)].ends++;
  for (const c of svg.querySelectorAll('.lane-cross')) { const m = /^M([\d.]+),([\d.]+)/.exec(c.getAttribute('d')); lanes[laneAt(Number(m[2]) + 7)].cross = Number(m[1]) + 7; }
  const vlines = [...svg.querySelectorAll('.lane-vline')].map((l) => ({ x: Number(l.getAttribute('x1')), label: l.nextSibling.textContent }));
  return { kind: svg.getAttribute('class'), W, lanes, vlines, go, fills: [...svg.querySelectorAll('.lane-fill-label')].map((t) => t.textContent),
    strip: svg.querySelector('.lane-strip-label')?.textContent ?? null, sentence: svg.getAttribute('aria-label'),
    from: Number(svg.dataset.from), to: Number(svg.dataset.to), notes: [...svg.parentElement.querySelectorAll('.seq-note')].map((n) => n.textContent).join(' ') };
}), sel);

const title = (page) => page.textContent('#picture-title');
const marksOf = (r, kind) => r.marks.filter((m) => m.kind === kind);

/** Every lane label drawn whole inside its picture. */
function labelsInside(p) {
  for (const l of p.lanes) assert.ok(l.right <= p.W + 0.5, `"${l.shown}" ends at ${l.right} of ${p.W} px`);
}

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`leak/right draws its fix: 10 sends, close(jobs), each worker returning, wg.Wait() at ${viewport.width} px`, async () => {
    const { page, problems, context } = await openPage(browser, srv, '/?scenario=leak-unclosed-channel&variant=right&run=1', { viewport });
    const r = await finished(page);
    await page.waitForSelector('svg.lanes');
    const [p] = await lanesOf(page);
    assert.match(await title(page), /^The fix on one time line/);
    assert.equal(p.kind, 'lanes lanes-shutdown');
    const { workers, tasks } = r.params;
    assert.equal(p.lanes.length, 1 + workers, p.lanes.map((l) => l.label).join(' | '));
    // main: a tick per send of the Report, and wg.Wait() coming back.
    assert.equal(p.lanes[0].ticks[SEND]?.length, tasks);
    assert.equal(marksOf(r, 'send').length, tasks);
    // close(jobs) across the lanes, after every send; each worker's return after it.
    const close = p.vlines.find((v) => v.label === 'close(jobs)');
    assert.ok(close, JSON.stringify(p.vlines));
    assert.ok(Math.max(...p.lanes[0].ticks[SEND]) <= close.x + 0.5);
    const returned = p.lanes.slice(1).filter((l) => l.ends === 1);
    assert.equal(returned.length, workers, 'every worker lane ends in its return');
    assert.equal(marksOf(r, 'done').length, workers);
    // The jobs in the lanes are the Report's timeline, worker by worker.
    assert.equal(p.lanes.slice(1).reduce((s, l) => s + l.bars, 0), r.tasks.successful);
    assert.match(p.strip, /^goroutines alive/);
    assert.match(p.sentence, new RegExp(`returned \\(${workers} of ${workers}, the last at [\\d.]+ ms\\), and wg\\.Wait\\(\\) came back at [\\d.]+ ms: goroutines alive ${workers + 1} → 1\\.`));
    labelsInside(p);
    // "The time line starts at X": nothing drawn before X (it read 0.3 ms above a send at 0.29,
    // the start rounded to the ticks' decimal: second review, session 21).
    const note = /The time line starts at ([\d.,]+) ms/.exec(await page.textContent('#picture-svg'));
    if (note) {
      const first = Math.min(...r.marks.map((m) => m.t_ms));
      assert.ok(Number(note[1].replace(/,/g, '')) <= first, `starts at ${note[1]} ms, the first mark at ${first} ms`);
    }
    assert.equal((await overflow(page)).by, 0);
    await screenshot(page, `lanes-leak-right-${viewport.width}`, { fullPage: false });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`deadlock/buffered: every send before main's first read, each buffer against its slots, at ${viewport.width} px`, async () => {
    const { page, problems, context } = await openPage(browser, srv, '/?scenario=deadlock-unbuffered&variant=buffered&run=1', { viewport });
    const r = await finished(page);
    await page.waitForSelector('svg.lanes');
    const [p] = await lanesOf(page);
    assert.equal(p.kind, 'lanes lanes-handoff');
    const main = p.lanes[0];
    assert.match(main.label, /^main: 10 sends, close\(jobs\), then 10 reads of results$/);
    assert.equal(main.ticks[SEND].length, marksOf(r, 'send').length);
    assert.equal(main.ticks[RECEIVE].length, marksOf(r, 'receive').length);
    assert.ok(Math.max(...main.ticks[SEND]) <= Math.min(...main.ticks[RECEIVE]), 'all sends before the first read');
    assert.equal(p.lanes.length, 1 + r.params.workers, 'main and every worker, those without a job too');
    assert.deepEqual(p.fills.map((f) => f.replace(/\d+ of/, 'N of')), [`jobs buffer: up to N of its ${r.params.queue} slots used`, `results buffer: up to N of its ${r.params.queue} slots used`]);
    assert.match(p.sentence, /room for 22 jobs \(10 \+ 10 slots, one job in each of 2 workers\) and main sent 10/);
    // Review F7 (session 18): at 390 px main's reads, within 0.01 ms of each other, were spread
    // left of the first read's time, which the sentence gives. No read's tick is drawn before its
    // time, the first at it; sends at or before theirs; and the picture says where ticks moved.
    const at = (t) => 12 + ((t - p.from) / (p.to - p.from)) * (p.W - 24);
    const reads = marksOf(r, 'receive').map((m) => m.t_ms).sort((a, b) => a - b);
    const drawnReads = [...main.ticks[RECEIVE]].sort((a, b) => a - b);
    assert.ok(Math.abs(drawnReads[0] - at(reads[0])) < 0.5, `the first read drawn at ${drawnReads[0]} px, its time at ${at(reads[0])} px`);
    drawnReads.forEach((dx, k) => assert.ok(dx >= at(reads[k]) - 0.5, `read ${k + 1} drawn at ${dx} px, before its time at ${at(reads[k])} px`));
    const sends = marksOf(r, 'send').map((m) => m.t_ms).sort((a, b) => a - b);
    [...main.ticks[SEND]].sort((a, b) => a - b).forEach((dx, k) => assert.ok(dx <= at(sends[k]) + 0.5, `send ${k + 1} drawn after its time`));
    const movedAny = drawnReads.some((dx, k) => Math.abs(dx - at(reads[k])) > 0.5);
    assert.equal(/reads at or after their time/.test(p.notes), movedAny, p.notes);
    labelsInside(p);
    assert.equal((await overflow(page)).by, 0);
    await screenshot(page, `lanes-deadlock-buffered-${viewport.width}`, { fullPage: false });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`deadlock/separate-goroutines: the sender's sends and main's reads interleave on one time line, at ${viewport.width} px`, async () => {
    const { page, problems, context } = await openPage(browser, srv, '/?scenario=deadlock-unbuffered&variant=separate-goroutines&run=1', { viewport });
    const r = await finished(page);
    await page.waitForSelector('svg.lanes');
    const [p] = await lanesOf(page);
    const [sender, main] = p.lanes;
    assert.match(sender.label, /^sender goroutine: 10 sends/);
    assert.match(main.label, /^main: 10 reads of results$/);
    assert.equal(sender.ticks[SEND].length, 10);
    assert.equal(sender.ticks[RECEIVE], undefined);
    assert.equal(main.ticks[RECEIVE].length, 10);
    // Interleaved: a read before the sender's last send, as the Report's marks have it.
    const lastSend = Math.max(...sender.ticks[SEND]);
    const early = main.ticks[RECEIVE].filter((x) => x < lastSend).length;
    const fromReport = marksOf(r, 'receive').filter((m) => m.t_ms < marksOf(r, 'send').at(-1).t_ms).length;
    assert.ok(early >= 1, `${early} reads before the last send`);
    assert.match(p.sentence, new RegExp(`and ${fromReport} reads? came before the sender's last send`));
    labelsInside(p);
    assert.equal((await overflow(page)).by, 0);
    await screenshot(page, `lanes-deadlock-separate-${viewport.width}`, { fullPage: false });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`inner-panic marks the goroutine that panicked, not the worker, and the program's end, at ${viewport.width} px`, async () => {
    const { page, problems, context } = await openPage(browser, srv, '/?scenario=best-practices&variant=inner-panic&run=1', { viewport });
    const r = await finished(page, 120000);
    await page.waitForSelector('svg.lanes');
    const [p] = await lanesOf(page);
    assert.equal(p.kind, 'lanes lanes-panic');
    const { inner_panic_goroutine: inner, inner_panic_worker: w, inner_panic_worker_goroutine: wg } = r.numbers;
    // Go's last line names the goroutine the picture marks.
    assert.equal(r.log.at(-1), `goroutine ${inner} [running]:`);
    const crossed = p.lanes.filter((l) => l.cross !== false);
    assert.equal(crossed.length, 1, 'one goroutine panicked');
    assert.match(crossed[0].label, new RegExp(`^└ goroutine ${inner}, started by worker ${w}'s go func\\(\\): it panicked$`));
    const i = p.lanes.indexOf(crossed[0]);
    assert.ok(p.lanes[i - 1].strong && p.lanes[i - 1].label.startsWith(`worker ${w} (goroutine ${wg}), its recover() here`), p.lanes[i - 1].label);
    assert.ok(!p.lanes[i - 1].cross, 'the worker is not the one marked');
    assert.equal(p.lanes.filter((l) => /^worker \d+/.test(l.label)).length, r.params.workers);
    // The end of the program across every lane, where the cross is.
    const dies = p.vlines.find((v) => v.label === 'the program dies');
    assert.ok(dies && Math.abs(dies.x - crossed[0].cross) < 1, JSON.stringify(p.vlines));
    assert.match(p.sentence, new RegExp(`^Goroutine ${inner}, which worker ${w} started at [\\d,.]+ ms for its task, panicked at [\\d,.]+ ms \\("task 7 hit a bug"\\)\\. Worker ${w}'s recover\\(\\) runs in goroutine ${wg} `));
    // The go statement's arrow runs through no label (at 390 px it crossed "goroutine 14, …").
    assert.equal(p.go.length, 1);
    for (const l of p.lanes) {
      const crosses = l.box.x < p.go[0].x && p.go[0].x < l.box.x + l.box.w && l.box.y < p.go[0].y1 && p.go[0].y0 < l.box.y + l.box.h;
      assert.ok(!crosses, `the go func() arrow at x ${p.go[0].x} runs through "${l.shown}" (${JSON.stringify(l.box)})`);
    }
    // Review F7 (session 18): no worker drawn idle while it ran a task. The Report's timeline
    // has each task a worker had taken and was still running when the program died (outcome
    // unfinished, to the panic); each is an open bar to the line where the program dies.
    const panicAt = marksOf(r, 'panic')[0].t_ms;
    let open = 0;
    for (let i = 1; i <= r.params.workers; i++) {
      const running = r.timeline.find((x) => x.worker === i)?.tasks.filter((t) => t.outcome === 'unfinished') ?? [];
      assert.ok(running.length <= 1, `worker ${i} runs one task at a time: ${JSON.stringify(running)}`);
      for (const t of running) assert.ok(t.start_ms <= t.end_ms && Math.abs(t.end_ms - panicAt) < 1e-6, `worker ${i}'s task ${t.task} open to the panic: ${JSON.stringify(t)} against ${panicAt}`);
      const lane = p.lanes.find((l) => l.label.startsWith(i === w ? `worker ${i} (` : `worker ${i}:`));
      if (i === w) {
        // Its task 7 open to the end, as the timeline below draws it (review N2, session 20).
        assert.ok(lane.open && Math.abs(lane.open.to - dies.x) < 1, `worker ${w}'s task 7 is an open bar: ${JSON.stringify(lane)}`);
        continue;
      }
      assert.equal(Boolean(lane.open), running.length === 1, `worker ${i}: ${lane.label}, unfinished ${JSON.stringify(running)}`);
      if (!running.length) continue;
      open++;
      assert.ok(lane.open.from < lane.open.to && Math.abs(lane.open.to - dies.x) < 1, `worker ${i}'s open bar ends at the death line: ${JSON.stringify(lane.open)} against ${dies.x}`);
      assert.match(lane.label, /, 1 running at the end$/);
    }
    const done = r.timeline.flatMap((x) => x.tasks).filter((t) => t.outcome !== 'unfinished').length;
    assert.equal(done, r.tasks.successful + r.tasks.failed + r.tasks.timed_out, 'the timeline\'s finished tasks are the counts\' finished tasks');
    // Task 7, on the worker whose recover() is drawn, ran when the program died, always; the
    // other workers' tasks as often not (each sleeps 100 ms and may end just before the panic:
    // 2 native runs of 8 had task 7 alone, session 19), so `open` may be 0.
    assert.ok(r.timeline.find((x) => x.worker === w)?.tasks.some((t) => t.outcome === 'unfinished' && t.task === 7), `task 7 running at the end on worker ${w} (and ${open} other open bars)`);
    // F8 (independent review, session 20): the timeline's colours, not the opposite meaning:
    // a task done green (its success), one still running when the program died blue (unfinished).
    const colours = await page.evaluate(async () => {
      const { OUTCOME_COLORS } = await import('./render/timeline.js');
      const s = document.querySelector('svg.lanes-panic');
      const jobs = [...s.querySelectorAll('rect')].filter((b) => /^job \d+$/.test(b.querySelector('title')?.textContent ?? ''));
      return { ok: OUTCOME_COLORS.success, open: OUTCOME_COLORS.unfinished, jobs: [...new Set(jobs.map((b) => b.getAttribute('fill')))], n: jobs.length,
        opens: [...new Set([...s.querySelectorAll('.lane-open')].map((b) => b.getAttribute('stroke')))] };
    });
    assert.ok(colours.n > 0, JSON.stringify(colours));
    assert.deepEqual(colours.jobs, [colours.ok], JSON.stringify(colours));
    for (const c of colours.opens) assert.equal(c, colours.open);
    // Review N2 (session 20): the worker's wait for the goroutine it started was amber, which the
    // timeline just below calls "panicked". Hatched now, on worker ${w}'s lane, over its open
    // task, as the timeline hatches a final wait; and nothing in the lanes is the panicked amber.
    const looks = await page.evaluate(async () => {
      const { OUTCOME_COLORS } = await import('./render/timeline.js');
      const s = document.querySelector('svg.lanes-panic');
      return { panicked: OUTCOME_COLORS.panicked, fills: [...s.querySelectorAll('[fill]')].map((b) => b.getAttribute('fill')),
        waits: [...s.querySelectorAll('.lane-wait')].map((b) => ({ fill: b.getAttribute('fill'), y: Number(b.getAttribute('y')), x: Number(b.getAttribute('x')), w: Number(b.getAttribute('width')) })),
        key: [...document.querySelectorAll('#picture-svg .legend .k')].find((k) => /waits for the goroutine it started/.test(k.textContent))?.querySelector('.swatch')?.className ?? null };
    });
    assert.ok(!looks.fills.some((f) => f?.toUpperCase() === looks.panicked.toUpperCase()), `no amber in the lanes: ${JSON.stringify(looks.fills)}`);
    assert.equal(looks.waits.length, 1, JSON.stringify(looks.waits));
    assert.match(looks.waits[0].fill, /^url\(#lane-hatch-\d+\)$/);
    const mine = p.lanes.find((l) => l.label.startsWith(`worker ${w} (`));
    assert.ok(Math.abs(looks.waits[0].y + 5 - (mine.box.y + mine.box.h + 10 - 3)) < 8, `the wait on worker ${w}'s lane: ${JSON.stringify(looks.waits[0])} ${JSON.stringify(mine.box)}`);
    assert.ok(Math.abs(looks.waits[0].x + looks.waits[0].w - dies.x) < 1, 'the wait runs to the death line');
    assert.equal(looks.key, 'swatch hatch');
    labelsInside(p);
    assert.equal((await overflow(page)).by, 0);
    await screenshot(page, `lanes-inner-panic-${viewport.width}`, { fullPage: false });
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('side by side, the leak against its fix: A its wait-for graph, B its shutdown lanes', async () => {
  const { page, problems, context } = await openPage(browser, srv, '/?scenario=leak-unclosed-channel&variant=wrong&run=1', { viewport: { width: 1280, height: 800 } });
  await finished(page);
  await page.click('#pin');
  await page.check('input[name=variant][value="right"]');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.phase === 'done' && window.workerPoolPlaygroundTest.state.pair?.b, null, { timeout: 120000 });
  await page.waitForSelector('#picture-svg svg.lanes');
  const boxes = await page.$$eval('#picture-svg .picture-one', (bs) => bs.map((b) => ({ tag: b.querySelector('.run-tag')?.textContent, graph: Boolean(b.querySelector('svg.waitgraph')), lanes: Boolean(b.querySelector('svg.lanes')) })));
  assert.deepEqual(boxes.map((b) => [b.tag.slice(0, 34), b.graph, b.lanes]), [['A: leak-unclosed-channel / wrong', true, false], ['B: leak-unclosed-channel / right', false, true]].map(([t, g, l]) => [t.slice(0, 34), g, l]));
  assert.match(await title(page), /^Each version's own picture: A, then B$/);
  assert.equal((await overflow(page)).by, 0);
  await screenshot(page, 'lanes-leak-pair-1280', { fullPage: false });
  assert.deepEqual(problems, []);
  await context.close();
});

// "4 alive = 0 running + 1 blocked + 3 runnable", held for 0.13 ms between two samples, read as
// "nothing ran while work waited" (review D5, session 17).
test('the goroutine chart says what runnable is where a sample has work ready and a thread idle', async () => {
  const { page, problems, context } = await openPage(browser, srv, '/', { viewport: { width: 1280, height: 800 } });
  const notes = await page.evaluate(async () => {
    const { runnableNote } = await import('./render/lessons.js');
    const series = { t_ms: [0, 0.54, 0.67, 0.8], goroutines: [1, 4, 1, 0], running: [1, 0, 1, 0], blocked: [0, 1, 0, 0], queued: [0, 3, 0, 0] };
    const timeline = [{ worker: 1, label: 'worker 1', tasks: [0.57, 0.6, 0.62].map((t, i) => ({ task: i, start_ms: t, end_ms: t + 0.01, outcome: 'success' })) }];
    const r = { runtime_ms: 0.8, threads: 2, series, timeline };
    const { samplesNote } = await import('./render/lessons.js');
    const still = { ...r, series: { ...series, queued: [0, 0, 0, 0], blocked: [0, 4, 0, 0] } };
    const long = { ...still, series: { ...still.series, t_ms: Array.from({ length: 12 }, (_, i) => i) } };
    return [runnableNote(r), runnableNote(still), samplesNote({ ...still, ended: 'completed', marks: [{ t_ms: 0.1, kind: 'close', label: 'close(jobs)' }] }), samplesNote({ ...long, ended: 'completed' })];
  });
  assert.match(notes[0], /^runnable = ready to run, waiting for a thread to take it: at 0\.54 ms, 3 were, with 0 of the 2 threads running a goroutine/);
  assert.match(notes[0], /each held until the next sample, here the one at 0\.67 ms, 0\.13 ms later: in between, the per-worker timeline shows 3 jobs started\.$/);
  assert.equal(notes[1], null);
  // A short run's few samples are said to be samples (leak/right's chart held 6 alive to its end).
  assert.equal(notes[2], 'This run\'s counts are 4 samples in 0.8 ms (taken at most every 0.5 ms, and when a thread looks), each held until the next: a count drawn here may have changed in between. The instants the program marked are exact.');
  assert.equal(notes[3], null);
  assert.deepEqual(problems, []);
  await context.close();
});

// Deterministic mode: a program that never sleeps runs in no time, every mark at 0 ms; its lanes
// had been ticks piled on one x (and pushed past the left edge to keep them 4 px apart).
test('a run in which no time passed draws the order of its events, and says so', async () => {
  const { page, problems, context } = await openPage(browser, srv, '/?scenario=leak-unclosed-channel&variant=right&mode=deterministic&run=1', { viewport: { width: 1280, height: 800 } });
  const r = await finished(page);
  assert.ok(r.marks.every((m) => m.t_ms === r.marks[0].t_ms), 'every mark at one instant');
  await page.waitForSelector('svg.lanes');
  const [p] = await lanesOf(page);
  assert.equal(p.sentence, 'No time passed in this run (deterministic mode, and the program never sleeps), so its lanes show the order of events, one step each: 10 sends → close(jobs) → 5 workers return → wg.Wait() comes back.');
  const xs = p.lanes[0].ticks[SEND];
  assert.equal(xs.length, 10);
  assert.ok(Math.min(...xs) >= 12 && Math.max(...xs) < p.vlines[0].x, `sends at ${xs} before close(jobs) at ${p.vlines[0].x}`);
  assert.ok(p.lanes.slice(1).every((l) => l.ends === 1 && / returned$/.test(l.label)), p.lanes.map((l) => l.label).join(' | '));
  assert.match(await page.textContent('#picture-svg'), /the order of events →/);
  await screenshot(page, 'lanes-leak-right-deterministic-1280', { fullPage: false });
  assert.deepEqual(problems, []);
  await context.close();
});

// Which picture two versions share when one is drawn as lanes (pair.js pairPicture).
test('a pair with a lane picture: each its own beside another drawing, the shared gauge chart beside a chart', async () => {
  const { page, problems, context } = await openPage(browser, srv, '/', { viewport: { width: 1280, height: 800 } });
  const kinds = await page.evaluate(async () => {
    const { pairPicture } = await import('./render/pair.js');
    const gauges = { queue_depth: [0, 3, 0], in_flight: [0, 5, 0] };
    const pool = { scenario: 'best-practices', variant: 'default', ended: 'completed', series: { t_ms: [0, 1, 2], goroutines: [1, 7, 1], gauges }, marks: [] };
    const inner = { scenario: 'best-practices', variant: 'inner-panic', ended: 'panicked', series: { t_ms: [0, 1, 2], goroutines: [1, 12, 12], gauges },
      marks: [{ t_ms: 2, kind: 'panic', label: 'panic: task 7 hit a bug' }], numbers: { inner_panic_goroutine: 14, inner_panic_worker: 1, inner_panic_worker_goroutine: 2, inner_panic_started_ms: 1 } };
    const leak = (variant, extra) => ({ scenario: 'leak-unclosed-channel', variant, ended: 'completed', series: { t_ms: [0], goroutines: [1] }, marks: [], ...extra });
    const wrong = leak('wrong', { wait_graph: { nodes: [{ id: 'g2', kind: 'goroutine', label: 'worker' }], edges: [] } });
    const right = leak('right', { marks: [{ t_ms: 1, kind: 'send', label: 'jobs <- 0' }, { t_ms: 2, kind: 'close', label: 'close(jobs)' }] });
    const p = pairPicture(pool, inner), q = pairPicture(wrong, right);
    return [p.kind, p.def?.id, q.kind, q.a?.kind, q.b?.kind];
  });
  assert.deepEqual(kinds, ['gauges', 'queue', 'each', 'graph', 'lanes']);
  assert.deepEqual(problems, []);
  await context.close();
});
