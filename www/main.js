// The page: draws, never computes. The engine lives in a module Worker (engine.worker.js).
import { startEngine } from './engine.js';

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const query = new URLSearchParams(location.search);

// coi-serviceworker reloads the page once on hosts that cannot send COOP/COEP. Starting the
// engine before that reload would only waste work, so wait while a reload is still possible.
async function isolationSettled() {
  if (self.crossOriginIsolated || query.get('build') === 'single') return;
  const sw = navigator.serviceWorker;
  if (!sw || !isSecureContext || !window.coi?.shouldRegister?.()) return;
  if (sw.controller) return; // the service worker already controls us: isolation is impossible here
  await Promise.race([sw.ready.then(() => sleep(400)), sleep(3000)]);
  if (window.__coiReloading) await new Promise(() => {}); // the page is about to reload
}

function checkTasks(value) {
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < 1 || n > 10000) {
    return `tasks: expected a whole number from 1 to 10000, got ${JSON.stringify(value)}`;
  }
  return null;
}

const api = {};
api.ready = isolationSettled().then(() => {
  const engine = startEngine({ forceSingle: query.get('build') === 'single' });
  api.engine = engine;
  return engine.ready;
});
api.speedCheck = async (params = {}) => {
  await api.ready;
  return api.engine.request('speedCheck', { params });
};
window.workerPoolPlayground = api;

api.ready.then((info) => {
  api.info = info;
  const el = $('build');
  el.className = `build build-${info.build}`;
  el.textContent = '';
  const b = document.createElement('strong');
  b.textContent = info.build === 'threads' ? `Threaded build · ${info.threads} threads` : 'Single-threaded build · 1 thread';
  el.append(b, ` — ${info.reason}.`);
  $('speed-run').disabled = false;
}, (e) => {
  $('build').className = 'build build-error';
  $('build').textContent = e.message;
});

$('speed-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const raw = $('speed-tasks').value.trim();
  const err = checkTasks(raw);
  $('speed-error').textContent = err ?? '';
  if (err) return;
  $('speed-run').disabled = true;
  $('speed-run').textContent = 'Running…';
  try {
    const r = await api.speedCheck({ tasks: Number(raw) });
    $('speed-single').textContent = `${r.single_ms.toFixed(0)} ms`;
    $('speed-parallel').textContent = `${r.parallel_ms.toFixed(0)} ms on ${r.threads} thread${r.threads === 1 ? '' : 's'}`;
    $('speed-ratio').textContent = `${(r.single_ms / r.parallel_ms).toFixed(2)}×`;
    $('speed-result').hidden = false;
  } catch (e) {
    $('speed-error').textContent = e.message;
  } finally {
    $('speed-run').disabled = false;
    $('speed-run').textContent = 'Run speed check';
  }
});
