// The per-worker timeline: a row per worker (or goroutine), a bar per task coloured by outcome,
// the instants of the run (cancel, deadline…) across it. Up to ROWS rows are drawn one by one;
// beyond that the rest are summarised as one band: how many of them ran a task at each moment.
import { markStyle } from './chart.js';
import { markText, stackLabels } from './marks.js';
import { widthOf } from '../dom.js';
import { packedOf } from '../timeline-pack.js';
import { ms } from '../format.js';
import { ink } from './ink.js';

const ROWS = 400;
/** Outcomes drawn at least MIN_RARE px wide, over their neighbours, however short. */
const RARE = new Set(['panicked', 'timed_out', 'cancelled', 'dropped', 'unread']);
const MIN_RARE = 3;
const FONT = '11px system-ui, sans-serif';
/** A row of mark labels under the timeline, px. */
const LABEL_H = 13;
/** Measures text before the canvas is sized (sizing a canvas resets its context). */
const measure = document.createElement('canvas').getContext('2d');
/** Each outcome's colour: at least 3:1 against the card in both themes (WCAG's contrast for
 * graphics) and at least 30 apart (CIE76) from every other, both checked by
 * `tests/e2e/timeline.test.mjs`. Panicked #E69F00 and unfinished #56B4E9 had 2.3:1 on the light
 * card, failed #c62828 and timed out #7a5c00 2.9 and 2.6 on the dark one (review of session 30);
 * each kept its hue, panicked a lighter orange than timed out's olive. */
export const OUTCOME_COLORS = { success: '#1a7f37', failed: '#d03030', panicked: '#d97a00', timed_out: '#7d6a00', cancelled: '#888888', dropped: '#CC79A7', unread: '#7b61ff', unfinished: '#3b88c4' };
/** A legend's words for an outcome, where its name alone does not say it. */
// `dropped`: the task ran to its end, and its worker threw the result away on ctx.Done() (review
// F2, session 20); not the Report's `tasks.dropped`, tasks a full queue refused, which never run.
// `unread`: the task ran to its end and its result was sent, but the program ended before reading
// it (died in a panic, gave up on a hang, or returned; drawn a success beside a count that said
// otherwise, CI stop 22). Its violet keeps 4.2:1 on the light card and 3.9:1 on the dark one
// (#332288 had 1.35:1 there, review of session 30).
export const OUTCOME_WORDS = { timed_out: 'timed out', dropped: 'result dropped on ctx.Done()', unread: 'result sent, never read (the program ended first)', unfinished: 'a task not finished when the program ended' };

/** The look of a wait a row's goroutine was still in when the program ended (waitsOf):
 * grey hatching, here and in the lanes picture (review N1 and N2, session 20: leak/wrong's
 * blocked workers were empty rows, and inner-panic's wait was amber, the timeline's "panicked"). */
// Its grey is the theme's (style.css --hatch, read as it draws): #4a4a4a had 1.85:1 on the dark
// card.
export const WAIT_HATCH = { get line() { return ink('hatch'); }, get ground() { return ink('hatch-ground'); }, step: 6 };

/** A canvas pattern of WAIT_HATCH's diagonal lines on its ground. */
function hatch(ctx, dpr) {
  const n = Math.round(WAIT_HATCH.step * dpr);
  const tile = document.createElement('canvas');
  tile.width = n; tile.height = n;
  const t = tile.getContext('2d');
  t.fillStyle = WAIT_HATCH.ground; t.fillRect(0, 0, n, n);
  t.strokeStyle = WAIT_HATCH.line; t.lineWidth = Math.max(1, dpr);
  t.beginPath(); t.moveTo(0, n); t.lineTo(n, 0); t.moveTo(-n / 2, n / 2); t.lineTo(n / 2, -n / 2); t.moveTo(n / 2, n * 1.5); t.lineTo(n * 1.5, n / 2); t.stroke();
  const p = ctx.createPattern(tile, 'repeat');
  p.setTransform?.(new DOMMatrix().scale(1 / dpr));
  return p;
}

