// A run's live view is one instant (review D7, session 17): the status line, the headline and
// the lesson's picture come from the same snapshot, and the picture is the lesson's from the
// first one. And two runs side by side both show where they end (F11's residue). Debian's
// Chromium; any console.error fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, servers } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

const open = (path, opts) => openPage(browser, srv, path, opts);

/**
 * Presses Run and reads the screen every 20 ms until the Report is drawn: the status's runtime
 * and goroutines alive, the lesson chart's last x, the headline's peak and the picture's title.
 */
async function watch(page) {
  await page.evaluate(() => {
    window.polls = [];
    const n = (s) => Number(s.replace(/,/g, ''));
    window.poller = setInterval(() => {
      const status = document.getElementById('status').textContent;
      const m = /: ([\d,.]+) ms of runtime, ([\d,]+) goroutines alive/.exec(status);
      const u = window.workerPoolPlaygroundTest.pictures().lesson.u;
      const xs = u && !document.getElementById('picture-chart').hidden ? u.data[0].filter((v) => v != null) : [];
      const peak = /peak goroutines\n([\d,]+)/.exec(document.getElementById('headline').innerText);
      window.polls.push({
        phase: window.workerPoolPlaygroundTest.state.phase, status,
        ms: m ? n(m[1]) : null, alive: m ? n(m[2]) : null, x: xs.length ? xs[xs.length - 1] : null,
        peak: peak ? n(peak[1]) : null, title: document.getElementById('picture-title').textContent,
        figures: document.getElementById('figures').textContent,
      });
    }, 20);
  });
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.phase === 'done', null, { timeout: 60000 });
  await page.waitForTimeout(200);
  return page.evaluate(() => { clearInterval(window.poller); return window.polls; });
}

