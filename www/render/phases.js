// control-comparison as one picture: goroutines alive on a log scale, each phase (no pool, then
// the pool) shaded between its marks and labelled with its length and its peak, and the time
// main spent alone between and after them shaded grey. Independent review F7 (session 15): both
// phases had shared one unlabelled linear axis, where the pool's 11 goroutines were a hairline
// under the unlimited run's 1,001, and a quarter of the axis was main alone with nothing saying
// so. Drawn from the Report's marks (`phase_start`, `phase_end`) and series. Only draws.
import { el, legendKey as key, svg, widthOf } from '../dom.js';
import { ms, num } from '../format.js';
import { endOf, phasesOf } from './lessons.js';
import { ink } from './ink.js';

// One colour per phase (Okabe–Ito, as the sweep's CPU and I/O lines), a grey for main alone.
/** Each phase's colour and main-alone's grey, each with 3:1 against the card in both themes
 * (tests/e2e/contrast.test.mjs; the words are the text's colour, style.css .seq-label). The grey
 * was #9e9e9e, 2.7:1 on the light card. */
export const PHASE_COLORS = { phases: ['#D55E00', '#0072B2'], alone: '#888888' };
const COLORS = PHASE_COLORS.phases;
const ALONE = PHASE_COLORS.alone;

export function drawPhases(host, report) {
  const phases = phasesOf(report);
  if (!phases) { host.replaceChildren(el('p', { class: 'muted' }, 'This run marked no phases.')); return; }
  const W = Math.max(300, Math.floor(widthOf(host)));
  const H = 260, L = 56, R = 12, T = 34, B = 40;
  const end = Math.max(endOf(report), phases.at(-1).end);
  const t = report.series?.t_ms ?? [], g = report.series?.goroutines ?? [];
  const top = Math.max(...phases.map((p) => p.peak), 10);
  // Room above the highest peak for its label, not a decade of empty axis (1,001 drew to 10,000).
  const hi = top * 2.5;
  const x = (v) => L + (v / end) * (W - L - R);
  // Log scale from 1 goroutine (main is always alive): 11 sits a third of the way up to 1,001.
  const y = (v) => T + (1 - Math.log10(Math.max(1, v)) / Math.log10(hi)) * (H - T - B);
  const parts = [];
  // Main alone: everything outside the phases, shaded first.
  parts.push(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: ALONE, 'fill-opacity': 0.16, class: 'phase-alone' }));
  phases.forEach((p, i) => {
    const c = COLORS[i % COLORS.length];
    parts.push(svg('rect', { x: x(p.start), y: T, width: Math.max(1, x(p.end) - x(p.start)), height: H - T - B, fill: ink('card') }),
      svg('rect', { x: x(p.start), y: T, width: Math.max(1, x(p.end) - x(p.start)), height: H - T - B, fill: c, 'fill-opacity': 0.1, class: 'phase-band' }));
  });
  for (let v = 1; v <= hi; v *= 10) {
    parts.push(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid-line' }),
      svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'seq-axis' }, num(v)));
  }
  const step = 10 ** Math.floor(Math.log10(end / 4 || 1));
  const tick = [1, 2, 5].map((k) => k * step).find((s) => end / s <= 6) ?? 10 * step;
  for (let v = 0; v <= end; v += tick) {
    parts.push(svg('text', { x: x(v), y: H - B + 16, 'text-anchor': 'middle', class: 'seq-axis' }, num(v)));
  }
  parts.push(svg('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', class: 'seq-axis' }, 'runtime (ms)'),
    svg('text', { x: 12, y: (T + H - B) / 2, transform: `rotate(-90 12 ${(T + H - B) / 2})`, 'text-anchor': 'middle', class: 'seq-axis' }, 'goroutines (log scale)'));
  // The goroutine count as steps (a count holds until it changes).
  if (t.length) {
    let d = `M${x(t[0])},${y(g[0])}`;
    for (let i = 1; i < t.length; i++) d += `H${x(t[i])}V${y(g[i])}`;
    d += `H${x(end)}`;
    parts.push(svg('path', { d, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5, class: 'phase-line' }));
  }
  phases.forEach((p, i) => {
    const c = COLORS[i % COLORS.length];
    const [x0, x1] = [x(p.start), x(p.end)];
    // Each phase's start and end, from its marks.
    for (const at of [x0, x1]) parts.push(svg('line', { x1: at, x2: at, y1: T - 4, y2: H - B, stroke: c, 'stroke-width': 1.5, 'stroke-dasharray': '5 3', class: 'phase-mark' }));
    // Its peak, as a dotted level across the phase, and its name and length above it.
    parts.push(svg('line', { x1: x0, x2: x1, y1: y(p.peak), y2: y(p.peak), stroke: c, 'stroke-width': 2, 'stroke-dasharray': '2 3' }),
      svg('text', { x: x0 + 4, y: y(p.peak) - 5, class: 'seq-label seq-strong phase-peak' }, `peak ${num(p.peak)}`),
      svg('text', { x: (x0 + x1) / 2, y: T - 10, 'text-anchor': 'middle', class: 'seq-label seq-strong phase-name' }, `${p.label}: ${ms(p.end - p.start)}`));
  });
  // The stretches of main alone, named where they are wide enough to hold it.
  const edges = [0, ...phases.flatMap((p) => [p.start, p.end]), end];
  for (let i = 0; i < edges.length; i += 2) {
    const [a, b] = [x(edges[i]), x(edges[i + 1])];
    if (b - a >= 70) parts.push(svg('text', { x: (a + b) / 2, y: H - B - 8, 'text-anchor': 'middle', class: 'seq-axis phase-alone-label' }, 'main alone'));
  }
  const alone = report.numbers?.main_alone_ms ?? end - phases.reduce((s, p) => s + (p.end - p.start), 0);
  const sentence = `${phases.map((p) => `${p.label}: peak ${num(p.peak)} goroutines, ${ms(p.end - p.start)}`).join('; ')}; main alone ${ms(alone)} of the run's ${ms(end)}.`;
  host.replaceChildren(
    svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': sentence, class: 'phases' }, parts),
    el('p', { class: 'legend' }, ...phases.map((p, i) => key(COLORS[i % COLORS.length], `${p.label}, between its start and end marks`, 'box')), ' ',
      key(ALONE, `main alone (${ms(alone)}): after each phase the guide's program sleeps before it counts goroutines`, 'box'), ' ',
      key('currentColor', 'goroutines alive', '')),
    el('p', { class: 'help' }, sentence));
}
