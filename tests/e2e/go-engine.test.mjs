// Real Go in the tab: the Go programs of go/, compiled for js/wasm (dist/go/), run in Go's own
// runtime in a classic Worker, beside the Rust engine on the same seed. Debian's Chromium; any
// console.error or pageerror fails a test. Needs a dist/ built with Go installed; without it the
// tests fail when WPP_REQUIRE_GO=1 (as scripts/test.sh sets it) and are skipped otherwise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { serve } from '../../scripts/serve.mjs';
import { launch, strictPage, engineReady } from './browser.mjs';

const built = existsSync('dist/go/playground.wasm') && existsSync('dist/go/wasm_exec.js');
const skip = !built && process.env.WPP_REQUIRE_GO !== '1' && 'dist/ was built without Go';
let browser, server;
const url = (path = '/') => `http://localhost:${server.address().port}${path}`;

before(async () => {
  if (skip) return;
  browser = await launch();
  server = await serve({ root: 'dist', port: 0, isolation: true });
});
after(async () => { await browser?.close(); server?.close(); });

const isGoFile = (u) => /\/go\/|go-worker\.js/.test(new URL(u).pathname);

// Runs a scenario in both engines in the page: the page's own API for Rust, and for Go the page
// API's runGo when the page has it, else go-engine.js itself.
async function both(page, scenario, params) {
  return page.evaluate(async ([scenario, params]) => {
    const api = window.workerPoolPlayground;
    const rust = await api.run(scenario, params);
    let runGo = api.runGo;
    if (!runGo) {
      const { startGoEngine } = await import('./go-engine.js');
      window.goEngineForTests ??= startGoEngine();
      runGo = (s, p, cb) => window.goEngineForTests.run(s, p, cb);
    }
    let first = null;
    let progressPeak = 0;
    const t0 = performance.now();
    const go = await runGo(scenario, params, (p) => {
      first ??= performance.now() - t0;
      progressPeak = Math.max(progressPeak, ...p.series.goroutines);
    });
    return { rust, go, first, total: performance.now() - t0, progressPeak };
  }, [scenario, params]);
}

const leaked = (r) => r.findings.filter((f) => f.kind === 'leak').map((f) => f.message);
const deadlock = (r) => r.findings.filter((f) => f.kind === 'deadlock').map((f) => f.message);

