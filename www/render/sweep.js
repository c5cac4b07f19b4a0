// The pool-size sweep as one picture: tasks per second with N workers, for CPU-bound and
// I/O-bound tasks, on log scales, with GOMAXPROCS marked. CPU work stops gaining at the number of
// threads; sleeping I/O work keeps gaining. Drawn from the Report's numbers (`cpu_tps_<N>`,
// `io_tps_<N>`, `gomaxprocs`), each CPU point with a whisker from its slowest to its fastest
// round (`cpu_tps_min_<N>`, `cpu_tps_max_<N>`, over `cpu_rounds`): a difference inside the
// whiskers is noise (review R13). Only draws.
import { el, legendKey, svg, widthOf } from '../dom.js';
import { num } from '../format.js';
import { sweepOf } from './lessons.js';
import { ink } from './ink.js';

/** CPU-bound and I/O-bound tasks' colours, each with 3:1 against the card in both themes
 * (tests/e2e/contrast.test.mjs; the words are the text's colour, style.css .seq-label). */
export const SWEEP_COLORS = { cpu: '#D55E00', io: '#0072B2' };
const CPU = SWEEP_COLORS.cpu, IO = SWEEP_COLORS.io;

/**
 * Why a sweep could not show what its threads give CPU work (`numbers.cpu_threads_shown` 0: the
 * Rust sentence says it could not measure it), from what it measured, or null. Review F8: on a
 * loaded 2-core machine 2 workers gave 14,281 tasks/s against 1 worker's 15,582. Measured
 * natively, a doWork then took 89–112 µs with 2 workers at once against a task every 56–62 µs
 * in 1 worker's fastest round: the threads shared cores with other work. (Here, not in the
 * sentence: the wasm package has a size gate.)
 */
export function threadsWhy(n = {}) {
  if (n.cpu_threads_shown !== 0 || !(n.gomaxprocs >= 2)) return null;
  const sizes = sweepOf(n)?.workers ?? [];
  const knee = Math.max(...sizes.filter((w) => w <= n.gomaxprocs));
  const [m1, mk] = [n.cpu_tps_1, n[`cpu_tps_${knee}`]];
  const t = n.cpu_task_us_knee, f = 1e6 / n.cpu_tps_max_1;
  const why = mk >= 1.5 * m1 ? 'its rounds varied more than the gain between the medians'
    : `each doWork took ${num(t)} µs with ${num(knee)} workers at once, against a task every ${num(f)} µs in 1 worker's fastest round: ${t >= 1.3 * f
      ? 'the threads did not get a core each (other work on this machine had them)'
      : 'the time went between tasks, not into them'}`;
  return `Why this run could not measure what ${num(n.gomaxprocs)} threads give CPU work: ${why}.`;
}

