// The page's pure modules, in Node (no browser): thinning keeps every extreme, text converts to
// the schema's types strictly, values are checked without recursing, the wait-for graph finds
// cycles and orphaned waiters. Fast, and each fails without the code it guards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { m4, peak } from '../../www/thin.js';
import { checkParams, defaultsOf, linkFor, parseText, quote, readLink } from '../../www/schema.js';
import { describe, groupGraph, onCycle, orphans } from '../../www/render/waitgraph.js';
import { goSentence } from '../../www/view.js';

test('m4 keeps each bucket\'s first, last, lowest and highest point', () => {
  const n = 100000;
  const xs = Array.from({ length: n }, (_, i) => i);
  const ys = xs.map((i) => (i === 54321 ? 1001 : i === 777 ? -5 : Math.sin(i / 100)));
  const zs = xs.map((i) => (i === 99998 ? 77 : 0));
  const [tx, ty, tz] = m4(xs, [ys, zs], 300);
  assert.ok(tx.length <= 300 * 8, `thinned to ${tx.length}`);
  assert.equal(peak(ty), 1001, 'the spike survives');
  assert.equal(Math.min(...ty), -5, 'so does the dip');
  assert.equal(peak(tz), 77, 'and every other series\' extremes');
  assert.equal(tx[0], 0);
  assert.equal(tx.at(-1), n - 1);
  assert.deepEqual(m4([0, 1, 2], [[1, 2, 3]], 300), [[0, 1, 2], [1, 2, 3]], 'small input untouched');
});

// Independent review, session 19: wg.Add(1) ×3 at 5.6, 5.75 and 6.05 ms, thinned into one
// bucket, was drawn rising 0 → 3 at 6.05 ms, after the first Add that moved it.
test('m4 keeps each bucket\'s first change, so a step starts where its first mark is', () => {
  const xs = Array.from({ length: 2001 }, (_, i) => i);
  xs.splice(6, 0, 5.6, 5.75, 6.05);
  const ys = xs.map((x) => (x < 5.6 ? 0 : x < 5.75 ? 1 : x < 6.05 ? 2 : 3));
  const [tx, ty] = m4(xs, [ys], 50);
  const at = tx.indexOf(5.6);
  assert.ok(at > 0 && ty[at] === 1 && ty[at - 1] === 0, `kept: ${JSON.stringify(tx.slice(0, 8))} ${JSON.stringify(ty.slice(0, 8))}`);
});

const SPEC = {
  id: 'fixed-pool',
  variants: [{ id: 'default', kind: 'right', defaults: {} }, { id: 'small', kind: 'wrong', defaults: { tasks: 5 } }],
  params: [
    { name: 'tasks', kind: 'int', min: 1, max: 1000000, default: 1000 },
    { name: 'time_scale', kind: 'float', min: 0.01, max: 10000, default: 10 },
    { name: 'mode', kind: 'choice', choices: ['real', 'deterministic'], default: 'real' },
  ],
};
const P = Object.fromEntries(SPEC.params.map((p) => [p.name, p]));

test('text converts to the schema\'s type strictly, in the core\'s words', () => {
  assert.equal(parseText(P.tasks, ' 42 '), 42);
  assert.equal(parseText(P.time_scale, '2.5e1'), 25);
  assert.equal(parseText(P.mode, 'deterministic'), 'deterministic');
  for (const bad of ['--5', '1e', '', 'abc', '2.5', '1e3', '0x10', '0']) {
    assert.throws(() => parseText(P.tasks, bad), new RegExp(`^InputError: tasks: expected a whole number from 1 to 1000000, got`), bad);
  }
  assert.throws(() => parseText(P.time_scale, '1e'), /time_scale: expected a number from 0.01 to 10000, got "1e"/);
  assert.throws(() => parseText(P.mode, 'evil'), /mode: expected one of real, deterministic, got "evil"/);
  assert.equal(quote('x'.repeat(5000000)), `"${'x'.repeat(40)}…" (5,000,000 characters)`);
});

test('values from the API are checked for type and range, never coerced, never recursed into', () => {
  assert.deepEqual(checkParams(SPEC, { tasks: 10, variant: 'small' }), { variant: 'small', params: { tasks: 10 } });
  assert.deepEqual(checkParams(SPEC, undefined), { variant: null, params: {} });
  let deep = {};
  for (let i = 0; i < 100000; i++) deep = { a: deep };
  for (const [params, want] of [
    [null, /^params: expected an object, got null$/],
    [[1], /^params: expected an object, got an array$/],
    [{ tasks: '10' }, /^tasks: expected a whole number from 1 to 1000000, got "10"$/],
    [{ tasks: NaN }, /^tasks: expected a whole number from 1 to 1000000, got NaN$/],
    [{ tasks: 0 }, /got 0$/],
    [{ tasks: deep }, /^tasks: expected a whole number from 1 to 1000000, got an object$/],
    [{ wrokers: 3 }, /^wrokers: unknown parameter of fixed-pool/],
    [{ tasks: -0 }, /^tasks: expected a whole number from 1 to 1000000, got -0$/],
    [new Proxy({}, { ownKeys() { throw new Error('trap'); } }), /^params: could not be read \("trap"\)$/],
    [new Proxy({}, { getPrototypeOf() { throw new RangeError('proto'); } }), /^params: could not be read \("proto"\)$/],
    [new Proxy({ tasks: 1 }, { get() { throw 7; } }), /^params: could not be read \("7"\)$/],
  ]) assert.throws(() => checkParams(SPEC, params), { name: 'InputError', message: want });
});

