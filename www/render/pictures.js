// The pictures of a run: the lesson's own picture (a gauge chart with its limit and marks, the
// wait-for graph, the sends and the close), the goroutine and heap charts, the timeline. Drawn
// live from snapshots and finally from the Report; two runs share axes. Only draws.
import uPlot from '../vendor/uPlot.esm.js';
import { $, el, fill, legendKey, widthOf } from '../dom.js';
import { at, bytes, ms, num, runName } from '../format.js';
import { LINE_MARKS, markStyle, PALETTE, TimeChart } from './chart.js';
import { markText } from './marks.js';
import { peak } from '../thin.js';
import { boundLines, endOf, EVERYWHERE, gaugeLabel, hasGauge, marksFor, marksOf, pictureFor, pictureTitle, quietTail, relative, runnableNote, samplesNote, TAIL_WHY, truthful } from './lessons.js';
import { drawLanes } from './lanes.js';
import { drawOrder } from './order.js';
import { drawSequence } from './sequence.js';
import { drawSweep } from './sweep.js';
import { drawPhases } from './phases.js';
import { schema } from '../api.js';
import { usedParams } from '../schema.js';
import { drawTimeline, finalWaits, OUTCOME_COLORS, OUTCOME_WORDS } from './timeline.js';
import { drawWaitGraph } from './waitgraph.js';
import { drawZoom } from './zoom.js';
import { ink } from './ink.js';
import { hasTimeline } from '../timeline-pack.js';
import { pairPicture, taggedMarks } from './pair.js';
import { svgPng } from './svgpng.js';

/**
 * Runs `fn` in a task of its own once the next frame has been rendered (a task, not the frame's
 * rAF callback, so drawing and rendering are never one long task). A hidden page renders no
 * frames: there, a plain task.
 */
function afterFrame(fn) {
  if (document.hidden) { setTimeout(fn, 0); return; }
  requestAnimationFrame(() => setTimeout(fn, 0));
}

const COUNTS = [['goroutines', 'goroutines alive'], ['running', 'running'], ['blocked', 'blocked'], ['queued', 'runnable, waiting for a thread']];

/**
 * How each count is drawn. The counts often coincide (every goroutine blocked: "alive" equals
 * "blocked"; all runnable: "runnable" equals "alive"), and a line drawn on another of the same
 * width hid it (review F6, session 15: the legend named 4 lines and about 2 could be seen). So
 * "alive" is a wide pale band drawn first, and the others thin lines on it, each with its own
 * dash, sparser the later it is drawn: where two coincide, both show. "running" is 2 px, not
 * 1.5: on a chart whose top is in the hundreds, running and alive at 1 lie within a pixel of
 * blocked and runnable at 0, whose dashes, drawn after it, covered most of a 1.5 px line. On a
 * made-up run with tops from 130 to 1,100 its colour showed in 0.24 pixels per column at 1.5 px
 * and 0.48 at 2 px (the e2e test asks 0.25: it failed on 0.20–0.22 in 2 runs of 7, session 23).
 */
const COUNT_STYLE = {
  goroutines: { color: 'rgba(0,114,178,0.38)', width: 8 },
  running: { color: PALETTE[1], width: 2 },
  blocked: { color: PALETTE[2], width: 2, dash: [7, 4] },
  queued: { color: PALETTE[3], width: 2, dash: [2, 3] },
};
const countDefs = (present) => present.map(([k, label]) => ({ label, ...COUNT_STYLE[k] }));

/**
 * The pairs of counts that are the same, or within 1 % of the run's peak (one pixel row of the
 * chart, or less), for at least 30 % of the run (by time, not samples) while above zero:
 * [[label, label, share %, exact]]. The legend says so, beside the lines drawn one on another.
 */
export function coinciding(s, present) {
  const t = s.t_ms;
  const end = t.at(-1) ?? 0;
  if (!(end > 0)) return [];
  const tol = 0.01 * (peak(s.goroutines) ?? 0);
  const out = [];
  for (let i = 0; i < present.length; i++) {
    for (let j = i + 1; j < present.length; j++) {
      const [ka, la] = present[i], [kb, lb] = present[j];
      let same = 0, exact = true;
      for (let k = 0; k + 1 < t.length; k++) {
        const [va, vb] = [s[ka][k], s[kb][k]];
        if (!(va > 0 && vb > 0) || Math.abs(va - vb) > tol) continue;
        same += t[k + 1] - t[k];
        if (va !== vb) exact = false;
      }
      if (same / end >= 0.3) out.push([la, lb, same / end * 100, exact]);
    }
  }
  return out;
}

