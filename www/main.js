// The page: draws, never computes. The engine lives in a module Worker (engine.worker.js).
//
//   api.js      the engine link and the documented window.workerPoolPlayground API
//   schema.js   the parameter schema (from the Rust core): strict text conversion, type checks
//   form.js     the picker, variants and parameter form generated from the schema
//   state.js    the one state object and the run's state machine
//   run.js      runs, Stop, Step, side by side, lesson switches; draws from the state
//   view.js     buttons, status, the lesson's title, sentence and numbers
//   render/     pictures (uPlot charts, wait-for graph, send/close line, timeline) and tables
//   share.js    link, embed code, JSON, CSV, PNG and trace exports
//   embed.js    the widget's postMessage protocol
//   speed.js    the speed check
import api from './api.js';
import { $, el } from './dom.js';
import { announceReady, listen } from './embed.js';
import { applyVariantDefaults, drawParams, drawPicker, drawVariants, markInvalid, readParams, resetParams } from './form.js';
import { clearError, drawResults, firstScreen, initRuns, picturesOf, runFromForm, runPair, showError, step, stop, switchLesson } from './run.js';
import { readLink } from './schema.js';
import { copy, embedCode, exportCsv, exportJson, exportPng, exportTrace, shareLink } from './share.js';
import { wireSpeed } from './speed.js';
import { go, set, state } from './state.js';
import { drawControls, drawFormNote, drawStatus } from './view.js';
import { wireGo } from './goui.js';
import { drawCode } from './code.js';

const EMBED = document.body.classList.contains('embed');
window.workerPoolPlayground = api;
// Test hooks, off the documented API: the state object and the pictures.
Object.defineProperty(window, 'workerPoolPlaygroundTest', { value: { state, pictures: () => picturesOf() } });

function wire() {
  $('scenario').addEventListener('change', () => switchLesson($('scenario').value));
  $('variants').addEventListener('change', (e) => {
    if (e.target.name !== 'variant') return;
    const busyBefore = !['idle', 'done'].includes(state.phase);
    if (busyBefore) { switchLesson(state.spec.id, e.target.value, currentTexts()); return; }
    set({ variant: e.target.value });
    applyVariantDefaults(state.spec, state.variant);
    drawFormNote();
    if (state.report && !state.pair) switchLesson(state.spec.id, state.variant, currentTexts());
    // Nothing of another run on screen: the code panels follow the version picked.
    else if (!state.report && !state.pair && !EMBED) drawCode(state.spec.id, state.variant);
  });
  // Run is the form's submit button, so Enter in any field runs too.
  $('params').addEventListener('submit', (e) => { e.preventDefault(); state.userDriven = true; runFromForm(); });
  $('params').addEventListener('input', () => { if ($('param-error').textContent) clearError(); drawFormNote(); });
  $('step').addEventListener('click', () => { state.userDriven = true; step(); });
  $('stop').addEventListener('click', () => stop());
  $('reset').addEventListener('click', () => { resetParams(state.spec, state.variant); clearError(); drawFormNote(); });
  $('compare').addEventListener('click', () => {
    // Unlimited against the fixed pool on the same workload: tasks, seed, sleep and time scale
    // come from the form where the lesson on screen has them (and they check out).
    let form = {};
    try { form = readParams(state.spec); } catch (e) { showError(e); return; }
    state.userDriven = true;
    const req = (id) => {
      const spec = state.specs.find((s) => s.id === id);
      const params = {};
      for (const k of ['tasks', 'seed', 'sleep_max_ms', 'time_scale', 'mode']) if (k in form && spec.params.some((p) => p.name === k)) params[k] = form[k];
      return { scenario: id, variant: spec.variants[0].id, params };
    };
    runPair(req('unlimited'), req('fixed-pool'));
  });
  $('pin').addEventListener('click', () => {
    set({ pinned: state.report });
    drawControls();
    $('unpin').focus();
  });
  $('unpin').addEventListener('click', () => {
    set({ pinned: null, pair: null });
    drawResults();
    $('pin').focus();
  });
  $('log-scale').addEventListener('change', (e) => picturesOf().setLogScale(e.target.checked));
  $('copy-link').addEventListener('click', () => { try { copy(shareLink(), 'Link'); } catch (e) { showError(e); } });
  $('copy-embed').addEventListener('click', () => { try { copy(embedCode(), 'Embed code'); } catch (e) { showError(e); } });
  $('export-json').addEventListener('click', exportJson);
  $('export-csv').addEventListener('click', exportCsv);
  $('export-png').addEventListener('click', () => exportPng(picturesOf()));
  $('export-trace').addEventListener('click', () => exportTrace(api));
  wireSpeed();
  wireGo();
  listen();
}

/** The text in each field now, so a re-drawn form loses nothing. */
function currentTexts() {
  const out = {};
  for (const input of $('params').elements) if (input.name) out[input.name] = input.value;
  return out;
}

function drawBuild(info) {
  const b = $('build');
  b.className = `build build-${info.build}`;
  b.replaceChildren(el('strong', {}, info.build === 'threads' ? `Threaded build · ${info.threads} threads` : 'Single-threaded build · 1 thread'), ` — ${info.reason}.`);
  if (info.build === 'single' && EMBED) {
    b.append(' ', el('a', { href: new URL(`index.html${location.search}`, location.href).toString(), target: '_blank', rel: 'noopener' }, 'Open the full version'));
  }
}

async function boot() {
  wire();
  drawControls();
  let info;
  try {
    info = await api.ready;
  } catch (e) {
    go('fail', { message: e.message });
    $('build').className = 'build build-error';
    $('build').textContent = e.message;
    drawStatus();
    return;
  }
  initRuns();
  drawBuild(info);
  const specs = await api.scenarios();
  const link = readLink(specs, location.search);
  state.info = info;
  state.specs = specs;
  state.spec = link.spec;
  state.variant = link.variant;
  drawPicker(specs, link.spec.id);
  drawVariants(link.spec, link.variant);
  drawParams(link.spec, link.variant, link.texts);
  go('ready', { message: link.errors.length ? 'Not run: the link has a problem (see the message under the form).' : 'Press Run.' });
  drawResults();
  document.body.dataset.ready = 'true';
  performance.mark('wpp-ready');
  announceReady(info);
  if (link.errors.length) {
    showError(new Error(link.errors.map((e) => e.message).join('; ')));
    markInvalid(link.errors.map((e) => e.param).filter(Boolean));
    return;
  }
  if (!link.run && location.search) (window.requestIdleCallback ?? setTimeout)(() => { if (!picturesOf().last) picturesOf().warm(); });
  if (link.run) runFromForm({ startedBy: 'link' });
  else if (!EMBED && !location.search) firstScreen();
}

boot();