test('a link is read strictly and written with run=1', () => {
  const specs = [SPEC];
  const ok = readLink(specs, '?scenario=fixed-pool&variant=small&tasks=7&run=1');
  assert.deepEqual([ok.spec.id, ok.variant, ok.values, ok.run, ok.errors], ['fixed-pool', 'small', { tasks: 7 }, true, []]);
  const bad = readLink(specs, '?scenario=fixed-pool&tasks=abc&mode=evil&foo=1&run=1');
  assert.deepEqual(bad.errors.map((e) => e.message.split(':')[0]).sort(), ['foo', 'mode', 'tasks']);
  assert.equal(bad.texts.tasks, 'abc', 'the text is kept for the form');
  assert.equal(defaultsOf(SPEC, 'small').tasks, 5);
  const link = linkFor('http://x/index.html', SPEC, 'small', { tasks: 9, time_scale: 10, mode: 'real' });
  assert.equal(link, 'http://x/index.html?scenario=fixed-pool&variant=small&tasks=9&run=1');
});

test('the wait-for graph: a cycle is a deadlock, waiters nobody alive can release are a leak', () => {
  const deadlock = {
    nodes: [{ id: 'g1', kind: 'goroutine', label: 'main #1 [chan send]' }, { id: 'g2', kind: 'goroutine', label: 'worker #2 [chan send]' },
      { id: 'g3', kind: 'goroutine', label: 'worker #3 [chan send]' }, { id: 'o1', kind: 'channel', label: 'jobs' }, { id: 'o2', kind: 'channel', label: 'results' }],
    edges: [{ from: 'g1', to: 'o1', label: 'waits to send' }, { from: 'o1', to: 'g2', label: 'could receive' }, { from: 'o1', to: 'g3', label: 'could receive' },
      { from: 'g2', to: 'o2', label: 'waits to send' }, { from: 'g3', to: 'o2', label: 'waits to send' }, { from: 'o2', to: 'g1', label: 'could receive' }],
  };
  const g = groupGraph(deadlock);
  assert.deepEqual(g.nodes.map((n) => n.label).sort(), ['jobs', 'main #1 [chan send]', 'results', 'worker [chan send] ×2']);
  assert.equal(onCycle(g).size, 4, 'every node is on the cycle');
  assert.equal(describe(deadlock), 'main waits to send on jobs; only the 2 workers could receive from jobs, and they wait to send on results; only main could receive from results, and main is itself waiting to send on jobs. None of them can move first, so every goroutine sleeps: a deadlock.');
  // A lock in the ring, and a full buffer: said in words too.
  const mu = {
    nodes: [{ id: 'g1', kind: 'goroutine', label: 'main #1 [sync.Mutex.Lock]' }, { id: 'g2', kind: 'goroutine', label: 'worker #2 [chan send]' },
      { id: 'o1', kind: 'mutex', label: 'mu' }, { id: 'o2', kind: 'channel', label: 'ch (3/3 buffered)' }],
    edges: [{ from: 'g1', to: 'o1', label: 'waits for the lock' }, { from: 'o1', to: 'g2', label: 'holds the lock' }, { from: 'g2', to: 'o2', label: 'waits to send' }, { from: 'o2', to: 'g1', label: 'could receive' }],
  };
  assert.equal(describe(mu), 'main waits for the lock (mu); only worker holds mu, and worker waits to send on ch, its buffer full (3 of 3); only main could receive from ch, and main is itself waiting for the lock (mu). None of them can move first, so every goroutine sleeps: a deadlock.');
  const leak = {
    nodes: [{ id: 'g1', kind: 'exited_goroutine', label: 'main #1 (exited)' }, ...[2, 3, 4].map((i) => ({ id: `g${i}`, kind: 'goroutine', label: `worker #${i} [chan receive]` })),
      { id: 'o1', kind: 'channel', label: 'jobs' }],
    edges: [...[2, 3, 4].map((i) => ({ from: `g${i}`, to: 'o1', label: 'waits to receive' })), { from: 'o1', to: 'g1', label: 'last sender (exited)' }],
  };
  const gl = groupGraph(leak);
  assert.equal(onCycle(gl).size, 0);
  assert.equal(orphans(gl).size, 1, 'the three workers, drawn as one');
  assert.match(describe(leak), /^worker \[chan receive\] ×3 waits to receive jobs, and the only goroutine that could release it, main #1 \(last sender\), has exited: they wait forever, a leak\.$/);
  // Someone alive could still release it: neither a cycle nor a leak.
  const fine = { ...leak, nodes: leak.nodes.map((n) => ({ ...n, kind: n.kind === 'exited_goroutine' ? 'goroutine' : n.kind })) };
  assert.equal(orphans(groupGraph(fine)).size, 0);
});

test('the Go sentence gives the reasons the two reports measured, in proportion', () => {
  const a = { scenario: 'fixed-pool', variant: 'default', engine: 'rust', params: { workload: 'io' }, ended: 'completed', exit_status: 0,
    peak_goroutines: 11, goroutines_after: 0, heap_peak_bytes: 59 * 1024, wall_ms: 1310, threads: 4, findings: [] };
  const b = { ...a, engine: 'go', build: 'js-wasm', threads: 1, heap_peak_bytes: 598 * 1024, wall_ms: 1320,
    numbers: { stack_inuse_at_peak_bytes: 16 * 1024, heap_alloc_at_peak_bytes: 582 * 1024 } };
  // fixed-pool: 8 stacks are 16 KB of Go's 598 KB; its tasks sleep.
  let s = goSentence(a, b);
  assert.match(s, /Go's heap and goroutine stacks peaked at 598\.0 KB above the start \(runtime\.MemStats HeapAlloc \+ StackInuse[^)]*\), this engine's heap at 59\.0 KB above the start \([^)]*\); at Go's peak its goroutine stacks were 16\.0 KB of the 598\.0 KB \(2\.7 %\)/);
  assert.match(s, /stacks explain little/);
  assert.match(s, /Wall time was 1,320 ms in Go and 1,310 ms here\.$/);
  assert.doesNotMatch(s, /2 KB stack|thread|most of Go's figure/);
  // A thousand parked goroutines: stacks are most of Go's memory.
  s = goSentence({ ...a, peak_goroutines: 1001 }, { ...b, peak_goroutines: 1001, heap_peak_bytes: 3e6, numbers: { stack_inuse_at_peak_bytes: 2e6 } });
  assert.match(s, /stacks were 1\.91 MB of the 2\.86 MB \(67 %\).*most of Go's figure is stacks \(about 2\.0 KB for each of its 1,001 goroutines\)/);
  // CPU-bound work: one thread is the reason only when Go took clearly longer.
  const cpu = { ...a, scenario: 'control-comparison', params: {} };
  assert.match(goSentence(cpu, { ...b, wall_ms: 5000 }), /this work is CPU-bound, and Go's js\/wasm port runs on one thread, this engine on 4\.$/);
  assert.doesNotMatch(goSentence(cpu, { ...b, wall_ms: 1350 }), /thread/);
  // A run that died has no split: no reason is given for its memory.
  assert.match(goSentence(a, { ...b, numbers: {} }), /this engine's heap at 59\.0 KB above the start \([^)]*\)\. Wall/);
});

// Review F12 (session 16), context-pool/cancel beside Go: "Go's memory peaked at 3.80 MB against
// 6.0 KB here" without a word that the two are different measures, and "these tasks mostly
// sleep, so their sleeps set the time" beside 2,053 ms of runtime in Go and 1,379 ms here.
test('the Go sentence says what each memory figure measures and claims no cause for the time', () => {
  const a = { scenario: 'context-pool', variant: 'cancel', engine: 'rust', params: { workload: 'io', time_scale: 10 }, ended: 'completed', exit_status: 0,
    peak_goroutines: 5, goroutines_after: 0, heap_peak_bytes: 6144, wall_ms: 148, runtime_ms: 1379, threads: 2, findings: [] };
  const b = { ...a, engine: 'go', build: 'js-wasm', threads: 1, heap_peak_bytes: 3.8 * 1048576, wall_ms: 205, runtime_ms: 2053, numbers: {} };
  const s = goSentence(a, b);
  assert.match(s, /Memory is measured differently in each: Go's heap and goroutine stacks peaked at 3\.80 MB above the start \(runtime\.MemStats HeapAlloc \+ StackInuse of the whole Go program, read every millisecond\), this engine's heap at 6\.0 KB above the start \(bytes live through its allocator/);
  assert.match(s, /Wall time was 205 ms in Go and 148 ms here, 2,053 ms and 1,379 ms of runtime time \(time scale 10 in both\): Go ran 1\.5 times as long, for reasons this page does not measure\.$/);
  assert.doesNotMatch(s, /sleeps set the time|memory peaked at 3\.80 MB against/);
  // Close runtimes: no ratio, no reason.
  assert.match(goSentence(a, { ...b, runtime_ms: 1400 }), /of runtime time \(time scale 10 in both\)\.$/);
});
