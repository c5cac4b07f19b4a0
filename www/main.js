// The page: draws, never computes. The engine lives in a module Worker (engine.worker.js).
import { startEngine } from './engine.js';
import { Charts, fmtBytes } from './charts.js';
import { SNIPPETS } from './snippets.js';

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const query = new URLSearchParams(location.search);
const EMBED = document.body.classList.contains('embed');

// coi-serviceworker reloads the page once on hosts that cannot send COOP/COEP. Starting the
// engine before that reload would only waste work, so wait while a reload is still possible.
async function isolationSettled() {
  if (self.crossOriginIsolated || query.get('build') === 'single') return;
  const sw = navigator.serviceWorker;
  if (!sw || !isSecureContext || !window.coi?.shouldRegister?.()) return;
  if (sw.controller) return; // the service worker already controls us: isolation is impossible here
  await Promise.race([sw.ready.then(() => sleep(400)), sleep(3000)]);
  if (window.__coiReloading) await new Promise(() => {}); // the page is about to reload
}

// ---------------------------------------------------------------- the programmatic API
const api = {};
api.ready = isolationSettled().then(() => {
  api.engine = startEngine({ forceSingle: query.get('build') === 'single' });
  return api.engine.ready;
});
api.speedCheck = async (params = {}) => { await api.ready; return api.engine.request('speedCheck', { params }); };
api.scenarios = async () => { await api.ready; return api.engine.request('scenarios'); };
/** Runs a scenario; `params.variant` picks the variant. Resolves to the Report. */
api.run = async (scenario, params = {}, onProgress, { stepping = false } = {}) => {
  await api.ready;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new Error('params: expected an object');
  const { variant, ...rest } = params;
  return api.engine.request('run', { scenario, variant, params: rest, stepping }, onProgress);
};
/** While a run started with `{ stepping: true }` waits: one event, or run on to the end. */
api.step = async () => { await api.ready; return api.engine.request('step'); };
api.resume = async () => { await api.ready; return api.engine.request('resume'); };
api.stop = async () => { await api.ready; return api.engine.request('stop'); };
api.bench = async ({ small = false } = {}) => { await api.ready; return api.engine.request('bench', { small }); };
window.workerPoolPlayground = api;

// ---------------------------------------------------------------- state
const state = { specs: [], spec: null, variant: null, running: false, report: null, previous: null, compareReport: null };
let charts = null;

function fillPicker() {
  const sel = $('scenario');
  sel.textContent = '';
  for (const s of state.specs) {
    const o = document.createElement('option');
    o.value = s.id;
    o.textContent = `${s.section} — ${s.title}`;
    sel.append(o);
  }
}

function selectScenario(id, variant, values = {}) {
  const spec = state.specs.find((s) => s.id === id) ?? state.specs[0];
  state.spec = spec;
  $('scenario').value = spec.id;
  state.variant = spec.variants.some((v) => v.id === variant) ? variant : spec.variants[0].id;
  const fs = $('variants');
  fs.querySelectorAll('label').forEach((l) => l.remove());
  for (const v of spec.variants) {
    const l = document.createElement('label');
    l.className = `variant ${v.kind === 'right' ? 'right' : 'wrong'}`;
    const r = document.createElement('input');
    r.type = 'radio'; r.name = 'variant'; r.value = v.id; r.checked = v.id === state.variant;
    r.addEventListener('change', () => {
      state.variant = v.id;
      // A field still at the old variant's default takes the new variant's default.
      for (const p of spec.params) {
        const input = $('params').elements[p.name];
        const dflt = v.defaults[p.name] ?? p.default;
        if (input && input.value === String(input.dataset.default)) input.value = dflt;
        if (input) input.dataset.default = dflt;
      }
    });
    l.append(r, ` ${v.label}`);
    fs.append(l);
  }
  const form = $('params');
  form.textContent = '';
  const vdefaults = spec.variants.find((v) => v.id === state.variant)?.defaults ?? {};
  for (const p of spec.params) {
    const key = p.name;
    const l = document.createElement('label');
    l.className = 'stack';
    l.textContent = p.unit ? `${p.label} (${p.unit})` : p.label;
    let input;
    if (p.kind === 'choice') {
      input = document.createElement('select');
      for (const c of p.choices) { const o = document.createElement('option'); o.value = c; o.textContent = c; input.append(o); }
    } else {
      input = document.createElement('input');
      input.type = 'number';
      Object.assign(input, { min: p.min, max: p.max, step: p.kind === 'int' ? 1 : 'any' });
    }
    input.name = key;
    const dflt = vdefaults[key] ?? p.default;
    input.value = values[key] ?? dflt;
    input.dataset.default = dflt;
    l.append(input);
    form.append(l);
  }
  $('title').textContent = `${spec.section}: ${spec.title}`;
  $('shows').textContent = spec.shows;
  $('code-go').textContent = SNIPPETS[spec.id]?.go ?? '';
  $('code-rust').textContent = SNIPPETS[spec.id]?.rust ?? '';
  $('param-error').textContent = '';
}

