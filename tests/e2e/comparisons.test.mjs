// The two comparison lessons' pictures, in Node (no browser). control-comparison: the phases
// come from the Report's `phase_start` / `phase_end` marks, each with the most goroutines its
// series held between them, and pick the phases picture (review F7: both phases had shared one
// unlabelled linear axis). sizing-sweep: why the run could not show its threads (review F8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phasesOf, pictureFor, pictureTitle } from '../../www/render/lessons.js';
import { threadsWhy } from '../../www/render/sweep.js';

const mark = (t_ms, kind, label) => ({ t_ms, kind, label });
const RUN = {
  ended: 'completed',
  marks: [mark(0, 'phase_start', 'no pool'), mark(560, 'phase_end', 'no pool'), mark(661, 'phase_start', 'pool of 10'), mark(1110, 'phase_end', 'pool of 10')],
  // The pool's 11 are in force from 640 ms, before its start mark: the count at the start counts.
  // (A series records changes only: none between 640 ms and the pool's end.)
  series: { t_ms: [0, 5, 300, 600, 640, 1100, 1200], goroutines: [1, 1001, 400, 1, 11, 1, 1] },
  numbers: { main_alone_ms: 200 },
};

test('the phases are read from their marks, each with its own peak', () => {
  assert.deepEqual(phasesOf(RUN), [
    { label: 'no pool', start: 0, end: 560, peak: 1001 },
    { label: 'pool of 10', start: 661, end: 1110, peak: 11 },
  ]);
  assert.deepEqual(pictureFor(RUN), { kind: 'phases' });
  assert.match(pictureTitle(pictureFor(RUN)), /each phase \(log scale\)/);
});

test('no phases picture live, with one phase, or with an end that is not its start\'s', () => {
  assert.equal(phasesOf({ ...RUN, ended: null }), null);
  assert.equal(phasesOf({ ...RUN, marks: RUN.marks.slice(0, 2) }), null);
  const crossed = [RUN.marks[0], mark(560, 'phase_end', 'pool of 10'), RUN.marks[2], RUN.marks[3]];
  assert.equal(phasesOf({ ...RUN, marks: crossed }), null);
  assert.equal(pictureFor({ ...RUN, marks: [] }).kind, 'goroutines');
});

// Numbers of a native run on the loaded machine: 1 worker 16,147 (13,965–17,872) tasks/s, 2
// workers 17,512, a doWork 112 µs with 2 at once.
const SWEEP = {
  gomaxprocs: 2, cpu_threads_shown: 0, cpu_tps_1: 16147, cpu_tps_max_1: 17872, cpu_tps_min_1: 13965,
  cpu_tps_2: 17512, cpu_tps_4: 17480, io_tps_1: 19, io_tps_2: 38, io_tps_4: 75, cpu_task_us_knee: 112,
};

test('a sweep that could not show its threads says why, from what it measured', () => {
  assert.equal(threadsWhy(SWEEP), "Why this run could not measure what 2 threads give CPU work: each doWork took 112 µs with 2 workers at once, against a task every 56 µs in 1 worker's fastest round: the threads did not get a core each (other work on this machine had them).");
  assert.match(threadsWhy({ ...SWEEP, cpu_task_us_knee: 60 }), /: the time went between tasks, not into them\.$/);
  assert.match(threadsWhy({ ...SWEEP, cpu_tps_2: 30000 }), /: its rounds varied more than the gain between the medians\.$/);
  assert.equal(threadsWhy({ ...SWEEP, cpu_threads_shown: 1 }), null);
  assert.equal(threadsWhy({ ...SWEEP, cpu_threads_shown: undefined }), null, 'a Report that does not say (Go\'s)');
});
