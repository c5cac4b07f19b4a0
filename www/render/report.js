// The text of a Report: figures (one run, or two in columns), findings, tables, the checklist,
// the series and timeline as tables, the program's output. Only draws what it is given.
import { el, fill } from '../dom.js';
import { at, bytes, ms, num, readable, runName } from '../format.js';
import { m4 } from '../thin.js';
import { gaugeLabel } from './lessons.js';
import { packedOf } from '../timeline-pack.js';

const ENDED = {
  completed: 'completed', stopped: 'stopped by you', deadlock: 'deadlock', panicked: 'panicked', hung: 'hung (gave up waiting)',
};

/** Tasks the timeline draws as panicked (a recovered panic, counted among the failed). */
function panickedOf(r) {
  const tl = packedOf(r);
  const o = tl?.outcomes?.indexOf('panicked') ?? -1;
  return o < 0 ? 0 : tl.outcome.reduce((n, k) => n + (k === o ? 1 : 0), 0);
}

/** The figures of a Report: [label, text]. Go's Report has a subset; what it lacks reads "–". */
export function figuresOf(r) {
  const t = r.tasks ?? {};
  const panicked = panickedOf(r);
  return [
    ['ended', `${ENDED[r.ended] ?? r.ended}${r.exit_status != null ? `, exit status ${r.exit_status}` : ''}`],
    ['goroutines before → peak → after', `${num(r.goroutines_before)} → ${num(r.peak_goroutines)} → ${num(r.goroutines_after)}`],
    ['wall time', ms(r.wall_ms)],
    ['runtime time', ms(r.runtime_ms)],
    ['heap peak', bytes(r.heap_peak_bytes)],
    ['allocated', bytes(r.total_alloc_bytes)],
    // Dropped tasks were refused before submission (README glossary, NEWS 11:35): they are not
    // among the submitted, so they stand beside them, never inside their breakdown.
    // Cancelled (the program cancelled them) and unfinished (the program ended first) apart:
    // review R18 found a deadlock's stuck tasks shown as cancelled.
    // A recovered panic comes back as an error result, so it counts as failed; the timeline draws
    // it as panicked, and the figure says so (second review, session 21: "failed 1" beside an
    // amber "panicked" bar and a legend that tells the two apart).
    ['tasks submitted: ok / failed / timed out / cancelled / unfinished', `${num(t.submitted)}: ${[t.successful, t.failed, t.timed_out, t.cancelled, t.unfinished ?? 0].map((v) => num(v)).join(' / ')}${panicked ? ` (${num(panicked)} of the failed panicked)` : ''}`],
    ['tasks dropped (refused, never submitted)', num(t.dropped ?? 0)],
    ['latency p50 / p99 (from submit)', r.latency_ms ? `${num(r.latency_ms.p50, 1)} / ${num(r.latency_ms.p99, 1)} ms` : '–'],
    ['throughput', r.throughput_per_s != null ? `${num(r.throughput_per_s, 1)} tasks/s` : '–'],
    // (The first screen's runs are deterministic: "GOMAXPROCS 1" beside a banner of 2 Web
    // Worker threads, with nothing saying why: independent review, session 20, F14.)
    ['engine', r.engine === 'go' ? `Go ${r.go_version ?? ''} (js/wasm, one thread)` : `Rust, ${r.build} build, GOMAXPROCS ${r.threads}${r.params?.mode === 'deterministic' && r.threads === 1 ? ' (deterministic mode runs on one thread, so a run replays exactly)' : ''}`],
  ];
}

/** `going`: a run is under way (its figures come with its Report; "Nothing has run yet." beside
 * a status of "Running … 160 tasks done" contradicted it: independent review, session 18). */
export function drawFigures(report, pair, going = false) {
  const host = document.getElementById('figures');
  const h = document.getElementById('figures-h');
  if (pair) {
    h.textContent = 'Figures of the two runs';
    const fa = figuresOf(pair.a), fb = pair.b ? figuresOf(pair.b) : null;
    fill(host, el('table', { class: 'compare-table' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'figure'),
        el('th', { scope: 'col' }, `A: ${runName(pair.a)}`), el('th', { scope: 'col' }, pair.b ? `B: ${runName(pair.b)}` : 'B: not run'))),
      el('tbody', {}, fa.map(([k, v], i) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, v), el('td', {}, fb ? fb[i][1] : '–'))))));
    return;
  }
  h.textContent = report ? `Figures of this run: ${runName(report)}` : 'Figures of this run';
  if (!report) { fill(host, el('p', { class: 'muted' }, going ? 'The figures come when this run ends.' : 'Nothing has run yet.')); return; }
  fill(host, el('dl', { class: 'figures' }, figuresOf(report).map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v)))));
}

/**
 * The kinds of finding whose message the runtime words itself ("wg.Wait() did not return within
 * 2,000 ms"): its numbers are grouped as the sentence's and the figures' are. A deadlock's or a
 * panic's message is Go's own line, shown as Go prints it. (Review N1 of session 22: the box
 * read "within 2000 ms (at 2,010.0 ms)".)
 */