/** Reads the form; numbers go as numbers. Empty fields mean the default. */
function readParams() {
  const out = {};
  for (const el of $('params').elements) {
    if (!el.name) continue;
    const v = el.value.trim();
    if (v === '') continue;
    if (el.tagName === 'SELECT') out[el.name] = v;
    else if (!Number.isFinite(Number(v))) throw new Error(`${el.name}: expected a number, got ${JSON.stringify(v)}`);
    else out[el.name] = Number(v);
  }
  return out;
}

function shareUrl(page = 'index.html', extra = {}) {
  const u = new URL(page, location.href);
  u.search = '';
  u.searchParams.set('scenario', state.spec.id);
  u.searchParams.set('variant', state.variant);
  for (const [k, v] of Object.entries({ ...readParams(), ...extra })) u.searchParams.set(k, v);
  return u.toString();
}

// ---------------------------------------------------------------- rendering
const num = (v, d = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d }) : '–');

function renderFigures(r) {
  const figs = [
    ['ended', r.ended],
    ['wall time', `${num(r.wall_ms, 1)} ms`],
    ['runtime time', `${num(r.runtime_ms)} ms`],
    ['goroutines before → peak → after', `${r.goroutines_before} → ${r.peak_goroutines} → ${r.goroutines_after}`],
    ['heap peak', fmtBytes(r.heap_peak_bytes)],
    ['allocated', fmtBytes(r.total_alloc_bytes)],
    ['tasks ok / failed / timed out / cancelled', `${r.tasks.successful} / ${r.tasks.failed} / ${r.tasks.timed_out} / ${r.tasks.cancelled}`],
    ['latency p50 / p99', `${num(r.latency_ms.p50)} / ${num(r.latency_ms.p99)} ms`],
    ['throughput', `${num(r.throughput_per_s, 1)} tasks/s`],
    ['build', `${r.build}, GOMAXPROCS ${r.threads}`],
  ];
  const dl = $('figures');
  dl.textContent = '';
  for (const [k, v] of figs) {
    const d = document.createElement('div');
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    d.append(dt, dd); dl.append(d);
  }
}

function renderBars(r, prev) {
  const el = $('bars');
  el.textContent = '';
  const rows = [
    ['wall time (ms)', (x) => x.wall_ms],
    ['peak goroutines', (x) => x.peak_goroutines],
    ['peak heap (KB)', (x) => x.heap_peak_bytes / 1024],
    ['p50 latency (ms)', (x) => x.latency_ms.p50],
    ['p99 latency (ms)', (x) => x.latency_ms.p99],
  ];
  for (const [label, f] of rows) {
    const a = f(r), b = prev ? f(prev) : null;
    const max = Math.max(a, b ?? 0, 1e-9);
    const row = document.createElement('div');
    row.className = 'bar-row';
    const name = document.createElement('span'); name.textContent = label;
    const bars = document.createElement('span'); bars.className = 'bar-cell';
    for (const [v, cls, who] of [[a, 'now', `${r.scenario}/${r.variant}`], ...(prev ? [[b, 'prev', `${prev.scenario}/${prev.variant}`]] : [])]) {
      const bar = document.createElement('span');
      bar.className = `bar ${cls}`;
      bar.style.width = `${Math.max(0.5, (v / max) * 100)}%`;
      bar.title = `${who}: ${num(v, 1)}`;
      const t = document.createElement('span'); t.className = 'bar-label'; t.textContent = `${num(v, 1)} · ${who}`;
      bars.append(bar, t);
    }
    row.append(name, bars);
    el.append(row);
  }
}

function table(columns, rows) {
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const c of columns) { const th = document.createElement('th'); th.scope = 'col'; th.textContent = c; head.append(th); }
  const body = t.createTBody();
  for (const r of rows) { const tr = body.insertRow(); for (const c of r) tr.insertCell().textContent = c; }
  return t;
}

