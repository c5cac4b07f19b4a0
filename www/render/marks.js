// The colour and name of each kind of instant (the Report's marks, and findings drawn as one).
// Shared by the charts, the timeline and the order of events; no drawing here.
// No mark has a colour of the charts' series (chart.js PALETTE): blocked-workers' "main reads
// results" line was the orange of its "jobs waiting" line, the WaitGroup's Add ticks the blue of
// its counter (review N7, session 20).
export const MARK_STYLE = {
  cancel: ['#6a1b9a', 'cancel'], deadline: ['#6a1b9a', 'deadline'], deadlock: ['#c62828', 'deadlock'],
  panic: ['#c62828', 'panic'], fatal_send: ['#c62828', 'fatal send'], timeout: ['#9a6700', 'timeout'],
  close: ['#333333', 'close'], add: ['#283593', 'Add'], done: ['#00695c', 'Done'], wait: ['#ad1457', 'Wait'],
  wait_returned: ['#7b3fbf', 'Wait returned'], send: ['#1565c0', 'send'], drop: ['#c62828', 'drop'],
  acquire: ['#283593', 'acquire'], release: ['#00695c', 'release'], receive: ['#00838f', 'receive'],
  // A finding drawn as an instant: when main gave up waiting.
  hang: ['#9a6700', 'main gave up waiting'],
};
/** The longest mark label the charts and the timeline draw; a longer one is drawn as its kind's
 * name (the legend and the order of events have it whole). */
export const MARK_LABEL_MAX = 32;
/** What a chart or the timeline writes beside a mark's line. */
export const markText = (m) => (m.label && m.label.length <= MARK_LABEL_MAX ? m.label : markStyle(m.kind)[1]);
/** Each mark colour's counterpart on the dark card (#1e1f25): the same hue, light enough for
 * 4.5:1, as a mark's label is text. The light colours had 1.3:1 (close) to 2.9:1 (panic) there
 * (review of session 31); `tests/e2e/timeline.test.mjs` checks both themes. */
export const MARK_DARK = {
  '#6a1b9a': '#b465e4', '#c62828': '#df6161', '#9a6700': '#b97b00', '#333333': '#d0d0d8',
  '#283593': '#7582da', '#00695c': '#009c89', '#ad1457': '#ea4c91', '#7b3fbf': '#a074d1',
  '#1565c0': '#388be9', '#00838f': '#0096a3', '#707070': '#999999',
};
/** Live: its `matches` follows the theme. One query for the page, not one per mark drawn. */
const DARK_THEME = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
/** A mark kind's colour in the theme the page is drawn in now, and its name. A drawing keeps
 * the colours of the theme it was drawn in until it is drawn again. */
export const markStyle = (kind) => {
  const [color, name] = MARK_STYLE[kind] ?? ['#707070', kind];
  return [DARK_THEME?.matches ? MARK_DARK[color] : color, name];
};

/**
 * Labels for vertical lines, stacked in rows under them: each right of its line where it fits
 * in `width`, else left of it, never across its own line or another (a line drawn at the row
 * of labels would run through one), and in the first row where it overlaps no label already
 * placed. `items`: [{x, w}] (line x, text width), in any order. Returns [{x, row}] in the same
 * order: the text's left edge and its row (0 the first). Review N3 (session 20): the timeline's
 * "cancel drill, separate pool" and "lifecycle drill, separate pool" were drawn over each other;
 * N4: "all goroutines are asleep" and "task 13 timed out" were clamped across their own lines.
 */
export function stackLabels(items, width, { gap = 6, pad = 3 } = {}) {
  const lines = items.map((it) => it.x);
  const rows = [];
  const order = items.map((_, i) => i).sort((a, b) => items[a].x - items[b].x);
  const out = new Array(items.length);
  for (const i of order) {
    const { x, w } = items[i];
    const sides = [x + pad, x - pad - w].filter((l) => l >= 0 && l + w <= width);
    if (!sides.length) sides.push(Math.max(0, Math.min(x + pad, width - w)));
    // Not across another mark's line either (two lines a few px apart: the text goes beyond both).
    const clear = (l) => lines.every((lx, k) => lx <= l - 1 || lx >= l + w + 1);
    // Past the lines it would cross: rightwards from the right side, leftwards from the left
    // (two drills' lines 8 px apart: right of both).
    const past = (l, dir) => {
      for (let n = 0; n < lines.length && !clear(l); n++) {
        const hit = lines.filter((lx) => lx > l - 1 && lx < l + w + 1);
        l = dir > 0 ? Math.max(...hit) + pad : Math.min(...hit) - pad - w;
      }
      return l;
    };
    const moved = [past(x + pad, 1), past(x - pad - w, -1)].filter((l) => l >= 0 && l + w <= width && clear(l));
    const cands = [...sides.filter(clear), ...moved, ...sides.filter((l) => !clear(l))];
    let placed = null;
    for (let row = 0; placed === null; row++) {
      const taken = rows[row] ?? (rows[row] = []);
      const l = cands.find((c) => taken.every(([a, b]) => c + w + gap <= a || c >= b + gap));
      if (l !== undefined) { taken.push([l, l + w]); placed = { x: l, row }; }
    }
    out[i] = placed;
  }
  return out;
}
