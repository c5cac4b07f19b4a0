// Draws the state object: the buttons (from the run's phase), the status line, the lesson's
// title, sentence and headline numbers. Reads `state`, never changes it.
import { $, el, fill } from './dom.js';
import { parseForm } from './form.js';
import { bytes, measureText, ms, num, readable, runName, valueAt } from './format.js';
import { headline, pictureFor, relative } from './render/lessons.js';
import { pairMeasures, pairPicture } from './render/pair.js';
import { packedOf } from './timeline-pack.js';
import { describeParams, findSpec, unusedParams, usedParams } from './schema.js';
import { busy, state } from './state.js';

/** Which controls work in each phase. */
export function drawControls() {
  const p = state.phase;
  const ready = p !== 'loading' && p !== 'broken';
  const idle = p === 'idle' || p === 'done';
  const run = $('run');
  run.disabled = !(idle || p === 'stepping');
  run.textContent = p === 'stepping' ? 'Run to the end' : 'Run';
  const step = $('step');
  step.disabled = !(idle || p === 'stepping');
  step.textContent = p === 'stepping' ? 'Next step' : 'Step';
  const stop = $('stop');
  stop.disabled = !['running', 'stepping', 'side-by-side'].includes(p);
  stop.textContent = p === 'stopping' ? 'Stopping…' : 'Stop';
  $('reset').disabled = !ready;
  $('compare').disabled = !idle;
  $('pin').disabled = !(idle && state.report && !state.pair);
  $('pin').hidden = Boolean(state.pinned);
  $('unpin').hidden = !state.pinned;
  $('unpin').disabled = busy();
  const goOk = state.go?.status !== 'unavailable';
  $('run-go').disabled = !(idle && goOk);
  $('copy-link').disabled = !ready || !state.spec;
  $('copy-embed').disabled = !ready || !state.spec;
  const shown = Boolean(state.report || state.pair);
  for (const id of ['export-json', 'export-csv', 'export-png']) $(id).disabled = !shown || busy();
  // The trace is the engine's last run: offered when that run is the one on screen.
  $('export-trace').disabled = !state.info?.trace || !state.report || Boolean(state.pair) || state.report.engine === 'go' || busy();
  $('speed-run').disabled = !idle;
  $('pin-note').textContent = state.pinned
    ? `A is ${runName(state.pinned)} (${describeParams(findSpec(state.specs, state.pinned.scenario), state.pinned.params, { only: keyParams(state.pinned) })}). Change the lesson, version or parameters and press Run: the run is drawn beside A.`
    : 'Keep a finished run as A; the next run is drawn beside it on the same axes.';
  document.body.dataset.phase = p;
  drawFormNote();
}

/** What the form holds now, in the schema's types, or null where a field does not convert. */
function formNow() {
  const spec = state.spec;
  if (!spec) return null;
  const { params, errors } = parseForm(spec);
  if (errors.length) return null;
  const variant = $('variants').querySelector('input:checked')?.value ?? state.variant;
  return { scenario: spec.id, variant, params };
}

/**
 * `r` named with the parameters it ran with that `other` did not ("time_scale 50 (A: 10)"): the
 * whole list was seven lines in the form's panel and pushed Run below the fold at 1366×657.
 */
function ranWith(r, other, tag) {
  const mine = usedParams(state.specs, r), theirs = usedParams(state.specs, other);
  const show = (v) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
  const diff = Object.entries(mine).filter(([k, v]) => theirs[k] !== v)
    .map(([k, v]) => `${k} ${show(v)}${k in theirs ? ` (${tag}: ${show(theirs[k])})` : ''}`);
  return `${runName(r)}${diff.length ? `, with ${diff.join(' · ')}` : ', with the same settings'}`;
}

/**
 * Whose settings the form holds while a pair is on screen. The first screen ran A and B with
 * different settings (B at time scale 50) and the form showed A's without saying so (independent
 * review F11, session 16): one run, one truth. The note names the run (or runs) the form matches,
 * field by field, and lists the other's; once the form is changed, it says it matches neither.
 */
