// The per-worker timeline: a row per worker (or goroutine), a bar per task coloured by outcome,
// the instants of the run (cancel, deadline…) across it. Up to ROWS rows are drawn one by one;
// beyond that the rest are summarised as one band: how many of them ran a task at each moment.
import { markStyle } from './chart.js';
import { widthOf } from '../dom.js';

const ROWS = 400;
const css = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
export const OUTCOME_COLORS = { success: '#1a7f37', failed: '#c62828', panicked: '#E69F00', timed_out: '#7a5c00', cancelled: '#888888', dropped: '#CC79A7' };

export function drawTimeline(host, report, { marks = [], xMax = null } = {}) {
  const rows = report?.timeline ?? [];
  const shown = rows.slice(0, ROWS);
  const rest = rows.slice(ROWS);
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(200, Math.floor(widthOf(host)));
  const rowH = shown.length <= 12 ? 16 : shown.length <= 40 ? 8 : shown.length <= 120 ? 3 : shown.length <= 250 ? 2 : 1;
  const gap = rowH >= 8 ? 2 : 0;
  const bandH = rest.length ? 24 : 0;
  const h = Math.max(48, shown.length * (rowH + gap) + bandH + 30);
  let canvas = host.querySelector('canvas');
  if (!canvas) { canvas = document.createElement('canvas'); canvas.setAttribute('role', 'img'); host.append(canvas); }
  canvas.width = w * dpr; canvas.height = h * dpr; canvas.style.width = `${w}px`; canvas.style.height = `${h}px`;
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.clearRect(0, 0, w, h);
  const end = Math.max(1, xMax ?? 0, report?.runtime_ms ?? 1);
  const left = rowH >= 8 ? 78 : 10, span = w - left - 10;
  const muted = css('--muted', '#666');
  ctx.font = '11px system-ui, sans-serif';
  shown.forEach((row, i) => {
    const y = 4 + i * (rowH + gap);
    if (rowH >= 8) { ctx.fillStyle = muted; ctx.fillText(row.label, 4, y + rowH - 2); }
    for (const t of row.tasks) {
      ctx.fillStyle = OUTCOME_COLORS[t.outcome] ?? '#888';
      const x = left + (t.start_ms / end) * span;
      ctx.fillRect(x, y, Math.max(1, ((t.end_ms - t.start_ms) / end) * span - (rowH >= 8 ? 0.5 : 0)), Math.max(1, rowH));
    }
  });
  let y = 4 + shown.length * (rowH + gap);
  if (rest.length) {
    // How many of the other rows ran a task at each pixel column, as a band of greys.
    // A difference array: +1 where a task starts, -1 after it ends, then a running sum, so
    // 100,000 rows cost one pass over the tasks and one over the pixels.
    const n = Math.max(1, Math.ceil(span));
    const diff = new Int32Array(n + 1);
    for (const row of rest) for (const t of row.tasks) {
      const a = Math.min(n - 1, Math.max(0, Math.floor((t.start_ms / end) * span)));
      const b = Math.min(n - 1, Math.max(a, Math.floor((t.end_ms / end) * span)));
      diff[a]++; diff[b + 1]--;
    }
    const cols = new Uint32Array(n);
    let run = 0, max = 1;
    for (let x = 0; x < n; x++) { run += diff[x]; cols[x] = run; if (run > max) max = run; }
    for (let x = 0; x < cols.length; x++) {
      if (!cols[x]) continue;
      ctx.fillStyle = `rgba(33, 86, 199, ${0.15 + 0.85 * (cols[x] / max)})`;
      ctx.fillRect(left + x, y + 4, 1, bandH - 8);
    }
    ctx.fillStyle = muted;
    ctx.fillText(`${rest.length.toLocaleString('en-US')} more rows: how many ran at once (darkest ${max})`, left, y + bandH + 8);
    y += bandH;
  }
  for (const m of marks) {
    const x = left + (m.t_ms / end) * span;
    const [color, name] = markStyle(m.kind);
    ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, y + 4); ctx.stroke();
    ctx.fillText(name, Math.min(x + 3, w - 60), h - 18);
  }
  ctx.fillStyle = muted;
  ctx.fillText('0 ms', left, h - 4);
  const endText = `${end.toFixed(0)} ms`;
  ctx.fillText(endText, w - 10 - ctx.measureText(endText).width, h - 4);
  const tasks = rows.reduce((n, r) => n + r.tasks.length, 0);
  canvas.setAttribute('aria-label', `Timeline of ${rows.length} rows and ${tasks} tasks${rest.length ? ` (the first ${ROWS} rows drawn one by one, the other ${rest.length} as one band)` : ''}; the table below lists the same tasks.`);
}
