// Colours against the card, in both themes (www/render/ink.js): WCAG's 3:1 for lines and shapes
// and 4.5:1 for words. Okabe–Ito's orange and sky blue (chart series, the lanes' jobs) had 2.3:1
// on the light card; on the dark one the refused step's and the program's end red had 2.9:1, the
// lanes' wg.Wait() violet 2.6, the strips' and phases' #333 1.3, the wait hatching 1.85, the
// timeline's darkest density 2.5, and the phases picture drew a white band under each phase.
// Checked three ways: every colour table the renderers export, every colour a drawn SVG picture
// shows, and every colour literal in www/render/ (none may escape the tables). The outcome and
// mark colours have their own checks in timeline.test.mjs. Not checked as drawn: the canvas
// charts and timeline (their colours are in the tables), and the HTML legend swatches. Debian's
// Chromium; any console.error fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { launch, openPage, finished, servers } from './browser.mjs';
import { hexRgb as rgb, ratio } from './wcag.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

/** `hex` at `alpha` over `card`, as the eye gets it. */
const over = (hex, alpha, card) => rgb(hex).map((v, i) => v * alpha + rgb(card)[i] * (1 - alpha));

/** Every colour table the renderers export, in the theme the page is in: [name, colour]. */
const tables = () => (async () => {
  const [chart, lanes, timeline, sequence, sweep, waitgraph, zoom, phases, lessons, ink] = await Promise.all(
    ['chart', 'lanes', 'timeline', 'sequence', 'sweep', 'waitgraph', 'zoom', 'phases', 'lessons', 'ink'].map((m) => import(`./render/${m}.js`)));
  const out = [];
  const add = (prefix, obj) => { for (const [k, v] of Object.entries(obj)) (Array.isArray(v) ? v.forEach((c, i) => out.push([`${prefix}.${k}[${i}]`, c])) : out.push([`${prefix}.${k}`, v])); };
  chart.PALETTE.forEach((c, i) => out.push([`PALETTE[${i}]`, c]));
  // Spread, a getter's value (read in the theme, below) is copied as a plain one.
  add('LANE_COLORS', Object.fromEntries(Object.entries(Object.getOwnPropertyDescriptors(lanes.LANE_COLORS)).filter(([, d]) => !d.get).map(([k, d]) => [k, d.value])));
  add('OUTCOME_COLORS', timeline.OUTCOME_COLORS);
  add('SEQUENCE_COLORS', sequence.SEQUENCE_COLORS);
  add('SWEEP_COLORS', sweep.SWEEP_COLORS);
  add('WAITGRAPH_COLORS', waitgraph.WAITGRAPH_COLORS);
  add('ZOOM_COLORS', zoom.ZOOM_COLORS);
  add('PHASE_COLORS', phases.PHASE_COLORS);
  add('LIMIT_COLORS', lessons.LIMIT_COLORS);
  // The colours read from the theme as a picture is drawn: checked like the rest, but a literal
  // of their light value in a renderer would not follow the theme.
  const themed = [['LANE_COLORS.back', lanes.LANE_COLORS.back], ['LANE_COLORS.panic', lanes.LANE_COLORS.panic],
    ['WAIT_HATCH.line', timeline.WAIT_HATCH.line], ['--red', ink.ink('red')], ['--density', ink.ink('density')]];
  const fixed = out.length;
  out.push(...themed);
  const card = ink.ink('card');
  return { out, fixed, card, legible: out.map(([, c]) => ink.legible(c)) };
})();

test('every colour table has 3:1 against the card in both themes, and its legible shade 4.5:1', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, problems, context } = await openPage(browser, srv, '/', { colorScheme });
    const { out, card, legible } = await page.evaluate(tables);
    assert.equal(card, colorScheme === 'dark' ? '#1e1f25' : '#ffffff', 'the card the page draws on');
    // Each one a #rrggbb the arithmetic below can read (`#333` or currentColor would pass it as NaN).
    assert.deepEqual(out.filter(([, c]) => !/^#[0-9a-f]{6}$/i.test(c)), [], 'colours written as #rrggbb');
    const low = out.filter(([, c]) => ratio(rgb(c), rgb(card)) < 3).map(([n, c]) => `${n} ${c} ${ratio(rgb(c), rgb(card))}`);
    assert.deepEqual(low, [], `${colorScheme}: lines and shapes under 3:1`);
    const words = out.map(([n, c], i) => [n, c, legible[i]]).filter(([, , l]) => ratio(rgb(l), rgb(card)) < 4.5);
    assert.deepEqual(words, [], `${colorScheme}: words under 4.5:1`);
    // A colour that has enough already is its own legible shade (the light card's red, say).
    const red = out.find(([n]) => n === '--red');
    assert.equal(legible[out.indexOf(red)], red[1], 'the theme red is text already');
    assert.deepEqual(problems, []);
    await context.close();
  }
});

// Two runs side by side draw each gauge of a picture twice, each in its own colour of PALETTE
// (pictures.js drawGauges): the four colours are enough while no picture has over two gauges.
test('the palette has a colour for every gauge of two runs side by side', async () => {
  const { page, problems, context } = await openPage(browser, srv, '/');
  const { n, gauges } = await page.evaluate(async () => ({
    n: (await import('./render/chart.js')).PALETTE.length,
    gauges: (await import('./render/lessons.js')).GAUGE_PICTURES.map((d) => [d.id, d.gauges.length]),
  }));
  assert.ok(gauges.length > 0);
  assert.deepEqual(gauges.filter(([, g]) => 2 * g > n), [], `${n} colours`);
  assert.deepEqual(problems, []);
  await context.close();
});