/** "A dashed, B solid", naming only a run the picture draws a line for (Go's Report has no gauges). */
function styles(picture, a, b) {
  const drawn = (r) => picture.kind !== 'gauges' || picture.def.gauges.some((g) => hasGauge(r.series, g));
  return [drawn(a) && 'A dashed', drawn(b) && 'B solid'].filter(Boolean).join(', ') || 'no line for either run';
}

/** When the wait-for graph of a finished run was taken, in words. */
function graphWhen(r) {
  if (r.ended === 'deadlock') {
    const f = (r.findings ?? []).find((x) => x.kind === 'deadlock');
    return `At the deadlock${f?.at_ms != null ? `, ${at(f.at_ms)} in` : ''}`;
  }
  if (r.ended === 'completed' || r.ended === 'hung') return 'After main returned';
  return null;
}

/** Aligns two runs' columns on one x axis (uPlot.join), for shared axes. */
function joined(a, colsA, b, colsB) {
  if (!b) return [a.t_ms, ...colsA];
  return uPlot.join([[a.t_ms, ...colsA], [b.t_ms, ...colsB]]);
}

const everywhere = (run) => truthful(marksOf(run)).filter((m) => EVERYWHERE.has(m.kind));
/** The parameters the run's variant reads (a limit it ignores is not drawn). */
const paramsOf = (run) => usedParams(schema() ?? [], run);

/** A run's series and marks with time as % of its own length. */
const pctSeries = (r) => { const e = endOf(r); return { ...r.series, t_ms: r.series.t_ms.map((t) => t / e * 100) }; };
const pctMarks = (r, marks) => { const e = endOf(r); return marks.map((m) => ({ ...m, t_ms: m.t_ms / e * 100 })); };

/** Rows named together: "workers 1–5" for worker 1 to worker 5, else their labels. */
export function rowsText(labels) {
  const n = labels.map((l) => Number(/^worker (\d+)$/.exec(l)?.[1]));
  if (labels.length > 1 && n.every((v, i) => Number.isInteger(v) && (i === 0 || v === n[i - 1] + 1))) return `workers ${n[0]}–${n.at(-1)}`;
  return labels.join(', ');
}

/** Goroutine ids as the sentence and the wait-for graph name them: "goroutines 2–6", "goroutine 4". */
export function goroutinesText(ids) {
  const run = ids.length > 1 && ids.every((g, i) => i === 0 || g === ids[i - 1] + 1);
  return ids.length === 1 ? `goroutine ${ids[0]}` : run ? `goroutines ${ids[0]}–${ids.at(-1)}` : `goroutines ${ids.join(', ')}`;
}

/** The span of a run's end that the zoom draws (negative-counter), ms. */
const ZOOM_MS = 2;

/** How far a finished run's axes run past its end, as a share of its length. */
const END_PAD = 0.05;

/**
 * The Done the runtime refused (negative-counter): the panic "sync: negative WaitGroup counter"
 * at a wg.Done()'s instant. The counter gauge is measured and never goes below 0 (the runtime
 * refuses the decrement, as Go's panic stops the program); the picture draws that Done as a
 * refused step from the counter's last value to one below it: {t_ms, from, to, label}, or null.
 */
export function refusedDone(run) {
  const panic = (run.marks ?? []).find((m) => m.kind === 'panic' && /negative WaitGroup counter/.test(m.label ?? ''));
  const c = run.series?.gauges?.waitgroup_counter;
  if (!panic || !c?.length) return null;
  const done = (run.marks ?? []).filter((m) => m.kind === 'done' && m.t_ms <= panic.t_ms).at(-1);
  const t = run.series.t_ms;
  const k = t.findLastIndex((v) => v <= panic.t_ms);
  const from = c[Math.max(0, k)];
  return { t_ms: done?.t_ms ?? panic.t_ms, from, to: from - 1, label: `wg.Done() would make it ${num(from - 1)}` };
}

const TIMELINE_TITLE = 'What each worker did, and when';
/** A pair's series def for a run of a handful of samples (samplesNote): drawn as dots, and its
 * legend says so; for any other run, nothing added. */
const asDots = (r) => (samplesNote(r) ? { dots: true, label: `, ${num(r.series.t_ms.length)} samples (dots)` } : { label: '' });
/** The shortest x axis of a live run, ms: its first snapshot is microseconds in (review F5). */
const LIVE_SPAN_MS = 1;