/**
 * Each row's final wait: the wait its goroutine (the row's `goroutine`) was still in when the
 * program ended, as the deadlock's or the leak's finding lists it: {from, on} by row index, from
 * the finding's instant less the goroutine's time in that wait. A sleep is a task's work, not a
 * wait. Review N1 (session 20): leak/wrong's blocked workers were drawn as empty rows.
 */
export function waitsOf(report, tl = packedOf(report)) {
  const out = new Map();
  if (!tl?.goroutine) return out;
  const blocked = new Map();
  for (const f of report.findings ?? []) {
    if (f.kind !== 'deadlock' && f.kind !== 'leak') continue;
    for (const g of f.goroutines ?? []) if (g.state === 'blocked' && g.wait !== 'sleep') blocked.set(g.id, { from: Math.max(0, f.at_ms - g.for_ms), on: `${g.wait}${g.object_name ? ` on ${g.object_name}` : ''}` });
  }
  tl.goroutine.forEach((g, i) => { if (blocked.has(g)) out.set(i, blocked.get(g)); });
  return out;
}

/**
 * The rows' final waits grouped by what they waited on: [[on, [label…], [goroutine…]]], for the
 * legend, which names the goroutines too: the sentence and the wait-for graph number them by
 * goroutine ("goroutine 2", "worker #2"), the rows by worker (review R3, session 21).
 */
export function finalWaits(report) {
  const tl = packedOf(report);
  const by = new Map();
  for (const [i, { on }] of waitsOf(report, tl)) {
    const [labels, ids] = by.get(on) ?? by.set(on, [[], []]).get(on);
    labels.push(tl.label[i]);
    ids.push(tl.goroutine[i]);
  }
  return [...by].map(([on, [labels, ids]]) => [on, labels, ids]);
}

