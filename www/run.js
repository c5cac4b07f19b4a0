// Runs: one run, a stepping run, two runs side by side (the second perhaps in real Go), Stop, and
// a lesson switch during a run. Every change goes through the state machine (state.js); what is
// on screen is drawn from the state object alone (drawResults, drawLive).
import api from './api.js';
import { $ } from './dom.js';
import { drawParams, drawPicker, drawVariants, fieldOf, markInvalid, readParams } from './form.js';
import { bytes, num, runName } from './format.js';
import { lessonPicture } from './render/lessons.js';
import { Pictures } from './render/pictures.js';
import { drawDataTables, drawFigures, drawFindings, drawLog, drawTables } from './render/report.js';
import { defaultsOf, findParam, findSpec } from './schema.js';
import { busy, can, go, set, state } from './state.js';
import { drawControls, drawLesson, drawNext, drawStatus } from './view.js';
import { goEngine, runGo } from './goside.js';
import { drawCode } from './code.js';

let pictures = null;
export const picturesOf = () => pictures;

export function initRuns() {
  pictures = new Pictures();
}

// ------------------------------------------------------------------ drawing from the state

/** Draws the results area from the state: a pair, a Report, a live run, or nothing yet. */
let detailsStamp = 0;
export function drawResults({ firstScreen = false } = {}) {
  drawControls();
  drawStatus();
  drawLesson();
  drawNext({ firstScreen });
  const { pair, report } = state;
  const shown = pair?.b ?? pair?.a ?? report;
  if (pair) {
    pictures.draw(shown, pair.b ? pair.a : null);
    drawFindings($('findings'), [...(pair.a.findings ?? []).map((f) => ({ ...f, message: `A: ${f.message}` })),
      ...(pair.b?.findings ?? []).map((f) => ({ ...f, message: `B: ${f.message}` }))]);
  } else if (report) {
    pictures.draw(report);
    drawFindings($('findings'), report.findings);
  } else {
    pictures.clear();
    drawFindings($('findings'), []);
  }
  // The details below the lesson (figures, tables, output, code) in a task of their own, so the
  // lesson's picture is not held up by them and no single task grows long.
  const stamp = ++detailsStamp;
  setTimeout(() => {
    if (stamp !== detailsStamp) return;
    drawFigures(pair ? null : report, pair, ['running', 'stepping', 'stopping'].includes(state.phase));
    drawTables(shown);
    drawDataTables(shown);
    drawLog(shown);
    // In a pair the code is B's, and says so.
    if (state.spec && !document.body.classList.contains('embed')) drawCode(shown?.scenario ?? state.spec.id, shown?.variant ?? state.variant, pair?.b ? 'B' : '');
  }, 0);
  if (shown) document.body.dataset.lastReport = `${shown.scenario}/${shown.variant}`;
  else delete document.body.dataset.lastReport;
}

/**
 * A snapshot of the run in flight, drawn like a Report (pictures and headline only), at most
 * every LIVE_EVERY_MS: each drawing costs the main thread. The status line, the headline and the
 * picture are written together, from the same snapshot, when the picture is drawn (`onDraw`); a
 * snapshot that comes sooner waits, and a newer one replaces it. Review D7 (session 17): the
 * status was written from every snapshot and the picture from one in two, a frame later, so a
 * status at 1,012 ms of runtime stood beside a chart that ended at 18.7 ms.
 *
 * `message(snap)` is the status line for it; `mine()` whether its run is still the one shown.
 */
const LIVE_EVERY_MS = 100;
let lastLive = -Infinity;
let liveTimer = 0;
let liveNext = null;
function drawLive(req, snap, compare, message, mine) {
  liveNext = { req, snap, compare, message, mine };
  if (liveTimer) return;
  const wait = state.phase === 'stepping' ? 0 : LIVE_EVERY_MS - (performance.now() - lastLive);
  if (wait <= 0) drawLiveNow();
  else liveTimer = setTimeout(() => { liveTimer = 0; drawLiveNow(); }, wait);
}