function renderTables(r) {
  const el = $('tables');
  el.textContent = '';
  for (const t of r.tables) {
    const h = document.createElement('h3'); h.textContent = t.title;
    el.append(h, table(t.columns, t.rows));
  }
  if (r.checklist.length) {
    const h = document.createElement('h3'); h.textContent = 'The 15 best practices, with evidence from this run';
    el.append(h, table(['', 'practice', 'evidence'], r.checklist.map((c) => [c.ok ? `✅ ${c.n}` : `❌ ${c.n}`, c.practice, c.evidence])));
  }
  el.hidden = el.childElementCount === 0;
}

function renderFindings(r) {
  const el = $('findings');
  el.textContent = '';
  for (const f of r.findings) {
    const box = document.createElement('div');
    box.className = `finding finding-${f.kind}`;
    const h = document.createElement('strong'); h.textContent = `${f.kind.replace('_', ' ')}: ${f.message}`;
    box.append(h);
    if (f.goroutines.length) {
      const ul = document.createElement('ul');
      for (const g of f.goroutines.slice(0, 12)) {
        const li = document.createElement('li');
        const what = g.state === 'blocked' ? `${g.wait}${g.object_name ? ` on ${g.object_name}` : ''}` : g.state;
        li.textContent = `goroutine ${g.id} (${g.name}) [${what}]${g.for_ms > 0 ? ` for ${num(g.for_ms)} ms` : ''}`;
        ul.append(li);
      }
      if (f.goroutines.length > 12) { const li = document.createElement('li'); li.textContent = `… and ${f.goroutines.length - 12} more`; ul.append(li); }
      box.append(ul);
    }
    el.append(box);
  }
}

function renderDataTables(r) {
  const s = r.series;
  const step = Math.max(1, Math.ceil(s.t_ms.length / 60));
  const rows = [];
  for (let i = 0; i < s.t_ms.length; i += step) rows.push([num(s.t_ms[i], 1), s.goroutines[i], s.running[i], s.blocked[i], s.queued[i], fmtBytes(s.heap_bytes[i]), ...s.gauges.map((g) => g.values[i])]);
  $('series-table').replaceChildren(table(['runtime ms', 'goroutines', 'running', 'blocked', 'queued', 'heap', ...s.gauges.map((g) => g.name)], rows));
  const tl = [];
  for (const row of r.timeline) for (const t of row.tasks) if (tl.length < 300) tl.push([row.worker || 'never ran', t.task, num(t.start_ms, 1), num(t.end_ms, 1), t.outcome]);
  $('timeline-table').replaceChildren(table(['worker', 'task', 'start ms', 'end ms', 'outcome'], tl));
}

function renderGuideTable(without, withPool) {
  const rows = [
    ['Goroutines created (peak alive)', `${without.peak}`, `${withPool.peak}`],
    ['Memory usage (heap)', without.mem, withPool.mem],
    ['Execution time', without.time, withPool.time],
    ['Latency under load (p50 / p99)', without.lat, withPool.lat],
    ['Resource control', `up to ${without.peak} concurrent operations`, `at most ${withPool.workers} concurrent operations`],
  ];
  $('guide-table').replaceChildren(table(['Aspect', 'WITHOUT worker pool (this run)', 'WITH worker pool (this run)'], rows));
}

function renderReport(r) {
  state.previous = state.report;
  state.report = r;
  $('status').textContent = r.ended === 'completed' ? `Done: ${r.scenario} / ${r.variant}.` : `Run ended: ${r.ended}.`;
  $('lesson').textContent = r.lesson;
  renderFindings(r);
  renderFigures(r);
  renderBars(r, state.previous);
  charts.update(r.series, state.compareReport?.series);
  charts.drawTimeline(r);
  renderTables(r);
  renderDataTables(r);
  $('log').textContent = r.log.join('\n');
  if (r.scenario === 'control-comparison') {
    const n = r.numbers;
    renderGuideTable(
      { peak: n.unlimited_peak, mem: `${fmtBytes(n.unlimited_alloc)} allocated`, time: `${num(n.unlimited_ms, 1)} ms`, lat: '–' },
      { peak: n.pool_peak, mem: `${fmtBytes(n.pool_alloc)} allocated`, time: `${num(n.pool_ms, 1)} ms`, lat: '–', workers: r.params.workers },
    );
  }
  for (const id of ['export-json', 'export-csv', 'export-png']) $(id).disabled = false;
  api.lastReport = r;
  document.body.dataset.lastReport = `${r.scenario}/${r.variant}`;
}

function setRunning(on) {
  state.running = on;
  $('run').disabled = on && !state.stepping; $('compare').disabled = on; $('stop').disabled = !on;
}

