// Screenshots of the built page (dist/) for a human to look at: the first screen at three window
// sizes, every scenario and variant at 1280×800 after a run, a Go/Rust side-by-side run, a run of
// 100,000 goroutines live and at its end, and the widget at 390 px inside a course page. Also
// prints each run's headline figures.
//
//   node scripts/screenshots.mjs [outdir]      (default: test-results/screens)
import { mkdir } from 'node:fs/promises';
import { launch, engineReady } from '../tests/e2e/browser.mjs';
import { serve } from './serve.mjs';

const out = process.argv[2] ?? 'test-results/screens';
await mkdir(out, { recursive: true });
const srv = await serve({ port: 0 });
const port = srv.address().port;
const url = (q) => `http://127.0.0.1:${port}/${q}`;
const browser = await launch();
const shot = async (page, name) => { await page.screenshot({ path: `${out}/${name}.png` }); console.log(`${out}/${name}.png`); };
const finished = (page) => page.waitForFunction(() => document.body.dataset.phase === 'done', null, { timeout: 120000 });

for (const [w, h] of [[1280, 800], [1366, 657], [390, 844]]) {
  const page = await (await browser.newContext({ viewport: { width: w, height: h } })).newPage();
  await page.goto(url(''));
  await engineReady(page);
  await finished(page);
  await page.waitForTimeout(300);
  await shot(page, `first-screen-${w}x${h}`);
  const scrollW = await page.evaluate(() => document.documentElement.scrollWidth);
  if (scrollW > w) console.log(`  overflow: ${scrollW} px wide in a ${w} px window`);
  await page.context().close();
}

const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
await page.goto(url(''));
await engineReady(page);
const specs = await page.evaluate(() => window.workerPoolPlayground.scenarios());
for (const spec of specs) {
  for (const v of spec.variants) {
    const fast = ['unlimited', 'fixed-pool', 'context-pool', 'db-pool', 'backpressure', 'rate-limit', 'sizing-sweep', 'best-practices'].includes(spec.id) ? '&time_scale=20' : '';
    await page.goto(url(`?scenario=${spec.id}&variant=${v.id}${fast}&run=1`));
    await engineReady(page);
    await finished(page);
    await page.waitForTimeout(300);
    const r = await page.evaluate(() => window.workerPoolPlaygroundTest?.state.report ?? null);
    await shot(page, `${spec.id}--${v.id}`);
    if (r) console.log(`  ${r.ended}, peak ${r.peak_goroutines}, heap ${r.heap_peak_bytes} B, wall ${Math.round(r.wall_ms)} ms`);
  }
}

// Go beside Rust.
await page.goto(url('?scenario=leak-unclosed-channel&variant=wrong'));
await engineReady(page);
const goButton = page.locator('#run-go');
if (await goButton.count()) {
  await goButton.click();
  await page.waitForFunction(() => document.body.dataset.phase === 'done' && /Go/.test(document.getElementById('figures-h')?.textContent ?? ''), null, { timeout: 120000 }).catch(() => {});
  await page.waitForTimeout(500);
  await shot(page, 'go-side-by-side-leak');
}

// 100,000 goroutines (issue 10): live, a second and a half in, and at the end (the whole page:
// the charts and the timeline below the fold).
await page.goto(url('?scenario=unlimited&tasks=100000&time_scale=1'));
await engineReady(page);
await page.click('#run');
await page.waitForTimeout(1500);
await shot(page, 'unlimited-100k-live');
await finished(page);
await page.waitForTimeout(500);
await page.screenshot({ path: `${out}/unlimited-100k-end.png`, fullPage: true });
console.log(`${out}/unlimited-100k-end.png`);
await page.context().close();

// The widget at 390 px in a course page (the page's own embed.html, framed).
const host = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
await host.setContent(`<!doctype html><meta name=viewport content="width=device-width"><body style="margin:8px;font:16px sans-serif"><h1>Lesson 3: pools</h1><iframe src="${url('embed.html?scenario=fixed-pool')}" style="width:100%;height:760px;border:1px solid #ccc"></iframe></body>`);
await host.waitForTimeout(8000);
await shot(host, 'widget-390-in-course-page');

await browser.close();
srv.close();
