// Which picture teaches a run, chosen from what its Report carries (gauges, wait graph, marks),
// and the number measured in this run that goes beside it. Pure functions: no drawing here.
import { peak } from '../thin.js';
import { at as atMs, bytes, measureText, num } from '../format.js';

/** What each gauge is, in a phrase (the legend names what is drawn). */
export const GAUGE_LABELS = {
  connections_in_use: 'connections in use',
  waiting_for_connection: 'workers waiting for a connection',
  queue_depth: 'tasks waiting in the queue',
  in_flight: 'tasks in flight',
  waitgroup_counter: 'WaitGroup counter',
  tokens: 'tokens in the bucket',
  starts_per_s: 'tasks started in the last second',
  workers_blocked_on_results: 'workers blocked sending a result',
  jobs_queued: 'jobs waiting in the jobs channel',
};
export const gaugeLabel = (name) => GAUGE_LABELS[name] ?? name.replaceAll('_', ' ');

/**
 * The gauge pictures, in priority order. `limit(params)` draws a horizontal line; `marks` are the
 * mark kinds the picture is about (drawn as ticks), besides the instants drawn on every chart.
 * `limits` may return several lines ({value, label, style}); `over`, a line above which the
 * picture shades what went over it.
 */
export const GAUGE_PICTURES = [
  {
    id: 'connections', gauges: ['connections_in_use', 'waiting_for_connection'],
    title: 'Connections in use, and workers waiting for one', yLabel: 'count', marks: ['acquire', 'release'],
    // The pool's limit where the run's pool had one (`numbers.pool_limit`, recorded by the
    // variant with a pool); the variant without one opened a connection per worker, and its
    // line is what a database allowing that many would hold it to (review R12: it read "the
    // pool's limit" there too). A live view has no numbers yet: the setting, named as such.
    limit: (p, run) => {
      const pool = run?.numbers?.pool_limit;
      if (pool != null) return { value: pool, label: `the pool’s limit: ${num(pool)} connections` };
      if (p.connections == null) return null;
      if (run?.numbers) return { value: p.connections, label: `no pool: a database allowing ${num(p.connections)} connections would refuse the rest` };
      return { value: p.connections, label: `the connections setting: ${num(p.connections)}` };
    },
  },
  {
    id: 'queue', gauges: ['queue_depth', 'in_flight'],
    title: 'Tasks waiting in the queue, and tasks in flight', yLabel: 'tasks', marks: ['drop'],
    // The capacity line only where the queue had that capacity: a run whose queue held more than
    // `queue` tasks (an unbounded queue) did not read it, and a line there would contradict it.
    limit: (p, run) => {
      if (p.queue == null || p.queue_policy === 'unbounded' || p.queue_policy === 'none') return null;
      if ((peak(run?.series?.gauges?.queue_depth) ?? 0) > p.queue) return null;
      return { value: p.queue, label: `the queue's capacity: ${p.queue}` };
    },
  },
  {
    id: 'waitgroup', gauges: ['waitgroup_counter'],
    title: 'The WaitGroup counter, with Add, Done and Wait marked', yLabel: 'counter', marks: ['add', 'done', 'wait', 'wait_returned'],
    limit: () => null,
  },
  {
    // deadlock-unbuffered/blocked-workers: the workers stuck in `results <- v` while main
    // sleeps, against the whole pool, and the jobs left behind them. The goroutine chart drew
    // "blocked" at 3 (main's sleep counted) beside the lesson's 2 workers (review F6).
    id: 'stall', gauges: ['workers_blocked_on_results', 'jobs_queued'],
    // (`receive`: main's first read, which releases them.)
    title: 'Workers blocked on the results channel, and jobs left queued', yLabel: 'count', marks: ['receive'],
    limit: (p) => (p.workers != null ? { value: p.workers, label: `the pool: ${num(p.workers)} workers` } : null),
  },
  {
    id: 'rate', gauges: ['starts_per_s', 'tokens'],
    title: 'Tasks started in the last second, against the rate limit', yLabel: 'tasks', marks: [],
    // A bucket full at the start lets `burst` tasks through at once, then `rate_per_s` a second:
    // no second of the run may hold more than rate + burst starts. Above that line, the run broke
    // the limit; the page shades it.
    limit: (p) => (p.rate_per_s != null ? { value: p.rate_per_s, label: `the limit: ${num(p.rate_per_s)} tasks per second` } : null),
    over: (p) => (p.rate_per_s != null && p.burst != null ? { value: p.rate_per_s + p.burst, label: `limit + burst: ${num(p.rate_per_s + p.burst)} in one second; above it, over the limit` } : null),
  },
];