function drawLiveNow() {
  const next = liveNext;
  liveNext = null;
  // The run ended (its Report is drawn instead) or another took its place.
  if (!next || !next.mine() || !busy()) return;
  lastLive = performance.now();
  const { req, snap, compare, message, mine } = next;
  const view = {
    scenario: req.scenario, variant: req.variant, params: { ...defaultsOf(findSpec(state.specs, req.scenario), req.variant), ...req.params },
    series: snap.series, marks: snap.marks ?? [], wait_graph: snap.wait_graph ?? null,
    runtime_ms: snap.t_ms, peak_goroutines: null, goroutines_after: snap.goroutines, goroutines: snap.goroutines,
  };
  // The lesson's picture, known from its scenario before any data (lessonPicture); else chosen
  // from the data, and kept until the Report: a wait-for graph does not turn into a chart
  // whenever nobody happens to wait, nor back.
  const kept = state.live?.runId === state.runId && state.live.scenario === req.scenario ? state.live.picture : null;
  const kind = Pictures.kindOf(view);
  view.picture = lessonPicture(req.scenario, req.variant) ?? (kind.kind !== 'gauges' && kept?.kind === 'graph' ? kept : kind);
  view.runId = state.runId;
  pictures.draw(view, compare, {
    timeline: false, picture: view.picture, caption: `Now, ${num(snap.t_ms, snap.t_ms < 10 ? 1 : 0)} ms in`,
    onDraw: () => {
      if (!mine() || !busy()) return;
      state.live = view;
      set({ message: state.phase === 'stopping' ? 'Stopping…' : message(snap) });
      drawStatus();
      drawLesson();
    },
  });
}

const liveMessage = (req, snap) => `${state.phase === 'stepping' ? `Step ${state.steps}` : `Running ${req.scenario} / ${req.variant}`}: `
  + `${num(snap.t_ms)} ms of runtime, ${num(snap.goroutines)} goroutines alive (${num(snap.running)} running, ${num(snap.blocked)} blocked, `
  + `${num(snap.queued)} queued), ${num(snap.finished)} tasks done, heap ${bytes(snap.heap_bytes)}`;

function endMessage(r, { startedBy } = {}) {
  const who = startedBy === 'host' ? ' (started by the page around this widget)' : '';
  if (r.ended === 'stopped') return `Stopped: ${runName(r)}${who}. The figures and pictures show what ran until Stop.`;
  return `Done: ${runName(r)}${who}, ended ${r.ended}${r.exit_status ? ` (exit status ${r.exit_status})` : ''}.`;
}

// ------------------------------------------------------------------ errors and focus

export function showError(e) {
  const msg = e?.message ?? String(e);
  $('param-error').textContent = msg;
  const field = fieldOf(e);
  if (field) markInvalid([field.name]);
}

export function clearError() {
  $('param-error').textContent = '';
  markInvalid(null);
}

/**
 * After Run, Stop and the end of a run the button the user pressed may be disabled now; the
 * focus then goes to the control that makes sense next (Stop while running, else Run), not to
 * the page body.
 */
function keepFocus() {
  const a = document.activeElement;
  const lost = !a || a === document.body || a.disabled || a.closest?.('[hidden]');
  if (!lost || !state.userDriven) return;
  const target = ['running', 'stepping', 'side-by-side'].includes(state.phase) ? $('stop') : $('run');
  // Without scrolling: the target sits beside the button just pressed, so it is on screen, and
  // scrolling it into view forced a layout of the page inside the click's task (issue 10);
  // after a run the view goes to its result (showResult), not back to Run.
  if (!target.disabled) target.focus({ preventScroll: true });
}

/**
 * Once a run the user (or the widget's host) started has its Report: where the layout stacks the
 * lesson above the controls (phones, a narrow widget), the Run button is far below the picture,
 * and the result appeared out of view (review R11: at 390×844 the chart ended 244 px above the
 * screen). Bring the lesson card's top into view then, unless it is already on screen.
 */
function showResult() {
  if (!['page', 'host', 'link'].includes(state.startedBy)) return;
  const card = $('lesson-card');
  const r = card.getBoundingClientRect();
  if (r.top >= 0 && r.top < window.innerHeight / 3) return;
  const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  card.scrollIntoView({ block: 'start', behavior: reduce ? 'auto' : 'smooth' });
}

// ------------------------------------------------------------------ one run

let superseded = () => false;