async function runCurrent({ compareWith, stepping = false } = {}) {
  if (state.running) return;
  let params;
  try { params = readParams(); } catch (e) { $('param-error').textContent = e.message; return; }
  state.stepping = stepping;
  $('param-error').textContent = '';
  setRunning(true);
  $('status').textContent = `Running ${state.spec.id} / ${state.variant}…`;
  if (!EMBED) history.replaceState(null, '', shareUrl());
  try {
    const r = await api.run(state.spec.id, { ...params, variant: state.variant }, (snap) => {
      $('status').textContent = `${state.stepping ? `Step ${state.steps ?? 0}` : 'Running'}: ${num(snap.t_ms)} ms of runtime, ${snap.goroutines} goroutines alive (${snap.running} running, ${snap.blocked} blocked, ${snap.queued} queued), ${snap.finished} tasks done, heap ${fmtBytes(snap.heap_bytes)}`;
      charts.update(snap.series, compareWith?.series);
    }, { stepping });
    renderReport(r);
    return r;
  } catch (e) {
    $('param-error').textContent = e.message;
    $('status').textContent = 'Not run: see the message above.';
  } finally {
    state.stepping = false;
    state.steps = 0;
    setRunning(false);
  }
}

/** Step: start a deterministic run that waits, or advance the one that waits by one event. */
async function step() {
  if (state.running && state.stepping) {
    state.steps = (state.steps ?? 0) + 1;
    await api.step();
    return;
  }
  if (state.running) return;
  const mode = $('params').elements.mode;
  if (mode) mode.value = 'deterministic';
  state.steps = 0;
  runCurrent({ stepping: true });
}

async function runSideBySide() {
  const seed = Number(readParams().seed ?? 1);
  selectScenario('unlimited', 'default', { seed, tasks: 1000 });
  state.compareReport = null;
  const a = await runCurrent();
  if (!a) return;
  selectScenario('fixed-pool', 'default', { seed, tasks: 1000, time_scale: a.params.time_scale });
  state.compareReport = a;
  const b = await runCurrent({ compareWith: a });
  state.compareReport = null;
  if (!b) return;
  renderBars(b, a);
  renderGuideTable(
    { peak: a.peak_goroutines, mem: fmtBytes(a.heap_peak_bytes), time: `${num(a.runtime_ms)} ms runtime`, lat: `${num(a.latency_ms.p50)} / ${num(a.latency_ms.p99)} ms` },
    { peak: b.peak_goroutines, mem: fmtBytes(b.heap_peak_bytes), time: `${num(b.runtime_ms)} ms runtime`, lat: `${num(b.latency_ms.p50)} / ${num(b.latency_ms.p99)} ms`, workers: b.params.workers },
  );
  $('status').textContent = 'Side by side: the dashed line is unlimited, the solid lines the fixed pool, on the same seeded workload.';
}

function download(name, type, data) {
  const a = document.createElement('a');
  a.href = data.startsWith('data:') ? data : URL.createObjectURL(new Blob([data], { type }));
  a.download = name;
  a.click();
}

function seriesCsv(s) {
  const cols = ['t_ms', 'goroutines', 'running', 'blocked', 'queued', 'heap_bytes'];
  const lines = [[...cols, ...s.gauges.map((g) => g.name)].join(',')];
  for (let i = 0; i < s.t_ms.length; i++) lines.push([...cols.map((c) => s[c][i]), ...s.gauges.map((g) => g.values[i])].join(','));
  return lines.join('\n');
}

async function copy(text, what) {
  try { await navigator.clipboard.writeText(text); $('share-note').textContent = `${what} copied.`; }
  catch { $('share-note').textContent = text; }
}

// ---------------------------------------------------------------- start
function wire() {
  charts = new Charts({ goroutinesEl: $('chart-goroutines'), heapEl: $('chart-heap'), timelineEl: $('timeline') });
  api.charts = charts;
  $('scenario').addEventListener('change', () => selectScenario($('scenario').value));
  $('run').addEventListener('click', () => (state.running && state.stepping ? (state.stepping = false, api.resume()) : runCurrent()));
  $('step').addEventListener('click', () => step());
  $('stop').addEventListener('click', () => api.stop());
  $('reset').addEventListener('click', () => selectScenario(state.spec.id, state.variant));
  $('compare').addEventListener('click', () => runSideBySide());
  $('log-scale').addEventListener('change', (e) => charts.setLogScale(e.target.checked));
  $('params').addEventListener('submit', (e) => { e.preventDefault(); runCurrent(); });
  $('copy-link').addEventListener('click', () => copy(shareUrl(), 'Link'));
  $('copy-embed').addEventListener('click', () => copy(`<iframe src="${shareUrl('embed.html')}" width="100%" height="640" style="border:0" title="Worker Pool Playground: ${state.spec.title}"></iframe>`, 'Embed code'));
  $('export-json').addEventListener('click', () => download(`${state.report.scenario}-${state.report.variant}.json`, 'application/json', JSON.stringify(state.report, null, 2)));
  $('export-csv').addEventListener('click', () => download(`${state.report.scenario}-series.csv`, 'text/csv', seriesCsv(state.report.series)));
  $('export-png').addEventListener('click', () => download(`${state.report.scenario}-goroutines.png`, 'image/png', charts.png()));
}