// What each picture kind draws, read from its SVG as the page shows it (computed styles: a CSS
// class can override a fill attribute, as .seq-label does for words), in the theme it was drawn
// in: words 4.5:1 against the card, lines and shapes 3:1, each at its own opacity over the card.
// A fill or line under half opaque is a tint or a guide behind something else (a lane's track),
// a fill of the theme's own surfaces (card, chip, page) is a ground, a word's stroke is its
// halo, and the grid (--line) is not what a picture says. Lines and open paths have no fill.
const PICTURES = [
  ['lanes, shutdown', '/?scenario=leak-unclosed-channel&variant=right&run=1'],
  ['lanes, panic', '/?scenario=best-practices&variant=inner-panic&run=1'],
  ['wait-for graph, a cycle', '/?scenario=deadlock-unbuffered&variant=wrong&run=1'],
  ['wait-for graph, a leak', '/?scenario=leak-unclosed-channel&variant=wrong&run=1'],
  ['sends and the close', '/?scenario=send-on-closed&variant=wrong&run=1'],
  ['phases', '/?scenario=control-comparison&run=1'],
  ['sweep', '/?scenario=sizing-sweep&tasks=30&workers=4&work_iterations=200000&time_scale=20&run=1'],
];

for (const colorScheme of ['light', 'dark']) {
  test(`every colour a picture draws has enough contrast on the ${colorScheme} card`, async () => {
    const bad = [];
    for (const [name, url] of PICTURES) {
      const { page, problems, context } = await openPage(browser, srv, url, { colorScheme });
      await finished(page);
      await page.waitForFunction(() => document.querySelector('#picture-svg:not([hidden]) svg'), null, { timeout: 20000 });
      await page.waitForTimeout(100); // drawn in a microtask after the host is filled
      const { card, grounds, used } = await page.evaluate(() => {
        // rgb()/rgba() as computed, to #rrggbb and its own alpha; none, url() and the like: null.
        const parse = (v) => {
          const m = /^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$/.exec(v ?? '');
          return m ? [`#${m.slice(1, 4).map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`, m[4] == null ? 1 : Number(m[4])] : null;
        };
        const used = [];
        const shapes = new Set(['rect', 'circle', 'ellipse', 'polygon', 'path', 'text']);
        for (const e of document.querySelectorAll('#picture-svg svg *')) {
          if (!shapes.has(e.tagName) && !['line', 'polyline'].includes(e.tagName)) continue;
          if (e.closest('pattern')) continue; // the hatching's own tile: its colours are the theme's (ink.js)
          const cs = getComputedStyle(e), text = e.tagName === 'text';
          const filled = shapes.has(e.tagName) && (e.tagName !== 'path' || e.hasAttribute('fill'));
          const fill = filled ? parse(cs.fill) : null, stroke = e.classList.contains('grid-line') ? null : parse(cs.stroke);
          const op = Number(cs.opacity);
          const at = (c, o) => ({ color: c[0], alpha: c[1] * Number(o) * op });
          if (fill) used.push({ tag: e.tagName, cls: e.getAttribute('class'), attr: 'fill', ...at(fill, cs.fillOpacity), min: text ? 4.5 : 3 });
          if (stroke && !text && cs.strokeWidth !== '0px') used.push({ tag: e.tagName, cls: e.getAttribute('class'), attr: 'stroke', ...at(stroke, cs.strokeOpacity), min: 3 });
        }
        const v = (n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim().toLowerCase();
        return { card: v('--card'), grounds: [v('--card'), v('--chip'), v('--bg')], used };
      });
      assert.ok(used.length > 0, `${name}: a picture with colours of its own`);
      for (const u of used) {
        // The light theme's white drawn as a ground on the dark card (the phases' bands had it).
        if (colorScheme === 'dark' && u.attr === 'fill' && u.color === '#ffffff' && u.alpha >= 0.5) bad.push(`${name}: <${u.tag} class=${u.cls}> a white ground on the dark card`);
        if ((u.attr === 'fill' && grounds.includes(u.color)) || u.alpha < 0.5) continue;
        const r = ratio(over(u.color, u.alpha, card), rgb(card));
        if (r < u.min) bad.push(`${name}: <${u.tag} class=${u.cls}> ${u.attr} ${u.color}${u.alpha < 1 ? ` at ${u.alpha}` : ''}: ${r}:1, want ${u.min}`);
      }
      assert.deepEqual(problems, [], name);
      await context.close();
    }
    assert.deepEqual([...new Set(bad)], []);
  });
}

// A colour written into a renderer that none of the tables above holds would escape these
// checks: every literal in www/render/*.js (comments aside) is one of them. marks.js's own table
// of light and dark colours is checked in timeline.test.mjs, and is the only place a mark's
// colour is written (a renderer drawing the light theme's red on the dark card, as the sweep's
// GOMAXPROCS line did, is caught here); ink.js's stand-in for a missing variable is the other.
test('every colour literal in www/render is in a checked table', async () => {
  const { page, problems, context } = await openPage(browser, srv, '/');
  const { out, fixed } = await page.evaluate(tables);
  const known = new Set(out.slice(0, fixed).map(([, c]) => c.toLowerCase()));
  const dir = new URL('../../www/render/', import.meta.url);
  const stray = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.js') && n !== 'marks.js')) {
    const src = (await readFile(new URL(f, dir), 'utf8')).replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
    src.split('\n').forEach((line, i) => {
      for (const m of line.replace(/(^|\s)\/\/.*$/, '').matchAll(/['"`](#[0-9a-f]{3,8})\b/gi)) {
        if (!known.has(m[1].toLowerCase()) && !(f === 'ink.js' && m[1] === '#808080')) stray.push(`${f}:${i + 1} ${m[1]}`);
      }
    });
  }
  assert.deepEqual(stray, []);
  assert.deepEqual(problems, []);
  await context.close();
});
