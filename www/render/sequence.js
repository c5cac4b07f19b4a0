// The sends and the close of a channel on one time line, the fatal send marked: the picture of
// "send on closed channel". Drawn from the Report's marks (send, close, fatal_send). A program
// that repeats the guide's timing closes once per trial: the first trial is drawn, and the
// caption says how the others compare. Only draws.
import { el, svg, widthOf } from '../dom.js';
import { num } from '../format.js';
import { trialsOf } from './lessons.js';

/** Round tick steps (1, 2, 5 × 10^k) for an axis from 0 to `end`. */
export function niceTicks(end, most = 5) {
  const raw = end / most;
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out = [];
  for (let t = 0; t <= end + 1e-9; t += step) out.push(t);
  return out;
}

/** Rough width of an 11 px label (`.seq-label`), px: what the layout keeps apart. */
const textWidth = (text) => text.length * 6.3;
/** Rows of send labels above the axis, at most, and their spacing (an 11 px label's box is
 * 13–14 px tall: at 12 px, rows touched). */
const MAX_ROWS = 4;
const ROW = 15;

/**
 * Rows for the send labels, so that none overlaps another: each label goes into the lowest row
 * where it clears the one before it by 6 px, centred on its bar and kept inside [left, right].
 * Returns [{text, x, anchor, row}] (row null: no room, the bar stays unlabelled) and the rows used.
 * At 390 px the labels sat in two alternating rows and ran into one another ("trial 1: jobs <- 0
 * <- 999 (second sender)": review F9).
 */
export function layoutLabels(items, left, right, maxRows = MAX_ROWS) {
  const ends = [];
  const out = items.map(({ x, text }) => {
    const w = textWidth(text);
    const x0 = Math.min(Math.max(x - w / 2, left), right - w);
    const row = [...Array(maxRows).keys()].find((r) => ends[r] == null || x0 >= ends[r] + 6);
    if (row == null) return { text, x, row: null };
    ends[row] = x0 + w;
    return { text, x: x0, anchor: 'start', row };
  });
  return { labels: out, rows: ends.length };
}

/**
 * The send labels: in full where they fit in the rows; else only the value sent (`jobs <- 3` →
 * `3`); a trial's prefix is left out (the caption names the trial drawn).
 */
function sendLabels(sends, x, left, right) {
  const full = sends.map((m) => ({ x: x(m.t_ms), text: (m.label || 'send').replace(/^trial \d+: /, '') }));
  const laid = layoutLabels(full, left, right);
  if (laid.labels.every((l) => l.row != null)) return laid;
  return layoutLabels(full.map((l) => ({ ...l, text: l.text.replace(/^(sender \d+: )?jobs <- /, '') })), left, right);
}

