// The sends and the close of a channel on one time line, the fatal send marked: the picture of
// "send on closed channel". Drawn from the Report's marks (send, close, fatal_send). A program
// that repeats the guide's timing closes once per trial: the first trial is drawn, and the
// caption says how the others compare. Only draws.
import { el, legendKey, svg, widthOf } from '../dom.js';
import { at, atRange, num } from '../format.js';
import { trialsOf } from './lessons.js';
import { ink } from './ink.js';

/** A send's blue, with 3:1 against the card in both themes, its ticks and its legend swatch
 * (tests/e2e/contrast.test.mjs; the words are the text's colour, style.css .seq-label). The
 * swatch was a send mark's blue (#1565c0), not the ticks'. */
export const SEQUENCE_COLORS = { send: '#0072B2' };

/** Round tick steps (1, 2, 5 × 10^k) for an axis from `start` (0 unless given) to `end`. */
export function niceTicks(end, most = 5, start = 0) {
  const step = niceStep((end - start) / most);
  const out = [];
  for (let t = (Math.ceil(start / step - 1e-9) || 0) * step; t <= end + 1e-9; t += step) out.push(Math.round(t / step) * step);
  return out;
}

const niceStep = (raw) => {
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
};

/** A tick's text with the decimals its step needs ("0.35 ms", not "0 ms"). */
const tickText = (t, step) => `${num(t, step >= 1 ? 0 : step >= 0.1 ? 1 : 2)} ms`;

/**
 * Where the time line starts: 0, or, when the story starts late (the first mark after 30 % of
 * the axis), a round time a little before it. many-senders' first 1.35 ms of a 2.9 ms axis were
 * empty (review N6, session 16).
 */
export function axisStart(first, end) {
  if (!(first > 0.3 * end)) return 0;
  const before = (step) => {
    const t0 = Math.floor(first / step) * step;
    return first - t0 < 0.3 * step ? t0 - step : t0;
  };
  // A round step a quarter of the story long, or a finer one until the story starts in the
  // axis' first quarter: a step as long as the first send's time fell back to 0 (sends from
  // 24.9 ms of a 67.5 ms run), or left a third of the axis empty (CI, session 18).
  let step = niceStep((end - first) / 4);
  // (niceStep rounds up: a step / 2.6 is the next round step down, 5 → 2 → 1 → 0.5.)
  for (let i = 0; i < 6; i++, step = niceStep(step / 2.6)) {
    const t0 = before(step);
    if (t0 > 0 && first - t0 < 0.25 * (end - t0)) return t0;
  }
  return Math.max(0, before(step));
}

/** The sender a send's label names ("sender 2: jobs <- 200" → "sender 2"), or null. */
export const senderOf = (m) => /^(sender \d+): /.exec(m.label ?? '')?.[1] ?? null;

/**
 * Each tick's x, in time order, at least `gap` px before the one after it: sends 0.001 ms apart
 * are then still five ticks, not one (review N6: 15 sends drew as ~6 ticks). Earlier ticks move
 * left, so the last send stays where it was, before the close. Returns the xs and whether any
 * moved.
 */