test('Go in the tab agrees with the Rust engine on the same seed; a page load fetches no Go file', { skip }, async () => {
  assert.ok(built, 'dist/go/ is missing: build dist/ with Go installed (WPP_REQUIRE_GO=1)');
  const { page, problems } = await strictPage(browser);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('worker', (w) => requests.push(w.url()));
  await page.goto(url());
  await engineReady(page);
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForTimeout(500);
  assert.deepEqual(requests.filter(isGoFile), [], 'the page load fetched Go files');

  const wasm = readFileSync('dist/go/playground.wasm');
  console.log(`dist/go/playground.wasm: ${(wasm.length / 1e6).toFixed(2)} MB raw, ${(gzipSync(wasm, { level: 9 }).length / 1e3).toFixed(0)} KB gzipped`);

  // unlimited: a thousand goroutines at once in both runtimes (first use: fetch, compile, run).
  let r = await both(page, 'unlimited', { tasks: 1000, seed: 3 });
  console.log(`unlimited 1000 seed 3: Go peak ${r.go.peak_goroutines} (progress max ${r.progressPeak}), Rust peak ${r.rust.peak_goroutines}; Go first progress ${r.first.toFixed(0)} ms, report ${r.total.toFixed(0)} ms after the call`);
  assert.equal(r.go.engine, 'go');
  assert.ok(Math.abs(r.go.peak_goroutines - r.rust.peak_goroutines) <= 0.01 * r.rust.peak_goroutines,
    `peaks: Go ${r.go.peak_goroutines}, Rust ${r.rust.peak_goroutines}`);
  assert.equal(r.progressPeak, r.go.peak_goroutines, 'the streamed progress keeps the peak');
  assert.equal(r.go.goroutines_after, 0);
  // Again, with the module compiled: what a second run costs.
  r = await both(page, 'unlimited', { tasks: 1000, seed: 3 });
  console.log(`unlimited again: Go peak ${r.go.peak_goroutines}; first progress ${r.first.toFixed(0)} ms, report ${r.total.toFixed(0)} ms (Go's wall ${r.go.wall_ms.toFixed(0)} ms, Rust's ${r.rust.wall_ms.toFixed(0)} ms)`);

  r = await both(page, 'fixed-pool', { seed: 3, time_scale: 500 });
  console.log(`fixed-pool: Go peak ${r.go.peak_goroutines}, Rust peak ${r.rust.peak_goroutines}; ${r.total.toFixed(0)} ms`);
  assert.equal(r.go.peak_goroutines, r.rust.peak_goroutines);
  assert.deepEqual(r.go.tasks, r.rust.tasks);

  r = await both(page, 'leak-unclosed-channel', { variant: 'wrong' });
  console.log(`leak-unclosed-channel/wrong: Go ${leaked(r.go)}, Rust ${leaked(r.rust)}`);
  assert.equal(r.go.goroutines_after, r.rust.goroutines_after);
  assert.deepEqual(leaked(r.go), leaked(r.rust));
  assert.deepEqual(leaked(r.go), ['5 goroutines are still blocked after main returned']);

  r = await both(page, 'deadlock-unbuffered', { variant: 'wrong' });
  console.log(`deadlock-unbuffered/wrong: Go "${deadlock(r.go)}" (exit ${r.go.exit_status}), Rust "${deadlock(r.rust)}"`);
  assert.deepEqual(deadlock(r.go), deadlock(r.rust));
  assert.deepEqual(deadlock(r.go), ['fatal error: all goroutines are asleep - deadlock!']);
  assert.equal(r.go.ended, 'deadlock');
  assert.equal(r.go.exit_status, 2);
  assert.equal(r.go.peak_goroutines, r.rust.peak_goroutines);
  // The two stuck jobs: unfinished in both engines, cancelled in neither (review R18; Go's
  // counts come from the crashed child's last progress, www/go-worker.js).
  assert.deepEqual(r.go.tasks, r.rust.tasks);
  assert.deepEqual([r.go.tasks.cancelled, r.go.tasks.unfinished], [0, 2]);

  // An unrecovered panic ends the Go program with Go's own words and status 2. (The late send
  // is timed 20 ms of runtime after the close; the browser's timers are coarse, so the run is
  // slowed to give that a margin of 200 ms of wall time.)
  const late = { variant: 'wrong', time_scale: 0.1 };
  const panicked = await page.evaluate((p) => window.goEngineForTests?.run('send-on-closed', p)
    ?? window.workerPoolPlayground.runGo('send-on-closed', p), late);
  assert.deepEqual(panicked.log, ['panic: send on closed channel', panicked.log[1]]);
  assert.match(panicked.log[1], /^goroutine \d+ \[running\]:$/);
  assert.equal(panicked.exit_status, 2);
  assert.deepEqual(problems, []);
});

test('Go engine: bad input gets a short error, never a run with the defaults', { skip }, async () => {
  const { page, problems } = await strictPage(browser);
  await page.goto(url());
  await engineReady(page);
  const errors = await page.evaluate(async () => {
    const { startGoEngine } = await import('./go-engine.js');
    const go = startGoEngine();
    const out = [];
    for (const [s, p] of [['unlimited', { tasks: 'x' }], ['unlimited', { tasks: 0 }], ['unlimited', { tasks: { a: 1 } }],
      ['unlimited', { queue: 3 }], ['nosuch', {}], ['unlimited', [1, 2]], ['unlimited', { tasks: Infinity }],
      ['unlimited', { tasks: 1000000 }], ['unlimited', { workload: 'x'.repeat(100000) }]]) {
      out.push(await go.run(s, p).then((r) => `ran: ${r.peak_goroutines}`, (e) => e.message));
    }
    return out;
  });
  const expected = [
    /^tasks: expected a whole number from 1 to 1000000, got "x"$/,
    /^tasks: expected a whole number from 1 to 1000000, got "0"$/,
    /^tasks: expected a number or a string, got an object$/,
    /^queue: unknown parameter \(known: tasks, [a-z_, ]+\)$/,
    /^unknown scenario "nosuch" \(known: unlimited, fixed-pool, [a-z-, ]+\)$/,
    /^params: expected an object, got an array$/,
    /^tasks: expected a finite number, got Infinity$/,
    /^tasks: 1000002 goroutines alive at once need about 3906 MiB, more than the Go engine's budget of 1024 MiB; use fewer tasks or a pool$/,
    /^workload: expected one of the schema's values, got "x{39}…$/,
  ];
  assert.equal(errors.length, expected.length);
  errors.forEach((e, i) => assert.match(e, expected[i]));
  assert.deepEqual(problems, []);
});

