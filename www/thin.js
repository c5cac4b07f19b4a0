// Thinning for display that never loses a peak: M4 (Jugel et al., "M4: A Visualization-Oriented
// Time Series Data Aggregation", VLDB 2014). Per pixel column it keeps the first, last, lowest and
// highest point of every series, so the drawn line touches every extreme the figures report.

/**
 * `xs` ascending, `cols` arrays aligned with it; `buckets` ≈ the chart's width in pixels.
 * Returns `[xs', ...cols']` (the input itself when it is already small enough).
 */
export function m4(xs, cols, buckets) {
  const n = xs.length;
  if (n <= buckets * 4 || n < 3) return [xs, ...cols];
  const x0 = xs[0], span = xs[n - 1] - x0 || 1;
  const keep = new Uint8Array(n);
  let start = 0;
  while (start < n) {
    const b = Math.min(buckets - 1, Math.floor(((xs[start] - x0) / span) * buckets));
    let end = start;
    while (end + 1 < n && Math.min(buckets - 1, Math.floor(((xs[end + 1] - x0) / span) * buckets)) === b) end++;
    keep[start] = 1; keep[end] = 1;
    for (const c of cols) {
      let lo = start, hi = start, moved = -1;
      for (let i = start + 1; i <= end; i++) {
        const v = c[i];
        if (v == null) continue;
        if (c[lo] == null || v < c[lo]) lo = i;
        if (c[hi] == null || v > c[hi]) hi = i;
        if (moved < 0 && v !== c[start]) moved = i;
      }
      // And the bucket's first change: drawn as steps, a count that rose 0 → 1 → 2 → 3 within
      // one bucket rose at its highest row's time, after the first mark that moved it
      // (WaitGroup Adds 0.3–1.1 ms early on the page: independent review, session 19).
      keep[lo] = 1; keep[hi] = 1;
      if (moved >= 0) keep[moved] = 1;
    }
    start = end + 1;
  }
  const idx = [];
  for (let i = 0; i < n; i++) if (keep[i]) idx.push(i);
  return [idx.map((i) => xs[i]), ...cols.map((c) => idx.map((i) => c[i]))];
}

/** The largest value of an array (nulls skipped), or null. */
export function peak(values) {
  let m = null;
  for (const v of values ?? []) if (v != null && (m == null || v > m)) m = v;
  return m;
}
