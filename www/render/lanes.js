// The right versions' own pictures (review D5, session 17: they had the generic goroutine
// chart): goroutines as lanes on one time line, each instant from the Report they stand beside.
//   shutdown (leak-unclosed-channel/right): main's sends, close(jobs), each worker's jobs and
//     its return, wg.Wait() coming back, and the goroutines alive under them;
//   handoff (deadlock-unbuffered, a run that did not deadlock): the sends and main's reads of
//     the results, the workers between them, and for buffered channels each buffer's fill
//     against its capacity;
//   panic (best-practices/inner-panic): the workers, the goroutine one of them started for its
//     task, the panic on that one and the end of the program across every lane.
// The *Of functions read a Report into a picture (pure, no DOM); drawLanes draws one.
import { el, legendKey as key, svg, widthOf } from '../dom.js';
import { at, num } from '../format.js';
import { axisStart, niceTicks, spread } from './sequence.js';
import { laneKind, truthful } from './lessons.js';
import { OUTCOME_COLORS, WAIT_HATCH } from './timeline.js';
import { ink } from './ink.js';
import { markStyle } from './marks.js';

/** The lanes' colours, each with 3:1 against the card in both themes (ink.js; checked by
 * tests/e2e/contrast.test.mjs). A job was Okabe–Ito's sky blue, 2.3:1 on the light card, and a
 * shade of blue that has 3:1 there is the sends' own: jobs are amber. wg.Wait() coming back is
 * the Wait returned mark's violet, and the end of the program the theme's red, both read as the
 * picture is drawn (2.6:1 and 2.9:1 on the dark card before). */
export const LANE_COLORS = {
  send: '#0072B2', receive: '#D55E00', job: '#a8820a', done: '#009E73', fill: '#0072B2',
  get back() { return markStyle('wait_returned')[0]; },
  get panic() { return ink('red'); },
};
const C = LANE_COLORS;
/** Each drawing's own id for its hatch pattern (two pictures side by side are on one page). */
let hatches = 0;

const of = (r, kind) => truthful(r.marks ?? []).filter((m) => m.kind === kind).sort((a, b) => a.t_ms - b.t_ms);
const rowsOf = (r) => (Array.isArray(r.timeline) ? r.timeline : []);

/** A time in ms with the decimals the axis step needs (0.055 ms, not 0.06). */
const digitsFor = (step) => (step >= 1 - 1e-9 ? 0 : step >= 0.1 - 1e-9 ? 1 : step >= 0.01 - 1e-9 ? 2 : 3);
const fmt = (t, d) => `${t.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d })} ms`;
/** A time in a sentence: a digit more than the axis's ticks below 1 ms (0.056, not 0.06, where
 * the sends and the first read are 5 µs apart); else as every instant on the page (`at`: inner-panic
 * read "panicked at 233 ms" beside "233.1 ms" in its headline, review H2, session 22). */