/**
 * The lesson picture's height: lower on a laptop's short screen beside the controls, where the
 * first screen's picture and "Next" are to fit without scrolling (review F11: at 1366×657 the
 * Next box was cut off), and on a phone, where the first screen's two lines drop to 0 at the
 * chart's foot: at 240 px that foot lay 7 px below a 390×844 screen's fold, the lines' ends
 * unseen (independent review, session 18, F6); at 200 it is above it, with the log axis's 0, 1,
 * 10, 100 and 1,000 still apart. As before elsewhere.
 */
const lessonHeight = () => (window.innerWidth >= 900 && window.innerHeight < 720 ? 190 : window.innerWidth < 600 ? 200 : 240);

export class Pictures {
  constructor() {
    this.lesson = new TimeChart($('picture-chart'), { height: lessonHeight() });
    this.goroutines = new TimeChart($('chart-goroutines'), { height: 220, yLabel: 'goroutines' });
    this.heap = new TimeChart($('chart-heap'), { height: 160, yLabel: 'heap', fmt: bytes, minY: 1024 });
    this.logScale = false;
    this.last = null;
    // Draw at most once a frame, however fast snapshots come, and in a task of its own after the
    // frame (afterFrame), not in the frame's rAF callback: the frame's own work (layout, paint,
    // the canvases' raster) and the drawing are then two tasks, not one long one (a 100,000-
    // goroutine run, issue 10).
    let frame = false;
    this.pending = null;
    this.schedule = (args) => {
      this.pending = args;
      if (frame) return;
      frame = true;
      afterFrame(() => { frame = false; const p = this.pending; this.pending = null; if (p) this.drawNow(...p); });
    };
    let resizeFrame = 0;
    window.addEventListener('resize', () => {
      cancelAnimationFrame(resizeFrame);
      resizeFrame = requestAnimationFrame(() => {
        this.lesson.height = lessonHeight();
        for (const c of [this.lesson, this.goroutines, this.heap]) c.resize();
        if (this.last) this.drawNow(...this.last);
      });
    });
    this.drawn = 0; // how many times the pictures were drawn (the tests read it)
    this.stamp = 0;
    // The goroutine and heap charts are below the lesson: while a run is live they are redrawn
    // only when on screen (and once more when they come into view), which keeps every frame of
    // a 100,000-goroutine run short.
    this.chartsVisible = true;
    this.chartsStale = null;
    if (typeof IntersectionObserver === 'function') {
      new IntersectionObserver((entries) => {
        this.chartsVisible = entries.some((e) => e.isIntersecting);
        if (this.chartsVisible && this.chartsStale) { const f = this.chartsStale; this.chartsStale = null; f(); }
      }, { rootMargin: '100px' }).observe($('charts-card'));
    }
  }

  /**
   * Creates the uPlots now, in idle time, with the series a run draws first: a uPlot costs tens of
   * ms to create, which inside a run's first frame made a long task.
   */
  warm() {
    // As drawCounts will ask for it: a uPlot whose y label differs is created anew.
    this.lesson.yLabel = 'goroutines';
    this.lesson.log = false;
    this.lesson.ensure(countDefs(COUNTS));
    this.heap.ensure([{ label: 'heap in use', color: PALETTE[3], fill: 'rgba(204,121,167,.12)' }]);
    // Measured now, so the timeline drawn after a run does not force a layout of the page to
    // learn its width (2–3 ms of a long task at the end of a 100,000-goroutine run).
    widthOf($('timeline'));
  }

  setLogScale(on) {
    this.logScale = on;
    this.goroutines.log = on;
    this.goroutines.signature = '';
    if (this.last) this.drawNow(...this.last);
  }

  /** Draws `run` (a Report or a live view), beside `compare` (run A) when given. */
  draw(run, compare = null, opts = {}) { this.schedule([run, compare, opts]); }

  /** The kind of picture `run` gets, for a live run to keep (see drawNow's `picture`). */
  static kindOf(run) { return pictureFor(run); }

