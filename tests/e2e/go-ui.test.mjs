// Real Go in the tab, the page's side (issue 12): "Run in real Go too" puts the same program in
// Go's own runtime beside this engine's run on shared axes, with one sentence on what differs;
// runGo in the API; the widget's {engine: "go"}; nothing of Go is fetched at page load; without
// a Go build the page says the Go engine was not built. (The Go engine itself is tested in
// go-engine.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { launch, strictPage, engineReady, screenshot, servers } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

const built = existsSync('dist/go/playground.wasm');

test('Run in real Go too: the two runs on shared axes, figures in two columns, what differs and why', async () => {
  const { page, problems, context } = await strictPage(browser, { viewport: { width: 1280, height: 800 } });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  // time_scale 1, as tests/go_compare.rs: at the default 10, a task whose drawn sleep is shorter
  // than the few ms it takes to start the other 999 ends before the peak (988 once, here).
  await page.goto(srv.url('/?scenario=unlimited&tasks=1000&seed=3&time_scale=1'));
  await engineReady(page);
  await page.waitForTimeout(300);
  assert.deepEqual(requests.filter((u) => /go-engine|go-worker|\/go\//.test(u)), [], 'the page load fetches no Go file');
  if (!built) {
    // No Go build: the page says so, and nothing else changes.
    page.removeAllListeners('console');
    await page.click('#run-go');
    await page.waitForFunction(() => /Go engine was not built/.test(document.getElementById('go-note').textContent));
    assert.equal(await page.isDisabled('#run-go'), true);
    console.log('no Go build in dist/: checked that the page says so');
    await context.close();
    return;
  }
  await page.click('#run-go');
  await page.waitForFunction(() => document.body.dataset.phase === 'done', null, { timeout: 120000 });
  await page.waitForTimeout(200);
  const pair = await page.evaluate(() => window.workerPoolPlaygroundTest.state.pair);
  assert.equal(pair.a.engine, 'rust');
  assert.equal(pair.b.engine, 'go');
  assert.equal(pair.b.params.seed, 3);
  assert.ok(Math.abs(pair.b.peak_goroutines - pair.a.peak_goroutines) <= 0.01 * pair.a.peak_goroutines + 1, `peaks ${pair.a.peak_goroutines} vs ${pair.b.peak_goroutines}`);
  assert.match(await page.textContent('#title'), /A in this engine .* B in real Go \(go1\./);
  // The sentence gives Go's stacks at its peak only where Go measured them (review F12: "0 B of the
  // 3.26 MB" for 5 goroutines; go/run.go leaves the figure out where StackInuse cannot tell: here
  // the heap peaked as the report was built, 1 goroutine alive, 0 B of stacks grown), and no
  // thread count for sleeping tasks.
  const sentence = await page.textContent('#lesson');
  assert.match(sentence, /^Both ended completed[^;]*; Go's own runtime counted a peak of [\d,]+ goroutines, this engine [\d,]+ .*Go's heap and goroutine stacks peaked at .* above the start \(runtime\.MemStats .*\), this engine's heap at .* above the start .*Wall time was .* in Go and .* here, .* of runtime time/);
  assert.doesNotMatch(sentence, /sleeps set the time/);
  assert.equal(/at Go's peak its goroutine stacks were [\d.]+ [KM]?B of the/.test(sentence), pair.b.numbers.stack_inuse_at_peak_bytes != null, sentence);
  assert.doesNotMatch(sentence, /thread/);
  const heads = await page.$$eval('#figures th[scope=col]', (t) => t.map((x) => x.textContent));
  assert.deepEqual(heads, ['figure', 'A: unlimited / default', 'B: unlimited / default (Go)']);
  const labels = await page.evaluate(() => window.workerPoolPlaygroundTest.pictures().lesson.u.series.slice(1).map((s) => s.label));
  assert.deepEqual(labels, ['A: unlimited / default, goroutines', 'B: unlimited / default (Go), goroutines']);
  await screenshot(page, 'go-side-by-side-1280x800', { fullPage: false });
  const r = await page.evaluate(() => window.workerPoolPlayground.runGo('unlimited', { tasks: 1000, seed: 3 }));
  assert.equal(r.engine, 'go');
  const bad = await page.evaluate(() => window.workerPoolPlayground.runGo('unlimited', { tasks: '10' }).catch((e) => e.message));
  assert.match(bad, /^tasks: expected a whole number from 1 to 1000000, got "10"/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the widget runs {engine: "go"} for its host', { skip: !built && 'no Go build in dist/' }, async () => {
  const { page, problems, context } = await strictPage(browser);
  await srv.course(page, '?scenario=leak-unclosed-channel');
  await page.waitForFunction(() => window.replies.some((r) => r.type === 'ready'), null, { timeout: 30000 });
  await page.evaluate(() => window.send({ type: 'run', engine: 'go', scenario: 'leak-unclosed-channel', params: { variant: 'wrong' } }));
  await page.waitForFunction(() => window.replies.some((r) => r.type === 'report' || r.type === 'error'), null, { timeout: 120000 });
  const reply = await page.evaluate(() => window.replies.find((r) => r.type === 'report' || r.type === 'error'));
  assert.equal(reply.type, 'report', reply.message);
  assert.equal(reply.report.engine, 'go');
  assert.equal(reply.report.goroutines_after, 5);
  assert.equal(reply.rust.engine, 'rust');
  assert.deepEqual(problems, []);
  await context.close();
});