wire();

api.ready.then(async (info) => {
  api.info = info;
  const el = $('build');
  el.className = `build build-${info.build}`;
  el.textContent = '';
  const b = document.createElement('strong');
  b.textContent = info.build === 'threads' ? `Threaded build · ${info.threads} threads` : 'Single-threaded build · 1 thread';
  el.append(b, ` — ${info.reason}.`);
  if (info.build === 'single' && EMBED) {
    const a = document.createElement('a');
    a.href = new URL(`index.html${location.search}`, location.href).toString();
    a.target = '_blank'; a.rel = 'noopener';
    a.textContent = ' Open the full version';
    el.append(a);
  }
  state.specs = await api.scenarios();
  fillPicker();
  const values = {};
  for (const [k, v] of query) if (!['scenario', 'variant', 'run', 'build', 'coi'].includes(k)) values[k] = v;
  selectScenario(query.get('scenario') ?? 'unlimited', query.get('variant'), values);
  $('run').disabled = false; $('compare').disabled = false; $('speed-run').disabled = false; $('step').disabled = false;
  document.body.dataset.ready = 'true';
  // An embedding page waits for this before it sends {type: "run"}.
  if (window.parent !== window) window.parent.postMessage({ source: 'worker-pool-playground', type: 'ready', info }, '*');
  if (query.get('scenario') && !state.specs.some((s) => s.id === query.get('scenario'))) {
    $('param-error').textContent = `unknown scenario ${JSON.stringify(query.get('scenario'))} in the link; showing ${state.spec.id}`;
  } else if (query.get('run') === '1') {
    runCurrent();
  }
}, (e) => {
  $('build').className = 'build build-error';
  $('build').textContent = e.message;
});

// ---------------------------------------------------------------- speed check
function checkTasks(value) {
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < 1 || n > 10000) return `tasks: expected a whole number from 1 to 10000, got ${JSON.stringify(value)}`;
  return null;
}

$('speed-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const raw = $('speed-tasks').value.trim();
  const err = checkTasks(raw);
  $('speed-error').textContent = err ?? '';
  if (err) return;
  $('speed-run').disabled = true;
  $('speed-run').textContent = 'Running…';
  try {
    const r = await api.speedCheck({ tasks: Number(raw) });
    $('speed-single').textContent = `${r.single_ms.toFixed(0)} ms`;
    $('speed-parallel').textContent = `${r.parallel_ms.toFixed(0)} ms on ${r.threads} thread${r.threads === 1 ? '' : 's'}`;
    $('speed-ratio').textContent = `${(r.single_ms / r.parallel_ms).toFixed(2)}×`;
    $('speed-result').hidden = false;
  } catch (e) {
    $('speed-error').textContent = e.message;
  } finally {
    $('speed-run').disabled = false;
    $('speed-run').textContent = 'Run speed check';
  }
});

// ---------------------------------------------------------------- embedding: postMessage API
// {type: "run", scenario, params} → {type: "progress", snapshot}… → {type: "report", report}
// (or {type: "error", message}). Replies go to the window that asked.
window.addEventListener('message', async (ev) => {
  const msg = ev.data;
  if (!msg || typeof msg !== 'object' || msg.type !== 'run' || ev.source == null) return;
  const reply = (m) => ev.source.postMessage({ source: 'worker-pool-playground', ...m }, ev.origin === 'null' ? '*' : ev.origin);
  try {
    await api.ready;
    if (state.specs.length) selectScenario(msg.scenario, msg.params?.variant, msg.params ?? {});
    const report = await api.run(msg.scenario, msg.params ?? {}, (snapshot) => reply({ type: 'progress', snapshot }));
    if (state.specs.length) renderReport(report);
    reply({ type: 'report', report });
  } catch (e) {
    reply({ type: 'error', message: e.message });
  }
});