export function drawFormNote() {
  const host = $('form-note');
  const pair = state.pair;
  if (!pair?.b || busy()) { host.hidden = true; host.textContent = ''; return; }
  const form = formNow();
  const holds = (r) => form != null && r.scenario === form.scenario && r.variant === form.variant
    && Object.entries(form.params).every(([k, v]) => r.params?.[k] === v);
  const a = holds(pair.a), b = holds(pair.b);
  host.hidden = false;
  host.dataset.holds = a && b ? 'both' : a ? 'A' : b ? 'B' : 'neither';
  fill(host, a && b ? [el('strong', {}, 'The form holds the settings A and B both ran'), '.']
    : a ? [el('strong', {}, 'The form holds A’s settings'), `. B ran ${ranWith(pair.b, pair.a, 'A')}.`]
      : b ? [el('strong', {}, 'The form holds B’s settings'), `. A ran ${ranWith(pair.a, pair.b, 'B')}.`]
        : [el('strong', {}, 'The form holds neither run’s settings'), ': it was changed after A and B ran.']);
}

/** The parameters worth naming in a label: the ones the scenario reads, without mode and scale. */
export function keyParams(r) {
  const spec = findSpec(state.specs, r.scenario);
  const unused = spec ? unusedParams(spec, r.variant) : new Map();
  return (spec?.params.map((p) => p.name) ?? Object.keys(r.params ?? {})).filter((n) => !['mode', 'time_scale'].includes(n) && !unused.has(n) && n in (r.params ?? {}));
}

export function drawStatus() {
  $('status').textContent = state.message;
}

/** Title, sentence and the numbers beside the picture, for what is on screen. */
export function drawLesson() {
  const spec = state.spec;
  const pair = state.pair;
  drawModeNote();
  if (pair) {
    const { a, b } = pair;
    const sa = findSpec(state.specs, a.scenario), sb = findSpec(state.specs, b?.scenario);
    const axes = b && relative(a, b) ? "each on its own run's time" : 'on the same axes';
    $('section').textContent = b?.engine === 'go' ? `The same program in this engine (A) and in real Go (B), ${axes}` : `Side by side, ${axes}`;
    $('title').textContent = b?.engine === 'go' && a.engine !== 'go'
      ? `${sa?.title ?? a.scenario} (${a.variant}): A in this engine (${a.build}, ${a.threads} thread${a.threads === 1 ? '' : 's'}), B in real Go (${b.go_version ?? 'Go'}, js/wasm)`
      : `A: ${sa?.title ?? a.scenario} (${a.variant}) · B: ${b ? `${sb?.title ?? b.scenario} (${b.variant})` : pair.bStopped ? 'stopped, no Report' : 'not run'}`;
    $('lesson').textContent = compareSentence(a, b, { bStopped: pair.bStopped });
    $('lesson-more').hidden = true;
    fill('headline', b ? pairHeadline(a, b) : headline(a, pictureFor(a), usedParams(state.specs, a)).slice(0, 2)
      .map(([k, v]) => el('div', { class: 'pair-head' }, el('dt', {}, el('span', { class: 'run-label' }, `A: ${k}`)), el('dd', {}, v))));
    return;
  }
  if (!spec) return;
  $('section').textContent = spec.section;
  $('title').textContent = spec.title;
  const r = state.report;
  const view = r ?? state.live;
  $('lesson').textContent = r ? readable(r.lesson) : spec.shows;
  // One sentence beside the picture; the rest folded away below it (Report.lesson_details).
  $('lesson-details').textContent = r?.lesson_details ? readable(r.lesson_details) : '';
  $('lesson-more').hidden = !r?.lesson_details;
  fill('headline', view ? headline(view, view.picture ?? pictureFor(view), usedParams(state.specs, view)).map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v))) : null);
}

/**
 * Beside the verdict, when a run on screen ran in real time: its outcome and counts can differ
 * from one run to the next, which the page had not said (review N8, session 16: context-pool /
 * guide-cancel ended completed in 1 of 12 runs, context-pool / cancel had 11, 12 and 11
 * successes). From each Report's own `mode` parameter (every scenario has one) and its engine
 * (real Go always runs in real time), not typed per lesson.
 */
export function drawModeNote() {
  const host = $('mode-note');
  const runs = state.pair ? [['A', state.pair.a], ['B', state.pair.b]].filter(([, r]) => r) : state.report ? [['', state.report]] : [];
  const real = runs.filter(([, r]) => r.engine === 'go' || r.params?.mode === 'real');
  if (!real.length || busy()) { host.hidden = true; host.textContent = ''; return; }
  // Short: at 320×640 a longer note pushed the lesson's picture below the fold (review.test.mjs).
  const who = runs.length === 1 ? 'Real time' : `${real.length === runs.length ? 'A and B' : real[0][0]} in real time`;
  const replay = real.some(([, r]) => r.engine !== 'go');
  host.hidden = false;
  host.textContent = `${who}: the outcome and counts can vary run to run${replay ? '; mode “deterministic” replays a run exactly' : ''}.`;
}

