// Which picture teaches a run, chosen from what its Report carries (gauges, wait graph, marks),
// and the number measured in this run that goes beside it. Pure functions: no drawing here.
import { peak } from '../thin.js';
import { bytes, num } from '../format.js';

/** What each gauge is, in a phrase (the legend names what is drawn). */
export const GAUGE_LABELS = {
  connections_in_use: 'connections in use',
  waiting_for_connection: 'workers waiting for a connection',
  queue_depth: 'tasks waiting in the queue',
  in_flight: 'tasks in flight',
  waitgroup_counter: 'WaitGroup counter',
  tokens: 'tokens in the bucket',
};
export const gaugeLabel = (name) => GAUGE_LABELS[name] ?? name.replaceAll('_', ' ');

/**
 * The gauge pictures, in priority order. `limit(params)` draws a horizontal line; `marks` are the
 * mark kinds the picture is about (drawn as ticks), besides the instants drawn on every chart.
 */
const GAUGE_PICTURES = [
  {
    id: 'connections', gauges: ['connections_in_use', 'waiting_for_connection'],
    title: 'Connections in use, and workers waiting for one', yLabel: 'count', marks: ['acquire', 'release'],
    limit: (p) => (p.connections != null ? { value: p.connections, label: `the pool’s limit: ${p.connections} connections` } : null),
  },
  {
    id: 'queue', gauges: ['queue_depth', 'in_flight'],
    title: 'Tasks waiting in the queue, and tasks in flight', yLabel: 'tasks', marks: ['drop'],
    limit: (p) => ((p.queue_policy ?? 'bounded') === 'bounded' && p.queue != null ? { value: p.queue, label: `the queue's capacity: ${p.queue}` } : null),
  },
  {
    id: 'waitgroup', gauges: ['waitgroup_counter'],
    title: 'The WaitGroup counter, with Add, Done and Wait marked', yLabel: 'counter', marks: ['add', 'done', 'wait', 'wait_returned'],
    limit: () => null,
  },
  {
    id: 'tokens', gauges: ['tokens'],
    title: 'Tokens in the bucket: each task takes one', yLabel: 'tokens', marks: [],
    limit: (p) => (p.burst != null ? { value: p.burst, label: `bucket size: ${p.burst}` } : null),
  },
];

/** Instants drawn across every chart and the timeline. */
export const EVERYWHERE = new Set(['cancel', 'deadline', 'deadlock', 'panic', 'timeout', 'fatal_send']);

const hasGauge = (series, name) => Array.isArray(series?.gauges?.[name]) && series.gauges[name].length > 0;

/**
 * The picture for a run: `{ kind: 'gauges', def } | { kind: 'graph' } | { kind: 'sequence' } |
 * { kind: 'goroutines' }`. `run` is a Report, or a live view of one ({series, marks, wait_graph}).
 */
export function pictureFor(run) {
  const def = GAUGE_PICTURES.find((d) => hasGauge(run.series, d.gauges[0]));
  if (def) return { kind: 'gauges', def };
  const g = run.wait_graph;
  if (g && g.nodes?.length) return { kind: 'graph' };
  const kinds = new Set((run.marks ?? []).map((m) => m.kind));
  if (kinds.has('close') && (kinds.has('send') || kinds.has('fatal_send'))) return { kind: 'sequence' };
  return { kind: 'goroutines' };
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
 * Only from the Report (or the live view) they stand beside.
 */
export function headline(run, picture = pictureFor(run)) {
  const out = [];
  const s = run.series ?? {};
  if (picture.kind === 'gauges') {
    for (const name of picture.def.gauges) {
      if (!hasGauge(s, name)) continue;
      const m = peak(s.gauges[name]);
      out.push([`${gaugeLabel(name)}, at most`, num(m)]);
    }
    const lim = picture.def.limit(run.params ?? {});
    if (lim) out.push(['limit', num(lim.value)]);
    const drops = (run.marks ?? []).filter((m) => m.kind === 'drop').length;
    if (picture.def.id === 'queue' && (drops || run.tasks)) out.push(['dropped', num(run.tasks?.dropped ?? drops)]);
    if (picture.def.id === 'waitgroup') {
      const last = s.gauges.waitgroup_counter.at(-1);
      out.push(['counter at the end', num(last)]);
    }
  } else if (picture.kind === 'graph') {
    const g = run.wait_graph;
    const blocked = g.nodes.filter((n) => n.kind === 'goroutine' && g.edges.some((e) => e.from === n.id)).length;
    out.push(['goroutines blocked', num(blocked)]);
    out.push(['goroutines alive', num(run.goroutines_after ?? run.live?.goroutines)]);
  } else if (picture.kind === 'sequence') {
    const ms = (run.marks ?? []);
    out.push(['sends before the close', num(ms.filter((m) => m.kind === 'send').length)]);
    const closeT = ms.find((m) => m.kind === 'close')?.t_ms ?? Infinity;
    const late = ms.find((m) => m.kind === 'fatal_send');
    if (late && late.t_ms >= closeT) out.push(['send after the close, fatal, at', `${num(late.t_ms, 1)} ms`]);
    else if (late) out.push(['the late send came before the close, at', `${num(late.t_ms, 1)} ms`]);
  }
  // The best-practices lesson is its checklist: how many of the practices hold in this run.
  if (run.checklist?.length) out.unshift(['practices that hold in this run', `${run.checklist.filter((c) => c.ok).length} of ${run.checklist.length}`]);
  if (out.length < 3 && (run.peak_goroutines != null || s.goroutines?.length)) {
    out.unshift(['peak goroutines', num(run.peak_goroutines ?? peak(s.goroutines))]);
  }
  if (out.length < 3 && run.heap_peak_bytes != null && picture.kind === 'goroutines') out.push(['heap peak', bytes(run.heap_peak_bytes)]);
  return out.slice(0, 3);
}

/** The picture's title. */
export function pictureTitle(picture) {
  switch (picture.kind) {
    case 'gauges': return picture.def.title;
    case 'graph': return 'Who waits for whom: the wait-for graph';
    case 'sequence': return 'The sends and the close, on one time line';
    default: return 'Goroutines alive over time';
  }
}
