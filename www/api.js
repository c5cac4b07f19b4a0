// The engine link and the documented programmatic API, `window.workerPoolPlayground`.
//
// The page and the API share the same calls; the API never draws. Everything a caller passes is
// checked here for shape and type (no recursion into objects) before it reaches the engine, which
// checks ranges and owns those messages.
import { startEngine } from './engine.js';
import { checkParams, findSpec, InputError, isPlainObject, quote } from './schema.js';
import { unpackReport } from './timeline-pack.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const query = new URLSearchParams(location.search);
const embedded = window.top !== window;

// coi-serviceworker reloads the page once on hosts that cannot send COOP/COEP. Starting the
// engine before that reload would only waste work, so wait while a reload is still possible.
// Inside a frame it never registers (coi-config.js): a frame is isolated only if the page around
// it is, which a service worker cannot change. Waiting there cost 3.3 s when the frame was
// cross-site, because `serviceWorker.ready` never settles in a partitioned frame.
async function isolationSettled() {
  if (self.crossOriginIsolated || embedded || query.get('build') === 'single') return;
  const sw = navigator.serviceWorker;
  if (!sw || !isSecureContext || !window.coi?.shouldRegister?.()) return;
  if (sw.controller) return; // the service worker already controls us: isolation is impossible here
  await Promise.race([sw.ready.then(() => sleep(400)), sleep(3000)]);
  if (window.__coiReloading) await new Promise(() => {}); // the page is about to reload
}

let engine = null;
let specs = null;

const api = {};
/** Resolves to `{ build, threads, crossOriginIsolated, reason }` once the engine is up. */
api.ready = isolationSettled().then(async () => {
  engine = startEngine({ forceSingle: query.get('build') === 'single' });
  const info = await engine.ready;
  specs = await engine.request('scenarios');
  api.info = info;
  return info;
});
api.info = null;

/** The scenarios with their variants and parameter schema (the Rust core's). */
api.scenarios = async () => { await api.ready; return structuredClone(specs); };

/**
 * Runs a scenario; `params.variant` picks the variant. Resolves to the Report.
 * `onProgress(snapshot)` is called while it runs. `{ stepping: true }` (deterministic mode only)
 * waits before every event for `step()` or `resume()`.
 */
api.run = async (scenario, params = {}, onProgress, { stepping = false } = {}) => {
  await api.ready;
  const { spec, variant, params: checked } = checkRun(scenario, params);
  const report = await engine.request('run', { scenario: spec.id, variant, params: checked, stepping: !!stepping },
    onProgress);
  // Its timeline came packed (timeline-pack.js); `report.timeline` unpacks it when read.
  return unpackReport(report);
};
/** While a stepping run waits: one event. */
api.step = async () => { await api.ready; return engine.request('step'); };
/** While a stepping run waits: run on to the end. */
api.resume = async () => { await api.ready; return engine.request('resume'); };
/** Stops the current run; its Report says `ended: "stopped"`. Resolves to whether one was running. */
api.stop = async () => { await api.ready; return engine.request('stop'); };
/** `doWork` on one thread, then on all threads of this build. The core checks `tasks` (its range
 * and type, objects and arrays refused at once) and words the message. */
api.speedCheck = async (params = {}) => {
  await api.ready;
  if (params !== undefined && !isPlainObject(params)) throw new InputError(`params: expected an object, got ${quote(params)}`);
  return engine.request('speedCheck', { params });
};
/** The speed check's parameters in the schema's form (`[{name: "tasks", kind, min, max, default}]`). */
api.speedCheckParams = async () => { await api.ready; return engine.request('speedCheckParams'); };
/**
 * The same program in real Go (Go's js/wasm port, one thread), with the same parameters and seed;
 * resolves to Go's Report subset. The Go engine is loaded on the first call.
 */
api.runGo = async (scenario, params = {}, onProgress) => {
  await api.ready;
  const { spec, variant, params: checked } = checkRun(scenario, params);
  const { runGo } = await import('./goside.js');
  return runGo(spec.id, { ...checked, variant }, onProgress);
};
/** The code excerpts of a scenario's variant: `{ go: {file, line, code}, rust: {…} }`, or null. */
api.snippet = async (scenario, variant) => { await api.ready; return engine.request('snippet', { scenario, variant }); };
/** The last finished run as a Chrome Trace Event Format document (Perfetto, chrome://tracing), or null. */
api.trace = async () => { await api.ready; return engine.request('trace'); };
/** The benchmark suite on this build; `only`: figure names, to run those alone. */
api.bench = async ({ small = false, only = [] } = {}) => {
  if (!Array.isArray(only)) throw new InputError(`bench: only: expected a list of figure names, got ${quote(only)}`);
  for (let i = 0; i < only.length; i++) {
    if (typeof only[i] !== 'string') throw new InputError(`bench: only[${i}]: expected a figure name, got ${quote(only[i])}`);
  }
  await api.ready;
  return engine.request('bench', { small: !!small, only });
};

/** Checks a run request against the schema: `{ spec, variant, params }` or an InputError. */
export function checkRun(scenario, params) {
  if (typeof scenario !== 'string') throw new InputError(`scenario: expected a scenario id, got ${quote(scenario)}`);
  const spec = findSpec(specs ?? [], scenario);
  if (!spec) throw new InputError(`unknown scenario ${quote(scenario)}; the scenarios are ${specs.map((s) => s.id).join(', ')}`);
  const { variant, params: checked } = checkParams(spec, params);
  if (variant != null && !spec.variants.some((v) => v.id === variant)) {
    throw new InputError(`unknown variant ${quote(variant)} of ${spec.id}; it has ${spec.variants.map((v) => v.id).join(', ')}`);
  }
  return { spec, variant: variant ?? spec.variants[0].id, params: checked };
}

/** The schema, once ready (synchronous, for the page's own modules). */
export const schema = () => specs;

export default api;
