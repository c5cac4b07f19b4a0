// The driver: a module Web Worker that owns the engine. The page only draws; everything that can
// block (rayon, the goroutine runtime, timers) happens here or on the Web Workers the threaded
// build spawns from here.
//
// Which build: the threaded one when this worker is cross-origin isolated (SharedArrayBuffer
// exists), otherwise the single-threaded one. `?build=single` (forwarded by the page) forces it.

import { packReport } from './timeline-pack.js';

let engine = null;          // the wasm module's exports
let info = null;            // { build, threads, crossOriginIsolated, reason }
const started = start();

async function loadThreads() {
  const pkg = await import('./pkg-threads/worker_pool_playground.js');
  await pkg.default();
  const threads = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 16));
  // One rayon pool per module; its threads become the runtime's GOMAXPROCS threads.
  await pkg.initThreadPool(threads);
  return pkg;
}

async function loadSingle() {
  const pkg = await import('./pkg-single/worker_pool_playground.js');
  await pkg.default();
  return pkg;
}

async function start() {
  const params = new URL(self.location.href).searchParams;
  const forced = params.get('build');
  const isolated = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
  let reason;
  if (forced === 'single') {
    reason = 'the single-threaded build was requested (?build=single)';
  } else if (isolated) {
    try {
      engine = await loadThreads();
      const b = engine.buildInfo();
      reason = `the page is cross-origin isolated, so SharedArrayBuffer exists and goroutines run on ${b.threads} Web Worker threads sharing one memory`;
    } catch (e) {
      reason = `the threaded build failed to start (${e?.message ?? e}), so this runs on one thread`;
    }
  } else {
    reason = 'the page is not cross-origin isolated (no COOP/COEP headers, or it is embedded in a page that is not), so SharedArrayBuffer is missing and everything runs on one thread';
  }
  if (!engine) engine = await loadSingle();
  const b = engine.buildInfo();
  info = {
    build: b.build, threads: b.threads, crossOriginIsolated: self.crossOriginIsolated === true, reason,
    trace: typeof engine.ScenarioRun?.prototype?.trace === 'function',
  };
  return info;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A turn of the event loop without setTimeout's 4 ms clamp on nested timers: a message on a
// channel of our own queues behind any message the page already sent (Stop).
const yieldToMessages = () => new Promise((r) => {
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = () => { port1.close(); r(); };
  port2.postMessage(null);
});

// The code excerpts (dist/snippets.json, written at build time from the compiled files): read
// here, once, so the page holds only the excerpt it shows, never the whole file.
let snippets = null;
async function snippetOf(scenario, variant) {
  snippets ??= fetch(new URL('./snippets.json', self.location.href)).then((res) => {
    if (!res.ok) throw new Error(`snippets.json: HTTP ${res.status}`);
    return res.json();
  });
  snippets.catch(() => { snippets = null; });
  const all = await snippets;
  return all?.[scenario]?.[variant] ?? null;
}

// One job at a time: a run occupies every GOMAXPROCS thread, so a speed check or a second run
// must wait for it (rayon's par_iter would hang while the runners hold its threads).
let queue = Promise.resolve();
function serial(fn) {
  const next = queue.then(fn, fn);
  queue = next.catch(() => {});
  return next;
}

let current = null;  // the ScenarioRun being driven
let stepper = null;  // while stepping: { wake } resolves the wait for the next Step, Resume or Stop
let stopping = false; // Stop was asked for the current run
let lastTrace = null; // the last finished run's trace (Chrome Trace Event Format), if the build has it

async function drive(id, scenario, variant, params, stepping) {
  const run = engine.startRun(scenario, variant ?? null, params ?? {});
  current = run;
  stopping = false;
  let lastPost = 0;
  try {
    // Deterministic stepping: one event per Step, until Resume, Stop or the end.
    while (stepping && !stopping) {
      self.postMessage({ id, type: 'progress', value: run.snapshot() });
      const cmd = await new Promise((wake) => { stepper = { wake }; });
      stepper = null;
      if (cmd !== 'step') break;
      if (run.step(1).done) break;
    }
    while (!stopping) {
      const p = run.poll();
      if (p.done) break;
      const now = performance.now();
      if (now - lastPost > 100) {
        lastPost = now;
        self.postMessage({ id, type: 'progress', value: run.snapshot() });
      }
      // Threads: the runners work on their own; look again in a frame. Pumped (the single
      // build, deterministic mode): `poll` just ran one slice; yield to the message loop (Stop
      // or a lesson switch may be waiting), then pump again.
      if (p.idle_ms != null) await sleep(Math.min(p.idle_ms, 50));
      else if (p.pumped) await yieldToMessages();
      else await sleep(16);
    }
    // After Stop, one step lets the runtime see the abort without running on: `step` advances
    // at most one event and then reports "stopped".
    if (stopping) run.step(1);
    self.postMessage({ id, type: 'progress', value: run.snapshot() });
    // The run's Chrome trace (Runtime::trace), kept here until the page asks for it: it can be
    // large, and most runs are never exported.
    // Taken after finish, which builds it once the run's heap is measured.
    const report = run.finish();
    lastTrace = run.trace();
    // Its timeline as typed arrays: cheap to deserialise on the page's main thread (issue 10).
    return packReport(report);
  } finally {
    current = null;
    stopping = false;
    run.free();
  }
}

const handlers = {
  async ready() { return started; },
  async speedCheck({ params }) { await started; return serial(() => engine.speedCheck(params)); },
  async speedCheckParams() { await started; return engine.speedCheckParams(); },
  async scenarios() { await started; return engine.scenarios(); },
  async run({ id, scenario, variant, params, stepping }) {
    await started;
    if (typeof scenario !== 'string') throw new Error('scenario: expected a scenario id (a string)');
    if (variant != null && typeof variant !== 'string') throw new Error('variant: expected a variant id (a string)');
    if (stepping && params?.mode !== 'deterministic') throw new Error('step: needs mode = deterministic (virtual time, one thread)');
    return serial(() => drive(id, scenario, variant, params, !!stepping));
  },
  async step() { if (!stepper) return false; stepper.wake('step'); return true; },
  async resume() { if (!stepper) return false; stepper.wake('resume'); return true; },
  async stop() {
    if (!current) return false;
    stopping = true;
    current.stop();
    stepper?.wake('stop');
    return true;
  },
  async trace() { return lastTrace; },
  async snippet({ scenario, variant }) { return snippetOf(scenario, variant); },
  async bench({ small, only }) { await started; return serial(() => engine.bench(!!small, only)); },
};

self.onmessage = async ({ data }) => {
  const { id, type } = data ?? {};
  const handler = handlers[type];
  if (!handler) {
    self.postMessage({ id, type: 'error', message: `unknown request ${JSON.stringify(type)}` });
    return;
  }
  try {
    self.postMessage({ id, type: 'result', value: await handler({ ...data, id }) });
  } catch (e) {
    self.postMessage({ id, type: 'error', message: e?.message ?? String(e) });
  }
};

// A first run on a fresh page ran its code for the first time: V8 compiles each wasm function
// when it is first called, and those milliseconds of wall time, times the time scale, landed in
// the program's time (a shared link's guide-timing closed at 142–192 ms instead of 100; the first
// task of `unlimited` started 10–70 ms in). Two small runs, at a time scale that makes their
// sleeps short, call the runtime's channels, select, timers, context and WaitGroup on the runner
// threads first. Queued like any job, after `ready`: a run asked for at once waits for them.
async function warmUp() {
  for (const [scenario, variant] of [['context-pool', 'cancel'], ['send-on-closed', 'guide-timing']]) {
    const run = engine.startRun(scenario, variant, { time_scale: 1000 });
    try {
      while (!run.poll().done) await sleep(1);
      run.finish();
    } finally { run.free(); }
  }
}

started.then(() => serial(warmUp)).catch(() => {});

started.then(
  (i) => self.postMessage({ type: 'ready', value: i }),
  (e) => self.postMessage({ type: 'fatal', message: `the engine failed to start: ${e?.message ?? e}` }),
);
