// Heap per goroutine and per task of every scenario, in the threaded build in Chromium. Each
// scenario runs at two sizes of the parameter its goroutines scale with (tasks fixed), and at
// two task counts (goroutines fixed); the slopes of heap_peak_bytes remove the fixed costs.
import { serve } from './serve.mjs';
import { launch, strictPage, engineReady } from '../tests/e2e/browser.mjs';
const root = process.argv[2] ?? 'dist';
// [id, variant, params(goroutine size g, tasks t), [g1, g2], [t1, t2]]; null: tasks are the goroutines.
const CASES = [
  ['unlimited', 'default', (g, t) => ({ tasks: g, time_scale: 10 }), [20000, 100000], null],
  ['fixed-pool', 'default', (g, t) => ({ workers: g, tasks: t, sleep_max_ms: 200, time_scale: 50 }), [500, 4000], [5000, 50000]],
  ['context-pool', 'close', (g, t) => ({ workers: g, tasks: t, time_scale: 50 }), [500, 4000], [5000, 50000]],
  ['db-pool', 'pool', (g, t) => ({ workers: g, tasks: t, connections: 1000, time_scale: 50 }), [500, 4000], [5000, 20000]],
  ['control-comparison', 'default', (g, t) => ({ tasks: g, work_iterations: 1000 }), [20000, 100000], null],
  ['leak-unclosed-channel', 'wrong', (g, t) => ({ workers: g, tasks: t, time_scale: 10 }), [500, 4000], [5000, 50000]],
  ['send-on-closed', 'many-senders', (g, t) => ({ senders: g, tasks: t }), [100, 1000], [100, 2000]],
  ['deadlock-unbuffered', 'blocked-workers', (g, t) => ({ workers: g, tasks: t, queue: t, time_scale: 50 }), [500, 4000], [5000, 50000]],
  ['waitgroup-misuse', 'right', (g, t) => ({ tasks: g, time_scale: 50 }), [10000, 50000], null],
  ['best-practices', 'default', (g, t) => ({ workers: g, tasks: t, queue: t, time_scale: 50 }), [100, 1000], [50, 2000]],
  ['sizing-sweep', 'default', (g, t) => ({ workers: g, tasks: t, work_iterations: 1000, sleep_max_ms: 10, time_scale: 50 }), [512, 4096], [5000, 20000]],
  ['backpressure', 'unbounded', (g, t) => ({ workers: g, tasks: t, submit_every_ms: 0, time_scale: 50 }), [500, 4000], [5000, 50000]],
  ['rate-limit', 'no-limit', (g, t) => ({ workers: g, tasks: t, time_scale: 50 }), [500, 4000], [5000, 50000]],
];
const server = await serve({ root, port: 0, isolation: true });
const browser = await launch();
try {
  const { page, problems } = await strictPage(browser);
  await page.goto(`http://localhost:${server.address().port}/`);
  const info = await engineReady(page);
  console.log(`build ${info.build}, ${info.threads} threads`);
  const run = (id, variant, p) => page.evaluate(([id, p]) => window.workerPoolPlayground.run(id, p)
    .then((r) => ({ peak: r.peak_goroutines, heap: r.heap_peak_bytes, tasks: r.tasks.submitted, wall: r.wall_ms, size: JSON.stringify(r).length })), [id, { ...p, variant }]);
  for (const [id, variant, params, [g1, g2], tpair] of CASES) {
    const T0 = tpair ? tpair[0] : 0;
    const a = await run(id, variant, params(g1, T0 || g1)), b = await run(id, variant, params(g2, T0 || g2));
    let perTask = 0, tasksAt = null;
    if (tpair) {
      const c = await run(id, variant, params(g1, tpair[0])), d = await run(id, variant, params(g1, tpair[1]));
      perTask = (d.heap - c.heap) / Math.max(1, d.tasks - c.tasks);
      tasksAt = [c, d];
    }
    const perG = (b.heap - a.heap - perTask * (b.tasks - a.tasks)) / Math.max(1, b.peak - a.peak);
    console.log(JSON.stringify({ id, variant, per_goroutine: Math.round(perG), per_task: Math.round(perTask), peaks: [a.peak, b.peak], heaps: [a.heap, b.heap], tasks: tasksAt?.map((x) => [x.tasks, x.heap]), report_kb: Math.round(Math.max(a.size, b.size) / 1024) }));
  }
  if (process.argv.includes('--million')) {
    const t0 = Date.now();
    const r = await page.evaluate(() => window.workerPoolPlayground.run('unlimited', { tasks: 1000000, time_scale: 10 }));
    console.log(JSON.stringify({ million: true, peak: r.peak_goroutines, heap_peak: r.heap_peak_bytes, wall_ms: r.wall_ms, page_ms: Date.now() - t0, ended: r.ended, report_bytes: JSON.stringify(r).length, points: r.series.t_ms.length }));
  }
  if (problems.length) console.log('problems', problems);
} finally { await browser.close(); server.close(); }
