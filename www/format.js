// Number formatting, the same as the Rust core's (`scenario::fmt_bytes`), so a figure reads the
// same on the page, in the CLI and in the Report's own sentences.

// One formatter per precision: toLocaleString builds a new one on every call (60 ms for the
// tables of a 100,000-goroutine run).
const FORMATS = [0, 1, 2].map((d) => new Intl.NumberFormat('en-US', { maximumFractionDigits: d }));
export const num = (v, digits = 0) => (Number.isFinite(v) ? FORMATS[Math.min(2, digits)].format(v) : '–');

/** `1.42 MB`, `12.3 KB`, `812 B`, as `fmt_bytes` in src/scenario. */
export function bytes(b) {
  if (!Number.isFinite(b)) return '–';
  if (b >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(2)} MB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KB`;
  return `${b.toFixed(0)} B`;
}

export const ms = (v) => (Number.isFinite(v) ? `${num(v, v < 10 ? 1 : 0)} ms` : '–');

/** `db-pool / pool`, the name of a run. */
export const runName = (r) => `${r.scenario} / ${r.variant}${r.engine === 'go' ? ' (Go)' : ''}`;
