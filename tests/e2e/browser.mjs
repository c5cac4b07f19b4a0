// Shared Playwright helpers: Debian's Chromium (never a downloaded browser), strict console,
// axe-core, layout checks and the course page that embeds the widget.
import { readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Flags that keep Chromium quiet on a closed network: no background requests to Google services
// (they fail here and would print errors), no QUIC, no sandbox (we run as root in CI).
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

// Opens a page that records every console.error and pageerror; `problems` must stay empty.
export async function strictPage(browser, { viewport = { width: 1280, height: 900 }, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
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
      const info = await page.evaluate(() => (document.body?.dataset.ready === 'true' ? window.workerPoolPlayground?.info : null));
      if (info) return info;
    } catch (e) { last = e; } // the page navigated (service worker reload): try again
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`engine not ready after ${timeoutMs} ms${last ? `: ${last.message}` : ''}`);
}

/** A strict page at `path` of `srv` (from `servers()`), its engine ready: `{context, page, problems}`. */
export async function openPage(browser, srv, path, opts) {
  const o = await strictPage(browser, opts);
  await o.page.goto(srv.url(path));
  await engineReady(o.page);
  return o;
}

/** Waits until the page shows a finished run (phase done) and returns the Report on screen. */
/** An instant as the page writes it (www/format.js `at`): one decimal, two under 1 ms, kept when
 * 0 ("1,426.0 ms"). Written out here, so a test does not check the page against itself. */
export const instant = (v) => `${v.toLocaleString('en-US', { minimumFractionDigits: v < 1 ? 2 : 1, maximumFractionDigits: v < 1 ? 2 : 1 })} ms`;

export async function finished(page, timeout = 60000) {
  await page.waitForFunction(() => document.body.dataset.phase === 'done' || document.body.dataset.phase === 'idle', null, { timeout });
  return page.evaluate(() => window.workerPoolPlaygroundTest.state.report);
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: `test-results/${name}.png`, fullPage });
}

let axeSource = null;
/** axe-core's violations of impact serious or critical, in the page or a frame. */
export async function axeProblems(target, { exclude = [] } = {}) {
  axeSource ??= await readFile(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  // evaluate() is not subject to the page's Content-Security-Policy, an injected <script> would be.
  await target.evaluate(axeSource);
  const result = await target.evaluate(async (ex) => window.axe.run({ exclude: ex }, { resultTypes: ['violations'] }), exclude);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

/** How far the page is wider than its viewport (0: no horizontal scroll), and the widest culprit. */
export async function overflow(target) {
  return target.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    let worst = null;
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > vw + 1 && (!worst || r.right > worst.right)) worst = { right: r.right, what: `${el.tagName.toLowerCase()}#${el.id}.${[...el.classList].join('.')}` };
    }
    return { by: document.documentElement.scrollWidth - vw, worst };
  });
}

/**
 * Run in the page (`page.evaluate(installPngReader)`): `window.readPng(url)` draws the PNG at
 * `url` on a canvas and resolves to `{ w, h, ctx }`, for tests that read an exported picture's
 * pixels.
 */
export function installPngReader() {
  window.readPng = async (url) => {
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return { w: img.width, h: img.height, ctx };
  };
}

/**
 * Serves dist/ twice (isolated and plain) and a course page on another site (localhost against
 * 127.0.0.1) that embeds the widget and records what it says: `window.replies` and
 * `window.send(msg)` → the replies to it, each with the ms it took.
 */
