// "Run in real Go too": the same lesson, parameters and seed in Go's own runtime (Go's js/wasm
// port, one thread), beside the Rust run on shared axes.
import { $ } from './dom.js';
import { readParams } from './form.js';
import { runPair, showError } from './run.js';
import { drawControls } from './view.js';
import { loadGo } from './goside.js';
import { state } from './state.js';

export function wireGo() {
  $('run-go').addEventListener('click', async () => {
    state.userDriven = true;
    let params;
    try { params = readParams(state.spec); } catch (e) { showError(e); return; }
    try {
      await loadGo();
    } catch (e) {
      state.go = { status: 'unavailable', message: e.message };
      $('go-note').textContent = `The Go engine was not built into this site (${e.message}).`;
      drawControls();
      return;
    }
    const req = { scenario: state.spec.id, variant: state.variant, params };
    runPair(req, req, { engineB: 'go' });
  });
}
