// The Go engine: runs the Go programs of go/ (built with GOOS=js GOARCH=wasm into go/) in Go's own
// runtime, one program per request, in this classic Worker. Started by go-engine.js on first use.
//
// Request:  {type: "run", id, argv: ["unlimited", "-tasks", "1000", ...]}
// Replies:  {type: "progress", id, value}   rows of (t_ms, goroutines, heap_bytes) and counts so far
//           {type: "result", id, value}     the Go Report (the subset the Go programs print)
//           {type: "error", id, message}    the program refused its arguments, or could not start
//
// Go's js/wasm port has one thread and no preemption: a goroutine runs until it blocks. Its own
// deadlock detector only runs when the page tells a paused program that nothing is left to wake
// it (wasm_exec_node.js does this on exit); this worker does the same when the program pauses
// with no timer pending, so a deadlock ends with Go's own "fatal error: all goroutines are
// asleep - deadlock!" and exit status 2, as it does natively.
'use strict';

const WASM = 'go/playground.wasm';
let compiled = null; // the module is compiled once, and instantiated afresh for every run

onmessage = async ({ data }) => {
  if (!data || data.type !== 'run' || !Array.isArray(data.argv)) {
    postMessage({ type: 'error', id: data?.id, message: 'the Go engine accepts {type: "run", id, argv}' });
    return;
  }
  try {
    const report = await run(data.argv, (value) => postMessage({ type: 'progress', id: data.id, value }));
    postMessage({ type: 'result', id: data.id, value: report });
  } catch (e) {
    postMessage({ type: 'error', id: data.id, message: e.message });
  }
};

const NOT_BUILT = 'the Go engine was not built: build dist/ with Go installed (scripts/setup.sh --browser installs golang-go)';

async function module() {
  if (!compiled) {
    compiled = (async () => {
      if (!globalThis.Go) {
        try {
          importScripts('go/wasm_exec.js'); // Go's own glue, from the Go that built the wasm
        } catch {
          throw new Error(NOT_BUILT);
        }
      }
      const res = await fetch(WASM);
      if (res.status === 404) throw new Error(NOT_BUILT);
      if (!res.ok) throw new Error(`the Go engine was not built (${WASM}: HTTP ${res.status}); build dist/ with Go installed`);
      return WebAssembly.compile(await res.arrayBuffer());
    })();
    compiled.catch(() => { compiled = null; });
  }
  return compiled;
}

async function run(argv, onProgress) {
  const mod = await module();
  const go = new Go();
  go.argv = ['playground', ...argv.map(String), '-progress'];
  // Every goroutine in a crash's traceback, as the native harness asks (its goroutines_after).
  go.env = { GOTRACEBACK: 'all' };
  let status = null;
  go.exit = (code) => { status = code; };

  // Capture what the program writes: stdout line by line, stderr whole.
  const decoder = new TextDecoder();
  let out = '';
  let err = '';
  const progress = [];
  let start = null;
  let report = null;
  globalThis.fs.writeSync = (fd, buf) => {
    const text = decoder.decode(buf);
    if (fd === 2) {
      err += text;
      return buf.length;
    }
    out += text;
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.startsWith('{"progress"')) {
        const p = JSON.parse(line).progress;
        progress.push(p);
        onProgress(p);
      } else if (line.startsWith('{"start"')) {
        start = JSON.parse(line).start;
      } else if (line.startsWith('{')) {
        report = JSON.parse(line);
      }
    }
    return buf.length;
  };

  const instance = await WebAssembly.instantiate(mod, go.importObject);
  let toldDeadlock = false;
  const resume = go._resume.bind(go);
  // Looks once the stack has unwound: a resume can be nested in a call from Go to JavaScript
  // (fs.write calls back into Go), and Go is only really paused when none is under way.
  const checkIdle = () => {
    // Paused, not exited, and no timer that could wake it: nothing ever will.
    if (!go.exited && go._scheduledTimeouts.size === 0 && !toldDeadlock) {
      toldDeadlock = true;
      go._pendingEvent = { id: 0 };
      resume();
    }
  };
  go._resume = () => {
    resume();
    setTimeout(checkIdle, 0);
  };
  const done = go.run(instance); // runs until the program first pauses or exits
  setTimeout(checkIdle, 0);
  await done;

  if (report && status === 0) return report;
  if (status === 2 && !report && !crashMessage(err) && err.startsWith('error:')) {
    throw new Error(err.replace(/^error: /, '').trim());
  }
  if (!start) throw new Error(`the Go program exited with status ${status}: ${err.slice(0, 200)}`);
  return crashReport(start, progress, err, status);
}

function crashMessage(stderr) {
  return stderr.split('\n').find((l) => l.startsWith('panic: ') || l.startsWith('fatal error: ')) ?? '';
}

// The report of a program that died, from what it streamed before: the same fields, built the
// same way, as go/crash.go's crashReport builds natively from a child process.
function crashReport(start, progress, stderr, status) {
  const last = progress[progress.length - 1] ?? {};
  const series = { t_ms: [], goroutines: [], heap_bytes: [] };
  let peak = 0;
  let heapPeak = 0;
  for (const p of progress) {
    series.t_ms.push(...p.series.t_ms);
    series.goroutines.push(...p.series.goroutines);
    series.heap_bytes.push(...p.series.heap_bytes);
    peak = Math.max(peak, p.peak_goroutines);
    heapPeak = Math.max(heapPeak, p.heap_peak_bytes);
  }
  // In the browser the runtime's goroutine that waits for browser events (runtime.handleEvent)
  // is in the traceback too; it is not the program's (see settleRuntime in go/child_js.go).
  const headers = stderr.split('\n\n')
    .filter((block) => /^goroutine \d+ \[[^\]]*\]:/.test(block) && !block.includes('handleEvent('))
    .map((block) => block.split('\n')[0]);
  let message = crashMessage(stderr);
  const deadlock = message === 'fatal error: all goroutines are asleep - deadlock!';
  if (!message) message = `the program exited with status ${status}`;
  // The program died: a submitted task without an outcome is unfinished, never cancelled (as
  // atEnd in go/run.go and TaskCounts::at_end in Rust; review R18).
  const tasks = { ...(last.tasks ?? { submitted: 0, successful: 0, failed: 0, cancelled: 0, timed_out: 0, unfinished: 0, dropped: 0 }) };
  const accounted = tasks.successful + tasks.failed + tasks.cancelled + tasks.timed_out + (tasks.unfinished ?? 0);
  tasks.unfinished = (tasks.unfinished ?? 0) + Math.max(0, tasks.submitted - accounted);
  return {
    scenario: start.scenario,
    variant: start.variant,
    engine: 'go',
    params: start.params,
    build: start.build,
    threads: start.threads,
    wall_ms: last.wall_ms ?? 0,
    runtime_ms: last.runtime_ms ?? 0,
    goroutines_before: 1,
    peak_goroutines: peak,
    goroutines_after: headers.length,
    heap_peak_bytes: heapPeak,
    total_alloc_bytes: last.total_alloc_bytes ?? 0,
    tasks,
    latency_ms: { p50: 0, p90: 0, p99: 0, max: 0 },
    throughput_per_s: 0,
    series,
    findings: [{ kind: deadlock ? 'deadlock' : 'panic', message, at_ms: last.runtime_ms ?? 0, goroutines: headers }],
    numbers: {},
    log: headers.length ? [message, headers[0]] : [message],
    ended: deadlock ? 'deadlock' : 'panicked',
    exit_status: status,
    go_version: start.go_version,
    stderr: stderr.slice(0, 20000),
  };
}