/**
 * The rows of a pair's headline: the lesson's measures matched by place (pairMeasures); for two
 * runs without measures, the picture's figures matched by name. At most three, the same rows for
 * A and B in the same order.
 */
export function pairRows(a, b) {
  const rows = pairMeasures(a, b);
  if (rows.length) return rows.slice(0, 3);
  const pic = pairPicture(a, b);
  const byName = new Map();
  for (const [side, r] of [['a', a], ['b', b]]) {
    for (const [label, v] of headline(r, pic, usedParams(state.specs, r))) {
      if (!byName.has(label)) byName.set(label, { label, a: null, b: null });
      byName.get(label)[side] = v;
    }
  }
  return [...byName.values()].slice(0, 3);
}

/**
 * Measures a run lacks by design, and the instants that would have set them: a run with neither
 * the number nor such a mark did not do the thing ("no cancel"), which "not measured" made read
 * like a gap (review N5, session 16: "Cancel at: A not measured" for context-pool / close).
 */
const ABSENT = new Map([['numbers.cancelled_at_ms', { marks: ['cancel'], text: 'no cancel' }]]);

/** Why `r` has no value for the pair row labelled `label`: "no cancel" where its data shows it
 * never did that; else where the value comes from: Go's Report, which lacks it, or this run or
 * version, which never did it ("not measured" read as a gap where the version has nothing to
 * measure: "second close, fatal, at: A not measured" for the sync.Once fix; review D6, session 17). */
function noneText(label, a, b, r) {
  const m = [...(a.measures ?? []), ...(b.measures ?? [])].find((x) => x.label === label && x.at);
  const why = m && ABSENT.get(m.key != null ? `${m.at}.${m.key}` : m.at);
  const did = why && ((r.marks ?? []).some((k) => why.marks.includes(k.kind)) || valueAt(r, m) != null);
  if (why && !did) return why.text;
  if (r.engine === 'go') return "not in Go's Report";
  return a.scenario === b.scenario && a.variant === b.variant ? 'none in this run' : 'none in this version';
}

/** One item per measure, A's value and B's beside each other (and why, where a run has none). */
function pairHeadline(a, b) {
  const value = (tag, v, row, r) => el('span', { class: 'pair-v' }, el('span', { class: 'run-label' }, `${tag} `),
    v == null ? el('span', { class: 'pair-none' }, noneText(row.label, a, b, r)) : v);
  return pairRows(a, b).map((row) => el('div', { class: 'pair-head' }, el('dt', {}, row.label), el('dd', {}, value('A', row.a, row, a), ' ', value('B', row.b, row, b))));
}

/** `measures` (another run's) read at their places in `r`: [[measure, value]], where `r` has one. */
const readIn = (r, measures) => measures.map((m) => [m, valueAt(r, m)]).filter(([, v]) => v != null);
/** A measure's text with another run's value (and no "of": that count was the other run's). */
const textOf = (m, value) => measureText({ ...m, value, of: null });

/** Figures the Go sentence compares in clauses of their own (peaks, memory). */
const GO_CLAUSES = new Set(['peak_goroutines', 'heap_peak_bytes', 'tasks.submitted']);

/**
 * The lesson's own measures (A's Report.measures) where Go's Report holds them too, read at the
 * same place: "workers blocked on results, in total 4,001 ms here and 4,000 ms in Go". The
 * comparison had compared only peaks and heap (review R21).
 */
export function goMeasures(a, b) {
  const both = readIn(b, (a.measures ?? []).filter((m) => m.at && !GO_CLAUSES.has(m.key ? `${m.at}.${m.key}` : m.at))).slice(0, 2);
  if (!both.length) return '';
  const one = ([m, v]) => `${m.label} ${measureText(m)} here and ${textOf(m, v)} in Go`;
  return `The lesson's measure${both.length > 1 ? 's' : ''}: ${both.map(one).join('; ')}. `;
}