/** Instants drawn across every chart and the timeline. */
export const EVERYWHERE = new Set(['cancel', 'deadline', 'deadlock', 'panic', 'timeout', 'fatal_send', 'hang']);

/**
 * The instants of a run: its marks, and the finding that happened at a moment (main giving up a
 * wait), so the picture shows when as well as what.
 */
export function marksOf(run) {
  // (An early return has its own mark already: wait_returned.)
  const found = (run?.findings ?? []).filter((f) => f.kind === 'hang' && Number.isFinite(f.at_ms))
    .map((f) => ({ t_ms: f.at_ms, kind: f.kind, label: '' }));
  return [...(run?.marks ?? []), ...found];
}

/** Where a run ends, runtime ms. */
export const endOf = (r) => Math.max(r?.runtime_ms ?? 0, r?.series?.t_ms?.at(-1) ?? 0);

/**
 * Whether two runs side by side are drawn on each run's own time, in % of its length: when one
 * is ten times the other or more, a shared ms axis drew the shorter as a hairline at x≈0 (review
 * R10: the first screen's unlimited run, 1,001 goroutines in about 1 s, beside the pool's 100 s).
 */
export const relative = (a, b) => {
  const [ea, eb] = [endOf(a), endOf(b)];
  return ea > 0 && eb > 0 && Math.max(ea, eb) >= 10 * Math.min(ea, eb);
};

export const hasGauge = (series, name) => Array.isArray(series?.gauges?.[name]) && series.gauges[name].length > 0;

/** The workers of a pool-size sweep and each size's throughput, from the Report's numbers
 * (`cpu_tps_<workers>`, `io_tps_<workers>`), or null. */
export function sweepOf(numbers) {
  const sizes = new Set();
  for (const k of Object.keys(numbers ?? {})) { const m = /^(cpu|io)_tps_(\d+)$/.exec(k); if (m) sizes.add(Number(m[2])); }
  if (sizes.size < 2) return null;
  const workers = [...sizes].sort((x, y) => x - y);
  return { workers, cpu: workers.map((w) => numbers[`cpu_tps_${w}`] ?? null), io: workers.map((w) => numbers[`io_tps_${w}`] ?? null) };
}

/**
 * The measured phases of a finished run, from its `phase_start` and `phase_end` marks (paired in
 * order, by label), each with the most goroutines its series held between them:
 * [{label, start, end, peak}], or null for a run with fewer than two phases (control-comparison's
 * picture: review F7).
 */
export function phasesOf(run) {
  if (run?.ended == null) return null;
  const t = run.series?.t_ms ?? [], g = run.series?.goroutines ?? [];
  const out = [];
  for (const m of run.marks ?? []) {
    if (m.kind === 'phase_start') out.push({ label: m.label, start: m.t_ms, end: null, peak: 0 });
    const open = out.at(-1);
    if (m.kind === 'phase_end' && open?.end == null && open?.label === m.label) open.end = m.t_ms;
  }
  const done = out.filter((p) => p.end != null);
  if (done.length < 2) return null;
  for (const p of done) {
    // The count in force when the phase began (the last sample at or before it), and each after.
    let i = t.findLastIndex((v) => v <= p.start);
    for (i = Math.max(0, i); i < t.length && t[i] <= p.end; i++) p.peak = Math.max(p.peak, g[i]);
  }
  return done;
}

/**
 * The right versions drawn as goroutine lanes on one time line (lanes.js), and each one's title
 * (review D5, session 17: their picture was the goroutine chart, not their lesson).
 */
const LANE_LESSONS = {
  'leak-unclosed-channel/right': ['shutdown', 'The fix on one time line: the sends, close(jobs), each worker returning, wg.Wait()'],
  'deadlock-unbuffered/buffered': ['handoff', 'Sends and reads on one time line, and what each buffer held'],
  'deadlock-unbuffered/separate-goroutines': ['handoff', 'The sender goroutine\'s sends and main\'s reads, on one time line'],
  'best-practices/inner-panic': ['panic', 'Which goroutine panicked: the workers, and the goroutine one of them started'],
};