const OWN_WORDS = { hang: true, early_return: true, leak: true, deadlock: false, panic: false, recovered_panic: false };

export function drawFindings(host, findings = []) {
  fill(host, findings.map((f) => el('div', { class: `finding finding-${f.kind}` },
    // Go's own line names its kind already ("panic: send on closed channel"): not said twice
    // (the box read "panic: panic: …").
    f.message.startsWith(`${f.kind}:`) ? null : el('strong', {}, `${f.kind.replaceAll('_', ' ')}: `),
    el('code', {}, OWN_WORDS[f.kind] ? readable(f.message) : f.message),
    f.at_ms != null ? el('span', { class: 'muted' }, ` (at ${at(f.at_ms)})`) : null,
    f.goroutines?.length ? el('ul', {}, f.goroutines.slice(0, 12).map((g) => {
      if (typeof g === 'string') return el('li', {}, g); // Go's own traceback headers
      const what = g.state === 'blocked' ? `${g.wait}${g.object_name ? ` on ${g.object_name}` : ''}` : g.state;
      return el('li', {}, `goroutine ${g.id} (${g.name}) [${what}]${g.for_ms > 0 ? ` for ${g.for_ms < 0.05 ? 'under 0.1' : num(g.for_ms, g.for_ms < 10 ? 1 : 0)} ms` : ''}`);
    }), f.goroutines.length > 12 ? el('li', {}, `… and ${f.goroutines.length - 12} more`) : null) : null)));
}

export function table(columns, rows, { caption = null } = {}) {
  return el('div', { class: 'table-wrap' }, el('table', {},
    caption ? el('caption', {}, caption) : null,
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col' }, c)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c instanceof Node ? c : String(c))))))));
}

export function drawTables(report) {
  const host = document.getElementById('tables');
  const parts = [];
  for (const t of report?.tables ?? []) parts.push(el('h3', {}, `${t.title} (this run: ${runName(report)})`), table(t.columns, t.rows));
  if (report?.checklist?.length) {
    const kept = report.checklist.filter((c) => c.ok).length;
    parts.push(el('h3', {}, `The 15 best practices, with evidence from this run: ${kept} of ${report.checklist.length} hold`),
      table(['', 'practice', 'evidence from this run'], report.checklist.map((c) => [
        el('span', { class: c.ok ? 'ok-mark' : 'bad-mark' }, c.ok ? `✓ holds ${c.n}` : `✗ broken ${c.n}`), c.practice, c.evidence])));
  }
  fill(host, parts);
  host.hidden = parts.length === 0;
}

/**
 * The series and the timeline as tables, built when their <details> is opened (a 100,000-task
 * run would otherwise build thousands of rows nobody looks at, on the main thread).
 */
let tablesOf = null;
export function drawDataTables(report) {
  tablesOf = report;
  for (const id of ['series-table', 'timeline-table']) {
    const host = document.getElementById(id);
    host.replaceChildren();
    const details = host.closest('details');
    if (!details.dataset.wired) {
      details.dataset.wired = 'true';
      details.addEventListener('toggle', () => { if (details.open) buildTable(id); });
    }
    if (details.open) buildTable(id);
  }
}

function buildTable(id) {
  const report = tablesOf;
  const host = document.getElementById(id);
  if (host.childElementCount) return;
  const s = report?.series;
  if (!s) return;
  if (id === 'series-table') {
    const gauges = Object.keys(s.gauges ?? {});
    const base = ['goroutines', 'running', 'blocked', 'queued', 'heap_bytes'].filter((k) => Array.isArray(s[k]));
    const cols = [...base.map((k) => s[k]), ...gauges.map((g) => s.gauges[g])];
    const [xs, ...ys] = s.t_ms.length > 2000 ? m4(s.t_ms, cols, 500) : [s.t_ms, ...cols];
    const heapAt = base.indexOf('heap_bytes');
    const rows = xs.map((t, i) => [num(t, 1), ...ys.map((c, j) => (j === heapAt ? bytes(c[i]) : num(c[i])))]);
    fill(host,
      el('p', { class: 'help' }, xs.length === s.t_ms.length ? `All ${num(xs.length)} samples of ${runName(report)}.` : `${num(xs.length)} of ${num(s.t_ms.length)} samples of ${runName(report)}: each bucket's first, last, lowest and highest kept.`),
      table(['runtime ms', ...base.map((k) => k.replace('_bytes', '')), ...gauges.map(gaugeLabel)], rows));
    return;
  }
  const tl = [];
  let total = 0;
  for (const row of report.timeline ?? []) for (const t of row.tasks) {
    total++;
    if (tl.length < 500) tl.push([row.label, t.task, num(t.start_ms, 1), num(t.end_ms, 1), t.outcome]);
  }
  fill(host, total > tl.length ? el('p', { class: 'help' }, `The first ${tl.length} of ${num(total)} tasks of ${runName(report)} (the JSON export has all).`) : null,
    table(['worker', 'task', 'start ms', 'end ms', 'outcome'], tl));
}

export function drawLog(report) {
  document.getElementById('log').textContent = report?.log?.join('\n') ?? '';
}
