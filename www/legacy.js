// TEMPORARY: maps the engine's pre-contract shapes (before the scenarios and engine "M1:" commits)
// onto the contract's (plan/CONTRACT.md), so the page can be built and tested before they land.
// Each function returns its input untouched when it already has the new shape. Delete this file
// and its two call sites in api.js once main has M1.

const OLD_RANGES = {
  tasks: [1, 1000000], workers: [1, 10000], queue: [0, 1000000], work_iterations: [0, 100000000],
  sleep_max_ms: [0, 60000], failure_rate: [0, 1], task_timeout_ms: [0, 600000], timeout_ms: [0, 3600000],
  connections: [1, 1000], seed: [0, 4294967295], time_scale: [0.01, 10000],
};
const OLD_CHOICES = { queue_policy: ['bounded', 'none', 'unbounded'], workload: ['io', 'cpu', 'mixed'], mode: ['real', 'deterministic'] };
const FLOATS = new Set(['failure_rate', 'time_scale']);
const GAUGE_NAMES = { in_use: 'connections_in_use', waiting_for_conn: 'waiting_for_connection' };

export function legacySpecs(specs) {
  return specs.map((s) => {
    if (Array.isArray(s.params)) return s;
    return {
      id: s.id, section: s.section, title: s.title, shows: s.shows,
      variants: s.variants.map((v) => ({ id: v.id, label: v.label.replace(/^(✅|❌|⚠️)\s*/u, ''), kind: v.wrong ? 'wrong' : 'right', defaults: {} })),
      params: s.uses.map((name) => ({
        name, label: name.replaceAll('_', ' '), unit: '', help: '',
        kind: OLD_CHOICES[name] ? 'choice' : FLOATS.has(name) ? 'float' : 'int',
        default: s.defaults[name] ?? OLD_CHOICES[name]?.[0] ?? OLD_RANGES[name]?.[0] ?? 0,
        min: OLD_RANGES[name]?.[0] ?? null, max: OLD_RANGES[name]?.[1] ?? null, choices: OLD_CHOICES[name] ?? null,
      })),
    };
  });
}

function legacySeries(s) {
  if (!s || !Array.isArray(s.gauges)) return s;
  const gauges = {};
  for (const g of s.gauges) gauges[GAUGE_NAMES[g.name] ?? g.name] = g.values;
  return { ...s, gauges };
}

export function legacySnapshot(snap) {
  return snap?.series ? { ...snap, series: legacySeries(snap.series) } : snap;
}

export function legacyReport(r) {
  if (!r || !Array.isArray(r.numbers)) return r;
  return {
    ...r,
    engine: r.engine ?? 'rust',
    series: legacySeries(r.series),
    numbers: Object.fromEntries(r.numbers),
    tables: r.tables.map(([title, t]) => ({ title, columns: t.columns, rows: t.rows })),
    checklist: r.checklist.map((c, i) => ({ n: i + 1, ...c })),
    marks: r.marks ?? [],
    wait_graph: r.wait_graph ?? null,
    ended: r.ended === 'panic' ? 'panicked' : r.ended,
    exit_status: r.exit_status ?? (r.ended === 'completed' ? 0 : r.ended === 'stopped' ? null : 2),
  };
}
