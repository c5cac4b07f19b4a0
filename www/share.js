// Share and export: a link that reproduces and runs the run on screen, the embed code, the Report
// as JSON, the series as CSV, the picture as a PNG that stands alone, the trace for Perfetto.
import { $ } from './dom.js';
import { describeParams, findSpec, linkFor } from './schema.js';
import { readParams } from './form.js';
import { runName } from './format.js';
import { state } from './state.js';
import { keyParams } from './view.js';

/** The run on screen ({scenario, variant, params}), else what the form holds. */
function current() {
  const r = state.pair?.b ?? state.pair?.a ?? state.report;
  if (r) return { spec: findSpec(state.specs, r.scenario), variant: r.variant, params: r.params };
  return { spec: state.spec, variant: state.variant, params: readParams(state.spec) };
}

const page = (name) => new URL(name, location.href).toString();

export function shareLink() {
  const { spec, variant, params } = current();
  return linkFor(page('index.html'), spec, variant, params, { run: true });
}

export function embedCode() {
  const { spec, variant, params } = current();
  const src = linkFor(page('embed.html'), spec, variant, params, { run: false });
  const esc = (s) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
  return `<iframe src="${esc(src)}" width="100%" height="640" style="border:0" title="Worker Pool Playground: ${esc(spec.title)}"></iframe>`;
}

export async function copy(text, what) {
  const note = $('share-note');
  try {
    await navigator.clipboard.writeText(text);
    note.textContent = `${what} copied: ${text}`;
  } catch {
    note.textContent = `${what} (copy it from here): ${text}`;
  }
  note.dataset.copied = text;
}

function download(name, type, data) {
  const a = document.createElement('a');
  const url = data.startsWith('data:') ? data : URL.createObjectURL(new Blob([data], { type }));
  a.href = url;
  a.download = name;
  a.click();
  if (!data.startsWith('data:')) setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const base = (r) => `${r.scenario}-${r.variant}${r.engine === 'go' ? '-go' : ''}`;

export function exportJson() {
  if (state.pair) download(`${base(state.pair.a)}-vs-${state.pair.b ? base(state.pair.b) : 'none'}.json`, 'application/json', JSON.stringify(state.pair, null, 2));
  else download(`${base(state.report)}.json`, 'application/json', JSON.stringify(state.report, null, 2));
}

export function seriesCsv(r) {
  const s = r.series;
  const cols = ['t_ms', 'goroutines', 'running', 'blocked', 'queued', 'heap_bytes'].filter((c) => Array.isArray(s[c]));
  const gauges = Object.keys(s.gauges ?? {});
  const lines = [[...cols, ...gauges].join(',')];
  for (let i = 0; i < s.t_ms.length; i++) lines.push([...cols.map((c) => s[c][i]), ...gauges.map((g) => s.gauges[g][i] ?? '')].join(','));
  return lines.join('\n');
}

export function exportCsv() {
  const r = state.pair?.b ?? state.report;
  download(`${base(r)}-series.csv`, 'text/csv', seriesCsv(r));
}

export async function exportPng(pictures) {
  const pair = state.pair;
  const r = pair?.b ?? pair?.a ?? state.report;
  const spec = findSpec(state.specs, r.scenario);
  const title = pair?.b ? `A: ${runName(pair.a)}  vs  B: ${runName(pair.b)}` : `${spec?.title ?? r.scenario}: ${runName(r)}`;
  const sub = `${describeParams(spec, r.params, { only: keyParams(r) })} · ${r.build ?? r.engine} build · ended ${r.ended} · Worker Pool Playground`;
  // (An SVG picture is drawn to a canvas through an image, which loads asynchronously.)
  const png = await pictures.png(title, sub);
  if (png) download(`${base(r)}.png`, 'image/png', png);
  else $('share-note').textContent = 'Nothing is drawn in this picture to export.';
}

export async function exportTrace(api) {
  const r = state.report;
  const trace = await api.trace();
  if (!r || !trace) { $('share-note').textContent = 'This build keeps no trace of the run.'; return; }
  download(`${base(r)}.trace.json`, 'application/json', JSON.stringify(trace));
  $('share-note').textContent = `Trace of ${runName(r)} saved: open it in ui.perfetto.dev or chrome://tracing.`;
}
