// The widget's postMessage protocol, for a course page that embeds embed.html:
//
//   widget → host  {source: "worker-pool-playground", type: "ready", info}
//   host → widget  {type: "run", scenario, params, engine?: "rust" | "go"}   |   {type: "stop"}
//   widget → host  {type: "progress", snapshot}… then {type: "report", report}
//                  or {type: "error", message}   (bad input, a run already going: nothing runs)
//
// Everything a host sends is checked before anything changes on screen (api.js checkRun: the
// scenario, the variant, each parameter's type, no recursion into nested objects); the widget's
// own picker, form and status follow a run the host starts, as if the user had started it.
import api from './api.js';
import { checkRun } from './api.js';
import { isPlainObject, quote } from './schema.js';
import { runOne, runPair, stop, switchLesson } from './run.js';
import { busy, state } from './state.js';

const SOURCE = 'worker-pool-playground';

export function announceReady(info) {
  if (window.parent !== window) window.parent.postMessage({ source: SOURCE, type: 'ready', info }, '*');
}

export function listen() {
  // A message the browser cannot read back (nested thousands deep, say) arrives as messageerror:
  // it still gets an answer.
  window.addEventListener('messageerror', (ev) => {
    try {
      ev.source?.postMessage({ source: SOURCE, type: 'error', message: 'message: the widget could not read it (nested too deep or too large)' }, ev.origin === 'null' ? '*' : ev.origin);
    } catch { /* the host went away */ }
  });
  window.addEventListener('message', async (ev) => {
    if (ev.source == null || ev.source === window) return;
    const reply = (m) => {
      try { ev.source.postMessage({ source: SOURCE, ...m }, ev.origin === 'null' ? '*' : ev.origin); } catch { /* the host went away */ }
    };
    const msg = ev.data;
    // Chromium hands a message nested some thousands deep over as `data: null` (it gives up
    // reading it back): that still gets an answer, within the second.
    if (msg === null) { reply({ type: 'error', message: 'message: expected {type: "run", …}, got null (or an object nested too deep to read)' }); return; }
    if (typeof msg === 'object' && msg.source === SOURCE) return;
    // A string or an array is a mistaken message, not someone else's: it gets an answer too.
    // So is a Blob, a File or a Map: structured cloning keeps them what they are, and a Blob's
    // `type` (its MIME type) is not a message type (re-check of issue 11).
    if (typeof msg !== 'object' || !isPlainObject(msg)) {
      reply({ type: 'error', message: `message: expected an object {type: "run", …} or {type: "stop"}, got ${quote(msg)}` });
      return;
    }
    if (msg.type === 'stop') { reply({ type: 'stopped', stopped: await stop() }); return; }
    if (msg.type !== 'run') {
      if (typeof msg.type === 'string' || 'type' in msg) reply({ type: 'error', message: `type: expected "run" or "stop", got ${quote(msg.type)}` });
      return;
    }
    await api.ready;
    let req;
    try {
      if (msg.engine !== undefined && msg.engine !== 'rust' && msg.engine !== 'go') throw new Error(`engine: expected "rust" or "go", got ${quote(msg.engine)}`);
      if ('params' in msg && msg.params == null) throw new Error(`params: expected an object, got ${quote(msg.params)}`);
      const { spec, variant, params } = checkRun(msg.scenario, msg.params);
      req = { spec, scenario: spec.id, variant, params };
      if (busy()) throw new Error(`a run of ${state.live?.scenario ?? 'another lesson'} is in progress; send {type: "stop"} first`);
    } catch (e) {
      reply({ type: 'error', message: e.message });
      return;
    }
    // Only now, with input that checks out, does the widget show the host's lesson and values.
    switchLesson(req.scenario, req.variant, Object.fromEntries(Object.entries(req.params).map(([k, v]) => [k, String(v)])));
    if (msg.engine === 'go') {
      const out = await runPair(req, req, { engineB: 'go', startedBy: 'host' });
      if (out?.b) reply({ type: 'report', report: out.b, rust: out.a });
      else reply({ type: 'error', message: state.pair ? 'stopped before the Go run' : document.getElementById('param-error').textContent || 'not run' });
      return;
    }
    const out = await runOne(req, { startedBy: 'host', onProgress: (snapshot) => reply({ type: 'progress', snapshot }) });
    if (out.report) reply({ type: 'report', report: out.report });
    else reply({ type: 'error', message: out.error.message });
  });
}
