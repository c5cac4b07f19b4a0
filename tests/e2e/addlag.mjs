// Measures, on the page, how far the WaitGroup counter's first rise lags the first wg.Add mark
// (not a test): node tests/e2e/addlag.mjs N variant...
import { launch, openPage, finished, servers } from './browser.mjs';
const [n, ...variants] = process.argv.slice(2);
const browser = await launch(); const srv = await servers();
for (const v of variants) {
  const lags = [], drawn = [];
  for (let i = 0; i < Number(n); i++) {
    const { page, context } = await openPage(browser, srv, `/?scenario=waitgroup-misuse&variant=${v}&run=1`, { viewport: { width: 1280, height: 800 } });
    const r = await finished(page, 60000);
    await page.waitForTimeout(300);
    const rise = await page.evaluate(() => { const [xs, c] = window.workerPoolPlaygroundTest.pictures().lesson.u.data; return xs[c.findIndex((x) => x > 0)]; });
    const c = r.series.gauges.waitgroup_counter;
    const add = r.marks.find((m) => m.kind === 'add').t_ms;
    lags.push(+(r.series.t_ms[c.findIndex((x) => x > 0)] - add).toFixed(4));
    drawn.push(+(rise - add).toFixed(4));
    await context.close();
  }
  console.log(v, 'report lag ms', JSON.stringify(lags), 'drawn lag ms', JSON.stringify(drawn));
}
await browser.close(); await srv.close();