  clear() {
    this.last = null;
    this.pending = null;
    this.stamp++;
    // The charts stay (creating a uPlot costs tens of ms); they are emptied.
    for (const c of [this.lesson, this.goroutines, this.heap]) c.empty();
    fill('picture-svg'); fill('picture-legend'); fill('timeline-legend'); fill('picture-order'); fill('goroutines-note');
    $('picture-order').hidden = true;
    fill('picture-zoom'); $('picture-zoom').hidden = true;
    $('picture-svg').hidden = true;
    $('picture-chart').hidden = false;
    $('picture-title').textContent = '';
    const t = $('timeline').querySelector('canvas');
    t?.remove();
    // The heading named the last run ("…: control-comparison / default") above the emptied
    // timeline of the next lesson (review R19).
    $('timeline').parentElement.querySelector('h3').textContent = TIMELINE_TITLE;
    fill('timeline-legend');
  }

  /**
   * `onDraw` runs once, in the same task as the lesson's picture is drawn: the status line and
   * the headline beside it are written then, from the same run, so that nothing on screen is
   * from another instant (review D7, session 17: the status had raced 2 s of runtime ahead).
   */
  drawNow(run, compare, { timeline = true, picture = null, caption = null, onDraw = null } = {}) {
    this.last = [run, compare, { timeline, picture, caption }];
    this.drawn++;
    // A live run keeps the picture it started drawing (`picture`), so it does not flip between
    // the goroutine chart and the graph as waits come and go.
    const pic = picture ?? pictureFor(run);
    // Two runs share the lesson's picture where they can (pairPicture), else the goroutine chart.
    const shared = compare ? pairPicture(compare, run, pic) : pic;
    // Two runs share one x axis: runtime ms, or each run's own time in % of its length (this.x).
    const rel = Boolean(compare) && relative(run, compare);
    // (The lengths go in the title: an axis label that long was cut at 390 px.)
    this.x = { rel, label: rel ? "time, % of each run's own length" : 'runtime (ms)' };
    // A finished run alone: its axes (and the timeline's) run END_PAD past its end, so what
    // happens at its last instant is drawn inside the frame, not on it: context-pool/cancel's
    // last worker returning, blocked-workers' release, leak/wrong's 6 -> 5, best-practices' task
    // 13 timing out (independent review, session 20, F6).
    // Two finished runs side by side the same (their axes ended on the frame: review, session 20).
    const pad = run.ended != null ? 1 + END_PAD : 1;
    const xMax = compare ? (rel ? 100 : Math.max(endOf(run), endOf(compare))) * pad : run.ended != null ? endOf(run) * pad : null;
    // A live run (no end yet) gets an x axis of at least LIVE_SPAN_MS; a finished one ends at its end.
    for (const c of [this.lesson, this.goroutines, this.heap]) c.minSpan = run.ended == null ? LIVE_SPAN_MS : 0;
    const lessonKind = shared.kind;
    const svgKind = ['graph', 'sequence', 'sweep', 'phases', 'lanes', 'each'].includes(lessonKind);
    $('picture-title').textContent = compare
      ? `${pictureTitle(shared)}: ${svgKind ? 'A, then B' : `${styles(shared, compare, run)}, ${rel ? `each on its own run's time (A: ${ms(endOf(compare))}, B: ${ms(endOf(run))})` : 'on the same axes'}`}`
      : pictureTitle(pic);
    const legend = [];
    const order = $('picture-order');
    fill(order);
    order.hidden = true;
    // The lesson's picture.
    if (svgKind) {
      $('picture-chart').hidden = true;
      const host = $('picture-svg');
      host.hidden = false;
      const runs = compare ? [['A', compare], ['B', run]] : [['', run]];
      host.className = `picture-svg${runs.length > 1 ? ' two' : ''}`;
      fill(host, runs.map(([tag, r]) => {
        const box = el('div', { class: 'picture-one' }, tag ? el('p', { class: 'run-tag' }, el('strong', {}, `${tag}: ${runName(r)}`)) : null);
        const inner = el('div');
        box.append(inner);
        // Two versions each with its own drawing ('each'): A's and B's picture kinds.
        const kind = lessonKind === 'each' ? (r === compare ? shared.a : shared.b).kind : lessonKind;
        queueMicrotask(() => {
          if (kind === 'lanes') drawLanes(inner, r);
          else if (kind === 'graph') {
            if (r.wait_graph?.nodes?.length) drawWaitGraph(inner, r.wait_graph, { when: caption ?? graphWhen(r), deadlock: r.ended === 'deadlock' });
            else fill(inner, el('p', { class: 'muted' }, caption && r.wait_graph == null
              ? 'Too many goroutines alive right now to draw who waits for whom live; the graph comes back when fewer are.'
              : `No goroutine waits${caption ? ' right now' : ' at the end of this run'}.`));
          } else if (kind === 'sweep') drawSweep(inner, r);
          else if (kind === 'phases') drawPhases(inner, r);
          else drawSequence(inner, r.marks ?? [], { runtimeMs: endOf(r) });
        });
        return box;
      }));
    } else {
      $('picture-svg').hidden = true;
      $('picture-chart').hidden = false;
      if (lessonKind === 'gauges') this.drawGauges(run, compare, shared.def, xMax, legend);
      else if (lessonKind === 'bound') this.drawBound(run, legend, xMax);
      else legend.push(...(this.drawCounts(this.lesson, run, compare, xMax) ?? []));
      // The WaitGroup lesson is the order of Add, Wait and Done: told in order beside the chart,
      // where instants a few microseconds apart would sit on one pixel.
      if (!compare && lessonKind === 'gauges' && pic.def.id === 'waitgroup') {
        order.hidden = false;
        const told = marksFor(pic, marksOf(run)).filter((m) => pic.def.marks.includes(m.kind) || m.kind === 'panic' || m.kind === 'hang');
        drawOrder(order, told);
        // negative-counter's end: the last Dones, Wait returning and the panic within its last
        // ms, zoomed, each on its own tick (review N4, session 20).
        const refused = refusedDone(run);
        if (refused) {
          drawZoom($('picture-zoom'), run, { gauge: 'waitgroup_counter', marks: told, refused, span: ZOOM_MS,
            title: `The last ${num(ZOOM_MS)} ms, zoomed: each call on its own tick, and the wg.Done() that would make the counter ${num(refused.to)}` });
        }
      }
    }
    // (The graph and the send/close line carry their own legends.)
    const charted = ['gauges', 'goroutines', 'bound'].includes(lessonKind);
    const shownMarks = charted ? [...marksFor(shared, marksOf(run)), ...(compare ? everywhere(compare) : [])] : [];
    for (const k of new Set(shownMarks.map((m) => m.kind))) {
      const [, name] = markStyle(k);
      // One name per mark: the words the chart writes beside its lines ("cancel drill, separate
      // pool", "main reads results"), where it writes one or two; the legend had said "mark:
      // cancel" and "mark: receive" for them (review N7, session 20). A run's own (not a pair's,
      // whose lines are named for their run), and a kind drawn as unlabelled ticks keeps its name.
      const texts = compare || !LINE_MARKS.has(k) ? [] : [...new Set(shownMarks.filter((m) => m.kind === k).map(markText))];
      const words = texts.length && texts.length <= 2 ? `line: ${texts.join(' / ')}` : `mark: ${name}`;
      legend.push(el('span', { class: 'k', dataset: { mark: k } }, el('span', { class: 'swatch box', style: null, dataset: { c: k } }), words));
    }
    fill('picture-legend', legend);
    onDraw?.();
    for (const s of $('picture-legend').querySelectorAll('.swatch[data-c]')) s.style.setProperty('--c', markStyle(s.dataset.c)[0]);
    // The goroutine chart below is left out when it is the lesson's picture already.
    const dup = lessonKind === 'goroutines';
    $('chart-goroutines').hidden = dup;
    $('goroutines-h').parentElement.hidden = dup;
    // The goroutine chart, the heap chart and the timeline each in a task after a frame of its
    // own: a canvas is rasterised in the frame after it is drawn, so one frame never rasterises
    // all of them at once.
    const stamp = ++this.stamp;
    const later = (fn) => afterFrame(() => { if (stamp === this.stamp) fn(); }); // else a newer drawing is on its way
    const charts = () => {
      fill('goroutines-note', dup ? [] : this.drawCounts(this.goroutines, run, compare, xMax) ?? []);
      later(() => {
        this.drawHeap(run, compare, xMax);
        if (timeline) later(() => this.drawTimeline(run, compare, rel ? null : xMax));
      });
    };
    later(() => {
      if (timeline || this.chartsVisible) { this.chartsStale = null; charts(); } else this.chartsStale = charts;
    });
  }

