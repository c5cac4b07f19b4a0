// The Report's per-task timeline (`[{worker, label, tasks: [{task, start_ms, end_ms, outcome}], goroutine}]`, up to
// 5,000 tasks), packed into typed arrays for the trip from the engine's worker to the page, and
// unpacked there only when something reads `report.timeline`.
//
// Why: a 100,000-goroutine Report carries 5,000 timeline rows, 80 % of its structured clone; as
// objects their deserialisation on the page's main thread was 5–6 ms of the long task that ended
// the run (issue 10). As typed arrays it is a copy of bytes, and the timeline picture reads them
// as they are. Nothing is lost: `report.timeline` reads back the same rows, in the same key order,
// for the JSON export, the table, the embed protocol and the API.

/** Marks a packed timeline in `report.timeline` on its way from the worker. */
const KIND = 'wpp-packed-timeline';
// A row's goroutine (`goroutine`, where the scenario names it) came with review N1, session 20,
// for the wait it was still in at the program's end (finalWaits in render/timeline.js); rows
// without it (an older Report) pack too, and unpack as they were.
const ROW_KEYS = 'worker,label,tasks,goroutine';
const OLD_ROW_KEYS = 'worker,label,tasks';
const TASK_KEYS = 'task,start_ms,end_ms,outcome';
const PACKED = Symbol('packed timeline');

/** The rows as typed arrays, or null when they are not exactly of the Report's shape (sent as is). */
export function pack(rows) {
  if (!Array.isArray(rows)) return null;
  let n = 0;
  const keys = rows.length ? Object.keys(rows[0] ?? {}).join() : ROW_KEYS;
  const waits = keys === ROW_KEYS;
  if (!waits && keys !== OLD_ROW_KEYS) return null;
  for (const r of rows) {
    if (r === null || typeof r !== 'object' || Object.keys(r).join() !== keys || !Number.isFinite(r.worker) || typeof r.label !== 'string' || !Array.isArray(r.tasks)) return null;
    if (waits && r.goroutine !== null && !Number.isFinite(r.goroutine)) return null;
    n += r.tasks.length;
  }
  const worker = new Float64Array(rows.length), offset = new Uint32Array(rows.length + 1);
  const label = new Array(rows.length);
  // NaN where a row has no goroutine named.
  const goroutine = waits ? new Float64Array(rows.length).fill(NaN) : null;
  const task = new Float64Array(n), start = new Float64Array(n), end = new Float64Array(n), outcome = new Uint8Array(n);
  const outcomes = [];
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    worker[i] = rows[i].worker;
    label[i] = rows[i].label;
    if (waits && rows[i].goroutine !== null) goroutine[i] = rows[i].goroutine;
    for (const t of rows[i].tasks) {
      if (t === null || typeof t !== 'object' || Object.keys(t).join() !== TASK_KEYS || typeof t.outcome !== 'string'
        || !Number.isFinite(t.task) || !Number.isFinite(t.start_ms) || !Number.isFinite(t.end_ms)) return null;
      let o = outcomes.indexOf(t.outcome);
      if (o < 0) { if (outcomes.length === 255) return null; o = outcomes.push(t.outcome) - 1; }
      task[k] = t.task; start[k] = t.start_ms; end[k] = t.end_ms; outcome[k] = o;
      k++;
    }
    offset[i + 1] = k;
  }
  return { kind: KIND, worker, label, offset, task, start, end, outcome, outcomes, goroutine };
}

/** The rows back, as `pack` found them. */
export function unpack(p) {
  const rows = new Array(p.worker.length);
  for (let i = 0; i < rows.length; i++) {
    const tasks = [];
    for (let k = p.offset[i]; k < p.offset[i + 1]; k++) {
      tasks.push({ task: p.task[k], start_ms: p.start[k], end_ms: p.end[k], outcome: p.outcomes[p.outcome[k]] });
    }
    rows[i] = p.goroutine
      ? { worker: p.worker[i], label: p.label[i], tasks, goroutine: Number.isNaN(p.goroutine[i]) ? null : p.goroutine[i] }
      : { worker: p.worker[i], label: p.label[i], tasks };
  }
  return rows;
}

/** In the worker: the Report with its timeline packed (the same object, changed in place). */
export function packReport(report) {
  const p = report && pack(report.timeline);
  if (p) report.timeline = p;
  return report;
}

/**
 * On the page: a Report whose `timeline` came packed reads as rows again, unpacked on first
 * read (an enumerable accessor at the same key, so JSON and structured clones still carry it).
 */
export function unpackReport(report) {
  const p = report?.timeline;
  if (p?.kind !== KIND) return report;
  let rows = null;
  Object.defineProperty(report, 'timeline', {
    enumerable: true, configurable: true,
    get() { rows ??= unpack(p); return rows; },
    set(v) { Object.defineProperty(report, 'timeline', { value: v, enumerable: true, configurable: true, writable: true }); },
  });
  Object.defineProperty(report, PACKED, { value: p });
  return report;
}

/** Whether `report` has a timeline, without unpacking one. */
export function hasTimeline(report) {
  if (!report) return false;
  if (report[PACKED] && Object.getOwnPropertyDescriptor(report, 'timeline')?.get) return true;
  return Boolean(report.timeline);
}

/**
 * The timeline of `report` as typed arrays, for drawing: the packed ones it came with (no rows
 * built), else packed from its rows now. Null when it has none or they are of another shape.
 */
export function packedOf(report) {
  if (!report) return null;
  if (report[PACKED] && Object.getOwnPropertyDescriptor(report, 'timeline')?.get) return report[PACKED];
  return pack(report.timeline);
}
