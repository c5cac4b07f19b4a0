// The pure parts of the pictures' fixes (review N2, N6, N7, session 16), in Node (no browser):
// which runs get the pool's bound, its two lines, where a quiet tail begins, where a time line
// starts and how close ticks are kept apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundLines, pictureFor, quietTail } from '../../www/render/lessons.js';
import { axisStart, niceTicks, senderOf, spread } from '../../www/render/sequence.js';

const FIXED = { scenario: 'fixed-pool', ended: 'completed', params: { tasks: 1000, workers: 5 }, goroutines_before: 1, series: { t_ms: [0, 1], goroutines: [1, 0], gauges: { queue_depth: [0, 0] } } };

test('a pool whose lesson is its peak gets the bound picture; its lines are the pool and one goroutine per task', () => {
  assert.equal(pictureFor({ ...FIXED, measures: [{ at: 'peak_goroutines' }] }).kind, 'bound');
  // Live (no measures yet): by its lesson, so the picture does not flip at the end.
  assert.equal(pictureFor(FIXED).kind, 'bound');
  // Another lesson with a queue keeps the queue; unlimited (no workers) keeps its counts.
  assert.equal(pictureFor({ ...FIXED, scenario: 'context-pool', measures: [{ at: 'tasks.successful' }] }).kind, 'gauges');
  assert.equal(pictureFor({ scenario: 'unlimited', ended: 'completed', params: { tasks: 10 }, measures: [{ at: 'peak_goroutines' }], series: { t_ms: [0, 1], goroutines: [1, 0] } }).kind, 'goroutines');
  assert.deepEqual(boundLines(FIXED).map((l) => [l.value, l.label]), [
    [1001, 'one goroutine per task: up to 1,001 (1,000 tasks + main)'],
    [8, 'the pool: 8 (5 workers + main, sender, closer)'],
  ]);
});

test('a quiet tail: found after the story\'s last mark when nothing drawn changes, not otherwise', () => {
  const picture = { kind: 'gauges', def: { gauges: ['waitgroup_counter'], marks: ['add', 'done'] } };
  const t = [0, 1, 50, 101, 102, 200, 300, 400, 500];
  const run = {
    ended: 'completed', runtime_ms: 500, goroutines_before: 1,
    marks: [{ t_ms: 1, kind: 'add' }, { t_ms: 101, kind: 'done' }],
    series: { t_ms: t, goroutines: [1, 6, 6, 6, 1, 1, 1, 1, 1], gauges: { waitgroup_counter: [0, 5, 5, 0, 0, 0, 0, 0, 0] } },
  };
  assert.deepEqual(quietTail(run, picture), { at: 101, end: 500, only: true });
  // Something changes later: no tail.
  const busy = structuredClone(run);
  busy.series.gauges.waitgroup_counter[7] = 2;
  assert.equal(quietTail(busy, picture), null);
  // The story takes most of the run: no tail.
  assert.equal(quietTail({ ...run, runtime_ms: 180, series: { ...run.series, t_ms: t.map((x) => Math.min(x, 180)) } }, picture), null);
  // A change of the counter after the last mark (a late sample): the story ends there.
  const late = structuredClone(run);
  late.series.gauges.waitgroup_counter = [0, 5, 5, 2, 2, 0, 0, 0, 0];
  assert.deepEqual(quietTail(late, picture), { at: 200, end: 500, only: true });
  // Others alive meanwhile: a tail, but not "only main".
  const others = structuredClone(run);
  others.series.goroutines = [1, 6, 6, 6, 2, 2, 2, 2, 2];
  assert.equal(quietTail(others, picture).only, false);
});

test('a time line that starts late starts a little before its first mark; close ticks are kept apart', () => {
  // many-senders natively: sends from 0.356 ms, the run ends at 0.618 ms.
  const t0 = axisStart(0.356, 0.618);
  assert.ok(t0 > 0.2 && t0 < 0.356, `starts at ${t0}`);
  assert.equal(axisStart(0.1, 1), 0);
  // Under load (CI, session 18): sends from 24.9 ms of a 67.5 ms run started the axis at 0.
  const late = axisStart(24.8999, 67.5);
  assert.ok(late > 0 && late < 24.8999, `starts at ${late}`);
  // Wherever a story starts late, the axis starts before it and the story in its first quarter
  // (pictures.test.mjs's bound is a third of the drawn axis, which runs 6 % past the end).
  for (let end = 0.5; end < 5000; end *= 1.37) {
    for (let f = 0.31; f < 0.95; f += 0.013) {
      const t0 = axisStart(f * end, end);
      assert.ok(t0 > 0 && t0 < f * end && f * end - t0 < 0.25 * (end - t0), `first ${f * end} of ${end}: starts at ${t0}`);
    }
  }
  const ticks = niceTicks(0.65, 5, t0);
  assert.ok(ticks[0] >= t0 && ticks[0] < 0.356 && ticks.at(-1) <= 0.65, `ticks ${ticks}`);
  assert.deepEqual(niceTicks(10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(spread([10, 10.5, 11, 30]), { xs: [3, 7, 11, 30], moved: true });
  assert.deepEqual(spread([1, 9]), { xs: [1, 9], moved: false });
  assert.equal(senderOf({ label: 'sender 2: jobs <- 200' }), 'sender 2');
  assert.equal(senderOf({ label: 'jobs <- 3' }), null);
});
