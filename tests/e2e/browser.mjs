// Shared Playwright helpers: Debian's Chromium (never a downloaded browser), strict console.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Flags that keep Chromium quiet on a closed network (see ../shared/notes/wasm-threads-facts.md).
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

// Opens a page that records every console.error and pageerror; `problems` must stay empty.
export async function strictPage(browser, { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()}`); });
  return { context, page, problems };
}

// Waits until the page's engine is ready and returns `workerPoolPlayground.info`. Survives the one
// reload that coi-serviceworker may do on a host without isolation headers.
export async function engineReady(page, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const info = await page.evaluate(() => window.workerPoolPlayground?.info ?? null);
      if (info) return info;
    } catch (e) { last = e; } // the page navigated (service worker reload): try again
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`engine not ready after ${timeoutMs} ms${last ? `: ${last.message}` : ''}`);
}

export async function screenshot(page, name) {
  const { mkdir } = await import('node:fs/promises');
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: `test-results/${name}.png`, fullPage: true });
}