export function spread(xs, gap = 4, { rightwards = false } = {}) {
  // Rightwards (each x at or after its own, the first where it was): the same walk on the
  // mirror image.
  if (rightwards) {
    const m = spread(xs.map((x) => -x).reverse(), gap);
    return { xs: m.xs.map((x) => -x).reverse(), moved: m.moved };
  }
  let moved = false;
  const out = [...xs];
  for (let i = out.length - 2; i >= 0; i--) {
    if (out[i] > out[i + 1] - gap) { out[i] = out[i + 1] - gap; moved = true; }
  }
  return { xs: out, moved };
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
  // To the run's end (not to 1 ms at least: a 0.5 ms run was drawn on a 1 ms axis, review N7).
  const top = many ? lastT : Math.max(runtimeMs ?? 0, lastT);
  const t0 = axisStart(ms[0]?.t_ms ?? 0, top);
  const end = t0 + ((top - t0) || 1) * 1.06;
  const x = (t) => left + ((t - t0) / (end - t0)) * (right - left);
  const sends = ms.filter((m) => m.kind === 'send');
  // Several senders (many-senders): a row each, so the senders and their sends can be counted.
  const senders = [...new Set(sends.map(senderOf))].sort((p, q) => (p ?? '').localeCompare(q ?? '', 'en', { numeric: true }));
  const rows = senders.length > 1 && !senders.includes(null) ? senders : null;
  const labelSends = !rows && sends.length <= 12;
  const laid = labelSends ? sendLabels(sends, x, left, right) : { labels: [], rows: 0 };
  // The close's label on its own line at the top, the send labels' rows (or the senders' rows)
  // under it, the axis under them: the axis moves down as rows are added.
  const closeY = 14;
  const ROW_H = 36;
  const axisY = rows ? closeY + 18 + rows.length * ROW_H : Math.max(92, closeY + 10 + ROW + 30 + Math.max(laid.rows - 1, 0) * ROW);
  // Room under the axis for its labels, and for a line per fatal send or panic (none: no blank
  // band under the picture, 50 px of a phone's screen).
  // A fatal line too wide for the picture (a phone: 358 px) breaks after its time, so neither
  // half is cut at the picture's edge (clipped at 390 px, session 19).
  const fatalLines = ms.filter((k) => k.kind === 'fatal_send' || k.kind === 'panic').map((m) => {
    const head = `✕ ${m.kind === 'fatal_send' ? 'send on the closed channel' : 'the program dies'} at ${at(m.t_ms)}`;
    const tail = m.label || 'panic: send on closed channel';
    return textWidth(`${head}: ${tail}`) <= right - left ? [`${head}: ${tail}`] : [`${head}:`, tail];
  });
  const fatalRows = fatalLines.flat().length;
  const H = axisY + (fatalRows ? 42 + fatalRows * 15 : 28);
  const parts = [svg('line', { x1: left, y1: axisY, x2: right, y2: axisY, stroke: 'currentColor', 'stroke-width': 1.5 })];
  const ticks = niceTicks(end, 5, t0);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : end;
  ticks.forEach((t, i) => {
    parts.push(svg('line', { x1: x(t), y1: axisY, x2: x(t), y2: axisY + 5, stroke: 'currentColor' }),
      svg('text', { x: x(t), y: axisY + 18, 'text-anchor': i === 0 && x(t) < left + 20 ? 'start' : x(t) > right - 30 ? 'end' : 'middle', class: 'seq-axis' }, tickText(t, step)));
  });
  let moved = false;
  if (rows) {
    rows.forEach((who, r) => {
      const mine = sends.filter((m) => senderOf(m) === who);
      const base = closeY + 18 + (r + 1) * ROW_H - 6;
      const sp = spread(mine.map((m) => x(m.t_ms)));
      moved ||= sp.moved;
      const from = mine[0].t_ms, to = mine.at(-1).t_ms;
      parts.push(svg('line', { x1: left, y1: base, x2: right, y2: base, stroke: 'currentColor', 'stroke-opacity': 0.25, class: 'seq-row' }),
        svg('text', { x: left, y: base - 20, class: 'seq-label seq-row-label' },
          `${who}: ${mine.length} send${mine.length === 1 ? '' : 's'}, ${atRange(from, to)}`));
      sp.xs.forEach((sx) => parts.push(svg('line', { x1: sx, y1: base - 14, x2: sx, y2: base, stroke: SEQUENCE_COLORS.send, 'stroke-width': 2, 'data-row': r })));
    });
  } else {
    sends.forEach((m, i) => {
      parts.push(svg('line', { x1: x(m.t_ms), y1: axisY - 26, x2: x(m.t_ms), y2: axisY, stroke: SEQUENCE_COLORS.send, 'stroke-width': 3 }));
      const l = laid.labels[i];
      if (l?.row != null) parts.push(svg('text', { x: l.x, y: axisY - 30 - l.row * ROW, 'text-anchor': l.anchor, class: 'seq-label' }, l.text));
    });
  }
  for (const m of ms.filter((k) => k.kind === 'close')) {
    const cx = x(m.t_ms);
    const text = m.label || 'close(ch)';
    const flip = cx + 6 + textWidth(text) > right; // near the right edge, the label goes left of the bar
    parts.push(svg('rect', { x: cx - 2, y: closeY + 4, width: 4, height: axisY - closeY - 4, fill: 'currentColor' }),
      svg('text', { x: flip ? cx - 6 : cx + 6, y: closeY + 10, 'text-anchor': flip ? 'end' : 'start', class: 'seq-label seq-strong' }, text));
  }
  // A send marked fatal is drawn as one only when it really came after the close (trialsOf
  // passes the marks through `truthful`: in a race the "late" send can land first). With a row
  // per sender, on its sender's row.
  let line = 0;
  ms.filter((k) => k.kind === 'fatal_send' || k.kind === 'panic').forEach((m, i) => {
    const cx = x(m.t_ms);
    const r = rows ? Math.max(0, rows.indexOf(senderOf(m))) : -1;
    const cy = rows ? closeY + 18 + (r + 1) * ROW_H - 6 - 7 : axisY - 8;
    parts.push(svg('path', { d: `M${cx - 8},${cy - 8} l16,16 m0,-16 l-16,16`, stroke: ink('red'), 'stroke-width': 3.5 }));
    for (const text of fatalLines[i]) {
      parts.push(svg('text', { x: cx > W / 2 ? right : left, y: axisY + 36 + line++ * 15, 'text-anchor': cx > W / 2 ? 'end' : 'start', class: 'seq-label seq-fatal' }, text));
    }
  });
  const closeAt = ms.find((m) => m.kind === 'close')?.t_ms;
  const fatal = ms.find((m) => m.kind === 'fatal_send');
  const early = (marks ?? []).find((m) => m.kind === 'fatal_send' && !ms.includes(m) && closeAt != null && m.t_ms < closeAt);
  let sentence = `${sends.length} send${sends.length === 1 ? '' : 's'}${rows ? ` from ${rows.length} senders, a row each` : ''}${closeAt != null ? `, close at ${at(closeAt)}` : ''}${fatal ? `, then a send at ${at(fatal.t_ms)} on the closed channel: the program panics` : ''}.`;
  if (early) sentence += ` The late send came first, at ${at(early.t_ms)}, before the close: no panic this time.`;
  if (many) {
    const per = new Set(closed.map((t) => t.marks.filter((m) => m.kind === 'send').length));
    const fatalTrials = closed.filter((t) => t.marks.some((m) => m.kind === 'fatal_send')).length;
    sentence = `Trial 1 of ${num(closed.length)}: ${sentence} Every trial: ${per.size === 1 ? num([...per][0]) : `${num(Math.min(...per))} to ${num(Math.max(...per))}`} sends, then the close; a send met the closed channel in ${num(fatalTrials)} of ${num(closed.length)}.`;
  }
  const notes = [t0 > 0 ? `The time line starts at ${tickText(t0, step)}: nothing was sent before.` : null,
    moved ? 'Sends less than 4 px apart are drawn 4 px apart, so each can be counted.' : null].filter(Boolean);
  host.replaceChildren(
    el('p', { class: 'wg-caption' }, sentence),
    svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': sentence, class: 'sequence', 'data-from': t0, 'data-to': end }, parts),
    // replaceChildren would write a null as the text "null" (el skips them; this call does not).
    ...(notes.length ? [el('p', { class: 'muted seq-note' }, notes.join(' '))] : []),
    el('p', { class: 'legend' },
      legendKey(SEQUENCE_COLORS.send, 'send'), ' ',
      el('span', { class: 'k' }, el('span', { class: 'swatch', 'data-c': 'close' }), 'close(ch)'), ' ',
      fatal ? el('span', { class: 'k' }, el('span', { class: 'swatch', 'data-c': 'fatal' }), '✕ send on the closed channel (fatal)') : null));
  return sentence;
}
