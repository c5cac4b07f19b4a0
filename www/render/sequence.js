// The sends and the close of a channel on one time line, the fatal send marked: the picture of
// "send on closed channel". Drawn from the Report's marks (send, close, fatal_send). Only draws.
import { el, svg, widthOf } from '../dom.js';
import { num } from '../format.js';

const KINDS = ['send', 'close', 'fatal_send', 'panic', 'recovered'];

export function drawSequence(host, marks, { runtimeMs } = {}) {
  const ms = marks.filter((m) => KINDS.includes(m.kind)).sort((a, b) => a.t_ms - b.t_ms);
  const W = Math.max(300, Math.floor(widthOf(host)));
  const H = 170, left = 16, right = W - 16, axisY = 92;
  const end = Math.max(runtimeMs ?? 0, ms.at(-1)?.t_ms ?? 0, 1) * 1.04;
  const x = (t) => left + (t / end) * (right - left);
  const parts = [svg('line', { x1: left, y1: axisY, x2: right, y2: axisY, stroke: 'currentColor', 'stroke-width': 1.5 })];
  for (let i = 0; i <= 4; i++) {
    const t = (end / 4) * i;
    parts.push(svg('line', { x1: x(t), y1: axisY, x2: x(t), y2: axisY + 5, stroke: 'currentColor' }),
      svg('text', { x: x(t), y: axisY + 18, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', class: 'seq-axis' }, `${num(t, 0)} ms`));
  }
  const sends = ms.filter((m) => m.kind === 'send');
  const labelSends = sends.length <= 12;
  sends.forEach((m, i) => {
    parts.push(svg('line', { x1: x(m.t_ms), y1: axisY - 26, x2: x(m.t_ms), y2: axisY, stroke: '#0072B2', 'stroke-width': 3 }));
    if (labelSends) parts.push(svg('text', { x: x(m.t_ms), y: axisY - 30 - (i % 2) * 12, 'text-anchor': 'middle', class: 'seq-label', fill: '#0072B2' }, m.label || 'send'));
  });
  for (const m of ms.filter((k) => k.kind === 'close')) {
    parts.push(svg('rect', { x: x(m.t_ms) - 2, y: 18, width: 4, height: axisY - 18, fill: 'currentColor' }),
      svg('text', { x: x(m.t_ms) + 6, y: 28, class: 'seq-label seq-strong' }, m.label || 'close(ch)'));
  }
  // A send marked fatal is drawn as one only when it really came after the close: in a race the
  // "late" send can land first, and then nothing panics (the sentence beside says so too).
  const closeT = ms.find((m) => m.kind === 'close')?.t_ms ?? Infinity;
  ms.filter((k) => k.kind === 'fatal_send' || k.kind === 'panic').forEach((m, i) => {
    const cx = x(m.t_ms);
    const afterClose = m.t_ms >= closeT;
    if (m.kind === 'fatal_send' && !afterClose) {
      parts.push(svg('line', { x1: cx, y1: axisY - 26, x2: cx, y2: axisY, stroke: '#0072B2', 'stroke-width': 3, 'stroke-dasharray': '3 2' }),
        svg('text', { x: cx > W / 2 ? right : left, y: axisY + 36 + i * 15, 'text-anchor': cx > W / 2 ? 'end' : 'start', class: 'seq-label' },
          `the late send came first, at ${num(m.t_ms, 1)} ms, before the close: ${m.label || 'send'} (no panic this time)`));
      return;
    }
    parts.push(svg('path', { d: `M${cx - 8},${axisY - 8 - 8} l16,16 m0,-16 l-16,16`, stroke: '#c62828', 'stroke-width': 3.5 }),
      svg('text', { x: cx > W / 2 ? right : left, y: axisY + 36 + i * 15, 'text-anchor': cx > W / 2 ? 'end' : 'start', class: 'seq-label seq-fatal', fill: '#c62828' },
        `✕ ${m.kind === 'fatal_send' ? 'send on the closed channel' : 'the program dies'} at ${num(m.t_ms, 1)} ms: ${m.label || 'panic: send on closed channel'}`));
  });
  const closeAt = ms.find((m) => m.kind === 'close')?.t_ms;
  const fatal = ms.find((m) => m.kind === 'fatal_send' && m.t_ms >= closeT);
  const sentence = `${sends.length} send${sends.length === 1 ? '' : 's'}${closeAt != null ? `, close at ${num(closeAt, 1)} ms` : ''}${fatal ? `, then a send at ${num(fatal.t_ms, 1)} ms on the closed channel: the program panics` : ''}.`;
  host.replaceChildren(
    svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': sentence, class: 'sequence' }, parts),
    el('p', { class: 'legend' },
      el('span', { class: 'k', style: null }, el('span', { class: 'swatch', 'data-c': 'send' }), 'send'), ' ',
      el('span', { class: 'k' }, el('span', { class: 'swatch', 'data-c': 'close' }), 'close(ch)'), ' ',
      fatal ? el('span', { class: 'k' }, el('span', { class: 'swatch', 'data-c': 'fatal' }), '✕ send on the closed channel (fatal)') : null));
  return sentence;
}
