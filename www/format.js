// Number formatting, the same as the Rust core's (`scenario::fmt_bytes`), so a figure reads the
// same on the page, in the CLI and in the Report's own sentences.
import { peak } from './thin.js';

// One formatter per precision: toLocaleString builds a new one on every call (60 ms for the
// tables of a 100,000-goroutine run).
const FORMATS = [0, 1, 2].map((d) => new Intl.NumberFormat('en-US', { maximumFractionDigits: d }));
export const num = (v, digits = 0) => (Number.isFinite(v) ? FORMATS[Math.min(2, digits)].format(v) : '–');
const FIXED = [1, 2].map((d) => new Intl.NumberFormat('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
/** An instant on the run's time axis, as the Rust sentences write it (`scenario::AtMs`): one
 * decimal, two under 1 ms, kept when 0 ("884.0 ms"). */
export const at = (v) => (Number.isFinite(v) ? `${FIXED[v < 1 ? 1 : 0].format(v)} ms` : '–');
/** Instants `from` to `to` as [`at`] writes them, once where both read alike ("1.6–1.8 ms"). */
export const atRange = (from, to) => (at(to) === at(from) ? at(to) : `${at(from).replace(' ms', '')}–${at(to)}`);

/** `1.83 GB`, `1.42 MB`, `12.3 KB`, `812 B`, as `fmt_bytes` in src/scenario. */
export function bytes(b) {
  if (!Number.isFinite(b)) return '–';
  if (b >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(2)} GB`;
  if (b >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(2)} MB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KB`;
  return `${b.toFixed(0)} B`;
}

/**
 * A Report's sentence as the page shows it: whole numbers of four digits or more grouped
 * ("102,268 ms", "1,393.8 ms", as every figure beside it; the sentence read "114037 ms", and
 * "1393.8 ms" beside "1,393.8 ms" in the headline: review M3, session 22), fractions and shorter
 * numbers as they are.
 */
export const readable = (text) => text.replace(/(?<![\d.,])\d{4,}/g, (d) => d.replace(/\B(?=(\d{3})+$)/g, ','));

export const ms = (v) => (Number.isFinite(v) ? `${num(v, v < 1 ? 2 : v < 10 ? 1 : 0)} ms` : '–');

/** One of a Report's `measures` ({value, of, unit}) as the headline writes it: `4,000 ms`,
 * `9 of 20`, `3.7×`. The units are the Rust enum `scenario::Unit`'s names. */
export function measureText({ value, of = null, unit }) {
  const v = {
    count: () => num(value),
    ms: () => ms(value),
    instant: () => at(value),
    bytes: () => bytes(value),
    per_second: () => `${num(value, 1)}/s`,
    times: () => `${num(value, 1)}×`,
  }[unit]?.();
  if (v == null) throw new Error(`a measure in an unknown unit: ${unit}`);
  return of == null ? v : `${v} of ${num(of)}`;
}

/**
 * The value at a measure's place (`at`, and `key` within it: `numbers` `blocked_ms`,
 * `tasks` `cancelled`, `gauge_max` `<gauge>`, or a field such as `peak_goroutines`) in a Report
 * of either engine, or null. A Go program has no gauges: it records a gauge's maximum as
 * `numbers.max_<gauge>` (go/database.go).
 */
export function valueAt(r, { at, key = null }) {
  if (!at || !r) return null;
  let v;
  if (at === 'gauge_max') {
    const g = r.series?.gauges?.[key];
    v = Array.isArray(g) && g.length ? peak(g) : r.numbers?.[`max_${key}`];
  } else v = key != null ? r[at]?.[key] : r[at];
  return Number.isFinite(v) ? v : null;
}

/** `db-pool / pool`, the name of a run. */
export const runName = (r) => `${r.scenario} / ${r.variant}${r.engine === 'go' ? ' (Go)' : ''}`;