const marked = (run, kind) => (run.marks ?? []).some((m) => m.kind === kind);
/**
 * The lane picture of a finished `run` ('shutdown' | 'handoff' | 'panic'), or null: when its
 * lesson has none, or its Report lacks what the picture is drawn from (Go's Report has no marks;
 * a run that deadlocked is its wait-for graph).
 */
export function laneKind(run) {
  const kind = LANE_LESSONS[`${run?.scenario}/${run?.variant}`]?.[0];
  if (!kind || run.ended == null) return null;
  if (kind === 'shutdown') return marked(run, 'send') && marked(run, 'close') ? kind : null;
  if (kind === 'handoff') return run.ended === 'completed' && marked(run, 'send') && marked(run, 'receive') ? kind : null;
  return run.ended === 'panicked' && Number.isFinite(run.numbers?.inner_panic_goroutine) && marked(run, 'panic') ? kind : null;
}

/**
 * The picture for a run: `{ kind: 'gauges', def } | { kind: 'graph' } | { kind: 'sequence' } |
 * { kind: 'sweep' } | { kind: 'phases' } | { kind: 'goroutines' }`. `run` is a Report, or a live view of one ({series,
 * marks, wait_graph}). A deadlock is its wait-for graph first: the cycle is the lesson, whatever
 * else the run measured.
 */
export function pictureFor(run) {
  const g = run.wait_graph;
  const graph = Boolean(g && g.nodes?.length);
  if (run.ended === 'deadlock' && graph) return { kind: 'graph' };
  const lanes = laneKind(run);
  if (lanes) return { kind: 'lanes', lanes, title: LANE_LESSONS[`${run.scenario}/${run.variant}`][1] };
  if (boundLesson(run)) return { kind: 'bound' };
  const def = GAUGE_PICTURES.find((d) => hasGauge(run.series, d.gauges[0]));
  if (def) return { kind: 'gauges', def };
  const kinds = new Set((run.marks ?? []).map((m) => m.kind));
  const sends = kinds.has('send') || kinds.has('fatal_send');
  if (run.ended == null) {
    // A live run: the sends draw their line as they come; a graph only where goroutines wait on
    // a channel or a lock (the waits a deadlock or a leak is made of), not merely on a sleep or
    // on a WaitGroup counter that work in progress will bring down.
    if (sends) return { kind: 'sequence' };
    if (graph && waitsOnObjects(g)) return { kind: 'graph' };
    return { kind: 'goroutines' };
  }
  if (graph) return { kind: 'graph' };
  if (kinds.has('close') && sends) return { kind: 'sequence' };
  // Measured phases (control-comparison) are an SVG picture of their own: phases.js.
  if (phasesOf(run)) return { kind: 'phases' };
  if (sweepOf(run.numbers)) return { kind: 'sweep' };
  return { kind: 'goroutines' };
}

/**
 * The picture each lesson's Report is drawn with, by `scenario` or `scenario/variant`: a gauge
 * picture's id (GAUGE_PICTURES) or a picture kind. A live run draws it from its first snapshot,
 * before the data that would choose it has come (review D7, session 17: db-pool's run was drawn
 * as the generic goroutine chart, its scenario's gauges not yet made, then turned into the
 * connections chart at the end). Lessons not listed are chosen from their data as before: their
 * picture is measured at the end (phases, the sweep) or changes with their Report (leak/right,
 * deadlock's buffered and separate-goroutines, best-practices' inner-panic). lessons-live's
 * e2e test checks every entry against a finished run's picture.
 */
const LESSON_PICTURES = {
  unlimited: 'goroutines',
  'fixed-pool': 'bound',
  'context-pool': 'queue',
  'db-pool': 'connections',
  'leak-unclosed-channel/wrong': 'graph',
  'send-on-closed': 'sequence',
  'deadlock-unbuffered/wrong': 'graph',
  'deadlock-unbuffered/small-buffer': 'graph',
  'deadlock-unbuffered/blocked-workers': 'stall',
  'waitgroup-misuse': 'waitgroup',
  'best-practices/default': 'queue',
  // Its lesson is the deadlock it ends in (the Report's picture is the wait-for graph).
  'best-practices/guide-cancel': 'graph',
  backpressure: 'queue',
  'rate-limit': 'rate',
};

