// The per-worker timeline: a row per worker (or goroutine), a bar per task coloured by outcome,
// the instants of the run (cancel, deadline…) across it. Up to ROWS rows are drawn one by one;
// beyond that the rest are summarised as one band: how many of them ran a task at each moment.
import { markStyle } from './chart.js';
import { markText } from './marks.js';
import { widthOf } from '../dom.js';
import { packedOf } from '../timeline-pack.js';
import { ms } from '../format.js';

const ROWS = 400;
const css = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
export const OUTCOME_COLORS = { success: '#1a7f37', failed: '#c62828', panicked: '#E69F00', timed_out: '#7a5c00', cancelled: '#888888', dropped: '#CC79A7', unfinished: '#56B4E9' };
/** A legend's words for an outcome, where its name alone does not say it. */
// `dropped`: the task ran to its end, and its worker threw the result away on ctx.Done() (review
// F2, session 20); not the Report's `tasks.dropped`, tasks a full queue refused, which never run.
export const OUTCOME_WORDS = { timed_out: 'timed out', dropped: 'result dropped on ctx.Done()', unfinished: 'still running or blocked when the program ended' };

export function drawTimeline(host, report, { marks = [], xMax = null } = {}) {
  // The typed arrays the Report came with (timeline-pack.js): no 5,000 row objects built to draw.
  const tl = packedOf(report);
  const nRows = tl?.worker.length ?? 0;
  const shown = { length: Math.min(nRows, ROWS) };
  const rest = { length: Math.max(0, nRows - ROWS) };
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(200, Math.floor(widthOf(host)));
  const rowH = shown.length <= 12 ? 16 : shown.length <= 40 ? 8 : shown.length <= 120 ? 3 : shown.length <= 250 ? 2 : 1;
  const gap = rowH >= 8 ? 2 : 0;
  const bandH = rest.length ? 24 : 0;
  const h = Math.max(48, shown.length * (rowH + gap) + bandH + 30);
  let canvas = host.querySelector('canvas');
  if (!canvas) { canvas = document.createElement('canvas'); canvas.setAttribute('role', 'img'); host.append(canvas); }
  // A canvas of the same size is reused (setting its width allocates a new bitmap, a few ms).
  if (canvas.width !== w * dpr || canvas.height !== h * dpr) {
    canvas.width = w * dpr; canvas.height = h * dpr; canvas.style.width = `${w}px`; canvas.style.height = `${h}px`;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  // To the run's end (a 0.46 ms run was drawn on 1 ms, review N7, session 16).
  const end = Math.max(xMax ?? 0, report?.runtime_ms ?? 0) || 1;
  const left = rowH >= 8 ? 78 : 10, span = w - left - 10;
  const muted = css('--muted', '#666');
  ctx.font = '11px system-ui, sans-serif';
  let fill = null;
  const colors = (tl?.outcomes ?? []).map((o) => OUTCOME_COLORS[o] ?? '#888');
  for (let i = 0; i < shown.length; i++) {
    const y = 4 + i * (rowH + gap);
    if (rowH >= 8) { ctx.fillStyle = muted; fill = null; ctx.fillText(tl.label[i], 4, y + rowH - 2); }
    for (let k = tl.offset[i]; k < tl.offset[i + 1]; k++) {
      const color = colors[tl.outcome[k]];
      if (color !== fill) { ctx.fillStyle = color; fill = color; } // a colour is parsed on every set
      const x = left + (tl.start[k] / end) * span;
      ctx.fillRect(x, y, Math.max(1, ((tl.end[k] - tl.start[k]) / end) * span - (rowH >= 8 ? 0.5 : 0)), Math.max(1, rowH));
    }
  }
  const tasks = tl ? tl.offset[nRows] : 0;
  canvas.setAttribute('aria-label', `Timeline of ${nRows} rows and ${tasks} tasks${rest.length ? ` (the first ${ROWS} rows drawn one by one, the other ${rest.length} as one band)` : ''}; the table below lists the same tasks.`);
  // The band of the other rows, the marks and the axis in a task of their own when there is a
  // band: drawn cold, the rows and the band of a 100,000-goroutine run together took up to
  // 7–10 ms of the main thread (issue 10). A newer drawing of this canvas cancels it.
  const token = {};
  drawing.set(canvas, token);
  const finish = () => { if (drawing.get(canvas) === token) drawRest(); };
  if (rest.length) setTimeout(finish, 0); else finish();
  function drawRest() {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    let y = 4 + shown.length * (rowH + gap);
    if (rest.length) {
      // How many of the other rows ran a task at each pixel column, as a band of greys.
      // A difference array: +1 where a task starts, -1 after it ends, then a running sum, so
      // 100,000 rows cost one pass over the tasks and one over the pixels.
      const n = Math.max(1, Math.ceil(span));
      const diff = new Int32Array(n + 1);
      // (Plain compares, not Math.min/max: this loop runs once per page, cold, over 4,600 tasks.)
      const { start: starts, end: ends } = tl;
      for (let k = tl.offset[ROWS], k1 = tl.offset[nRows]; k < k1; k++) {
        let a = Math.floor((starts[k] / end) * span);
        if (a < 0) a = 0; else if (a > n - 1) a = n - 1;
        let b = Math.floor((ends[k] / end) * span);
        if (b < a) b = a; else if (b > n - 1) b = n - 1;
        diff[a]++; diff[b + 1]--;
      }
      const cols = new Uint32Array(n);
      let run = 0, max = 1;
      for (let x = 0; x < n; x++) { run += diff[x]; cols[x] = run; if (run > max) max = run; }
      // One rectangle per run of columns of the same shade (64 shades), one colour set per shade
      // change: a colour string is parsed on every set, and 1,000 of them cost milliseconds.
      const shade = (c) => (c ? Math.max(1, Math.round((c / max) * 64)) : 0);
      for (let x = 0; x < cols.length;) {
        const s = shade(cols[x]);
        let x1 = x + 1;
        while (x1 < cols.length && shade(cols[x1]) === s) x1++;
        if (s) {
          ctx.fillStyle = `rgba(33, 86, 199, ${(0.15 + 0.85 * (s / 64)).toFixed(3)})`;
          ctx.fillRect(left + x, y + 4, x1 - x, bandH - 8);
        }
        x = x1;
      }
      ctx.fillStyle = muted;
      ctx.fillText(`${rest.length.toLocaleString('en-US')} more rows: how many ran at once (darkest ${max})`, left, y + bandH + 8);
      y += bandH;
    }
    // Each mark named as the charts above name it: its own label where short ("cancel drill,
    // own pool"), else its kind. The timeline said a bare "cancel" for both drills' cancels,
    // the second where the main pool's work starts (independent review, session 20).
    const texts = [];
    for (const m of marks) {
      const x = left + (m.t_ms / end) * span;
      const [color] = markStyle(m.kind);
      const text = markText(m);
      texts.push(text);
      ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, y + 4); ctx.stroke();
      ctx.fillText(text, Math.max(0, Math.min(x + 3, w - 4 - ctx.measureText(text).width)), h - 18);
    }
    canvas.dataset.marks = JSON.stringify(texts);
    ctx.fillStyle = muted;
    ctx.fillText('0 ms', left, h - 4);
    // The run's end, where it is: the axis may run past it (a finished run's charts and this
    // timeline end 5 % after it), and "2,101 ms" at the axis's end read as a run of 2,101 ms
    // beside a runtime of 2,001.
    const runEnd = Math.min(end, report?.runtime_ms ?? end);
    const endText = ms(runEnd);
    ctx.fillText(endText, left + (runEnd / end) * span - ctx.measureText(endText).width, h - 4);
    canvas.dataset.end = endText;
  }
}

/** The drawing in progress on each timeline canvas (its band may still be to come). */
const drawing = new WeakMap();