/** Runs `req` ({scenario, variant, params}); resolves to `{ report }` or `{ error }`. */
export async function runOne(req, { stepping = false, startedBy = 'page', onProgress = null } = {}) {
  if (!can(stepping ? 'step' : 'run')) return { error: new Error('a run is already in progress; stop it first') };
  clearError();
  const compare = state.pinned;
  const id = state.runId + 1;
  go(stepping ? 'step' : 'run', {
    runId: id, report: null, pair: null, live: null, steps: 0, startedBy, request: { scenario: req.scenario, variant: req.variant },
    userDriven: startedBy === 'page', message: `${stepping ? 'Stepping' : 'Running'} ${req.scenario} / ${req.variant}…`,
  });
  drawResults();
  keepFocus();
  const mine = () => state.runId === id;
  try {
    const r = await api.run(req.scenario, { ...req.params, variant: req.variant }, (snap) => {
      if (!mine()) return;
      onProgress?.(snap);
      drawLive(req, snap, compare, (x) => liveMessage(req, x), mine);
    }, { stepping });
    if (!mine()) return { report: r, dropped: true };
    go('report', { request: null,
      report: r, live: null, pair: compare ? { a: compare, b: r } : null,
      message: endMessage(r, { startedBy }),
    });
    drawResults();
    keepFocus();
    showResult();
    return { report: r };
  } catch (e) {
    if (!mine()) return { error: e, dropped: true };
    go('error', { request: null, live: null, message: 'Not run: see the message under the form.' });
    showError(e);
    drawResults();
    keepFocus();
    return { error: e };
  }
}

/** Run from the form (the Run button, Enter in a field, a link with run=1). */
export async function runFromForm({ startedBy = 'page' } = {}) {
  if (state.phase === 'stepping') return resume();
  if (!can('run')) return null;
  let params;
  try { params = readParams(state.spec); } catch (e) { showError(e); set({ message: 'Not run: a parameter needs fixing.' }); drawStatus(); return null; }
  return runOne({ scenario: state.spec.id, variant: state.variant, params }, { startedBy });
}

/** Step: start a deterministic run that waits before every event, or advance it by one. */
export async function step() {
  if (state.phase === 'stepping') {
    go('step', { steps: state.steps + 1 });
    drawControls();
    await api.step();
    return null;
  }
  if (!can('step')) return null;
  const mode = $('params').elements.namedItem('mode');
  if (!mode || !findParam(state.spec, 'mode')) { showError(new Error(`Step needs deterministic mode, which ${state.spec.id} does not have`)); return null; }
  mode.value = 'deterministic';
  let params;
  try { params = readParams(state.spec); } catch (e) { showError(e); return null; }
  return runOne({ scenario: state.spec.id, variant: state.variant, params }, { stepping: true });
}

export async function resume() {
  if (state.phase !== 'stepping') return null;
  go('resume', { message: 'Running to the end…' });
  drawControls(); drawStatus();
  keepFocus();
  await api.resume();
  return null;
}

/** Stop, in every mode: the run's Report says ended "stopped"; a pair does not start its B. */
export async function stop() {
  if (!can('stop')) return false;
  go('stop', { message: 'Stopping…', userDriven: true });
  drawControls(); drawStatus();
  keepFocus();
  if (state.goRunning) goEngine()?.stop();
  return api.stop();
}

// ------------------------------------------------------------------ two runs side by side

/**
 * Runs `a` then `b` (b in real Go when `engineB` is "go"), on shared axes. Stop during A leaves B
 * not run; the screen says so.
 */
