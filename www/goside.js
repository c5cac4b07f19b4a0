// Real Go in the tab (issue 12): the page's side of www/go-engine.js, which the "go" engineer
// builds. Loaded only when first used, so the page load fetches nothing of it.
import { state } from './state.js';

let engine = null;

/** The Go engine, once started by `loadGo()`; null before. */
export const goEngine = () => engine;

/** Starts the Go engine on first use; `{ run, stop }` or an Error saying why it cannot. */
export async function loadGo() {
  if (engine) return engine;
  const mod = await import('./go-engine.js');
  engine = mod.startGoEngine();
  return engine;
}

export const goAvailable = () => state.go?.status !== 'unavailable';
