// The page's one state object, and the run's state machine.
//
//   loading ──ready──▶ idle ──run──▶ running ──report──▶ done ──run──▶ running …
//                        │             │ stop
//                        │             ▼
//                        │          stopping ──report (ended "stopped")──▶ done
//                        ├──step──▶ stepping ──step──▶ stepping
//                        │             ├──resume──▶ running
//                        │             └──stop──▶ stopping
//                        └──pair──▶ side-by-side (two runs, one after the other) ──report──▶ done
//
// Every button's state is drawn from `phase`; nothing else decides whether a run may start.
// A run carries an id: when the user switches lesson during a run, the run is stopped and its
// late Report, whose id is no longer current, is dropped instead of drawn under the new title.

const MACHINE = {
  loading: { ready: 'idle', fail: 'broken' },
  broken: {},
  idle: { run: 'running', step: 'stepping', pair: 'side-by-side', switch: 'idle' },
  done: { run: 'running', step: 'stepping', pair: 'side-by-side', switch: 'idle' },
  running: { stop: 'stopping', report: 'done', error: 'idle', switch: 'idle' },
  'side-by-side': { stop: 'stopping', next: 'side-by-side', report: 'done', error: 'idle', switch: 'idle' },
  stepping: { step: 'stepping', resume: 'running', stop: 'stopping', report: 'done', error: 'idle', switch: 'idle' },
  stopping: { report: 'done', error: 'idle', switch: 'idle' },
};

export const state = {
  phase: 'loading',
  info: null,          // the engine's build info
  specs: [],           // the schema (scenarios())
  spec: null,          // the lesson the form shows
  variant: null,       // its variant id
  runId: 0,            // id of the run in flight (or the last one)
  steps: 0,            // events stepped in this stepping run
  startedBy: 'page',   // 'page' | 'host' (the widget's embedding page) | 'link'
  live: null,          // the latest snapshot of the run in flight
  request: null,       // { scenario, variant } of the run in flight (a lesson switch names it)
  report: null,        // the Report on screen
  pinned: null,        // a Report kept as the left run of "side by side"
  pair: null,          // { a, b }: two Reports side by side (b may be null: not run)
  go: null,            // { status: 'idle' | 'running' | 'done' | 'error' | 'unavailable', report, message }
  message: '',         // the status line
  error: null,         // { message, param }: bad input, shown by the form; nothing ran
};

const listeners = new Set();
export const onChange = (fn) => listeners.add(fn);

/** Moves the machine; throws on a transition the diagram does not have (a bug, not input). */
export function go(event, patch = {}) {
  const next = MACHINE[state.phase]?.[event];
  if (!next) throw new Error(`state: no "${event}" from "${state.phase}"`);
  Object.assign(state, patch, { phase: next });
  for (const fn of listeners) fn(state, event);
  return next;
}

export const can = (event) => Boolean(MACHINE[state.phase]?.[event]);

/** Changes state without moving the machine (the status line, a snapshot), then redraws. */
export function set(patch) {
  Object.assign(state, patch);
  for (const fn of listeners) fn(state, 'set');
}

export const busy = () => ['running', 'stepping', 'stopping', 'side-by-side'].includes(state.phase);