export function drawTimeline(host, report, { marks = [], xMax = null } = {}) {
  // The typed arrays the Report came with (timeline-pack.js): no 5,000 row objects built to draw.
  const tl = packedOf(report);
  const nRows = tl?.worker.length ?? 0;
  const shown = { length: Math.min(nRows, ROWS) };
  const rest = { length: Math.max(0, nRows - ROWS) };
  const dpr = window.devicePixelRatio || 1;
  const rowH = shown.length <= 12 ? 16 : shown.length <= 40 ? 8 : shown.length <= 120 ? 3 : shown.length <= 250 ? 2 : 1;
  const gap = rowH >= 8 ? 2 : 0;
  const bandH = rest.length ? 24 : 0;
  // The marks' labels, stacked in rows under the timeline where they would overlap (LABEL_H
  // each), placed before the canvas is sized: right of each line, else left of it, never across it.
  const w = Math.max(200, Math.floor(widthOf(host))), w0 = w;
  const end0 = Math.max(xMax ?? 0, report?.runtime_ms ?? 0) || 1;
  const left0 = rowH >= 8 ? 78 : 10, span0 = w0 - left0 - 10;
  measure.font = FONT;
  const texts = marks.map((m) => markText(m));
  const spots = stackLabels(marks.map((m, i) => ({ x: left0 + (m.t_ms / end0) * span0, w: measure.measureText(texts[i]).width })), w0 - 4);
  const labelRows = spots.reduce((n, s) => Math.max(n, s.row + 1), 0);
  // (The axis's "0 ms" and the run's end on a row of their own under the labels.)
  const h = Math.max(48, shown.length * (rowH + gap) + bandH + 30 + (labelRows ? 7 + (labelRows - 1) * LABEL_H : 0));
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
  const muted = ink('muted');
  ctx.font = FONT;
  let fill = null;
  // An outcome without a colour is a bug (a new TaskOutcome not given one here), not a grey bar
  // that would read as cancelled: said on the console, which fails the end-to-end tests.
  const colors = (tl?.outcomes ?? []).map((o) => OUTCOME_COLORS[o] ?? (console.error(`timeline: no colour for outcome ${o}`), ink('fg')));
  const runEndMs = Math.min(end, report?.runtime_ms ?? end);
  let pattern = null, waited = 0;
  const waits = waitsOf(report, tl);
  for (let i = 0; i < shown.length; i++) {
    const y = 4 + i * (rowH + gap);
    if (rowH >= 8) { ctx.fillStyle = muted; fill = null; ctx.fillText(tl.label[i], 4, y + rowH - 2); }
    // A row whose goroutine was still blocked at the end: its tasks in the upper part of the row,
    // its final wait hatched in the lower part, to the run's end (a task held while it waits, as
    // deadlock/wrong's workers hold their jobs, shows as both).
    const from = waits.get(i)?.from;
    const waiting = Number.isFinite(from);
    const barH = waiting && rowH >= 8 ? Math.round(rowH * 0.55) : rowH;
    let rare = null;
    for (let k = tl.offset[i]; k < tl.offset[i + 1]; k++) {
      const color = colors[tl.outcome[k]];
      if (color !== fill) { ctx.fillStyle = color; fill = color; } // a colour is parsed on every set
      const x = left + (tl.start[k] / end) * span;
      const bw = ((tl.end[k] - tl.start[k]) / end) * span;
      ctx.fillRect(x, y, Math.max(1, bw - (rowH >= 8 ? 0.5 : 0)), Math.max(1, barH));
      if (bw < MIN_RARE && RARE.has(tl.outcomes[tl.outcome[k]])) (rare ??= []).push(k);
    }
    // A panic, a timeout, a cancel or a dropped result the lesson names, shorter than a few
    // pixels, drawn MIN_RARE wide on top of its neighbours: best-practices' recovered panic of
    // task 7 lasted 2.8 ms, 0.4 px at 1280, invisible beside the headline that names it (review
    // R2, session 21), and guide-cancel's cancelled tasks 0.05-3.35 ms of a 10 s run.
    for (const k of rare ?? []) {
      ctx.fillStyle = colors[tl.outcome[k]]; fill = null;
      // On whole pixels, so that all MIN_RARE of them take the colour (not two and two blends).
      ctx.fillRect(Math.round((left + (tl.start[k] / end) * span) * dpr) / dpr, y, MIN_RARE, Math.max(1, barH));
    }
    if (waiting) {
      waited++;
      pattern ??= hatch(ctx, dpr);
      ctx.fillStyle = pattern; fill = null;
      const x0 = left + (from / end) * span, x1 = left + (runEndMs / end) * span;
      const wy = rowH >= 8 ? y + barH : y;
      ctx.fillRect(x0, wy, Math.max(1, x1 - x0), Math.max(1, rowH - (wy - y)));
    }
  }
  const tasks = tl ? tl.offset[nRows] : 0;
  canvas.setAttribute('aria-label', `Timeline of ${nRows} rows and ${tasks} tasks${rest.length ? ` (the first ${ROWS} rows drawn one by one, the other ${rest.length} as one band)` : ''}`
    + `${waited ? `, ${waited} row${waited === 1 ? '' : 's'} blocked when the program ended (hatched)` : ''}; the table below lists the same tasks.`);
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
      // The theme's blue (style.css --density): #2156c7 had 2.5:1 on the dark card at its darkest.
      const density = ink('density');
      const shade = (c) => (c ? Math.max(1, Math.round((c / max) * 64)) : 0);
      for (let x = 0; x < cols.length;) {
        const s = shade(cols[x]);
        let x1 = x + 1;
        while (x1 < cols.length && shade(cols[x1]) === s) x1++;
        if (s) {
          ctx.fillStyle = `${density}${Math.round(255 * (0.15 + 0.85 * (s / 64))).toString(16).padStart(2, '0')}`;
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
    // The lines end above the first row of labels; each label in its row (stackLabels).
    const boxes = [], lines = [];
    marks.forEach((m, i) => {
      const x = left + (m.t_ms / end) * span;
      const [color] = markStyle(m.kind);
      ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, y + 4); ctx.stroke();
      const base = y + 16 + spots[i].row * LABEL_H;
      const tw = ctx.measureText(texts[i]).width;
      ctx.fillText(texts[i], spots[i].x, base);
      lines.push({ x, y0: 0, y1: y + 4, w: 2 });
      boxes.push({ text: texts[i], x: spots[i].x, w: tw, y0: base - 10, y1: base + 2 });
    });
    canvas.dataset.marks = JSON.stringify(texts);
    // Where each label and line went, for the page's tests (label-placement, N3 and N4).
    canvas.dataset.labels = JSON.stringify(boxes);
    canvas.dataset.lines = JSON.stringify(lines);
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
