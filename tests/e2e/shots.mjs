// Screenshots of given scenario links at 1280x800, 1366x657 and 390x844 (not a test):
//   node tests/e2e/shots.mjs OUTDIR tag=/?scenario=..&variant=..&run=1 ...
import { launch, openPage, finished, servers } from './browser.mjs';
const [out, ...items] = process.argv.slice(2);
const sizes = [[1280, 800], [1366, 657], [390, 844]];
const browser = await launch(); const srv = await servers();
for (const item of items) {
  const i = item.indexOf('='); const tag = item.slice(0, i), path = item.slice(i + 1);
  for (const [width, height] of sizes) {
    const { page, problems, context } = await openPage(browser, srv, path, { viewport: { width, height } });
    const r = await finished(page, 120000);
    await page.waitForTimeout(600);
    // Scroll the lesson's picture into view.
    await page.evaluate(() => document.getElementById('picture-title')?.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${out}/${tag}-${width}x${height}.png` });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${out}/${tag}-${width}x${height}-full.png`, fullPage: true });
    const lesson = await page.textContent('#lesson').catch(() => '');
    console.log(tag, width, r?.ended, r?.runtime_ms, (lesson ?? '').slice(0, 400).replace(/\s+/g, ' '), problems.join('; '));
    await context.close();
  }
}
await browser.close(); await srv.close();
