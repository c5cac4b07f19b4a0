// The driver: a module Web Worker that owns the engine. The page only draws; everything that can
// block (rayon, the goroutine runtime, timers) happens here or on the Web Workers the threaded
// build spawns from here.
//
// Which build: the threaded one when this worker is cross-origin isolated (SharedArrayBuffer
// exists), otherwise the single-threaded one. `?build=single` (forwarded by the page) forces it.

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
  info = { build: b.build, threads: b.threads, crossOriginIsolated: self.crossOriginIsolated === true, reason };
  return info;
}

const handlers = {
  async ready() { return started; },
  async speedCheck({ params }) { await started; return engine.speedCheck(params); },
};

self.onmessage = async ({ data }) => {
  const { id, type } = data ?? {};
  const handler = handlers[type];
  if (!handler) {
    self.postMessage({ id, type: 'error', message: `unknown request ${JSON.stringify(type)}` });
    return;
  }
  try {
    self.postMessage({ id, type: 'result', value: await handler(data) });
  } catch (e) {
    self.postMessage({ id, type: 'error', message: e?.message ?? String(e) });
  }
};

started.then(
  (i) => self.postMessage({ type: 'ready', value: i }),
  (e) => self.postMessage({ type: 'fatal', message: `the engine failed to start: ${e?.message ?? e}` }),
);