/** What differs between this engine and real Go on one run, and why: from the two Reports. */
export function goSentence(a, b) {
  const diff = a.peak_goroutines ? Math.abs(b.peak_goroutines - a.peak_goroutines) / a.peak_goroutines * 100 : 0;
  const cpu = a.params?.workload === 'cpu' || a.params?.workload === 'mixed' || ['control-comparison', 'sizing-sweep'].includes(a.scenario);
  // How each run ended, and what it left behind, first: where the lesson is a crash or a leak,
  // that is what Go must agree on.
  const fatal = (r) => (r.findings ?? []).find((f) => f.kind === 'deadlock' || f.kind === 'panic')?.message;
  const ended = (r) => `${r.ended}${r.exit_status ? ` (exit status ${r.exit_status})` : ''}`;
  let outcome;
  if (a.ended === b.ended && a.exit_status === b.exit_status) {
    outcome = `Both ended ${ended(a)}`;
    if (fatal(a) && fatal(a) === fatal(b)) outcome += ` with Go's own words, “${fatal(a)}”`;
    if (a.goroutines_after || b.goroutines_after) outcome += a.goroutines_after === b.goroutines_after
      ? `, leaving ${num(a.goroutines_after)} goroutine${a.goroutines_after === 1 ? '' : 's'} blocked in each`
      : `, leaving ${num(a.goroutines_after)} goroutines blocked here and ${num(b.goroutines_after)} in Go`;
  } else outcome = `This engine ended ${ended(a)}, Go ${ended(b)}`;
  return `${goMeasures(a, b)}${outcome}; Go's own runtime counted a peak of ${num(b.peak_goroutines)} goroutines, this engine ${num(a.peak_goroutines)}`
    + ` (${diff < 0.05 ? 'the same' : `${num(diff, 1)} % apart`}). ${goMemory(a, b)} ${goTime(a, b, cpu)}`;
}

/**
 * Go's memory at its peak and what it was made of, from Go's own MemStats (`numbers`): the
 * stacks' part is named as measured, and stacks are given as the reason only in proportion.
 * A run that died has no split (its report was built from what it streamed).
 *
 * The two figures are not the same measure, and the sentence says what each is (review F12,
 * session 16: "Go's memory peaked at 3.80 MB against 6.0 KB here" read as a 630× gap in like
 * figures). Go's (go/run.go readHeap): HeapAlloc + StackInuse above the start, read every
 * millisecond, the whole Go program (its runtime, sampler and report objects too). This
 * engine's (src/metrics/alloc.rs): the most bytes live through its allocator above the start,
 * counted on every allocation; its goroutines are tasks, with no stack of their own.
 */
function goMemory(a, b) {
  const total = b.heap_peak_bytes;
  const head = `Memory is measured differently in each: Go's heap and goroutine stacks peaked at ${bytes(total)} above the start `
    + `(runtime.MemStats HeapAlloc + StackInuse of the whole Go program, read every millisecond), `
    + `this engine's heap at ${bytes(a.heap_peak_bytes)} above the start (bytes live through its allocator; its goroutines have no stacks of their own)`;
  const stacks = b.numbers?.stack_inuse_at_peak_bytes;
  if (!Number.isFinite(stacks) || !(total > 0)) return `${head}.`;
  const s = Math.min(Math.max(stacks, 0), total);
  const share = s / total * 100;
  const split = `; at Go's peak its goroutine stacks were ${bytes(s)} of the ${bytes(total)} (${num(share, share < 10 ? 1 : 0)} %), objects on its heap the rest`;
  const each = b.peak_goroutines > 0 ? ` (about ${bytes(s / b.peak_goroutines)} for each of its ${num(b.peak_goroutines)} goroutines)` : '';
  if (share >= 50) return `${head}${split}: most of Go's figure is stacks${each}, which a goroutine here, an async task, does not have.`;
  if (share >= 20) return `${head}${split}: stacks${each} are part of Go's figure, not most of it.`;
  return `${head}${split}: stacks explain little of Go's figure.`;
}

/**
 * Wall time and runtime time in each. One thread against several is given as the reason only
 * where the work is CPU-bound and Go took clearly longer on fewer threads; otherwise no reason:
 * "these tasks mostly sleep, so their sleeps set the time" stood beside 2,053 ms of runtime in Go
 * and 1,379 ms here (review F12, session 16), a cause nobody had measured.
 */