  /** The two runs' series and marks on the x axis this drawing uses (this.x). */
  pair(run, compare, marksA0, marksB0) {
    const rel = this.x?.rel;
    // Each run's instants named for their run ("A: cancel", "B: cancel"): two Cancel lines, each
    // its own run's (review F3: beside Go only A's was drawn).
    const marksA = taggedMarks('A', compare, marksA0), marksB = taggedMarks('B', run, marksB0);
    return {
      a: rel ? pctSeries(compare) : compare.series, b: rel ? pctSeries(run) : run.series,
      marks: rel ? [...pctMarks(compare, marksA), ...pctMarks(run, marksB)] : [...marksA, ...marksB],
    };
  }

  drawCounts(chart, run, compare, xMax) {
    const s = run.series;
    chart.yLabel = 'goroutines';
    chart.xLabel = compare ? this.x.label : 'runtime (ms)';
    if (compare) {
      // Two runs whose peaks differ by more than 20 times share a log axis, or the smaller one
      // would be drawn flat on zero (1,001 against 8 on the first screen).
      const pa = peak(compare.series.goroutines) ?? 0, pb = peak(s.goroutines) ?? 0;
      chart.log = this.logScale || Math.max(pa, pb) >= 20 * Math.max(1, Math.min(pa, pb));
      // A run of a handful of samples is drawn as its samples, dots, and says so, as a single
      // run's chart does (samplesNote): its count held from one sample to the next had drawn
      // leak/right at 6 alive to its end beside its lanes' 6 → 1 (review F4, session 18).
      const few = { a: samplesNote(compare, { dots: true }), b: samplesNote(run, { dots: true }) };
      const da = asDots(compare), db = asDots(run);
      chart.ensure([
        { label: `A: ${runName(compare)}, goroutines${da.label}`, color: PALETTE[1], dash: [6, 4], top: true, dots: da.dots },
        { label: `B: ${runName(run)}, goroutines${db.label}`, color: PALETTE[0], dots: db.dots },
      ]);
      const p = this.pair(run, compare, everywhere(compare), everywhere(run));
      const [x, ...cols] = joined(p.a, [p.a.goroutines], p.b, [p.b.goroutines]);
      chart.setData(x, cols, { marks: p.marks, xMax });
      return [['A', few.a], ['B', few.b]].filter(([, n]) => n).map(([tag, n]) => el('span', { class: 'k muted runnable-note' }, `${tag}: ${n}`));
    }
    chart.log = chart === this.goroutines && this.logScale;
    const present = COUNTS.filter(([k]) => Array.isArray(s[k]));
    chart.ensure(countDefs(present));
    // A close or two is the moment the goroutines end in the lessons that draw only this chart
    // (leak/right's close(jobs) was in its Report and not drawn: review D5, session 17); a run
    // with many (a trial per close) would bury the chart under them.
    const closes = truthful(marksOf(run)).filter((m) => m.kind === 'close');
    const marks = [...everywhere(run), ...(closes.length <= 2 ? closes : [])].sort((p, q) => p.t_ms - q.t_ms);
    chart.setData(s.t_ms, present.map(([k]) => s[k]), { marks, xMax });
    // Said in words too, for lines drawn one on another; and what "runnable" is, where a row
    // reads as work waiting while a thread idled (review D5, session 17).
    // (Under the lesson's own chart only for a run of a few ms, whose samples are few: below it,
    // on a long run, the note pushed "Next" off a laptop's first screen.)
    const why = chart === this.goroutines || endOf(run) < 10 ? runnableNote(run) ?? samplesNote(run) : null;
    return [...coinciding(s, present).map(([la, lb, share, exact]) => el('span', { class: 'k muted' },
      `${la} ${exact ? '=' : '≈'} ${lb} for ${num(share, 0)} % of the run${exact ? '' : ' (within 1 % of the peak)'}: the ${lb} line lies inside the ${la === 'goroutines alive' ? 'band' : `${la} line`}`)),
    ...(why ? [el('span', { class: 'k muted runnable-note' }, why)] : [])];
  }