/** The listed lessons (LESSON_PICTURES), for the test that checks them. */
export const lessonPictureIds = () => Object.keys(LESSON_PICTURES);

/** The picture of lesson `scenario`/`variant` known before its run (LESSON_PICTURES), or null. */
export function lessonPicture(scenario, variant) {
  const id = LESSON_PICTURES[`${scenario}/${variant}`] ?? LESSON_PICTURES[scenario];
  if (!id) return null;
  const def = GAUGE_PICTURES.find((d) => d.id === id);
  return def ? { kind: 'gauges', def } : { kind: id };
}

/**
 * The lessons whose number is the most goroutines alive under a pool's bound: their Report's
 * first measure is `peak_goroutines` (src/scenario/pools.rs) and they have workers. A live view
 * has no measures yet, so it is known by its lesson (the picture must not flip at the end).
 * fixed-pool's headline "at most 8" stood beside a picture of its queue (review N2, session 16).
 */
const BOUND_LESSONS = new Set(['fixed-pool']);
export function boundLesson(run) {
  if (run.params?.workers == null) return false;
  return run.measures ? run.measures[0]?.at === 'peak_goroutines' : BOUND_LESSONS.has(run.scenario);
}

/** The bound lines' colours, each with 3:1 against the card in both themes; the chart writes
 * their labels in the legible shade (chart.js, tests/e2e/contrast.test.mjs). */
export const LIMIT_COLORS = { unlimited: '#D55E00', pool: '#009E73' };

/**
 * The two lines a bound lesson is drawn against, from the run's parameters: the pool's own bound
 * (its workers, main, and the sender and the closer its program starts: the Rust sentence's
 * "the workers plus main, the sender and the closer"), and what one goroutine per task would have
 * reached (the tasks and main, `goroutines_before`: the sentence's "up to 1001").
 */
export function boundLines(run) {
  const { workers, tasks } = run.params ?? {};
  const main = run.goroutines_before ?? 1;
  const out = [];
  if (tasks != null) out.push({ value: tasks + main, label: `one goroutine per task: up to ${num(tasks + main)} (${num(tasks)} tasks + main)`, dash: [2, 3], color: LIMIT_COLORS.unlimited });
  if (workers != null) out.push({ value: workers + main + 2, label: `the pool: ${num(workers + main + 2)} (${num(workers)} workers + main, sender, closer)`, color: LIMIT_COLORS.pool });
  return out;
}

/**
 * Where the story of a gauge picture ends, when the run goes on long after it with nothing
 * changing: `{ at, end, only }` (the later of the picture's last mark and the last change of
 * what it draws, the run's end, and whether only main was alive meanwhile), or null.
 * add-inside's last wg.Done() came at ~108 ms of a ~510 ms run: 80 % of its picture was a flat 0
 * with nothing saying why (review N7, session 16). (The last change, too: on a loaded machine the
 * series has held the counter at 2 for 30 ms after the last Done mark, 2 runs in 10.)
 */
export function quietTail(run, picture) {
  if (picture.kind !== 'gauges' || run.ended == null) return null;
  const kinds = new Set([...picture.def.marks, ...EVERYWHERE]);
  const s = run.series;
  const cols = picture.def.gauges.map((g) => s.gauges?.[g]).filter(Boolean);
  // The first row from which every drawn gauge holds its final value.
  let k = s.t_ms.length;
  while (k > 0 && cols.every((c) => c[k - 1] === c.at(-1))) k--;
  const settled = s.t_ms[k] ?? Infinity;
  // (marksOf: main giving up its wait is part of the story. by-value and forgot-done ended
  // their axis at 124 ms, their legend naming a "main gave up waiting" line at 2,000 ms that
  // was not drawn, nor the hang it ends: review M6, session 22.)
  const at = Math.max(settled, ...truthful(marksOf(run)).filter((m) => kinds.has(m.kind)).map((m) => m.t_ms));
  const end = endOf(run);
  if (!(at > 0) || !(end - at >= 0.5 * end)) return null;
  // Who was alive after it (from a moment later: the goroutine that made the last mark still
  // returns; the last sample, after main returned, is 0).
  const alive = s.goroutines.filter((v, i) => s.t_ms[i] > at + 0.05 * (end - at) && v > 0);
  return { at, end, only: alive.length > 0 && alive.every((v) => v === (run.goroutines_before ?? 1)) };
}

