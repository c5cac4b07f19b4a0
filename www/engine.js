// The page's side of the engine: starts the driver worker and talks to it by messages.
// Nothing here blocks; every call returns a Promise.

export function startEngine({ forceSingle = false } = {}) {
  const url = new URL('./engine.worker.js', import.meta.url);
  if (forceSingle) url.searchParams.set('build', 'single');
  const worker = new Worker(url, { type: 'module' });
  const pending = new Map();
  let nextId = 1;
  let resolveReady, rejectReady;
  const ready = new Promise((ok, fail) => { resolveReady = ok; rejectReady = fail; });

  worker.onmessage = ({ data }) => {
    if (data.type === 'ready') return resolveReady(data.value);
    if (data.type === 'fatal') return rejectReady(new Error(data.message));
    const p = pending.get(data.id);
    if (!p) return;
    if (data.type === 'progress') return p.onProgress?.(data.value);
    pending.delete(data.id);
    // What the caller does with a result (the page draws a whole Report) runs in a task of its
    // own, not in this one, which already paid for the message's deserialisation: a 100,000-
    // goroutine Report's is 6 ms of main thread, and the two together made a long task (issue 10).
    if (data.type === 'result') { const { value } = data; setTimeout(() => p.ok(value), 0); }
    else p.fail(new Error(data.message));
  };
  worker.onerror = (e) => rejectReady(new Error(`the engine worker failed to load: ${e.message ?? 'unknown error'}`));

  function request(type, payload = {}, onProgress) {
    const id = nextId++;
    return new Promise((ok, fail) => {
      pending.set(id, { ok, fail, onProgress });
      worker.postMessage({ id, type, ...payload });
    });
  }
  return { ready, request, worker };
}
