// The speed check: the guide's doWork on one thread, then on all threads of this build. The text
// field is converted strictly against the core's rule (src/speed.rs, read through
// `speedCheckParams`): its range is never typed here.
// On the single-threaded build there is nothing to compare: it says so instead of a "speedup".
import api from './api.js';
import { $, el, fill } from './dom.js';
import { num } from './format.js';
import { parseText } from './schema.js';
import { state } from './state.js';

export function wireSpeed() {
  $('speed-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = $('speed-tasks');
    let tasks;
    try {
      // The core's rule for `tasks` (src/speed.rs), range included, so the message names it
      // (it said "from undefined to undefined": review R9).
      const [rule] = await api.speedCheckParams();
      tasks = parseText(rule, input.value);
    } catch (e) {
      $('speed-error').textContent = e.message;
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    $('speed-error').textContent = '';
    input.removeAttribute('aria-invalid');
    const button = $('speed-run');
    button.disabled = true;
    button.textContent = 'Running…';
    try {
      drawSpeed(await api.speedCheck({ tasks }), state.info);
    } catch (e) {
      $('speed-error').textContent = e.message;
      input.setAttribute('aria-invalid', 'true');
    } finally {
      button.disabled = false;
      button.textContent = 'Run speed check';
      if (document.activeElement === document.body) button.focus();
    }
  });
}

export function drawSpeed(r, info) {
  const host = $('speed-result');
  host.hidden = false;
  const one = el('div', {}, el('dt', {}, 'one thread'), el('dd', {}, `${num(r.single_ms)} ms`));
  if (r.threads <= 1) {
    fill(host, el('dl', { class: 'figures' }, one),
      el('p', { class: 'help' }, `${num(r.tasks)} tasks of doWork took ${num(r.single_ms)} ms. This is the single-threaded build (${info?.reason ?? 'no shared memory'}), so there is no second thread to compare with and no speedup to report. Served cross-origin isolated, the threaded build runs the same check on every core.`));
    return;
  }
  fill(host, el('dl', { class: 'figures' }, one,
    el('div', {}, el('dt', {}, `all ${r.threads} threads`), el('dd', {}, `${num(r.parallel_ms)} ms`)),
    el('div', {}, el('dt', {}, 'speedup'), el('dd', {}, `${num(r.single_ms / r.parallel_ms, 2)}× on ${r.threads} threads`))));
}