  /**
   * A pool's bound (fixed-pool): goroutines alive over time, the pool's bound and what one
   * goroutine per task would have reached, on a log axis (8 against 1,001 both show). The counts
   * in detail (running, blocked) stay in the goroutine chart below. Review N2 (session 16): the
   * headline's "at most 8" stood beside a picture of the queue.
   */
  drawBound(run, legend, xMax) {
    const c = this.lesson;
    c.yLabel = 'goroutines';
    c.xLabel = 'runtime (ms)';
    c.log = true;
    c.ensure([{ label: 'goroutines alive', color: PALETTE[0], width: 3 }]);
    const limits = boundLines(run);
    c.setData(run.series.t_ms, [run.series.goroutines], { marks: everywhere(run), limits, xMax });
    for (const l of limits) legend.push(legendKey(l.color, l.label, 'dashed'));
  }

  drawGauges(run, compare, def, xMax, legend) {
    // A live run alone draws every gauge its title names, those its program has not made yet
    // too (no line until their first sample): backpressure's first snapshot had a legend of only
    // "tasks waiting in the queue" under "…, and tasks in flight" (review F5, session 18).
    const names = run.ended == null && !compare ? [...def.gauges] : def.gauges.filter((g) => run.series.gauges?.[g] || compare?.series.gauges?.[g]);
    // A live run drawn before its program made the gauges: the picture's own axes, empty.
    if (!names.length) names.push(def.gauges[0]);
    const defs = [];
    const has = (r, g) => hasGauge(r.series, g);
    // Which run and gauge each series of a pair is: a run without the gauge (Go's Report has no
    // gauges) gets no series, and the legend says so, rather than a legend entry with no line.
    const sides = [];
    if (compare) {
      // Every series its own colour from one palette, A's first then B's (no two shades of one
      // hue: a lighter shade of B's gauge for A's other gauge read as the same thing, review
      // R12), and A dashed, as its legend marker is; the legend names run and gauge.
      names.forEach((g, i) => {
        if (has(compare, g)) { sides.push(['a', i]); defs.push({ label: `A: ${gaugeLabel(g)}`, color: PALETTE[i], dash: [6, 4], width: 1.5, top: true }); }
        if (has(run, g)) { sides.push(['b', i]); defs.push({ label: `B: ${gaugeLabel(g)}`, color: PALETTE[names.length + i], width: 2.5 }); }
      });
      for (const [tag, r] of [['A', compare], ['B', run]]) {
        if (!names.some((g) => has(r, g))) legend.push(el('span', { class: 'k muted' }, `${tag}, ${runName(r)}, records no ${names.map(gaugeLabel).join(' or ')} over time`));
      }
    } else names.forEach((g, i) => defs.push({ label: gaugeLabel(g), color: PALETTE[i], width: i === 0 ? 2.5 : 1.5 }));
    this.lesson.yLabel = def.yLabel;
    this.lesson.xLabel = compare ? this.x.label : 'runtime (ms)';
    this.lesson.log = false;
    this.lesson.ensure(defs);
    const colsOf = (r) => names.map((g) => r.series.gauges?.[g] ?? r.series.t_ms.map(() => null));
    // Each run's own line, named for its run (B's line had been labelled from B's parameters,
    // "B: the pool's limit", over a B without a pool: review R12); A's dashed finer.
    const limitB = def.limit(paramsOf(run), run);
    const limitA = compare ? def.limit(paramsOf(compare), compare) : null;
    const limits = compare
      ? [limitA && { ...limitA, label: `A: ${limitA.label}`, dash: [2, 3] }, limitB && { ...limitB, label: `B: ${limitB.label}` }].filter(Boolean)
      : [limitB].filter(Boolean);
    // The line above which a run broke its limit, shaded where it did (a single run only).
    const over = !compare && def.over ? def.over(paramsOf(run)) : null;
    const marks = marksFor({ kind: 'gauges', def }, marksOf(run));
    if (compare) {
      const p = this.pair(run, compare, everywhere(compare), marks);
      const [x, ...cols] = joined(p.a, colsOf(compare), p.b, colsOf(run));
      // Interleave A and B per gauge, as the defs are.
      const ordered = sides.map(([side, i]) => cols[side === 'a' ? i : names.length + i]);
      this.lesson.setData(x, ordered, { marks: p.marks, limits, xMax });
    } else {
      // A run that goes on long after its story with nothing changing ends its axis a little
      // after the story's last mark, and says what the rest of the run was (review N7).
      const tail = quietTail(run, { kind: 'gauges', def });
      const xEnd = tail ? tail.at * 1.15 : null;
      const refused = def.id === 'waitgroup' ? refusedDone(run) : null;
      // The WaitGroup charts' Wait lines are labelled above the counter's top, clear of its steps.
      this.lesson.setData(run.series.t_ms, colsOf(run), { marks, limits, over, xMax, xEnd, refused, headroom: def.id !== 'waitgroup' ? null : refused ? 1.8 : 1.35 });
      if (refused) legend.push(el('span', { class: 'k' }, el('span', { class: 'swatch dashed', dataset: { c: 'panic' } }), `dashed step and ✕: the last wg.Done(), which would have made the counter ${num(refused.to)}: refused, and Go panics (the line, measured, never goes below ${num(refused.from)})`));
      if (tail) {
        const why = TAIL_WHY[`${run.scenario}/${run.variant}`];
        legend.push(el('span', { class: 'k muted tail-note' }, `The axis ends at ${at(xEnd)}: after the last mark and the last change drawn, at ${at(tail.at)}, the run went on to ${at(tail.end)}`
          + `${tail.only ? ' with only main alive' : ''} and nothing drawn here changed${why ? ` (${why})` : ''}.`));
      }
    }
    // In the colour the chart draws the line in (chart.js: the theme's red unless it has its own);
    // the swatch was a mark's grey beside a red line.
    for (const l of limits) legend.push(legendKey(l.color ?? ink('red'), l.label, 'dashed'));
    if (over) {
      // The line is dotted; the shading is only where the run went over it (the legend had said
      // "shaded" beside a run that never did, where only the dotted line shows).
      const went = (peak(run.series.gauges?.[names[0]]) ?? 0) > over.value;
      legend.push(el('span', { class: 'k' }, el('span', { class: `swatch ${went ? 'over' : 'dotted'}`, dataset: { c: 'limit' } }),
        `dotted line: ${over.label.replace(/; above it.*$/, '')}; ${went ? 'shaded above it: over the limit' : 'this run never went above it'}`));
    }
  }

