// Real Go in the tab (issue 12): the page's side of www/go-engine.js (the "go" engineer's), which
// runs the Go programs of go/ compiled to js/wasm in a classic Worker. Imported only when first
// used, so a page load fetches nothing of it.
let engine = null;
let loading = null;

/** The Go engine, once loaded; null before. */
export const goEngine = () => engine;

/** Loads go-engine.js and checks that dist/ has the Go build; rejects saying why not. */
export function loadGo() {
  loading ??= (async () => {
    const mod = await import('./go-engine.js');
    const e = mod.startGoEngine();
    if (!(await e.available())) throw new Error('the Go engine was not built into this site (dist/go/ is missing: build with Go installed)');
    engine = e;
    return e;
  })();
  loading.catch(() => { loading = null; });
  return loading;
}

/**
 * Runs `scenario` in Go; `onProgress` gets snapshots shaped like the Rust engine's ({t_ms,
 * goroutines, heap_bytes, finished, series}), the series gathered from Go's progress rows.
 */
export async function runGo(scenario, params, onProgress) {
  const e = await loadGo();
  const series = { t_ms: [], goroutines: [], heap_bytes: [] };
  return e.run(scenario, params, (p) => {
    for (const k of ['t_ms', 'goroutines', 'heap_bytes']) series[k].push(...(p.series?.[k] ?? []));
    const t = p.tasks ?? {};
    onProgress?.({
      t_ms: p.runtime_ms ?? series.t_ms.at(-1) ?? 0,
      goroutines: series.goroutines.at(-1) ?? 0,
      heap_bytes: series.heap_bytes.at(-1) ?? 0,
      finished: (t.successful ?? 0) + (t.failed ?? 0) + (t.cancelled ?? 0) + (t.timed_out ?? 0),
      series: { t_ms: [...series.t_ms], goroutines: [...series.goroutines], heap_bytes: [...series.heap_bytes] },
      engine: 'go',
    });
  });
}
