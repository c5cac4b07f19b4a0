// The wait-for graph's labels, as drawn (independent review N4, session 16): every node's text
// inside its box, every label inside the drawing and the drawing inside its column, no label on
// another or under a node. Single runs and pairs, at 1280 and 390 px. Debian's Chromium; any
// console.error fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, finished, screenshot, servers } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

/** Every wait-for graph on the page: its box, its column's, its nodes and its texts (client px). */
const graphs = (page) => page.$$eval('svg.waitgraph', (svgs) => svgs.map((s) => {
  const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
  return {
    svg: box(s), column: box(s.parentElement),
    nodes: [...s.querySelectorAll('g[data-node]')].map((g) => ({ rect: box(g.querySelector('rect')), texts: [...g.querySelectorAll('text')].map((t) => ({ text: t.textContent, ...box(t) })) })),
    // Edge labels and headings: the texts outside the nodes.
    free: [...s.querySelectorAll('text')].filter((t) => !t.closest('g[data-node]')).map((t) => ({ text: t.textContent, ...box(t) })),
  };
}));

const inside = (a, b, tol = 0.5) => a.x >= b.x - tol && a.y >= b.y - tol && a.x + a.w <= b.x + b.w + tol && a.y + a.h <= b.y + b.h + tol;
const meet = (a, b, tol = 0.5) => a.x < b.x + b.w - tol && b.x < a.x + a.w - tol && a.y < b.y + b.h - tol && b.y < a.y + a.h - tol;

/** The failures of one page's graphs, as sentences (empty: all clean). */
function problemsOf(list) {
  const out = [];
  for (const g of list) {
    if (!inside(g.svg, g.column, 1)) out.push(`the drawing (${Math.round(g.svg.w)} px) is wider than its column (${Math.round(g.column.w)} px)`);
    const all = [...g.nodes.flatMap((n) => n.texts), ...g.free];
    for (const t of all) if (!inside(t, g.svg)) out.push(`"${t.text}" leaves the drawing`);
    for (const n of g.nodes) for (const t of n.texts) if (!inside(t, n.rect)) out.push(`"${t.text}" leaves its node`);
    for (let i = 0; i < g.nodes.length; i++) for (let j = i + 1; j < g.nodes.length; j++) {
      if (meet(g.nodes[i].rect, g.nodes[j].rect, -2)) out.push(`nodes "${g.nodes[i].texts[0].text}" and "${g.nodes[j].texts[0].text}" touch`);
    }
    for (let i = 0; i < g.free.length; i++) {
      for (const n of g.nodes) if (meet(g.free[i], n.rect)) out.push(`"${g.free[i].text}" lies on the node "${n.texts[0].text}"`);
      for (let j = i + 1; j < g.free.length; j++) if (meet(g.free[i], g.free[j])) out.push(`"${g.free[i].text}" and "${g.free[j].text}" overlap`);
    }
  }
  return out;
}

async function pin(page, variant) {
  await page.click('#pin');
  await page.check(`input[name=variant][value="${variant}"]`);
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.phase === 'done' && window.workerPoolPlaygroundTest.state.pair?.b, null, { timeout: 120000 });
  await page.waitForTimeout(300);
}

const cases = [
  ['deadlock-unbuffered', 'wrong', null, 1],
  ['leak-unclosed-channel', 'wrong', null, 1],
  ['leak-unclosed-channel', 'wrong', 'right', 1],
  ['deadlock-unbuffered', 'wrong', 'wrong', 2], // two graphs side by side: the same run twice
];
for (const width of [1280, 390]) {
  for (const [scenario, variant, b, count] of cases) {
    test(`wait-for graph labels stay in their boxes: ${scenario}/${variant}${b ? ` beside ${b}` : ''} at ${width} px`, async () => {
      const { page, problems, context } = await openPage(browser, srv, `/?scenario=${scenario}&variant=${variant}&run=1`, { viewport: { width, height: width > 500 ? 800 : 844 } });
      await finished(page);
      if (b) await pin(page, b);
      await page.waitForSelector('svg.waitgraph');
      await page.waitForTimeout(200);
      const list = await graphs(page);
      assert.equal(list.length, count, 'graphs drawn');
      const bad = problemsOf(list);
      if (bad.length) await screenshot(page, `waitgraph-${scenario}-${variant}-${b ?? 'single'}-${width}`);
      assert.deepEqual(bad, []);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
}

// Review F7 (session 18): the deadlock's sentence was the edges' labels glued together, "results
// (unbuffered) its maker (could receive) main #1 [chan send]". Now told around the cycle, from the
// graph's nodes and edges, in words; read from the page.
test('the deadlock\'s cycle is told in plain words: who waits on what, and who alone could release it', async () => {
  const { page, problems, context } = await openPage(browser, srv, '/?scenario=deadlock-unbuffered&variant=wrong&run=1', { viewport: { width: 1280, height: 800 } });
  const r = await finished(page);
  await page.waitForSelector('svg.waitgraph');
  const caption = await page.textContent('#picture-svg .wg-caption');
  const workers = r.wait_graph.nodes.filter((n) => n.kind === 'goroutine' && /^worker/.test(n.label)).length;
  assert.ok(workers >= 1, JSON.stringify(r.wait_graph.nodes));
  const who = workers === 1 ? 'worker \\d+' : `the ${workers} workers`;
  assert.match(caption, new RegExp(`^At the deadlock, [\\d.]+ ms in: main waits to send on jobs, an unbuffered channel; only ${who} could receive from jobs, `
    + `and ${workers === 1 ? who : 'they'} waits? to send on results, an unbuffered channel; only main could receive from results, and main is itself waiting to send on jobs\\. `
    + 'None of them can move first, so every goroutine sleeps: a deadlock\\.$'), caption);
  assert.doesNotMatch(caption, /its maker|#\d|\[chan/);
  assert.deepEqual(problems, []);
  await context.close();
});