export async function runPair(reqA, reqB, { engineB = 'rust', firstScreen = false, startedBy = 'page' } = {}) {
  if (!can('pair')) return null;
  clearError();
  const id = state.runId + 1;
  go('pair', { runId: id, report: null, pair: null, live: null, startedBy, request: { scenario: reqA.scenario, variant: reqA.variant }, userDriven: startedBy === 'page', message: `Side by side: running A, ${reqA.scenario} / ${reqA.variant}…` });
  drawResults();
  keepFocus();
  const mine = () => state.runId === id;
  const one = async (req, compare, tag) => api.run(req.scenario, { ...req.params, variant: req.variant }, (snap) => {
    if (!mine()) return;
    drawLive(req, snap, compare, (x) => `${tag}: ${liveMessage(req, x)}`, mine);
  });
  try {
    const a = await one(reqA, null, 'A');
    if (!mine()) return null;
    let b = null;
    // B started and was stopped before it had a Report (Go's half ends without one): the status
    // and the sentence both say so, not one "stopped" and the other "did not run" (review R20).
    let bStopped = false;
    if (state.phase !== 'stopping' && a.ended !== 'stopped') {
      set({ pair: null, request: { scenario: reqB.scenario, variant: reqB.variant }, message: `Side by side: A done; running B, ${reqB.scenario} / ${reqB.variant}${engineB === 'go' ? ' in real Go' : ''}…` });
      drawStatus();
      b = engineB === 'go' ? await runGoReport(reqB, a, mine) : await one(reqB, a, 'B');
      if (!mine()) return null;
      bStopped = !b;
    }
    go('report', { request: null,
      report: b ?? a, pair: { a, b, bStopped }, live: null,
      message: b ? `Side by side: A ${runName(a)} (${a.ended}) and B ${runName(b)} (${b.ended}).`
        : bStopped ? `Stopped during B: A ${runName(a)} ran (${a.ended}); B was stopped and has no Report.`
          : `Stopped ${a.ended === 'stopped' ? 'during' : 'after'} A (${runName(a)}): B was not run.`,
    });
    drawResults({ firstScreen });
    keepFocus();
    showResult();
    return { a, b };
  } catch (e) {
    if (!mine()) return null;
    go('error', { request: null, live: null, message: 'Side by side: not run, see the message under the form.' });
    showError(e);
    drawResults();
    return null;
  }
}

async function runGoReport(req, compare, mine) {
  state.goRunning = true;
  try {
    return await runGo(req.scenario, { ...req.params, variant: req.variant }, (snap) => {
      if (!mine()) return;
      drawLive(req, snap, compare, (x) => `B, in real Go: ${num(x.t_ms)} ms of runtime, ${num(x.goroutines)} goroutines alive, heap ${bytes(x.heap_bytes)}, ${num(x.finished)} tasks done`, mine);
    });
  } catch (e) {
    // Stop ends Go's worker: its run rejects with "stopped".
    if (e.message === 'stopped') return null;
    throw e;
  } finally { state.goRunning = false; }
}

// ------------------------------------------------------------------ switching lessons

/** Shows another lesson; a run in flight is stopped and its Report dropped, not drawn under it. */
export function switchLesson(id, variant = null, texts = {}) {
  const spec = findSpec(state.specs, id) ?? state.specs[0];
  const wasBusy = busy();
  // The run in flight, named even before its first snapshot (a deterministic run used to have
  // none: the status said "Press Run." while it went on, review R3).
  const old = state.request ?? state.live ?? state.report;
  if (wasBusy) { api.stop(); if (state.goRunning) goEngine()?.stop(); }
  const v = spec.variants.some((x) => x.id === variant) ? variant : spec.variants[0].id;
  go('switch', {
    runId: state.runId + 1, spec, variant: v, report: null, pair: null, live: null, request: null,
    message: wasBusy && old ? `Stopped the run of ${old.scenario} / ${old.variant} to show this lesson. Press Run.` : 'Press Run.',
  });
  drawPicker(state.specs, spec.id);
  drawVariants(spec, v);
  drawParams(spec, v, texts);
  clearError();
  drawResults();
}

/** The first screen: unlimited against a pool, 1,000 tasks, deterministic, side by side. */
export function firstScreen() {
  const pick = (id, variant) => {
    const spec = findSpec(state.specs, id);
    if (!spec) return null;
    const d = defaultsOf(spec, variant ?? spec.variants[0].id);
    const params = {};
    for (const [k, v] of Object.entries({ tasks: 1000, mode: 'deterministic', seed: d.seed })) if (k in d) params[k] = v;
    return { scenario: spec.id, variant: variant ?? spec.variants[0].id, params };
  };
  const a = pick('unlimited'), b = pick('fixed-pool');
  if (!a || !b) return null;
  // The form shows what A ran (Run repeats it), not the lesson's defaults beside a run that used others.
  drawParams(findSpec(state.specs, a.scenario), a.variant, Object.fromEntries(Object.entries(a.params).map(([k, v]) => [k, String(v)])));
  return runPair(a, b, { firstScreen: true, startedBy: 'first-screen' });
}

