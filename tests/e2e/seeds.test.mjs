// One seed, one run, wherever it runs: every variant with a deterministic mode, at seed 7, gives
// the same tasks, timeline, marks, findings and log in the page (both builds) as from the CLI, so
// a copied link (`mode=deterministic&seed=7`) reproduces in the terminal what the page showed.
// Two things had broken it (session 28): fastrand's `usize` draws a u64 natively and a u32 on
// wasm32, so a seed took other choices in the page; and a context's children sat in an unseeded
// HashMap, so a cancel woke best-practices/guide-cancel's workers in another order each run.
// Left out, as measured rather than chosen: heap and allocation figures (64-bit against 32-bit
// pointers) and control-comparison's CPU times (wall time of real work, by design).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, openPage, servers } from './browser.mjs';

let browser, srv;
before(async () => { browser = await launch(); srv = await servers(); });
after(async () => { await browser?.close(); await srv?.close(); });

const SEED = 7;
/** Log lines that quote a measurement: bytes, or a phase's wall time. */
const MEASURED = /execution time|memory allocated|bytes|[KMG]B\b|heap/;

/** The parts of a Report a seed decides. */
function decided(r) {
  return {
    ended: r.ended,
    runtime_ms: r.runtime_ms,
    tasks: r.tasks,
    timeline: r.timeline,
    marks: r.marks,
    findings: (r.findings ?? []).map((f) => ({ ...f, message: MEASURED.test(f.message) ? '' : f.message })),
    log: (r.log ?? []).filter((l) => !MEASURED.test(l)),
  };
}

function cli(id, variant) {
  const args = ['run', '--quiet', '--release', '--', 'run', id, '--variant', variant, '--mode', 'deterministic', '--seed', String(SEED), '--json'];
  try {
    return JSON.parse(execFileSync('cargo', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch (e) {
    // Exit status 2: the program panicked or deadlocked, as Go's would; the Report is printed.
    if (e.status === 2 && e.stdout) return JSON.parse(e.stdout);
    throw e;
  }
}

/** Every (scenario, variant) that has a deterministic mode, from the schema the page gets. */
async function variants(page) {
  const specs = await page.evaluate(() => window.workerPoolPlayground.scenarios());
  return specs.filter((s) => s.params.some((p) => p.name === 'mode')).flatMap((s) => s.variants.map((v) => [s.id, v.id]));
}

const native = new Map();

for (const build of ['threads', 'single']) {
  test(`deterministic mode, seed ${SEED}: the ${build} page gives what the CLI gives, for every variant`, async () => {
    const { page, problems, context } = await openPage(browser, srv, build === 'single' ? '/?build=single' : '/', { viewport: { width: 1280, height: 800 } });
    const info = await page.evaluate(() => window.workerPoolPlayground.info);
    assert.equal(info.build, build);
    const all = await variants(page);
    assert.ok(all.length >= 30, `${all.length} variants`);
    const differ = [];
    for (const [id, v] of all) {
      const key = `${id}/${v}`;
      if (!native.has(key)) native.set(key, decided(cli(id, v)));
      const web = decided(await page.evaluate(async ({ id, v, seed }) => {
        const r = await window.workerPoolPlayground.run(id, { variant: v, mode: 'deterministic', seed });
        return { ...r, timeline: r.timeline };
      }, { id, v, seed: SEED }));
      const want = native.get(key);
      const keys = Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(web[k]));
      if (keys.length) differ.push(`${key}: ${keys.join(', ')}`);
    }
    assert.deepEqual(differ, [], `variants whose ${build} run differs from the CLI's`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}
