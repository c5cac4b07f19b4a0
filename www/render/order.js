// The order in which a run's instants happened, as a row of steps: "wg.Wait() 3.1 ms → Wait
// returned 3.2 ms → wg.Add(1) ×5 3.4 ms → wg.Done() ×5 104.5 ms". The WaitGroup lessons are about
// this order, and on a time axis instants microseconds apart share one pixel. Only draws.
// An instant has one decimal here, as in the sentences and the finding boxes: negative-counter's
// panic read "113 ms" here beside "112.6 ms" in its box (review R4, session 21).
import { el, fill } from '../dom.js';
import { atRange } from '../format.js';
import { markStyle } from './marks.js';

const MAX_STEPS = 14;

/** `wg.Add(1) for worker 3` → `wg.Add(1)`: instants that differ only by who did them group. */
export const baseLabel = (label) => String(label ?? '').replace(/,?\s*(?:(?:for|in|by|on)\s+)?(?:worker|goroutine|task)\s*#?\d+\b/gi, '').replace(/\s+#?\d+$/, '').trim();

/** Consecutive instants of one kind and label become one step: [{kind, label, n, t_ms, to_ms}]
 * (the first instant and the last). */
export function steps(marks) {
  const out = [];
  for (const m of [...marks].sort((a, b) => a.t_ms - b.t_ms)) {
    const label = baseLabel(m.label) || markStyle(m.kind)[1];
    const last = out.at(-1);
    if (last && last.kind === m.kind && last.label === label) { last.n++; last.to_ms = m.t_ms; } else out.push({ kind: m.kind, label, n: 1, t_ms: m.t_ms, to_ms: m.t_ms });
  }
  return out;
}

export function drawOrder(host, marks) {
  const all = steps(marks);
  const shown = all.slice(0, MAX_STEPS);
  fill(host, shown.map((s, i) => {
    const chip = el('span', { class: 'swatch box' });
    chip.style.setProperty('--c', markStyle(s.kind)[0]);
    return el('li', { class: `order-step order-${s.kind}` }, i ? el('span', { class: 'order-arrow', 'aria-hidden': 'true' }, '→ ') : null,
      chip, el('span', { class: 'order-label' }, s.n > 1 ? `${s.label} ×${s.n}` : s.label), ' ',
      // A step of several calls spans their instants: "wg.Done() ×2 119.7 ms" stood for Dones at
      // 119.75 and 120.3 ms (review M2, session 22).
      el('span', { class: 'order-t' }, atRange(s.t_ms, s.to_ms)));
  }), all.length > shown.length ? el('li', { class: 'order-step muted' }, `… ${all.length - shown.length} more`) : null);
}