/** Why a run goes on quietly after its story, where its program says so (the code panel shows it). */
export const TAIL_WHY = {
  'waitgroup-misuse/add-inside': 'main sleeps 500 ms after wg.Wait(), as the guide’s main pauses between its examples (the code’s last line)',
};

const OBJECTS = new Set(['channel', 'mutex', 'semaphore']);
/** Whether some goroutine of `g` waits on a channel, a mutex or a semaphore. */
export function waitsOnObjects(g) {
  const kind = new Map(g.nodes.map((n) => [n.id, n.kind]));
  return g.edges.some((e) => OBJECTS.has(kind.get(e.to)) && (kind.get(e.from) === 'goroutine'));
}

/**
 * The sends and closes of a run, one trial per close: a program that repeats the guide's timing
 * (`trials`) closes its channel once per trial. Returns [{start, marks}] in time order; a run
 * with one close is one trial.
 */
export function trialsOf(marks = []) {
  const ms = truthful(marks).filter((m) => ['send', 'close', 'fatal_send', 'panic'].includes(m.kind)).sort((a, b) => a.t_ms - b.t_ms);
  const trials = [];
  let cur = { start: 0, marks: [] };
  for (const m of ms) {
    cur.marks.push(m);
    if (m.kind === 'close') { trials.push(cur); cur = { start: m.t_ms, marks: [] }; }
  }
  // What follows the last close belongs to it (the late send of the last trial), unless more
  // sends begin a trial that never closed.
  if (cur.marks.length) {
    if (trials.length && !cur.marks.some((m) => m.kind === 'send')) trials.at(-1).marks.push(...cur.marks);
    else trials.push(cur);
  }
  return trials;
}

/**
 * The marks as they happened: a send the Report marks fatal is only drawn as fatal when it came
 * after the close (in a race the "late" send can come first, and nothing panics).
 */
export function truthful(marks = []) {
  const closeT = marks.find((m) => m.kind === 'close')?.t_ms ?? Infinity;
  return marks.map((m) => (m.kind === 'fatal_send' && m.t_ms < closeT ? { ...m, kind: 'send' } : m));
}

/** The marks a picture draws: the instants every chart shows, and the ones it is about. */
export function marksFor(picture, marks = []) {
  const about = new Set(picture.kind === 'gauges' ? picture.def.marks : []);
  return truthful(marks).filter((m) => EVERYWHERE.has(m.kind) || about.has(m.kind));
}

/**
 * The numbers measured in this run that the picture is about: [[label, value]], at most three.
 * Only from the Report (or the live view) they stand beside. `params` are the parameters the
 * run's variant reads (a limit it ignores is not drawn, nor named).
 */