export async function servers() {
  const isolated = await serve({ root: 'dist', port: 0, isolation: true });
  const plain = await serve({ root: 'dist', port: 0, isolation: false });
  const dir = await mkdtemp(join(tmpdir(), 'wpp-host-'));
  await writeFile(join(dir, 'host.js'), `
    window.replies = [];
    window.t0 = performance.now();
    window.addEventListener('message', (e) => {
      if (e.data?.source !== 'worker-pool-playground') return;
      window.replies.push({ ...e.data, at: performance.now() - window.t0 });
    });
    window.send = (msg) => { window.replies = []; document.querySelector('iframe').contentWindow.postMessage(msg, '*'); };`);
  const widget = (q) => `http://127.0.0.1:${plain.address().port}/embed.html${q}`;
  await writeFile(join(dir, 'index.html'), `<!doctype html><html lang="en"><title>Course page</title><link rel="icon" href="data:,">
    <script src="host.js"></script><h1>Lesson 4: worker pools</h1>
    <iframe id="w" title="Worker Pool Playground" src="WIDGET" width="1000" height="700" style="border:0"></iframe></html>`);
  const host = await serve({ root: dir, port: 0, isolation: false });
  const at = (s, path = '/') => `http://localhost:${s.address().port}${path}`;
  return {
    isolated, plain, host,
    url: (path = '/') => at(isolated, path),
    plainUrl: (path = '/') => at(plain, path),
    // The course page, embedding embed.html?<q> in a frame of `width` px.
    async course(page, q = '?scenario=fixed-pool', width = 1000) {
      const html = (await readFile(join(dir, 'index.html'), 'utf8')).replace(/src="[^"]*embed[^"]*"|src="WIDGET"/, `src="${widget(q)}"`).replace(/width="\d+"/, `width="${width}"`);
      await writeFile(join(dir, 'index.html'), html);
      await page.goto(at(host));
      const frame = await (await page.waitForSelector('iframe')).contentFrame();
      return frame;
    },
    // The course page's folder goes with the servers (every e2e run had left one in /tmp).
    close() {
      for (const s of [isolated, plain, host]) s.close();
      return rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * How fast this machine runs the page's kind of work: the main thread's CPU time, in ms, of a
 * fixed piece of it (5,000 numbers sorted, 1,000 formatted, an 8,000-segment line and 200
 * measured labels on a 1280×300 canvas, read back), run nine times, each a task of its own, in a
 * trace (traceMainThread); the least of the nine (the first, with Intl's set-up, is several times
 * the rest). A main-thread budget is given in it, so a machine twice as slow gets twice the ms,
 * and a page twice as slow still fails. CPU time, as the budgets are: wall time would stretch a
 * budget on a loaded machine.
 */
export async function calibrateMainThread(page) {
  await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 1280; canvas.height = 300;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
    window.wppCalibrate = () => {
      let x = 1, acc = 0;
      const a = new Float64Array(5000);
      for (let i = 0; i < a.length; i++) { x = (x * 1103515245 + 12345) % 2147483648; a[i] = x / 2147483648; }
      a.sort();
      const words = [];
      for (let i = 0; i < 1000; i++) words.push(nf.format(a[i] * 1e6));
      ctx.clearRect(0, 0, 1280, 300);
      ctx.beginPath();
      for (let i = 0; i < 4000; i++) { ctx.lineTo(i * 0.32, 300 * a[(i * 7) % a.length]); ctx.lineTo((i + 1) * 0.32, 300 * a[(i * 7) % a.length]); }
      ctx.stroke();
      ctx.font = '11px system-ui, sans-serif';
      for (let i = 0; i < 200; i++) { acc += ctx.measureText(words[i]).width; ctx.fillText(words[i], (i * 37) % 1200, 20 + (i % 14) * 20); }
      return acc + ctx.getImageData(0, 0, 1, 1).data[3];
    };
  });
  const stop = await traceMainThread(page);
  await page.evaluate(() => new Promise((ok) => {
    let k = 0;
    const next = () => { window.wppCalibrate(); if (++k < 9) setTimeout(next, 0); else setTimeout(ok, 0); };
    setTimeout(next, 0);
  }));
  const runs = (await stop()).filter((t) => t.kind === 'DOMTimer').map((t) => t.cpu).sort((a, b) => b - a).slice(0, 9);
  await page.evaluate(() => { delete window.wppCalibrate; });
  if (runs.length < 9) throw new Error(`calibration: ${runs.length} of its 9 tasks in the trace`);
  return Math.min(...runs);
}

/**
 * Records a Chrome trace of the page until the returned `stop()`, which resolves to the main
 * thread's tasks: `[{ wall, cpu, kind }]` in ms (kind: what posted it, `DOMTimer`…), cpu being the thread's own CPU time (`tdur`). Wall time
 * is what a user and the Long Tasks API see, and on a machine busy with other work it stretches
 * with every moment the thread waits for a core; CPU time is what the page asks of the thread.
 */
export async function traceMainThread(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: ['toplevel', 'devtools.timeline'] } });
  return async () => {
    const complete = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
    await cdp.send('Tracing.end');
    const { stream } = await complete;
    let text = '';
    for (;;) {
      const r = await cdp.send('IO.read', { handle: stream });
      text += r.base64Encoded ? Buffer.from(r.data, 'base64').toString() : r.data;
      if (r.eof) break;
    }
    await cdp.send('IO.close', { handle: stream });
    await cdp.detach();
    const events = JSON.parse(text).traceEvents ?? [];
    const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
    const on = events.filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`));
    // What a task was made of (its script calls, frames and rendering steps over 0.5 ms), for the
    // message of a test that fails on it.
    const PARTS = new Set(['FunctionCall', 'FireAnimationFrame', 'TimerFire', 'EventDispatch', 'Layout', 'Paint', 'Commit', 'UpdateLayoutTree', 'HitTest', 'MinorGC', 'MajorGC', 'EvaluateScript']);
    // (A task's src_func says what posted it: a frame, a timer, an input event, a message.)
    const t0 = Math.min(...on.map((e) => e.ts));
    const parts = (t) => [`${t.args?.src_func ?? 'task'} at ${((t.ts - t0) / 1000).toFixed(0)} ms:`, ...on.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && PARTS.has(e.name) && (e.tdur ?? e.dur) > 500)
      .map((e) => `${e.name}${e.args?.data?.url ? ` ${e.args.data.url.split('/').pop()}:${e.args.data.lineNumber}` : ''}${e.args?.data?.type ? ` ${e.args.data.type}` : ''} ${((e.tdur ?? e.dur) / 1000).toFixed(1)}`)].join(' ');
    return on.filter((e) => e.name === 'ThreadControllerImpl::RunTask')
      .map((e) => ({ wall: e.dur / 1000, cpu: (e.tdur ?? e.dur) / 1000, kind: e.args?.src_func, parts: () => parts(e) }));
  };
}