function goTime(a, b, cpu) {
  const scale = a.params?.time_scale;
  const sameScale = scale != null && scale === b.params?.time_scale;
  const runtime = a.runtime_ms > 0 && b.runtime_ms > 0
    ? `, ${ms(b.runtime_ms)} and ${ms(a.runtime_ms)} of runtime time${sameScale ? ` (time scale ${num(scale)} in both)` : ''}` : '';
  const times = `Wall time was ${ms(b.wall_ms)} in Go and ${ms(a.wall_ms)} here${runtime}`;
  if (cpu) {
    const fewer = b.threads > 0 && a.threads > b.threads;
    const slower = b.wall_ms > a.wall_ms * 1.2;
    if (fewer && slower) {
      const n = b.threads === 1 ? 'one thread' : `${num(b.threads)} threads`;
      const go = b.build === 'js-wasm' ? `Go's js/wasm port runs on ${n}` : `Go ran on ${n}`;
      return `${times}: this work is CPU-bound, and ${go}, this engine on ${num(a.threads)}.`;
    }
    return `${times}.`;
  }
  const ratio = a.runtime_ms > 0 && b.runtime_ms > 0 ? Math.max(a.runtime_ms, b.runtime_ms) / Math.min(a.runtime_ms, b.runtime_ms) : 1;
  if (ratio < 1.1) return `${times}.`;
  const longer = b.runtime_ms > a.runtime_ms ? 'Go' : 'this engine';
  return `${times}: ${longer} ran ${num(ratio, 1)} times as long, for reasons this page does not measure.`;
}

/** Task time in a run's timeline, ms in all (null when it has none). */
function taskTime(r) {
  const p = packedOf(r);
  if (!p || !p.start.length) return null;
  let sum = 0;
  for (let k = 0; k < p.start.length; k++) sum += p.end[k] - p.start[k];
  return sum;
}

/**
 * Why one run of a pair took far longer, when it is the pool and the other ran more goroutines at
 * once: its workers took the tasks a few at a time, and the tasks' time in all, shared among the
 * workers, is about the run's length. From the two Reports (workers, tasks, the timeline's task
 * time, runtime); '' when that is not the story. Review F11 (session 15): the first screen said
 * "998 ms and 101,425 ms of runtime" and nothing about why the pool took 100 times as long, where
 * the guide promises pools "better performance".
 */
export function timeClause(a, b) {
  if (!(a.runtime_ms > 0 && b.runtime_ms > 0)) return '';
  const [slowTag, slow, fastTag, fast] = b.runtime_ms >= a.runtime_ms ? ['B', b, 'A', a] : ['A', a, 'B', b];
  const ratio = slow.runtime_ms / fast.runtime_ms;
  const workers = slow.params?.workers;
  const tasks = slow.tasks?.submitted;
  const busy = taskTime(slow);
  if (ratio < 3 || !(workers > 0) || !(tasks > 0) || busy == null || !(fast.peak_goroutines > slow.peak_goroutines)) return '';
  const sleeps = slow.params?.workload === 'io' && slow.params?.sleep_max_ms != null;
  const what = sleeps ? `sleeps (up to ${num(slow.params.sleep_max_ms)} ms each)` : 'work';
  return `${slowTag} took ${num(ratio, ratio < 10 ? 1 : 0)} times as long as ${fastTag} (${num(slow.runtime_ms)} against ${ms(fast.runtime_ms)} of runtime): `
    + `its ${num(workers)} workers ran the ${num(tasks)} tasks ${num(workers)} at a time, ${ms(busy)} of ${what} in all, `
    + `${ms(busy / workers)} per worker. The pool trades time for a bounded number of goroutines.`;
}

/**
 * One sentence that compares two Reports, from their own numbers only: the lesson's measures
 * both runs have (pairMeasures), then why one took far longer (timeClause). Peaks and heap only
 * when the two share no measure. Review F3 (session 15): every pair had been "A had up to N
 * goroutines alive at once, against B's N; heap peaks …", the leak's 5 against 0 left out.
 */