export function headline(run, picture = pictureFor(run), params = run.params ?? {}) {
  // A finished run names its lesson's own measures (Report.measures, from the scenario in Rust,
  // the numbers its sentence states): they come first, and the general figures fill what room
  // is left. Before, every goroutine-chart lesson led with "peak goroutines" (review R21).
  if (run.measures?.length) {
    const out = run.measures.slice(0, 3).map((m) => [m.label, measureText(m)]);
    if (out.length < 3 && !run.measures.some((m) => m.at === 'peak_goroutines') && run.peak_goroutines != null) out.push(['peak goroutines', num(run.peak_goroutines), 'general']);
    return out;
  }
  const out = [];
  const s = run.series ?? {};
  const n = run.numbers ?? {};
  if (picture.kind === 'gauges') {
    const def = picture.def;
    const lim = def.limit(params, run);
    const at = (name) => peak(s.gauges?.[name]);
    if (def.id === 'rate') {
      if (hasGauge(s, 'starts_per_s')) out.push(['tasks started in one second, at most', num(at('starts_per_s'))]);
      if (n.over_limit != null) out.push(['starts over limit + burst', num(n.over_limit)]);
      if (lim) out.push(['the limit', `${num(params.rate_per_s)}/s${params.burst != null ? ` + burst ${num(params.burst)}` : ''}`]);
    } else {
      for (const name of def.gauges) {
        if (!hasGauge(s, name)) continue;
        const first = name === def.gauges[0];
        out.push([`${gaugeLabel(name)}, at most`, first && lim ? `${num(at(name))} (limit ${num(lim.value)})` : num(at(name))]);
      }
      if (def.id === 'queue') {
        const dropped = run.tasks?.dropped ?? (run.marks ?? []).filter((m) => m.kind === 'drop').length;
        if (dropped) out.push(['tasks dropped, never submitted', run.tasks ? `${num(dropped)} of ${num(run.tasks.submitted + dropped)} offered` : num(dropped)]);
      }
      // (A live run is drawn with its lesson's picture before its program has made the gauge.)
      if (def.id === 'waitgroup' && hasGauge(s, 'waitgroup_counter')) out.push(['counter at the end', num(s.gauges.waitgroup_counter.at(-1))]);
    }
  } else if (picture.kind === 'graph' && run.wait_graph) {
    const g = run.wait_graph;
    const blocked = g.nodes.filter((x) => x.kind === 'goroutine' && g.edges.some((e) => e.from === x.id)).length;
    out.push(['goroutines blocked', num(blocked)]);
    out.push(['goroutines alive', num(run.goroutines_after ?? run.goroutines)]);
  } else if (picture.kind === 'sequence') {
    const trials = trialsOf(run.marks);
    const closes = trials.filter((t) => t.marks.some((m) => m.kind === 'close'));
    const sends = (t) => t.marks.filter((m) => m.kind === 'send').length;
    if (closes.length > 1) {
      out.push(['trials', num(closes.length)]);
      const per = new Set(closes.map(sends));
      out.push(['sends before each close', per.size === 1 ? num([...per][0]) : `${num(Math.min(...per))}–${num(Math.max(...per))}`]);
      const fatal = truthful(run.marks).filter((m) => m.kind === 'fatal_send').length;
      out.push(['trials where a send met the closed channel', num(fatal)]);
    } else {
      out.push(['sends before the close', num(sends(trials[0] ?? { marks: [] }))]);
      const ms = run.marks ?? [];
      const closeT = ms.find((m) => m.kind === 'close')?.t_ms ?? Infinity;
      const late = ms.find((m) => m.kind === 'fatal_send');
      if (late && late.t_ms >= closeT) out.push(['send after the close, fatal, at', `${num(late.t_ms, 1)} ms`]);
      else if (late) out.push(['the late send came before the close, at', `${num(late.t_ms, 1)} ms`]);
    }
  } else if (picture.kind === 'sweep' && sweepOf(n)) {
    // Measured throughputs at both ends, not a "best" size: on two busy cores neighbouring sizes
    // differ by noise, and a winner picked from noise would contradict the lesson beside it.
    const sw = sweepOf(n);
    const first = sw.workers[0], last = sw.workers.at(-1);
    const g = sw.workers.includes(n.gomaxprocs) ? n.gomaxprocs : first;
    out.push([`CPU-bound tasks/s, ${num(g)} → ${num(last)} workers`, `${num(sw.cpu[sw.workers.indexOf(g)])} → ${num(sw.cpu.at(-1))}`]);
    out.push([`I/O-bound tasks/s, ${num(first)} → ${num(last)} workers`, `${num(sw.io[0])} → ${num(sw.io.at(-1))}`]);
    if (n.gomaxprocs != null) out.push(['GOMAXPROCS (threads)', num(n.gomaxprocs)]);
  }
  // The best-practices lesson is its checklist: how many of the practices hold in this run.
  if (run.checklist?.length) out.unshift(['practices that hold in this run', `${run.checklist.filter((c) => c.ok).length} of ${run.checklist.length}`]);
  // The figures every run has come third in each item, marked `general`: a comparison leads
  // with the picture's own measure, not with them (review R12).
  if (out.length < 3 && (run.peak_goroutines != null || s.goroutines?.length)) {
    out.unshift(['peak goroutines', num(run.peak_goroutines ?? peak(s.goroutines)), 'general']);
  }
  if (out.length < 3 && run.heap_peak_bytes != null && picture.kind === 'goroutines') out.push(['heap peak', bytes(run.heap_peak_bytes), 'general']);
  return out.slice(0, 3);
}