const said = (ax) => (t) => (ax.d >= 1 ? fmt(t, Math.min(3, ax.d + 1)) : at(t));
const plural = (n, one, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

/** The axis of a picture whose instants run from `first` to `last`, ending no sooner than `end`. */
function axis(first, last, end) {
  const top = Math.max(last, end);
  const t0 = axisStart(first, top);
  const to = t0 + ((top - t0) || 1) * 1.04;
  const ticks = niceTicks(to, 5, t0);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : to - t0;
  return { t0, to, ticks, d: digitsFor(step) };
}

/** Jobs of a timeline row as bars. */
const jobBars = (row, color = C.job) => (row?.tasks ?? []).filter((t) => Number.isFinite(t.start_ms)).map((t) => ({ from: t.start_ms, to: t.end_ms, color, title: `job ${t.task}` }));
/** The jobs' start or end times, where the picture has them (not in a still run: stillOf). */
const times = (rows, key) => rows.flatMap((x) => x.tasks.map((t) => t[key])).filter(Number.isFinite);

/**
 * In deterministic mode a program that never sleeps runs in no time: every instant at 0 ms
 * (leak/right, the deadlock lesson's right versions). Such a run is drawn in the order its
 * Report lists the marks, one step each, without the jobs' bars (they have no order among the
 * marks); null for a run whose instants are apart.
 */
export function stillOf(r) {
  const ts = (r.marks ?? []).map((m) => m.t_ms);
  if (ts.length < 2 || Math.max(...ts) - Math.min(...ts) > 1e-9) return null;
  return { ...r, marks: r.marks.map((m, i) => ({ ...m, t_ms: i + 1 })), timeline: rowsOf(r).map((row) => ({ ...row, tasks: row.tasks.map((t) => ({ ...t, start_ms: NaN, end_ms: NaN })) })) };
}

const KIND_WORDS = { send: ['send', 'sends'], receive: ['read of a result', 'reads of results'], close: ['close(jobs)', 'close(jobs)'], done: ['worker returns', 'workers return'], wait_returned: ['wg.Wait() comes back', 'wg.Wait() comes back'] };
/** A still run's marks in order, each run of one kind counted: "10 sends → close(jobs) → …". */
export function orderOf(marks) {
  const groups = [];
  for (const m of marks) {
    if (!KIND_WORDS[m.kind]) continue;
    if (groups.at(-1)?.kind === m.kind) groups.at(-1).n++;
    else groups.push({ kind: m.kind, n: 1 });
  }
  return groups.map(({ kind, n }) => (kind === 'close' || kind === 'wait_returned' ? KIND_WORDS[kind][0] : `${num(n)} ${KIND_WORDS[kind][n === 1 ? 0 : 1]}`)).join(' → ');
}

/** leak-unclosed-channel/right: the fix on one time line. */
export function shutdownOf(run) {
  const r = stillOf(run) ?? run;
  const sends = of(r, 'send'), close = of(r, 'close')[0], dones = of(r, 'done'), back = of(r, 'wait_returned')[0];
  const workerOf = (m) => Number(/^worker (\d+)/.exec(m.label ?? '')?.[1]);
  const n = r.params?.workers ?? dones.length;
  const rows = rowsOf(r);
  const last = Math.max(...[...sends, close, ...dones, back].filter(Boolean).map((m) => m.t_ms));
  const ax = axis(sends[0].t_ms, last, last);
  const f = said(ax);
  const lanes = [{
    label: `main: ${plural(sends.length, 'send')}, close(jobs)${back ? ', wg.Wait() came back' : ''}`,
    line: [ax.t0, back?.t_ms ?? ax.to],
    ticks: [...sends.map((m) => ({ t: m.t_ms, color: C.send, what: 'send' })), ...(back ? [{ t: back.t_ms, color: C.back, wide: true, what: 'wg.Wait()' }] : [])],
  }];
  for (let w = 1; w <= n; w++) {
    const done = dones.find((m) => workerOf(m) === w);
    const jobs = rows.find((x) => x.worker === w)?.tasks?.length ?? 0;
    lanes.push({
      label: `worker ${w}: ${plural(jobs, 'job')}, ${done ? `returned at ${f(done.t_ms)}` : 'never returned'}`,
      line: [ax.t0, done?.t_ms ?? ax.to],
      bars: jobBars(rows.find((x) => x.worker === w)),
      end: done ? { t: done.t_ms, color: C.done } : null,
    });
  }
  // Goroutines alive, from the marks: main and the workers (started before the first send),
  // less each worker as it returns.
  const steps = [{ t: ax.t0, v: 1 + n }, ...dones.map((m, i) => ({ t: m.t_ms, v: 1 + n - (i + 1) }))];
  const sentence = `main sent ${plural(sends.length, 'job')} (${f(sends[0].t_ms).replace(' ms', '')}–${f(sends.at(-1).t_ms)}) and closed jobs at ${f(close.t_ms)}; `
    + `then each worker's \`range jobs\` loop ended and it returned (${num(dones.length)} of ${num(n)}${dones.length ? `, the last at ${f(dones.at(-1).t_ms)}` : ''})`
    + `${back ? `, and wg.Wait() came back at ${f(back.t_ms)}` : ''}: goroutines alive ${num(1 + n)} → ${num(1 + n - dones.length)}.`;
  return {
    kind: 'shutdown', ax, lanes, sentence,
    vlines: [{ t: close.t_ms, color: 'currentColor', label: 'close(jobs)', dash: '4 3' }],
    strip: { label: `goroutines alive (main + workers not yet returned): ${num(steps[0].v)} → ${num(steps.at(-1).v)}`, steps },
    legend: [[C.send, 'a send (jobs <- i), as it began'], [C.job, 'a job, in its worker', 'box'], ['currentColor', 'close(jobs)', 'dashed'],
      [C.done, 'the worker returns (wg.Done)', 'box'], [C.back, 'wg.Wait() comes back', 'box']],
  };
}

/** The most of `ups` (times) less `downs` (times) at any instant, at least 0, and the steps. */
function level(ups, downs, cap) {
  const ev = [...ups.map((t) => [t, 1]), ...downs.map((t) => [t, -1])].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let v = 0, most = 0;
  const steps = [];
  for (const [t, d] of ev) { v = Math.min(cap, Math.max(0, v + d)); most = Math.max(most, v); steps.push({ t, v }); }
  return { most, steps };
}

/** deadlock-unbuffered, a run that completed: who sent, who read, and when. */
export function handoffOf(run) {
  const r = stillOf(run) ?? run;
  const sends = of(r, 'send'), recvs = of(r, 'receive'), close = of(r, 'close')[0];
  const rows = rowsOf(r);
  const separate = r.variant === 'separate-goroutines';
  const cap = separate || r.variant === 'wrong' ? 0 : r.params?.queue ?? 0;
  const last = Math.max(...[...sends, ...recvs, close].filter(Boolean).map((m) => m.t_ms), ...times(rows, 'end_ms'));
  const ax = axis(Math.min(sends[0].t_ms, ...times(rows, 'start_ms')), last, last);
  const f = said(ax);
  const sendTicks = sends.map((m) => ({ t: m.t_ms, color: C.send, what: 'send' }));
  // A read's tick is never drawn before its time (`late`): the sentence gives the first read's
  // time, and at 390 px the ticks spread leftwards had started 0.04 ms before it (review F7,
  // session 18).
  const recvTicks = recvs.map((m) => ({ t: m.t_ms, color: C.receive, what: 'read', late: true }));
  const before = sends.filter((m) => m.t_ms < recvs[0].t_ms).length;
  const between = recvs.filter((m) => m.t_ms < sends.at(-1).t_ms).length;
  const lanes = [];
  if (separate) {
    lanes.push({ label: `sender goroutine: ${plural(sends.length, 'send')}, then close(jobs)`, line: [ax.t0, close?.t_ms ?? ax.to], ticks: sendTicks });
    lanes.push({ label: `main: ${plural(recvs.length, 'read')} of results`, line: [ax.t0, ax.to], ticks: recvTicks });
  } else {
    lanes.push({ label: `main: ${plural(sends.length, 'send')}, close(jobs), then ${plural(recvs.length, 'read')} of results`, line: [ax.t0, ax.to], ticks: [...sendTicks, ...recvTicks] });
  }
  const workers = r.params?.workers ?? rows.length;
  // Every worker, the ones that took no job too (the timeline has rows only for those that did).
  for (let w = 1; w <= workers; w++) {
    const row = rows.find((x) => x.worker === w);
    lanes.push({ label: `worker ${w}: ${plural(row?.tasks.length ?? 0, 'job')}`, line: [ax.t0, ax.to], bars: jobBars(row) });
  }
  let fills = [];
  if (cap > 0 && !stillOf(run)) {
    // What a buffer held: sent in, less taken out (a job taken when its worker started it, a
    // result put in when its worker's send returned and taken by main's read).
    const starts = times(rows, 'start_ms'), ends = times(rows, 'end_ms');
    const jobs = level(sends.map((m) => m.t_ms), starts, cap), results = level(ends, recvs.map((m) => m.t_ms), cap);
    fills = [{ label: `jobs buffer: up to ${num(jobs.most)} of its ${num(cap)} slots used`, cap, steps: jobs.steps },
      { label: `results buffer: up to ${num(results.most)} of its ${num(cap)} slots used`, cap, steps: results.steps }];
  }
  // Work waiting while the workers had not run yet: the first job taken well after the first send
  // (on 2 busy cores, 0.15 ms). The goroutine chart below draws it as "runnable".
  const firstJob = Math.min(...times(rows, 'start_ms'));
  const late = firstJob - sends[0].t_ms > 0.25 * (ax.to - ax.t0)
    ? ` The workers took their first job at ${f(firstJob)}, ${f(firstJob - sends[0].t_ms)} after the first send: until then they were runnable (ready, waiting for a thread) or just starting.` : '';
  const sentence = separate
    ? `The sender goroutine sent and main read at the same time: main read its first result at ${f(recvs[0].t_ms)}, after the sender had begun ${plural(before, 'send')}, `
      + `and ${plural(between, 'read')} came before the sender's last send (${f(sends.at(-1).t_ms)}). Unbuffered, each send waited for a worker, and each worker for main's read: in one goroutine that would have deadlocked.${late}`
    : `All ${plural(sends.length, 'send')} went through by ${f(sends.at(-1).t_ms)}${before === sends.length ? `, before main's first read at ${f(recvs[0].t_ms)}` : ''}: `
      + `${cap > 0 ? `the buffers and workers had room for ${num(2 * cap + workers)} jobs (${num(cap)} + ${num(cap)} slots, one job in each of ${plural(workers, 'worker')})` : `the ${plural(workers, 'worker')} held one job each`} and main sent ${num(sends.length)}. `
      + `Then main read all ${num(recvs.length)} results.${late}`;
  return {
    kind: 'handoff', ax, lanes, fills, sentence,
    vlines: close ? [{ t: close.t_ms, color: 'currentColor', label: 'close(jobs)', dash: '4 3' }] : [],
    legend: [[C.send, 'a send (jobs <- i), as it began'], [C.receive, 'main reads a result (<-results)'], [C.job, 'a job, in its worker', 'box'],
      ...(cap > 0 ? [[C.fill, 'values in a buffer, against its slots', 'box']] : [])],
  };
}

/**
 * The tasks each worker had taken and was still running when the program died: the timeline's
 * `unfinished` entries (the scenario records a task when its worker takes it, and when
 * processTask returns). Review F7 (session 18) saw workers 2–4 drawn idle for 105 ms beside a
 * full queue: the timeline had listed only tasks whose result came back.
 * Returns Map(worker → {task, start_ms}).
 */
export function runningAtDeath(r) {
  const open = new Map();
  for (const row of rowsOf(r)) {
    const t = (row.tasks ?? []).find((x) => x.outcome === 'unfinished');
    if (t) open.set(row.worker, t);
  }
  return open;
}

const done = (row) => ({ ...row, tasks: (row?.tasks ?? []).filter((t) => t.outcome !== 'unfinished') });

/** best-practices/inner-panic: which goroutine panicked, who started it, and the end. */
export function panicOf(r) {
  const n = r.numbers;
  const panic = of(r, 'panic')[0];
  const w = n.inner_panic_worker, started = n.inner_panic_started_ms;
  const rows = rowsOf(r);
  const ax = { t0: 0, to: panic.t_ms * 1.04 };
  const ticks = niceTicks(ax.to, 5, 0);
  Object.assign(ax, { ticks, d: digitsFor(ticks.length > 1 ? ticks[1] - ticks[0] : ax.to) });
  const f = said(ax);
  const workers = r.params?.workers ?? rows.length;
  const open = runningAtDeath(r);
  const lanes = [];
  for (let i = 1; i <= workers; i++) {
    const mine = i === w;
    const row = done(rows.find((x) => x.worker === i));
    // The panicking worker's task is open to the end, as the timeline below draws it; its wait
    // for the goroutine it started is hatched over it, as the timeline hatches a final wait
    // (it was amber here, the timeline's "panicked": review N2, session 20), from the
    // goroutine's start.
    const o = open.get(i);
    const waitFrom = mine ? started : null;
    lanes.push({
      label: `worker ${i}${mine ? ` (goroutine ${n.inner_panic_worker_goroutine}), its recover() here` : ''}: ${plural(row.tasks.length, 'task')} done${o ? ', 1 running at the end' : ''}`,
      line: [ax.t0, panic.t_ms],
      bars: jobBars(row, OUTCOME_COLORS.success),
      open: o ? { from: o.start_ms, to: panic.t_ms, title: `task ${o.task}, taken at ${f(o.start_ms)}, still running when the program died` } : null,
      wait: mine ? { from: waitFrom, to: panic.t_ms, title: `task ${o?.task ?? ''}: worker ${i} waits for the goroutine it started, from ${f(waitFrom)}` } : null,
      strong: mine,
    });
    if (mine) {
      lanes.push({
        label: `└ goroutine ${n.inner_panic_goroutine}, started by worker ${i}'s go func(): it panicked`,
        line: [started, panic.t_ms], indent: true, from: lanes.length - 1, cross: { t: panic.t_ms, color: C.panic },
        bars: [{ from: started, to: panic.t_ms, color: C.panic, title: 'the task\'s work', light: true }],
      });
    }
  }
  const unfinished = r.tasks?.unfinished;
  const sentence = `Goroutine ${n.inner_panic_goroutine}, which worker ${num(w)} started at ${f(started)} for its task, panicked at ${f(panic.t_ms)} ("${panic.label.replace(/^panic: /, '')}"). `
    + `Worker ${num(w)}'s recover() runs in goroutine ${n.inner_panic_worker_goroutine} and cannot catch a panic in another goroutine: the program died there (exit status ${num(r.exit_status ?? 2)})${Number.isFinite(unfinished) ? `, ${plural(unfinished, 'task')} unfinished` : ''}.`;
  const others = [...open].sort(([p], [q]) => p - q);
  const running = others.length;
  return {
    kind: 'panic', ax, lanes, sentence,
    note: running
      ? `An open bar is a task a worker had taken and was still running when the program died: ${others.map(([i, t]) => `task ${num(t.task)} on worker ${num(i)}`).join(', ')}.`
      : 'No other worker was running a task when the program died.',
    vlines: [{ t: panic.t_ms, color: C.panic, label: 'the program dies', width: 2 }],
    // In the per-worker timeline's colours below it: green a task done, blue one still running
    // when the program died (light blue had meant "done" here and "still running" there:
    // independent review, session 20, F8).
    legend: [[OUTCOME_COLORS.success, 'a task done', 'box'], ...(running ? [[OUTCOME_COLORS.unfinished, 'a task still running when the program died', 'open']] : []),
      [WAIT_HATCH.line, 'hatched: the worker waits for the goroutine it started, over its task still running', 'hatch'],
      [C.panic, 'the goroutine that panicked', 'box'], [C.panic, 'the end of the program', '']],
  };
}

/** The picture of `run` for its lane kind. */
export function lanesOf(run, kind = laneKind(run)) {
  const p = kind === 'shutdown' ? shutdownOf(run) : kind === 'handoff' ? handoffOf(run) : kind === 'panic' ? panicOf(run) : null;
  const still = p && kind !== 'panic' ? stillOf(run) : null;
  if (still) {
    // No time passed: the order is the picture, and the sentence says it without times.
    Object.assign(p, { still: true, sentence: `No time passed in this run (deterministic mode, and the program never sleeps), so its lanes show the order of events, one step each: ${orderOf(still.marks)}.` });
    for (const l of p.lanes) l.label = l.label.replace(/, returned at [\d.]+ ms$/, ', returned');
    // (No bars nor buffers without time: their legend goes too.)
    p.legend = p.legend.filter(([, text]) => !/^a job|^values in a buffer/.test(text));
  }
  return p;
}

/** Rough width of an 11 px label, px. */
const textWidth = (text) => text.length * 6.3;

/** Ticks less than this many px apart are drawn this far apart, so each can be counted. */
const TICK_GAP = 4;

/** A lane's ticks drawn apart: the `late` ones never before their time, the others never after
 * it (a send stays before the close). Returns [{tk, x}] and which kinds moved. */
function placeTicks(ticks, x) {
  const out = [], moved = { early: new Set(), late: new Set() };
  for (const late of [false, true]) {
    const group = ticks.filter((tk) => Boolean(tk.late) === late).sort((a, b) => a.t - b.t);
    const sp = spread(group.map((tk) => x(tk.t)), TICK_GAP, { rightwards: late });
    group.forEach((tk, k) => {
      out.push({ tk, x: sp.xs[k] });
      if (Math.abs(sp.xs[k] - x(tk.t)) > 0.01) moved[late ? 'late' : 'early'].add(tk.what ?? 'tick');
    });
  }
  return { out, moved };
}

/** The note under a picture whose ticks were spread, naming which way each kind went. */
function spreadNote(moved) {
  const plural2 = (w) => (w === 'wg.Wait()' ? w : `${w}s`);
  const parts = [...[...moved.early].map((w) => `${plural2(w)} at or before their time`), ...[...moved.late].map((w) => `${plural2(w)} at or after their time (the first one's at it)`)];
  return parts.length ? `Ticks less than ${TICK_GAP} px apart are drawn ${TICK_GAP} px apart, so each can be counted: ${parts.join('; ')}.` : null;
}

/** Draws `run`'s lane picture into `host`; returns its sentence. */
export function drawLanes(host, run, kind = laneKind(run)) {
  const p = lanesOf(run, kind);
  if (!p) { host.replaceChildren(el('p', { class: 'muted' }, 'This run has no marks to draw its lanes from.')); return null; }
  const W = Math.max(300, Math.floor(widthOf(host)));
  const left = 12, right = W - 12;
  const { t0 } = p.ax;
  let { to } = p.ax;
  const end = to; // a lane drawn to the axis's end goes to the lengthened one
  const x = (t) => left + ((Math.max(t0, Math.min(to, t)) - t0) / (to - t0)) * (right - left);
  // Ticks spread to the right (reads, never before their time) need room before the axis ends:
  // it is lengthened until the last of them fits (a few tries: a longer axis packs them closer).
  for (let k = 0; k < 4 && !p.still; k++) {
    const over = Math.max(0, ...p.lanes.map((l) => Math.max(...placeTicks((l.ticks ?? []).filter((tk) => tk.late), x).out.map((o) => o.x), -Infinity) - (right - 2)));
    if (!(over > 0)) break;
    to += (over / (right - left)) * (to - t0) * 1.1;
  }
  if (to !== p.ax.to) {
    const ticks = niceTicks(to, 5, t0).filter((t) => t <= to + 1e-9);
    p.ax = { ...p.ax, to, ticks, d: Math.max(p.ax.d, digitsFor(ticks.length > 1 ? ticks[1] - ticks[0] : to - t0)) };
  }
  const moved = { early: new Set(), late: new Set() };
  const LANE = 34, FILL = 44, STRIP = 50;
  const top = 18;
  const laneY = (i) => top + i * LANE + 24; // the lane's line; its label 13 px above
  let y = top + p.lanes.length * LANE;
  const fillY = p.fills?.map(() => { const at = y; y += FILL; return at; }) ?? [];
  const stripY = p.strip ? y : null;
  if (p.strip) y += STRIP;
  const axisY = y + 8;
  const H = axisY + 26;
  const hatchId = `lane-hatch-${++hatches}`;
  const parts = [svg('defs', {}, svg('pattern', { id: hatchId, patternUnits: 'userSpaceOnUse', width: WAIT_HATCH.step, height: WAIT_HATCH.step, patternTransform: 'rotate(45)' },
    svg('rect', { width: WAIT_HATCH.step, height: WAIT_HATCH.step, fill: WAIT_HATCH.ground }), svg('line', { x1: 0, y1: 0, x2: 0, y2: WAIT_HATCH.step, stroke: WAIT_HATCH.line, 'stroke-width': 2 })))];
  // The instants across every lane first, under the lanes' marks.
  for (const v of p.vlines) {
    const vx = x(v.t);
    const flip = vx + 6 + textWidth(v.label) > right;
    parts.push(svg('line', { x1: vx, x2: vx, y1: top - 4, y2: axisY, stroke: v.color, 'stroke-width': v.width ?? 1.5, 'stroke-dasharray': v.dash ?? null, class: 'lane-vline' }),
      svg('text', { x: flip ? vx - 5 : vx + 5, y: top - 6, 'text-anchor': flip ? 'end' : 'start', class: 'seq-label seq-strong' }, v.label));
  }
  p.lanes.forEach((lane, i) => {
    const ly = laneY(i);
    let lx = lane.indent ? left + 14 : left;
    // The label in full where it fits, else up to its first colon (a phone's 330 px).
    let text = textWidth(lane.label) <= right - lx ? lane.label : lane.label.replace(/: .*$/, '');
    if (lane.from != null) {
      // Not across the go statement's arrow, which comes down at the lane's start: before it,
      // else after it, else as much as fits before it (at 390 px the arrow ran through "goroutine
      // 14, started by worker 1's go func()": review F7, session 18).
      const gx = x(lane.line[0]);
      const fits = (t, from, to) => from + textWidth(t) <= to;
      const short = text.replace(/, started by .*$/, '');
      if (fits(text, lx, gx - 6)) { /* before the arrow */ } else if (fits(text, gx + 8, right)) lx = gx + 8;
      else if (fits(short, lx, gx - 6)) text = short;
      else if (fits(short, gx + 8, right)) { text = short; lx = gx + 8; }
    }
    parts.push(svg('text', { x: lx, y: ly - 10, class: `seq-label lane-label${lane.strong ? ' seq-strong' : ''}`, 'data-lane': i }, text, svg('title', {}, lane.label)));
    const [a, b0] = lane.line;
    const b = b0 === end ? to : b0;
    parts.push(svg('line', { x1: x(a), x2: x(b), y1: ly, y2: ly, stroke: 'currentColor', 'stroke-opacity': 0.35, 'stroke-width': 1.5 }));
    if (lane.from != null) {
      // The go statement: from the lane of the goroutine that started this one.
      const gx = x(a);
      parts.push(svg('path', { d: `M${gx},${laneY(lane.from) + 5} V${ly - 4}`, stroke: C.panic, 'stroke-width': 1.5, fill: 'none', 'marker-end': null, class: 'lane-go' }),
        svg('path', { d: `M${gx - 4},${ly - 9} l4,5 l4,-5`, stroke: C.panic, 'stroke-width': 1.5, fill: 'none' }));
    }
    if (lane.open) {
      // A task running when the program died: an outlined bar, open at the death line.
      const [bx, ex] = [x(lane.open.from), x(lane.open.to)];
      parts.push(svg('path', { d: `M${ex},${ly - 5} H${bx} V${ly + 5} H${ex}`, fill: 'none', stroke: OUTCOME_COLORS.unfinished, 'stroke-width': 1.5, class: 'lane-open' }, svg('title', {}, lane.open.title)),
        svg('rect', { x: bx, y: ly - 5, width: Math.max(1, ex - bx), height: 10, fill: OUTCOME_COLORS.unfinished, 'fill-opacity': 0.18 }));
    }
    if (lane.wait) {
      const [bx, ex] = [x(lane.wait.from), x(lane.wait.to)];
      parts.push(svg('rect', { x: bx, y: ly - 5, width: Math.max(2, ex - bx), height: 10, fill: `url(#${hatchId})`, class: 'lane-wait' }, svg('title', {}, lane.wait.title)));
    }
    for (const bar of lane.bars ?? []) {
      parts.push(svg('rect', { x: x(bar.from), y: ly - 5, width: Math.max(2, x(bar.to) - x(bar.from)), height: 10, fill: bar.color, 'fill-opacity': bar.light ? 0.3 : 1, class: 'lane-bar' },
        svg('title', {}, bar.title)));
    }
    const placed = placeTicks(lane.ticks ?? [], x);
    for (const side of ['early', 'late']) for (const w of placed.moved[side]) moved[side].add(w);
    for (const { tk, x: tx } of placed.out) parts.push(svg('line', { x1: tx, x2: tx, y1: ly - 8, y2: ly + 8, stroke: tk.color, 'stroke-width': tk.wide ? 4 : 2, class: 'lane-tick', 'data-c': tk.color, 'data-t': tk.t }));
    if (lane.end) parts.push(svg('rect', { x: x(lane.end.t) - 3, y: ly - 7, width: 6, height: 14, fill: lane.end.color, class: 'lane-end' }));
    if (lane.cross) {
      const cx = x(lane.cross.t);
      parts.push(svg('path', { d: `M${cx - 7},${ly - 7} l14,14 m0,-14 l-14,14`, stroke: lane.cross.color, 'stroke-width': 3.5, class: 'lane-cross' }));
    }
  });
  // Buffers: each its slots as a box, what it held as a step area inside.
  (p.fills ?? []).forEach((fl, i) => {
    const y0 = fillY[i] + 14, h = FILL - 20;
    const yv = (v) => y0 + h - (v / fl.cap) * h;
    parts.push(svg('text', { x: left, y: y0 - 3, class: 'seq-label lane-fill-label' }, fl.label),
      svg('rect', { x: left, y: y0, width: right - left, height: h, fill: 'none', stroke: 'currentColor', 'stroke-opacity': 0.35 }));
    let d = `M${x(t0)},${yv(0)}`;
    for (const s of fl.steps) d += `H${x(s.t)}V${yv(s.v)}`;
    d += `H${x(to)}V${yv(0)}Z`;
    parts.push(svg('path', { d, fill: C.fill, 'fill-opacity': 0.35, stroke: C.fill, 'stroke-width': 1, class: 'lane-fill' }));
  });
  if (p.strip) {
    const y0 = stripY + 18, h = STRIP - 24;
    const most = Math.max(...p.strip.steps.map((s) => s.v), 1);
    const yv = (v) => y0 + h - (v / most) * h;
    parts.push(svg('text', { x: left, y: y0 - 4, class: 'seq-label lane-strip-label' }, p.strip.label));
    let d = '';
    p.strip.steps.forEach((s, k) => { d += k ? `H${x(s.t)}V${yv(s.v)}` : `M${x(s.t)},${yv(s.v)}`; });
    d += `H${x(to)}`;
    parts.push(svg('path', { d, fill: 'none', stroke: 'currentColor', 'stroke-width': 2, class: 'lane-strip' }));
  }
  parts.push(svg('line', { x1: left, x2: right, y1: axisY, y2: axisY, stroke: 'currentColor', 'stroke-width': 1 }));
  if (p.still) parts.push(svg('text', { x: left, y: axisY + 16, class: 'seq-axis' }, 'the order of events →'));
  else p.ax.ticks.forEach((t, i) => {
    const tx = x(t);
    parts.push(svg('line', { x1: tx, x2: tx, y1: axisY, y2: axisY + 4, stroke: 'currentColor' }),
      svg('text', { x: tx, y: axisY + 16, 'text-anchor': i === 0 && tx < left + 20 ? 'start' : tx > right - 30 ? 'end' : 'middle', class: 'seq-axis' }, fmt(t, p.ax.d)));
  });
  host.replaceChildren(
    el('p', { class: 'wg-caption lane-sentence' }, p.sentence),
    svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': p.sentence, class: `lanes lanes-${p.kind}`, 'data-from': t0, 'data-to': to }, parts),
    // The start rounded down, one decimal finer than the ticks: rounded to the ticks' decimal,
    // 0.25 ms read "0.3 ms" above a send drawn at 0.29 (second review, session 21).
    ...[t0 > 0 && !p.still ? `The time line starts at ${fmt(Math.floor(t0 * 10 ** (p.ax.d + 1)) / 10 ** (p.ax.d + 1), p.ax.d + 1)}: nothing drawn here happened before it.` : null, p.still ? null : spreadNote(moved), p.note ?? null]
      .filter(Boolean).map((t) => el('p', { class: 'muted seq-note' }, t)),
    el('p', { class: 'legend' }, ...p.legend.map(([c, text, kind]) => key(c, text, kind))));
  return p.sentence;
}
