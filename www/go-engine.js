// Real Go in the tab: runs the Go programs of go/ in Go's own runtime (compiled to js/wasm), in a
// classic Worker that is created on first use, so a page load fetches nothing of it.
//
//   const go = startGoEngine();
//   const report = await go.run('unlimited', { tasks: 1000, seed: 3 }, (p) => draw(p));
//   go.stop();
//
// `params` use the Rust schema's names and types (numbers as JSON numbers, choices as strings);
// the Go program checks ranges itself and its error message comes back as the rejection.

const WORKER = new URL('./go-worker.js', import.meta.url);
const WASM = new URL('./go/playground.wasm', import.meta.url);

// Turns {tasks: 1000, workload: "io"} into ["-tasks", "1000", "-workload", "io"], refusing what
// is not a plain value: an object or array is rejected at once, never looked into.
export function goArgs(scenario, params = {}) {
  if (typeof scenario !== 'string' || !/^[a-z][a-z-]{0,40}$/.test(scenario)) {
    throw new TypeError(`scenario: expected a scenario id, got ${short(scenario)}`);
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new TypeError(`params: expected an object, got ${short(params)}`);
  }
  const argv = [scenario];
  for (const [name, value] of Object.entries(params)) {
    if (!/^[a-z_]{1,40}$/.test(name)) throw new TypeError(`${short(name)}: not a parameter name`);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`${name}: expected a finite number, got ${short(value)}`);
    } else if (typeof value !== 'string') {
      throw new TypeError(`${name}: expected a number or a string, got ${short(value)}`);
    } else if (value.length > 100) {
      // The program would refuse it anyway; argv must fit in wasm_exec's 8 KB.
      throw new TypeError(`${name}: expected one of the schema's values, got ${short(value)}`);
    }
    argv.push(name === 'variant' ? '-variant' : `-${name}`, String(value));
  }
  return argv;
}

function short(v) {
  let s;
  try { s = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v); } catch { s = typeof v; }
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

export function startGoEngine() {
  let worker = null;
  let current = null; // {id, ok, fail, onProgress}
  let nextId = 1;

  function ensureWorker() {
    if (worker) return worker;
    worker = new Worker(WORKER); // classic: wasm_exec.js is a classic script
    worker.onmessage = ({ data }) => {
      if (!current || data.id !== current.id) return;
      if (data.type === 'progress') {
        current.onProgress?.(data.value);
        return;
      }
      const { ok, fail } = current;
      current = null;
      if (data.type === 'result') ok(data.value);
      else fail(new Error(data.message));
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      const c = current;
      current = null;
      worker?.terminate();
      worker = null;
      c?.fail(new Error(`the Go engine worker failed: ${e.message ?? 'unknown error'}`));
    };
    return worker;
  }

  return {
    // Runs one program; resolves to its Report (Go's subset), also when the program crashed.
    run(scenario, params = {}, onProgress) {
      let argv;
      try {
        argv = goArgs(scenario, params);
      } catch (e) {
        return Promise.reject(e);
      }
      if (current) return Promise.reject(new Error('a Go run is already in progress; stop() it first'));
      return new Promise((ok, fail) => {
        current = { id: nextId++, ok, fail, onProgress };
        ensureWorker().postMessage({ type: 'run', id: current.id, argv });
      });
    },
    // A Go program cannot be interrupted from outside: stop ends its worker; the next run starts
    // a fresh one (the compiled module is fetched again from the HTTP cache).
    stop() {
      const c = current;
      current = null;
      worker?.terminate();
      worker = null;
      c?.fail(new Error('stopped'));
    },
    // Whether dist/ was built with Go: asks the server, only when called.
    async available() {
      const res = await fetch(WASM, { method: 'HEAD' }).catch(() => null);
      return Boolean(res?.ok);
    },
  };
}
