// `npm run bench`: the benchmark suite in headless Chromium on the threaded build, printed in
// the same JSON shape as `cargo run --release -- bench --json`, with the native run and Go beside
// it when they are available (`--small` for a quick run).
import { execFileSync } from 'node:child_process';
import { serve } from '../../scripts/serve.mjs';
import { launch, strictPage, engineReady } from './browser.mjs';

// `--small` for a quick run; `--only NAME` (repeatable) for those figures alone, in the browser
// and natively (the CLI's `bench --only`).
const USAGE = 'usage: npm run bench [-- [--small] [--only NAME]...]';
let small = false;
const only = [];
for (let args = process.argv.slice(2); args.length;) {
  const a = args.shift();
  if (a === '--small') small = true;
  else if (a === '--only' && args.length && !args[0].startsWith('--')) only.push(args.shift());
  else if (a === '--only') { console.error(`bench: --only needs a figure name\n${USAGE}`); process.exit(2); }
  else { console.error(`bench: unknown option ${JSON.stringify(a.slice(0, 40))}\n${USAGE}`); process.exit(2); }
}
const server = await serve({ root: 'dist', port: 0, isolation: true });
const browser = await launch();
try {
  const { page, problems } = await strictPage(browser);
  await page.goto(`http://localhost:${server.address().port}/`);
  const info = await engineReady(page);
  if (info.build !== 'threads') throw new Error(`expected the threaded build, got ${info.build}: ${info.reason}`);
  const browserRun = await page.evaluate(([s, o]) => window.workerPoolPlayground.bench({ small: s, only: o }), [small, only]);
  let native = null;
  try {
    native = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--release', '--', 'bench', '--json', ...(small ? ['--small'] : []), ...only.flatMap((n) => ['--only', n])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  } catch (e) {
    native = { skipped: `native bench failed: ${e.message}` };
  }
  const out = { ...browserRun, native, go: native?.go ?? null };
  const figures = ['spawn_ns_per_goroutine', 'bytes_per_blocked_goroutine', 'chan_pingpong_ns', 'pool_dispatch_ns_per_job', 'cpu_speedup'].filter((k) => out[k]);
  for (const k of figures) {
    const n = native?.[k]?.value, g = native?.[k]?.go;
    out[k].native = n ?? null;
    out[k].ratio_to_native = n ? out[k].value / n : null;
    out[k].go = g ?? null;
    out[k].ratio_to_go = g ? out[k].value / g : null;
  }
  // Issue 9: every browser time within 2 × native (null when the native run failed).
  for (const k of ['spawn_ns_per_goroutine', 'chan_pingpong_ns', 'pool_dispatch_ns_per_job'].filter((k) => out[k])) {
    out[k].target = 'at most 2 × native';
    out[k].met = out[k].ratio_to_native != null ? out[k].ratio_to_native <= 2 : null;
  }
  if (out.cpu_speedup) {
    out.cpu_speedup.target = 'at least 0.9 × threads';
    out.cpu_speedup.met = out.cpu_speedup.value >= 0.9 * out.threads;
  }
  if (problems.length) throw new Error(problems.join('\n'));
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
  server.close();
}
