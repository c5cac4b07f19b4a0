// Two runs side by side: which measures they share, which picture they share, and the instants
// each contributes. Pure functions over two Reports (no drawing): view.js writes the sentence and
// the headline from them, pictures.js draws from them.
import { measureText, valueAt } from '../format.js';
import { hasGauge, pictureFor } from './lessons.js';

/** Where a measure lives (`numbers.blocked_ms`, `peak_goroutines`), or its label when it has no
 * place (a value worked out from several figures can only be matched by name). */
const placeOf = (m) => (m.at ? (m.key != null ? `${m.at}.${m.key}` : m.at) : `label:${m.label}`);

/** Places every program's Report fills with the same meaning: read across two programs. */
const GENERAL = new Set(['peak_goroutines', 'goroutines_after', 'heap_peak_bytes']);

/**
 * The lesson's measures of two runs, matched by their place in the Report: rows
 * `{ label, a, b }` whose `a` and `b` are each run's value as text, or null where that run has no
 * value at that place. A run that names the measure itself gives its own text (with its "of");
 * the other run's value is read at the same place. Rows both runs have come first, then A's
 * order, then B's; at most `room`, each run's first measure among them. Review F3 (session 15): each side's headline had shown its own first two
 * measures, so "A: tasks that succeeded" stood beside "B: Cancel at".
 */
export function pairMeasures(a, b, room = 3) {
  const rows = new Map();
  for (const [side, r] of [['a', a], ['b', b]]) {
    for (const m of r?.measures ?? []) {
      const k = placeOf(m);
      if (!rows.has(k)) rows.set(k, { label: m.label, m, a: null, b: null });
      const row = rows.get(k);
      if (row[side] == null) row[side] = measureText(m);
    }
  }
  // Another program's measure is read in this run only where it means the same in every
  // program: "jobs sent", deadlock-unbuffered's tasks.submitted, read in a WaitGroup run that has
  // no jobs, said "3 in B" (second review, session 21).
  const same = a?.scenario === b?.scenario;
  for (const row of rows.values()) {
    for (const [side, r] of [['a', a], ['b', b]]) {
      if (row[side] != null || !row.m.at || !r || !(same || GENERAL.has(placeOf(row.m)))) continue;
      const v = valueAt(r, row.m);
      // (No "of": that count was the other run's.)
      if (v != null) row[side] = measureText({ ...row.m, value: v, of: null });
    }
  }
  const both = (row) => (row.a != null && row.b != null ? 1 : 0);
  const sorted = [...rows.values()].sort((x, y) => both(y) - both(x));
  // Each run's first measure (its lesson's lead: B's "Cancel at") stays within the first `room`
  // rows, in place of a later shared one.
  const leads = [a, b].map((r) => r?.measures?.[0]).filter(Boolean).map((m) => rows.get(placeOf(m)));
  const chosen = sorted.slice(0, room);
  for (const lead of leads) {
    if (chosen.includes(lead)) continue;
    const out = chosen.findLastIndex((row) => !leads.includes(row));
    if (out >= 0) chosen[out] = lead;
  }
  const order = (row) => sorted.indexOf(row);
  return chosen.sort((x, y) => order(x) - order(y)).map(({ label, a: va, b: vb }) => ({ label, a: va, b: vb }));
}

const DRAWN = new Set(['graph', 'lanes', 'sequence']);

/**
 * The picture two runs share: the lesson's own when both have it; when one of two runs of the
 * same lesson has a wait-for graph or gauges and the other has only the goroutine chart (the
 * right version waits for nothing at its end; Go's Report has no gauges), the lesson's picture
 * still, each run drawn with what it has. Otherwise the goroutine chart, which every run has.
 * Review F3: the leak pair and Go beside context-pool had dropped to the goroutine chart. `pb`:
 * the picture B's live run keeps (Pictures.drawNow's `picture`).
 */
export function pairPicture(a, b, pb = pictureFor(b)) {
  const pa = pictureFor(a);
  // Two runs' goroutine counts are the goroutine chart of a pair (a log axis where their peaks
  // differ 20 times or more), which is what a pool's bound is compared on.
  if (pa.kind === 'bound' || pb.kind === 'bound') return { kind: 'goroutines' };
  if (pa.kind === pb.kind && (pa.kind !== 'gauges' || pa.def.id === pb.def.id) && (pa.kind !== 'lanes' || pa.title === pb.title)) return pb;
  if (a.scenario !== b.scenario) return { kind: 'goroutines' };
  // Two versions of one lesson whose pictures are both drawings (a wait-for graph, lanes, the
  // sends and the close): each its own, A then B. The leak's graph beside its fix's shutdown,
  // where B had been drawn as "no goroutine waits" (review D5, session 17).
  if (DRAWN.has(pa.kind) && DRAWN.has(pb.kind)) return { kind: 'each', a: pa, b: pb };
  // A version drawn as lanes beside one drawn as a gauge chart that both runs' Reports have
  // (best-practices' pool beside its inner panic: the queue), that chart, as before the lanes.
  if (pa.kind === 'lanes' || pb.kind === 'lanes') {
    const g = [pa, pb].find((p) => p.kind === 'gauges');
    if (g && hasGauge(a.series, g.def.gauges[0]) && hasGauge(b.series, g.def.gauges[0])) return g;
  }
  const [own, other] = pa.kind === 'goroutines' ? [pb, pa] : [pa, pb];
  if (other.kind !== 'goroutines') return { kind: 'goroutines' };
  if (own.kind === 'graph' || own.kind === 'gauges') return own;
  return { kind: 'goroutines' };
}

/**
 * A run's instants as a pair draws them: each labelled with its run ("A: Cancel()"), and a Go
 * run's cancel, which its Report gives only as a number (`numbers.cancelled_at_ms`), as a mark
 * too. Review F3: beside Go only A's cancel was drawn, while the headline gave both.
 */
export function taggedMarks(tag, run, marks) {
  const out = [...marks];
  const at = run?.numbers?.cancelled_at_ms;
  if (Number.isFinite(at) && !out.some((m) => m.kind === 'cancel')) out.push({ t_ms: at, kind: 'cancel', label: 'cancel' });
  return out.map((m) => ({ ...m, label: `${tag}: ${m.label || m.kind.replace('_', ' ')}` }));
}