export function drawSequence(host, marks, { runtimeMs } = {}) {
  const trials = trialsOf(marks);
  const closed = trials.filter((t) => t.marks.some((m) => m.kind === 'close'));
  const many = closed.length > 1;
  // One trial: the first. Its time axis runs from its start to a little past its close.
  const trial = trials[0] ?? { start: 0, marks: [] };
  const ms = trial.marks;
  const W = Math.max(300, Math.floor(widthOf(host)));
  const left = 16, right = W - 16;
  const lastT = ms.at(-1)?.t_ms ?? 0;
  const end = (many ? Math.max(lastT, 1) : Math.max(runtimeMs ?? 0, lastT, 1)) * 1.06;
  const x = (t) => left + (t / end) * (right - left);
  const sends = ms.filter((m) => m.kind === 'send');
  const labelSends = sends.length <= 12;
  const laid = labelSends ? sendLabels(sends, x, left, right) : { labels: [], rows: 0 };
  // The close's label on its own line at the top, the send labels' rows under it, the axis
  // under them: the axis moves down as rows are added.
  const closeY = 14;
  const axisY = Math.max(92, closeY + 10 + ROW + 30 + Math.max(laid.rows - 1, 0) * ROW);
  const H = axisY + 78;
  const parts = [svg('line', { x1: left, y1: axisY, x2: right, y2: axisY, stroke: 'currentColor', 'stroke-width': 1.5 })];
  const ticks = niceTicks(end);
  ticks.forEach((t, i) => {
    parts.push(svg('line', { x1: x(t), y1: axisY, x2: x(t), y2: axisY + 5, stroke: 'currentColor' }),
      svg('text', { x: x(t), y: axisY + 18, 'text-anchor': i === 0 ? 'start' : x(t) > right - 30 ? 'end' : 'middle', class: 'seq-axis' }, `${num(t, 0)} ms`));
  });
  sends.forEach((m, i) => {
    parts.push(svg('line', { x1: x(m.t_ms), y1: axisY - 26, x2: x(m.t_ms), y2: axisY, stroke: '#0072B2', 'stroke-width': 3 }));
    const l = laid.labels[i];
    if (l?.row != null) parts.push(svg('text', { x: l.x, y: axisY - 30 - l.row * ROW, 'text-anchor': l.anchor, class: 'seq-label', fill: '#0072B2' }, l.text));
  });
  for (const m of ms.filter((k) => k.kind === 'close')) {
    const cx = x(m.t_ms);
    const text = m.label || 'close(ch)';
    const flip = cx + 6 + textWidth(text) > right; // near the right edge, the label goes left of the bar
    parts.push(svg('rect', { x: cx - 2, y: closeY + 4, width: 4, height: axisY - closeY - 4, fill: 'currentColor' }),
      svg('text', { x: flip ? cx - 6 : cx + 6, y: closeY + 10, 'text-anchor': flip ? 'end' : 'start', class: 'seq-label seq-strong' }, text));
  }
  // A send marked fatal is drawn as one only when it really came after the close (trialsOf
  // passes the marks through `truthful`: in a race the "late" send can land first).
  ms.filter((k) => k.kind === 'fatal_send' || k.kind === 'panic').forEach((m, i) => {
    const cx = x(m.t_ms);
    parts.push(svg('path', { d: `M${cx - 8},${axisY - 8 - 8} l16,16 m0,-16 l-16,16`, stroke: '#c62828', 'stroke-width': 3.5 }),
      svg('text', { x: cx > W / 2 ? right : left, y: axisY + 36 + i * 15, 'text-anchor': cx > W / 2 ? 'end' : 'start', class: 'seq-label seq-fatal', fill: '#c62828' },
        `✕ ${m.kind === 'fatal_send' ? 'send on the closed channel' : 'the program dies'} at ${num(m.t_ms, 1)} ms: ${m.label || 'panic: send on closed channel'}`));
  });
  const closeAt = ms.find((m) => m.kind === 'close')?.t_ms;
  const fatal = ms.find((m) => m.kind === 'fatal_send');
  const early = (marks ?? []).find((m) => m.kind === 'fatal_send' && !ms.includes(m) && closeAt != null && m.t_ms < closeAt);
  let sentence = `${sends.length} send${sends.length === 1 ? '' : 's'}${closeAt != null ? `, close at ${num(closeAt, 1)} ms` : ''}${fatal ? `, then a send at ${num(fatal.t_ms, 1)} ms on the closed channel: the program panics` : ''}.`;
  if (early) sentence += ` The late send came first, at ${num(early.t_ms, 1)} ms, before the close: no panic this time.`;
  if (many) {
    const per = new Set(closed.map((t) => t.marks.filter((m) => m.kind === 'send').length));
    const fatalTrials = closed.filter((t) => t.marks.some((m) => m.kind === 'fatal_send')).length;
    sentence = `Trial 1 of ${num(closed.length)}: ${sentence} Every trial: ${per.size === 1 ? num([...per][0]) : `${num(Math.min(...per))} to ${num(Math.max(...per))}`} sends, then the close; a send met the closed channel in ${num(fatalTrials)} of ${num(closed.length)}.`;
  }
  host.replaceChildren(
    el('p', { class: 'wg-caption' }, sentence),
    svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': sentence, class: 'sequence' }, parts),
    el('p', { class: 'legend' },
      el('span', { class: 'k' }, el('span', { class: 'swatch', 'data-c': 'send' }), 'send'), ' ',
      el('span', { class: 'k' }, el('span', { class: 'swatch', 'data-c': 'close' }), 'close(ch)'), ' ',
      fatal ? el('span', { class: 'k' }, el('span', { class: 'swatch', 'data-c': 'fatal' }), '✕ send on the closed channel (fatal)') : null));
  return sentence;
}
