// The last moments of a run, zoomed: negative-counter's Dones, wg.Wait() returning and the panic
// all fall in its last ~1 ms of 108, on one or two pixels of the lesson chart (review N4,
// session 20: at 390 px "wg.Wait() returned" and "panic…" were squeezed against the last step).
// An SVG of the counter over the last `span` ms with each instant on its own tick, and under it
// each instant's label in a row of its own. Only draws, from the Report.
import { el, svg, widthOf } from '../dom.js';
import { num } from '../format.js';
import { markStyle, markText } from './marks.js';
import { ink } from './ink.js';

/** The counter's line, with 3:1 against the card in both themes (tests/e2e/contrast.test.mjs);
 * the refused step is the theme's red. */
export const ZOOM_COLORS = { line: '#0072B2' };

const ROW = 13;

/**
 * `run`'s `gauge` and its `marks` over [end - span, end], with the `refused` step ({t_ms, from,
 * to}) drawn dashed to its ✕. Returns the element (a <figure>), or null when nothing is there.
 */
export function drawZoom(host, run, { gauge, marks, refused = null, span = 2, title }) {
  const t = run.series?.t_ms ?? [], v = run.series?.gauges?.[gauge] ?? [];
  const end = run.runtime_ms ?? t.at(-1) ?? 0;
  const t0 = Math.max(0, end - span), t1 = end + span * 0.06;
  const inside = marks.filter((m) => m.t_ms >= t0 && m.t_ms <= end).sort((a, b) => a.t_ms - b.t_ms);
  if (!inside.length || !v.length) { host.replaceChildren(); host.hidden = true; return null; }
  host.hidden = false;
  const W = Math.max(260, Math.floor(widthOf(host)));
  const left = 30, right = W - 10, top = 8, plotH = 70;
  const x = (ms) => left + ((ms - t0) / (t1 - t0)) * (right - left);
  const lo = Math.min(0, refused?.to ?? 0), hi = Math.max(1, ...v);
  const y = (val) => top + plotH - ((val - lo) / (hi - lo)) * plotH;
  // The counter as steps, from its value at t0.
  let k = t.findLastIndex((s) => s <= t0);
  let d = `M${x(t0)},${y(v[Math.max(0, k)])}`;
  for (k = Math.max(0, k + 1); k < t.length && t[k] <= end; k++) d += `H${x(t[k])}V${y(v[k])}`;
  d += `H${x(end)}`;
  const parts = [
    svg('line', { x1: left, x2: right, y1: y(0), y2: y(0), stroke: 'currentColor', 'stroke-opacity': 0.25 }),
    ...[lo, 0, hi].filter((a, i, all) => all.indexOf(a) === i).map((val) => svg('text', { x: left - 4, y: y(val) + 4, 'text-anchor': 'end', class: 'seq-axis' }, num(val))),
  ];
  // Ticks: one per instant, those at one instant side by side, 4 px apart, so each shows.
  const xs = [];
  inside.forEach((m, i) => {
    const same = inside.slice(0, i).filter((p) => Math.abs(x(p.t_ms) - x(m.t_ms)) < 3).length;
    xs.push(x(m.t_ms) + same * 4);
  });
  inside.forEach((m, i) => parts.push(svg('line', { x1: xs[i], x2: xs[i], y1: top, y2: top + plotH + 4, stroke: markStyle(m.kind)[0], 'stroke-width': 2, class: 'zoom-tick zoom-plot-tick', 'data-kind': m.kind, 'data-t': m.t_ms })));
  parts.push(svg('path', { d, fill: 'none', stroke: ZOOM_COLORS.line, 'stroke-width': 2.5, class: 'zoom-line' }));
  if (refused) {
    const rx = x(refused.t_ms), red = ink('red');
    parts.push(svg('path', { d: `M${rx},${y(refused.from)} V${y(refused.to)}`, stroke: red, 'stroke-width': 2, 'stroke-dasharray': '3 3', fill: 'none' }),
      svg('path', { d: `M${rx - 5},${y(refused.to) - 5} l10,10 m0,-10 l-10,10`, stroke: red, 'stroke-width': 2.5, class: 'zoom-refused' }));
  }
  // Labels under the plot, one row per instant in time order, each beside a short tick of its
  // own at its instant's x: right of it where it fits, else left of it. No leader runs down
  // through the rows, so no label crosses another's tick.
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = '11px system-ui, sans-serif';
  // Each row has the width to itself: the whole label ("wg.Done() worker 1, on its error path").
  const width = (s) => measure.measureText(s).width;
  const texts = inside.map((m) => `${m.label || markText(m)} ${num(m.t_ms, 2)} ms`);
  const base = top + plotH + 20;
  let ly = base;
  inside.forEach((m, i) => {
    // Right of its tick where the label fits, else left of it; where it fits neither (at 390 px
    // "wg.Done() worker 1, on its error path 107.8 ms" is wider than either side: clean-clone CI,
    // session 21), it wraps at spaces on the roomier side, a line under another.
    const roomRight = W - 2 - (xs[i] + 4), roomLeft = xs[i] - 4 - 2, tw = width(texts[i]);
    const rightOf = tw <= roomRight || (tw > roomLeft && roomRight >= roomLeft);
    const lx = rightOf ? xs[i] + 4 : xs[i] - 4;
    const lines = wrap(texts[i], rightOf ? roomRight : roomLeft, width);
    parts.push(svg('line', { x1: xs[i], x2: xs[i], y1: ly - 10, y2: ly + 2, stroke: markStyle(m.kind)[0], 'stroke-width': 2, class: 'zoom-tick zoom-row-tick', 'data-kind': m.kind, 'data-t': m.t_ms }),
      svg('text', { x: lx, y: ly, 'text-anchor': rightOf ? 'start' : 'end', class: 'seq-label zoom-label', 'data-kind': m.kind },
        lines.length === 1 ? lines[0] : lines.map((line, k) => svg('tspan', { x: lx, dy: k ? ROW : 0 }, line))));
    ly += lines.length * ROW;
  });
  const H = ly;
  parts.push(svg('text', { x: left, y: H + 2, class: 'seq-axis' }, `${num(t0, 1)} ms`),
    svg('text', { x: x(end), y: H + 2, 'text-anchor': 'end', class: 'seq-axis' }, `${num(end, 2)} ms, the end`));
  const fig = el('figure', { class: 'picture-zoom-fig' },
    el('figcaption', { class: 'picture-title' }, title),
    svg('svg', { viewBox: `0 0 ${W} ${H + 8}`, width: W, height: H + 8, role: 'img', 'aria-label': `${title}: ${texts.join(', ')}`, class: 'zoom' }, parts));
  host.replaceChildren(fig);
  return fig;
}

/** `text` in lines no wider than `room` (by `width`), broken at spaces; a word wider than `room`
 * stays whole on a line of its own. */
function wrap(text, room, width) {
  const lines = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && width(`${last} ${word}`) <= room) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}