export function drawSweep(host, report) {
  const sw = sweepOf(report.numbers);
  if (!sw) { host.replaceChildren(el('p', { class: 'muted' }, 'This run measured no pool sizes.')); return; }
  const W = Math.max(300, Math.floor(widthOf(host)));
  const H = 260, L = 64, R = 118, T = 14, B = 40;
  const red = ink('red');
  const wMax = sw.workers.at(-1);
  // Tasks per second on a log scale, both kinds on one axis: I/O work climbs with every worker
  // added (a straight line here), CPU work stops climbing at the number of threads.
  const n = report.numbers ?? {};
  const range = sw.workers.map((w) => [n[`cpu_tps_min_${w}`], n[`cpu_tps_max_${w}`]]);
  const g = n.gomaxprocs;
  const all = [...sw.cpu, ...sw.io, ...range.flat(), (n.cpu_tps_max_1 ?? 0) * Math.min(g ?? 1, wMax)].filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all))), hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const lx = (w) => L + (Math.log2(w) / Math.log2(wMax)) * (W - L - R);
  const ly = (v) => T + (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (H - T - B);
  const parts = [];
  for (let v = lo; v <= hi * 1.001; v *= 10) {
    parts.push(svg('line', { x1: L, x2: W - R, y1: ly(v), y2: ly(v), class: 'grid-line' }),
      svg('text', { x: L - 6, y: ly(v) + 4, 'text-anchor': 'end', class: 'seq-axis' }, num(v)));
  }
  for (const w of sw.workers) {
    parts.push(svg('line', { x1: lx(w), x2: lx(w), y1: T, y2: H - B, class: 'grid-line' }),
      svg('text', { x: lx(w), y: H - B + 16, 'text-anchor': 'middle', class: 'seq-axis' }, num(w)));
  }
  parts.push(svg('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', class: 'seq-axis' }, 'workers in the pool'),
    svg('text', { x: 12, y: (T + H - B) / 2, transform: `rotate(-90 12 ${(T + H - B) / 2})`, 'text-anchor': 'middle', class: 'seq-axis' }, 'tasks per second (log scale)'));
  if (g >= 1 && g <= wMax) {
    parts.push(svg('line', { x1: lx(g), x2: lx(g), y1: T, y2: H - B, stroke: red, 'stroke-width': 1.5, 'stroke-dasharray': '6 4' }),
      svg('text', { x: lx(g) + 4, y: T + 12, class: 'seq-label' }, `GOMAXPROCS ${num(g)}`));
  }
  const line = (ys, color, name) => {
    const pts = sw.workers.map((w, i) => (ys[i] > 0 ? [lx(w), ly(ys[i])] : null)).filter(Boolean);
    if (!pts.length) return;
    parts.push(svg('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: color, 'stroke-width': 2.5 }),
      ...pts.map(([x, y]) => svg('circle', { cx: x, cy: y, r: 3.5, fill: color })));
    const last = ys.findLast((v) => v > 0);
    const [x, y] = pts.at(-1);
    parts.push(svg('text', { x: x + 8, y: y + 4, class: 'seq-label seq-strong' }, `${name} ${num(last)}/s`));
  };
  line(sw.io, IO, 'I/O');
  // The CPU rounds' spread, under the CPU line: a whisker from the slowest round to the fastest.
  sw.workers.forEach((w, i) => {
    const [lo, hi] = range[i];
    if (!(lo > 0 && hi > 0)) return;
    const x = lx(w);
    parts.push(svg('path', { d: `M${x - 4},${ly(lo)}H${x + 4}M${x},${ly(lo)}V${ly(hi)}M${x - 4},${ly(hi)}H${x + 4}`, stroke: CPU, 'stroke-width': 1.5, fill: 'none', class: 'sweep-whisker' }));
  });
  line(sw.cpu, CPU, 'CPU');
  // What the threads could give CPU work, from 1 worker's fastest round: that rate × workers up
  // to GOMAXPROCS, flat past it. The page had never shown CPU work scaling up to the threads: on
  // a loaded machine the measured line was flat from 1 worker (review F8), and beside this line
  // the gap is what the run could not get.
  const best1 = n.cpu_tps_max_1;
  const ideal = g >= 2 && best1 > 0 ? sw.workers.map((w) => best1 * Math.min(w, g)) : null;
  if (ideal) {
    parts.push(svg('polyline', { points: sw.workers.map((w, i) => `${lx(w)},${ly(ideal[i])}`).join(' '), fill: 'none', stroke: CPU, 'stroke-width': 1.5, 'stroke-dasharray': '3 4', class: 'sweep-ideal' }));
  }
  const at = (ys, w) => ys[sw.workers.indexOf(w)];
  const gi = sw.workers.includes(g) ? g : sw.workers[0];
  const spread = (w) => { const [lo, hi] = range[sw.workers.indexOf(w)] ?? []; return lo > 0 ? ` (${num(lo)}–${num(hi)})` : ''; };
  const sentence = `CPU-bound: ${num(at(sw.cpu, gi))}${spread(gi)} tasks/s with ${num(gi)} worker${gi === 1 ? '' : 's'}${gi === g ? ' (GOMAXPROCS)' : ''}, ${num(at(sw.cpu, wMax))}${spread(wMax)} with ${num(wMax)}; `
    + `I/O-bound: ${num(at(sw.io, 1) ?? sw.io[0])} tasks/s with 1 worker, ${num(at(sw.io, wMax))} with ${num(wMax)}.`;
  const key = (color, text, dash) => legendKey(color, text, dash ? 'dashed' : '');
  const why = threadsWhy(n);
  host.replaceChildren(
    svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': sentence, class: 'sweep' }, parts),
    el('p', { class: 'legend' }, key(CPU, n.cpu_rounds > 1 ? `CPU-bound tasks (doWork): median of ${num(n.cpu_rounds)} rounds, whisker slowest–fastest` : 'CPU-bound tasks (doWork)'), ' ', key(IO, 'I/O-bound tasks (sleep)'), ' ',
      ideal ? key(CPU, `CPU, if each of the ${num(g)} threads had a core: 1 worker's fastest round × workers, up to GOMAXPROCS`, true) : null, ' ',
      key(red, 'GOMAXPROCS: threads that run goroutines', true)),
    ...(why ? [el('p', { class: 'help sweep-why' }, why)] : []),
    el('p', { class: 'help' }, sentence));
}
