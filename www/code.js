// The code panels: the Go the lesson follows and the Rust that ran, excerpts of the compiled files
// (go/*.go, src/scenario/*.rs) that scripts/snippets.mjs writes into dist/snippets.json at build
// time. The page keeps no code strings of its own.
import { $, el, fill } from './dom.js';

let snippets = null;
let failed = null;

/** Fetches snippets.json once (after the page is ready: it is not needed for the first picture). */
export async function loadSnippets() {
  try {
    const res = await fetch(new URL('snippets.json', location.href));
    if (!res.ok) throw new Error(`snippets.json: HTTP ${res.status}`);
    snippets = await res.json();
  } catch (e) {
    failed = e;
  }
}

/** Shows the excerpts of (scenario, variant): `<scenario>/<variant>` if marked, else `<scenario>`. */
export function drawCode(scenario, variant) {
  for (const lang of ['go', 'rust']) {
    const s = snippets?.[scenario]?.[variant]?.[lang];
    const name = lang === 'go' ? 'Go' : 'Rust that ran';
    $(`code-${lang}-h`).replaceChildren(name, s ? el('span', { class: 'code-src' }, ` — ${s.file}, line ${s.line}`) : '');
    fill(`code-${lang}`, s ? s.code : failed ? `The code excerpts were not built into this site (${failed.message}).` : snippets ? `No ${name} excerpt for ${scenario} / ${variant}.` : 'Loading…');
  }
}

export const snippetsReady = () => snippets != null || failed != null;