test('while a run goes, the status, the headline and the chart are one instant of it', async () => {
  const { page, problems, context } = await open('/?scenario=backpressure&variant=block', { viewport: { width: 1280, height: 800 } });
  const polls = await watch(page);
  const live = polls.filter((p) => p.phase === 'running' && p.ms != null);
  assert.ok(live.length >= 5, `${live.length} readings during the run`);
  // The status rounds the runtime to whole ms; the chart ends at the snapshot's instant. On the
  // code before, the status ran up to 2,051 ms ahead of a chart that ended at 8 ms.
  const drawn = live.filter((p) => p.x != null);
  for (const p of drawn) assert.ok(Math.abs(p.ms - p.x) <= 0.5 + 1e-9, `status ${p.ms} ms beside a chart to ${p.x} ms: "${p.status}"`);
  assert.equal(drawn.length, live.length, 'a chart beside every live status');
  for (const p of live) if (p.peak != null) assert.ok(p.peak >= p.alive, `peak ${p.peak} beside ${p.alive} alive`);
  // Not "Nothing has run yet." beside a status of a run under way (independent review, session 18).
  for (const p of live) assert.ok(!/Nothing has run yet/.test(p.figures), `figures "${p.figures}" beside "${p.status}"`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a live run draws its lesson's picture from the first snapshot, the one its Report gets", async () => {
  // db-pool's program makes its gauges after the first snapshot can be taken: the run was drawn
  // as the goroutine chart, beside "peak goroutines 1" and "7 goroutines alive", and turned into
  // the connections chart at its end.
  const { page, problems, context } = await open('/?scenario=db-pool&variant=pool', { viewport: { width: 1280, height: 800 } });
  const polls = await watch(page);
  const titles = [...new Set(polls.filter((p) => p.phase === 'running' && p.title).map((p) => p.title))];
  assert.deepEqual(titles, ['Connections in use, and workers waiting for one']);
  assert.equal(polls.at(-1).title, titles[0]);
  // Every lesson whose picture is known before its run: it is the one its Report is drawn with.
  const wrong = await page.evaluate(async () => {
    const { headline, lessonPicture, lessonPictureIds, pictureFor } = await import('./render/lessons.js');
    const name = (p) => (p.kind === 'gauges' ? `gauges:${p.def.id}` : p.kind);
    const out = [];
    for (const spec of await window.workerPoolPlayground.scenarios()) {
      for (const v of spec.variants) {
        const known = lessonPicture(spec.id, v.id);
        if (!known) continue;
        // The first snapshot can come before the program made its gauges or waited on anything
        // (waitgroup-misuse's headline read the counter's column and threw).
        const first = { scenario: spec.id, variant: v.id, params: {}, series: { t_ms: [0], goroutines: [1], gauges: {} }, marks: [], wait_graph: null, peak_goroutines: null, goroutines: 1 };
        try {
          const rows = headline(first, known);
          if (rows.some(([, value]) => value === '–')) out.push(`${spec.id}/${v.id}: a headline value "–" before data: ${JSON.stringify(rows)}`);
        } catch (e) { out.push(`${spec.id}/${v.id}: the headline before data threw ${e.message}`); }
        const r = await window.workerPoolPlayground.run(spec.id, { variant: v.id, mode: 'deterministic' });
        if (name(known) !== name(pictureFor(r))) out.push(`${spec.id}/${v.id}: ${name(known)} live, ${name(pictureFor(r))} in its Report`);
      }
    }
    return { out, listed: lessonPictureIds().length };
  });
  assert.ok(wrong.listed >= 10, `${wrong.listed} lessons listed`);
  assert.deepEqual(wrong.out, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the first screen shows where each run ends: A's dashed drop to 0 over B's", async () => {
  const { page, problems, context } = await open('/', { viewport: { width: 1280, height: 800 } });
  await page.waitForFunction(() => document.body.dataset.phase === 'done', null, { timeout: 60000 });
  await page.waitForTimeout(400);
  // Both runs end at 100 % of their own time, A from ~5 goroutines and B from ~5 too: the pixels
  // of the last 2 px of the plot, between 0.5 and 3 goroutines, hold A's orange, not only B's
  // blue (on the code before, A's drop lay under B's and A read as ending at 5).
  const px = await page.evaluate(() => {
    const u = window.workerPoolPlaygroundTest.pictures().lesson.u;
    const x = Math.round(u.valToPos(100, 'x', true));
    const y0 = Math.round(u.valToPos(3, 'y', true)), y1 = Math.round(u.valToPos(0.5, 'y', true));
    const img = u.ctx.getImageData(x - 3, y0, 6, y1 - y0).data;
    let orange = 0, blue = 0;
    for (let i = 0; i < img.length; i += 4) {
      const [r, g, b] = [img[i], img[i + 1], img[i + 2]];
      if (r > 180 && g > 60 && g < 130 && b < 60) orange++;
      if (r < 40 && g > 80 && g < 150 && b > 140) blue++;
    }
    return { orange, blue, h: y1 - y0 };
  });
  assert.ok(px.h >= 10, `the band is ${px.h} px tall`);
  assert.ok(px.blue > 0, `B's drop is drawn: ${JSON.stringify(px)}`);
  assert.ok(px.orange >= 4, `A's drop is drawn over it: ${JSON.stringify(px)}`);
  assert.deepEqual(problems, []);
  await context.close();
});

// Review F5 (session 18): backpressure's first live snapshot, taken microseconds into the run,
// had an x axis of 0–0.000001 ms ("0 0 0 0 …"), and a legend naming only "tasks waiting in the
// queue" under the title "Tasks waiting in the queue, and tasks in flight" (its program had not
// made the in-flight gauge yet). Such a snapshot, cut from a real run's Report, drawn by the page
// as a live one.
test('a live snapshot microseconds in: an x axis of at least 1 ms, a legend that names what the title does', async () => {
  const { page, problems, context } = await open('/?scenario=backpressure&variant=block&time_scale=20&run=1', { viewport: { width: 1280, height: 800 } });
  await page.waitForFunction(() => document.body.dataset.phase === 'done', null, { timeout: 60000 });
  const got = await page.evaluate(async () => {
    const { lessonPicture } = await import('./render/lessons.js');
    const r = window.workerPoolPlaygroundTest.state.report;
    const P = window.workerPoolPlaygroundTest.pictures();
    const cut = (col) => col.slice(0, 2);
    const s = r.series;
    const series = { t_ms: [0, 0.000001], goroutines: cut(s.goroutines), running: cut(s.running), blocked: cut(s.blocked), queued: cut(s.queued), heap_bytes: cut(s.heap_bytes), gauges: { queue_depth: cut(s.gauges.queue_depth) } };
    const view = { scenario: r.scenario, variant: r.variant, params: r.params, series, marks: [], wait_graph: null, runtime_ms: 0.000001, peak_goroutines: null, goroutines: 1 };
    const picture = lessonPicture(r.scenario, r.variant);
    P.drawNow(view, null, { timeline: false, picture, caption: 'Now, 0 ms in' });
    // (uPlot commits a new scale in a microtask, and draws its axes on the canvas: their texts
    // are the axis's `_values`.)
    await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 50)));
    const u = P.lesson.u;
    const ticks = u.axes[0]._values ?? [];
    const legend = [...u.root.querySelectorAll('.u-legend .u-series')].map((e) => e.textContent.trim()).filter((t) => !t.startsWith('runtime'));
    return { max: u.scales.x.max, ticks, legend, title: document.getElementById('picture-title').textContent };
  });
  assert.ok(got.max >= 1, `the x axis spans ${got.max} ms`);
  assert.ok(new Set(got.ticks).size === got.ticks.length && got.ticks.length >= 2, `x ticks ${got.ticks.join(' ')}`);
  assert.equal(got.title, 'Tasks waiting in the queue, and tasks in flight');
  assert.deepEqual(got.legend.map((t) => t.replace(/[–\d.,\s]+$/, '')), ['tasks waiting in the queue', 'tasks in flight']);
  assert.deepEqual(problems, []);
  await context.close();
});