/** The picture's title. */
export function pictureTitle(picture) {
  switch (picture.kind) {
    case 'gauges': return picture.def.title;
    case 'graph': return 'Who waits for whom: the wait-for graph';
    case 'sequence': return 'The sends and the close, on one time line';
    case 'sweep': return 'Throughput by pool size: CPU-bound and I/O-bound work';
    case 'phases': return 'Goroutines alive in each phase (log scale): no pool, then the pool';
    case 'bound': return 'Goroutines alive over time, against one goroutine per task';
    case 'lanes': return picture.title;
    case 'each': return 'Each version\'s own picture';
    default: return 'Goroutines alive over time';
  }
}

/**
 * What the goroutine chart's runnable line means where it reads as "nothing ran while work
 * waited": a sample with goroutines runnable and a thread not running any (review D5, session
 * 17: "4 alive = 0 running + 1 blocked + 3 runnable" drawn for 0.13 ms, unexplained). The counts
 * are samples, each held until the next; the per-worker timeline says what ran in between.
 * Null where no sample looks so (or the run does not say its threads).
 */
export function runnableNote(run) {
  const s = run?.series, threads = run?.threads;
  if (!s?.queued || !(threads > 0)) return null;
  let at = -1;
  for (let i = 0; i < s.t_ms.length; i++) {
    if (s.queued[i] > 0 && s.running[i] < threads && (at < 0 || s.queued[i] > s.queued[at])) at = i;
  }
  if (at < 0) return null;
  const t = s.t_ms[at], next = s.t_ms.slice(at + 1).find((v) => v > t) ?? endOf(run);
  const d = next - t < 0.1 ? 3 : next - t < 1 ? 2 : 1;
  // Instants as everywhere on the page; the hold, a duration, with the digits it needs (two
  // samples 0.4 µs apart read "at 3.401 ms … the one at 3.401 ms, 0 ms later": review M4, session 22).
  const f = (v) => (v < 0.001 ? 'under 0.001 ms' : `${v.toLocaleString('en', { maximumFractionDigits: d })} ms`);
  const ran = (Array.isArray(run.timeline) ? run.timeline : []).flatMap((row) => row.tasks ?? []).filter((k) => k.start_ms >= t && k.start_ms < next).length;
  return `runnable = ready to run, waiting for a thread to take it: at ${atMs(t)}, ${num(s.queued[at])} ${s.queued[at] === 1 ? 'was' : 'were'}, with ${num(s.running[at])} of the ${num(threads)} threads running a goroutine (just started goroutines wait so until a thread wakes, or gets a core on a busy machine). `
    // (The next sample's time, and how long after: "held until the next, here 1,750 ms" read
    // as a hold of 1,750 ms, review session 20; it was 0.46 ms.)
    + `The counts are samples, each held until the next sample, here the one at ${atMs(next)}, ${f(next - t)} later${ran ? `: in between, the per-worker timeline shows ${num(ran)} ${ran === 1 ? 'job' : 'jobs'} started` : ''}.`;
}

/**
 * Where a run is so short that its goroutine counts are a handful of samples (they are taken at
 * most every 0.5 ms of runtime, src/runtime/README.md): said under the chart, so a count held
 * until the next sample is not read as goroutines still alive. leak/right's chart held 6 alive
 * to its end, 0.49 ms, while its lanes, from the marks, showed each worker returning before.
 * Null for a run with more samples.
 */
export function samplesNote(run, { dots = false } = {}) {
  const n = run?.series?.t_ms?.length ?? 0;
  if (!(n > 0 && n < 12) || run.ended == null) return null;
  // (`dots`: a pair's chart draws such a run as a dot per sample, nothing in between.)
  const drawn = dots ? 'drawn as dots at the samples, not held from one to the next' : 'each held until the next';
  return `This run's counts are ${num(n)} samples in ${endOf(run).toLocaleString('en', { maximumFractionDigits: 3 })} ms (taken at most every 0.5 ms, and when a thread looks), ${drawn}: a count drawn here may have changed in between.${run.marks?.length ? ' The instants the program marked are exact.' : ''}`;
}
