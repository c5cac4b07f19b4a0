// The code panels: the Go the lesson follows and the Rust that ran, excerpts of the compiled files
// (go/*.go, src/scenario/*.rs) that scripts/snippets.mjs writes into dist/snippets.json at build
// time. The engine worker reads that file and hands over one excerpt; the page keeps no code
// strings of its own.
import api from './api.js';
import { $, el, fill } from './dom.js';

let shown = '';

/** Shows the excerpts of (scenario, variant): `<scenario>/<variant>` if marked, else `<scenario>`. */
export async function drawCode(scenario, variant, tag = '') {
  const key = `${scenario}/${variant}${tag}`;
  if (key === shown) return;
  shown = key;
  let s = null, failed = null;
  try { s = await api.snippet(scenario, variant); } catch (e) { failed = e; }
  if (shown !== key) return; // another lesson was picked meanwhile
  for (const lang of ['go', 'rust']) {
    const x = s?.[lang];
    const name = lang === 'go' ? 'Go' : 'Rust that ran';
    $(`code-${lang}-h`).replaceChildren(name, tag ? ` of ${tag}: ${scenario} / ${variant}` : '', x ? el('span', { class: 'code-src' }, ` — ${x.file}, line ${x.line}`) : '');
    fill(`code-${lang}`, x ? x.code : failed ? `The code excerpts were not built into this site (${failed.message}).` : `No ${name} excerpt for ${scenario} / ${variant}.`);
  }
  // Where the guide's own code does not compile cleanly, go vet's real words about it (scripts/
  // snippets.mjs runs vet at build time): the mistake a tool catches before anything runs.
  const vet = s?.go_vet;
  $('code-vet').hidden = !vet;
  if (vet) {
    fill('code-vet-words', vet.vet);
    $('code-vet-src').textContent = `The guide's code, as vet saw it — ${vet.file}, line ${vet.line}`;
    fill('code-vet-code', vet.code);
  }
  document.querySelector('.code').dataset.shown = failed ? 'missing' : `${scenario}/${variant}`;
}