  drawHeap(run, compare, xMax) {
    this.heap.xLabel = compare ? this.x.label : 'runtime (ms)';
    if (compare) {
      // A run of a few samples as dots, as in the goroutine chart above (drawCounts).
      const da = asDots(compare), db = asDots(run);
      this.heap.ensure([
        { label: `A: ${runName(compare)}, heap${da.label}`, color: PALETTE[1], dash: [6, 4], top: true, dots: da.dots },
        { label: `B: ${runName(run)}, heap${db.label}`, color: PALETTE[3], dots: db.dots },
      ]);
      const p = this.pair(run, compare, everywhere(compare), everywhere(run));
      const [x, ...cols] = joined(p.a, [p.a.heap_bytes], p.b, [p.b.heap_bytes]);
      this.heap.setData(x, cols, { marks: p.marks, xMax });
      return;
    }
    this.heap.ensure([{ label: 'heap in use', color: PALETTE[3], fill: 'rgba(204,121,167,.12)' }]);
    this.heap.setData(run.series.t_ms, [run.series.heap_bytes], { marks: everywhere(run), xMax });
  }

  drawTimeline(run, compare, xMax) {
    const host = $('timeline');
    const h = host.parentElement.querySelector('h3');
    const has = hasTimeline(run); // (reading run.timeline would unpack 5,000 rows to no use)
    h.textContent = has ? `${TIMELINE_TITLE}: ${runName(run)}${compare ? ' (B)' : ''}` : TIMELINE_TITLE;
    // The final waits, named from the Report: which rows, on what (review N1, session 20).
    const waits = has ? finalWaits(run).map(([on, rows, ids]) => `${rowsText(rows)}, ${goroutinesText(ids)}: ${on}`) : [];
    fill('timeline-legend', [...Object.entries(OUTCOME_COLORS).map(([k, c]) => legendKey(c, OUTCOME_WORDS[k] ?? k, 'box')),
      ...(waits.length ? [el('span', { class: 'k timeline-wait-key' }, el('span', { class: 'swatch hatch' }), `hatched: blocked when the program ended, to its end (${waits.join('; ')})`)] : [])]);
    if (has) drawTimeline(host, run, { marks: everywhere(run), xMax });
    else host.querySelector('canvas')?.remove();
  }

  /**
   * A PNG of the lesson's picture, as a data: URL (null when nothing is drawn): the chart, or the
   * SVG picture of each run (wait-for graph, sends and close, sweep), each named for its run in a
   * pair. Review F10 (session 15): for those it had exported the goroutine chart.
   */
  async png(title, subtitle) {
    if (!$('picture-chart').hidden) return this.lesson.u ? this.lesson.png(title, subtitle) : null;
    const boxes = [...$('picture-svg').querySelectorAll('.picture-one')];
    const pics = boxes.map((b) => ({ tag: b.querySelector('.run-tag')?.textContent ?? '', svg: b.querySelector('svg') })).filter((p) => p.svg);
    return pics.length ? svgPng(pics, title, subtitle) : null;
  }
}