export function compareSentence(a, b, { bStopped = false } = {}) {
  if (b?.engine === 'go' && a.engine !== 'go') return goSentence(a, b);
  if (!b) return `A (${runName(a)}) ${a.ended === 'stopped' ? 'was stopped' : `ended ${a.ended}`} with a peak of ${num(a.peak_goroutines)} goroutines; `
    + `${bStopped ? 'B was stopped before it finished and has no Report' : 'B did not run'}.`;
  const time = timeClause(a, b);
  const rows = pairMeasures(a, b, Infinity);
  const shared = rows.filter((row) => row.a != null && row.b != null).slice(0, 2);
  if (shared.length) {
    // A run's lead measure that the other run has no value for ("Cancel at", where A never
    // cancelled) is said as that run's alone.
    const leads = [['A', a], ['B', b]].map(([tag, r]) => [tag, rows.find((row) => row.label === r.measures?.[0]?.label)])
      .filter(([tag, row]) => row && (tag === 'A' ? row.b == null && row.a != null : row.a == null && row.b != null));
    const text = [...shared.map((row) => `${row.label} ${row.a} in A and ${row.b} in B`),
      ...leads.map(([tag, row]) => `${row.label} ${tag === 'A' ? row.a : row.b} in ${tag} only`)].join('; ');
    return `${text[0].toUpperCase()}${text.slice(1)}.${time ? ` ${time}` : ''}`;
  }
  const more = a.peak_goroutines >= b.peak_goroutines ? ['A', a, 'B', b] : ['B', b, 'A', a];
  const ratio = more[3].peak_goroutines > 0 ? more[1].peak_goroutines / more[3].peak_goroutines : null;
  const pa = pictureFor(a), pb = pictureFor(b);
  let about = '';
  if (pa.kind === 'gauges' && pb.kind === 'gauges' && pa.def.id === pb.def.id) {
    // The lesson's own measure (connections in use, queue depth…), not the general figures.
    const own = (r, p) => headline(r, p).find(([, , general]) => !general);
    const [ha, hb] = [own(a, pa), own(b, pb)];
    if (ha && hb && ha[0] === hb[0]) about = `${ha[0][0].toUpperCase()}${ha[0].slice(1)} ${ha[1]} in A and ${hb[1]} in B; `;
  }
  return `${about}${more[0]} (${runName(more[1])}) had up to ${num(more[1].peak_goroutines)} goroutines alive at once, `
    + `${ratio && ratio >= 1.5 ? `${num(ratio, 0)} times` : 'against'} ${more[2]}’s ${num(more[3].peak_goroutines)} (${runName(more[3])}); `
    + `heap peaks ${bytes(a.heap_peak_bytes)} (A) and ${bytes(b.heap_peak_bytes)} (B), in ${ms(a.runtime_ms)} and ${ms(b.runtime_ms)} of runtime.${time ? ` ${time}` : ''}`;
}

/** The next thing to try, after what is on screen. */
export function drawNext({ firstScreen = false } = {}) {
  const host = $('next');
  if (busy()) { fill(host); return; }
  if (firstScreen) {
    fill(host, el('strong', {}, 'Next: '), 'this was a finished run of 1,000 tasks with the same seed, on this page, just now. Pick a lesson on the ',
      el('a', { href: '#controls' }, 'controls panel'), ', change a number, and press Run: every figure and picture here comes from the run beside it.');
    return;
  }
  const r = state.report;
  const spec = state.spec;
  if (!r || !spec || state.pair) { fill(host); return; }
  const kind = spec.variants.find((v) => v.id === r.variant)?.kind;
  const other = spec.variants.find((v) => (kind === 'right' ? v.kind !== 'right' : v.kind === 'right') && v.id !== r.variant);
  // The widget has no side-by-side controls: its next step is the other version alone.
  const embed = document.body.classList.contains('embed');
  // A pool's bound has its lesson beside one goroutine per task: "Unlimited vs a pool" runs the
  // two on one chart (review N2, session 16: Next only said "change a parameter").
  if (!other && !embed && pictureFor(r).kind === 'bound') {
    fill(host, el('strong', {}, 'Next: '), 'press “Unlimited vs a pool”: the same tasks as one goroutine per task, beside this pool, on one chart. Or change a parameter (more tasks, fewer workers) and Run again: the bound follows the workers, not the tasks.');
    return;
  }
  fill(host, other
    ? [el('strong', {}, 'Next: '), embed
      ? `pick “${other.label}” (${other.kind.replace('_', ' ')}) and Run, and compare.`
      : `press “Keep this run as A”, pick “${other.label}” (${other.kind.replace('_', ' ')}) and Run: the two versions side by side.`]
    : [el('strong', {}, 'Next: '), embed ? 'change a parameter (more tasks, fewer workers) and Run again.' : 'change a parameter (more tasks, fewer workers) and Run again, or keep this run as A to compare.']);
}