test('Go engine not built: the run says so', { skip }, async () => {
  const { page, problems } = await strictPage(browser);
  await page.goto(url());
  await engineReady(page);
  // Serve this page as if dist/ had been built without Go.
  await page.route('**/go/**', (route) => route.fulfill({ status: 404, body: 'not found' }));
  const message = await page.evaluate(async () => {
    const { startGoEngine } = await import('./go-engine.js');
    return startGoEngine().run('unlimited', {}).then(() => 'ran', (e) => e.message);
  });
  assert.match(message, /^the Go engine was not built/);
  // The 404 itself is logged by Chromium as a failed resource load: that one is expected.
  assert.deepEqual(problems.filter((p) => !p.includes('404')), []);
});

// scripts/snippets.mjs: the page's code comes from marked regions; a missing or broken marker
// fails the build (no browser needed).
test('snippets: every variant gets Go and Rust code; a missing marker is an error', async (t) => {
  const { mkdtemp, writeFile, mkdir, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { extract } = await import('../../scripts/snippets.mjs');
  const dir = await mkdtemp(join(tmpdir(), 'wpp-snippets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'go'));
  await mkdir(join(dir, 'rs'));
  await writeFile(join(dir, 'go', 'a.go'), [
    'package main', '', '// snippet:start demo/one', '// snippet:start demo/two', 'func shared() {}',
    '// snippet:end demo/two', '// snippet:end demo/one', '', '// snippet:start demo/one', '\tfunc one() {',
    '\t\treturn', '\t}', '// snippet:end demo/one', '// snippet:start demo/open', 'func open() {}', ''].join('\n'));
  await writeFile(join(dir, 'rs', 'a.rs'), '    // snippet:start demo\n    fn demo() {}\n    // snippet:end demo\n'
    // rustfmt puts a comment that follows a brace on the brace's line: the brace is kept.
    + '    // snippet:start demo/three\n    fn three() {\n    } // snippet:end demo/three\n');
  const schema = [{ id: 'demo', variants: [{ id: 'one' }, { id: 'two' }, { id: 'three' }] }];
  const { snippets, errors } = extract(schema, { goDir: join(dir, 'go'), rustDir: join(dir, 'rs') });
  assert.deepEqual(snippets.demo.one.go, { file: snippets.demo.one.go.file, line: 5, code: 'func shared() {}\n\nfunc one() {\n\treturn\n}' });
  assert.equal(snippets.demo.two.go.code, 'func shared() {}');
  assert.equal(snippets.demo.two.rust.code, 'fn demo() {}'); // the scenario's excerpt, dedented
  assert.equal(snippets.demo.three.rust.code, 'fn three() {\n}');
  assert.deepEqual(errors.map((e) => e.replace(/^.*a\.go:/, 'a.go:')), [
    'a.go:14: snippet demo/open has no snippet:end',
    'no go snippet for demo/three: mark one with // snippet:start demo/three (or demo)',
  ]);
  if (existsSync('dist/snippets.json')) {
    const built = JSON.parse(readFileSync('dist/snippets.json', 'utf8'));
    for (const [s, variants] of Object.entries(built)) {
      for (const [v, e] of Object.entries(variants)) {
        assert.ok(e.go?.code && e.rust?.code, `${s}/${v} lacks code`);
        assert.ok(!e.go.code.includes('snippet:'), `${s}/${v}: a marker leaked into the code`);
      }
    }
  }
});
