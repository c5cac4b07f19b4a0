// A time chart: one uPlot, created once per set of series and fed with setData, with the Report's
// marks (instants on the time axis) and an optional limit line drawn over it. Only draws.
import uPlot from '../vendor/uPlot.esm.js';
import { m4 } from '../thin.js';
import { widthOf } from '../dom.js';
import { markStyle, markText } from './marks.js';
import { ink, legible } from './ink.js';

/** Colours that stay distinct for colour-blind readers (Okabe–Ito), one per series of a chart,
 * each with 3:1 against the card in both themes (ink.js). Four: a picture draws at most two
 * gauges, and two runs side by side four lines (tests/e2e/contrast.test.mjs). Okabe–Ito's orange
 * and sky blue had 2.3:1 on the light card, its olive and grey 2.6 and 2.2 on the dark one. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'];

/** Marks drawn across a chart from top to bottom, with a label: the moments a lesson is about. */
export const LINE_MARKS = new Set(['cancel', 'deadline', 'deadlock', 'panic', 'timeout', 'close', 'fatal_send', 'wait_returned', 'hang', 'receive']);
export { MARK_STYLE, markStyle } from './marks.js';

const width = (el) => Math.max(200, Math.floor(widthOf(el)));

/**
 * The ticks of a count's log axis from 0: 0, then 1–9, 10–90, … up to `max` (uPlot's own asinh
 * splits always add -1, drawn under the axis's 0).
 */
export function logSplits(u, axisIdx, min, max) {
  const out = [0];
  for (let p = 1; p <= max; p *= 10) for (let m = 1; m < 10 && m * p <= max; m++) out.push(m * p);
  return out;
}

/** A count axis's tick steps: 1, 2, 5, 10, 20, 50, … (never a fraction). */
const WHOLE = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

export class TimeChart {
  /** `host`: the element to draw into; `height` in px; `yLabel`, `fmt` for the y axis. */
  constructor(host, { height = 220, yLabel = '', fmt = null, log = false, minY = 1 } = {}) {
    this.host = host;
    this.height = height;
    this.yLabel = yLabel;
    this.fmt = fmt;
    this.log = log;
    // The least top of the y axis: a byte axis over an empty or flat series had ticks "1 B, 1 B,
    // 0 B" (fractions of a byte, rounded).
    this.minY = minY;
    // What x is: runtime ms, or a share of each run's own length (two runs of very different
    // lengths side by side: review R10). The axis says which.
    this.xLabel = 'runtime (ms)';
    this.u = null;
    this.signature = '';
    this.marks = [];
    this.limit = null;
    this.limits = [];
    this.xMax = null;
    this.xEnd = null;
    this.refused = null;
    // The least length of the x axis, runtime ms (a live run's: Pictures.drawNow sets it).
    this.minSpan = 0;
    this.defs = [];
  }

  /** `defs`: [{label, color, dash, width, fill, value, top}] for the y series, in data order
   * (`top`: stroked again over the others, strokeOnTop). */
  ensure(defs) {
    const signature = JSON.stringify([defs.map((d) => [d.label, d.color, d.dash, d.fill, d.top, d.dots]), this.log, this.yLabel, this.xLabel]);
    if (this.u && signature === this.signature) return;
    this.u?.destroy();
    this.signature = signature;
    this.defs = defs;
    const muted = ink('muted');
    const grid = { stroke: ink('line'), width: 1 };
    const self = this;
    // Counts and bytes hold their value until the next sample: drawn as steps, a sparse run's
    // 1 → 6 → 1 goroutines is not a triangle of counts that never existed (review F5, session
    // 15). Each row holds from its time on.
    const steps = uPlot.paths.stepped({ align: 1 });
    this.u = new uPlot({
      width: width(this.host), height: this.height,
      legend: { live: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        // To the run's end, not to 1 ms at least: a 0.46 ms run had an axis to 1 ms, its right
        // half empty (review N7, session 16). `xEnd` cuts a quiet tail off (drawGauges says so).
        // While a run is live, at least `minSpan` ms: its first snapshot ends microseconds in, and
        // its axis had read "0 0 0 0 …" over 0–0.000001 ms (independent review, session 18, F5).
        x: { time: false, range: (u, min, max) => [0, self.xEnd ?? (Math.max(max ?? 0, self.xMax ?? 0, self.minSpan) || 1)] },
        // "Log" is asinh (uPlot's distr 4): logarithmic above 1 and linear from 1 down to 0, so a
        // count that ends at 0 is drawn ending at 0. A log axis has no 0: the first screen's lines
        // stopped at 4–5 at 100 % beside figures that said "→ 0" (review F11, session 16). The top
        // is the data's (or a limit's), not the next power of 10 (an empty top decade to 10,000).
        y: this.log
          ? { distr: 4, asinh: 1, range: (u, min, max) => [0, Math.max(2, max ?? 1, ...self.limits.map((l) => l.value)) * 1.25] }
          : { range: (u, min, max) => [self.refused ? Math.min(0, self.refused.to) - 0.35 : 0, Math.max(self.minY, max ?? 1, ...self.limits.map((l) => l.value * 1.15), (self.over?.value ?? 0) * 1.15) * (self.headroom ?? 1.05)] },
      },
      // A def with `dots`: a dot at each sample and no line, for a run of a handful of samples,
      // whose count held to the next sample would claim what was never seen (a pair's leak/right
      // drawn at 6 alive to its end beside lanes that said 6 → 1: review F4, session 18).
      series: [{ label: 'runtime ms' }, ...defs.map((d) => ({
        label: d.label, stroke: d.color, width: d.width ?? 2, dash: d.dash, fill: d.fill, paths: d.dots ? () => null : steps,
        points: d.dots ? { show: true, size: 9, width: 0, fill: d.color, stroke: d.color } : { show: false },
        spanGaps: true, value: (u, v) => (v == null ? '–' : this.fmt ? this.fmt(v) : v),
      }))],
      axes: [
        { stroke: muted, grid, label: this.xLabel, size: 40 },
        // (At 1366×657 the lesson chart is 190 px tall: "goroutines (log scale)" was cut, review
        // F11; the short title fits, and 24 px between labels keeps 0, 1, 10, 100 and 1,000.)
        // Counts (every y axis without a formatter: goroutines, tasks, connections, the counter)
        // step by whole numbers: "2.5 tasks" and "0.75 goroutines" were ticks (session 19).
        { stroke: muted, grid, label: this.log ? `${this.yLabel} (log)` : this.yLabel, size: this.fmt ? 84 : 64, ...(this.log ? { space: 24, splits: logSplits } : this.fmt ? {} : { incrs: WHOLE }), values: this.fmt ? (u, vs) => vs.map((v) => this.fmt(v)) : undefined },
      ],
      plugins: [{ hooks: { draw: [(u) => self.drawOverlay(u)] } }],
    }, [[], ...defs.map(() => [])], this.host);
    // uPlot draws every legend marker solid; a dashed line gets a dashed marker, so the legend
    // alone tells A (dashed) from B (solid) when they share a colour. (Only the y series have a
    // marker: markers[i] is defs[i]'s.)
    const markers = this.u.root.querySelectorAll('.u-legend .u-series .u-marker');
    defs.forEach((d, i) => { if (d.dash && markers[i]) markers[i].style.borderStyle = 'dashed'; });
  }

  /**
   * `xs` and the y columns (aligned), thinned to the width with M4 so no peak is lost. `limit`: a
   * line ({value, label}), or `limits`, several (each run's own, side by side; `dash` tells them
   * apart); `over`: a second line above which the first series is shaded red (what went over a
   * limit).
   */
  setData(xs, cols, { marks = [], limit = null, limits = null, over = null, xMax = null, xEnd = null, refused = null, headroom = null } = {}) {
    // Room above the data (the y axis to `headroom` times its top), where a mark's label and its
    // leader cross no line: add-inside's "wg.Wait() returned" had none between its line and the
    // counter's rise 1.7 ms later (review N4, session 20).
    this.headroom = headroom;
    this.marks = marks;
    // A step the program tried and the runtime refused ({t_ms, from, to, label}): drawn as a
    // dashed step to where it would have gone and a cross, not as a line of values that never
    // were (negative-counter's Done that would take the counter to -1: Go panics instead).
    this.refused = refused;
    this.limits = limits ?? (limit ? [limit] : []);
    this.limit = this.limits[0] ?? null;
    this.over = over;
    this.xMax = xMax;
    this.xEnd = xEnd;
    // One M4 bucket per 3 px: each bucket's first, last, lowest and highest point is kept, so the
    // line still touches every extreme, with a third of the points to draw.
    // Buckets over what the axis shows: where it ends early (`xEnd`, a quiet tail cut off), the
    // rows past its end are not drawn, and bucketed over the whole run a 124 ms axis of a 2 s run
    // had buckets of 6.7 ms (independent review, session 19). One row past the end carries the
    // line to the edge.
    const w = width(this.host);
    const past = xEnd == null ? -1 : xs.findIndex((x) => x > xEnd);
    const [vx, vc] = past < 0 ? [xs, cols] : [xs.slice(0, past + 1), cols.map((c) => c.slice(0, past + 1))];
    const data = m4(vx, vc, Math.max(50, Math.floor(w / 3)));
    this.u.setData(data);
    this.host.classList.remove('chart-empty');
  }

  /** No data (the chart keeps its axes until the next run draws; its legend is hidden, as it
   * named the last lesson's series: independent review, session 17). */
  empty() {
    this.marks = []; this.limit = null; this.limits = []; this.over = null; this.xMax = null; this.xEnd = null; this.refused = null;
    // An empty chart is not redrawn: Run empties all three, inside the click's task.
    if (this.u?.data?.[0]?.length) this.u.setData([[], ...this.defs.map(() => [])]);
    this.host.classList.add('chart-empty');
  }

  /**
   * Strokes the series whose def has `top` once more, over the others: a dashed line (run A of a
   * pair) drawn under a solid one was hidden wherever the two met. On the first screen both runs
   * end at 100 % of their time, and A's drop from 5 to 0 lay under B's: A read as ending at 5
   * (independent review, session 17, F11). Over it, A's dashes show B between them.
   */
  strokeOnTop(u) {
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    const { left, top, width: w, height: h } = u.bbox;
    this.defs.forEach((d, i) => {
      const s = u.series[i + 1];
      const path = s?._paths?.stroke;
      if (!d.top || !s.show || !(path instanceof Path2D)) return;
      const lw = s.width * dpr;
      ctx.save();
      ctx.beginPath(); ctx.rect(left - lw / 2, top - lw / 2, w + lw, h + lw); ctx.clip();
      ctx.strokeStyle = s._stroke ?? d.color; ctx.lineWidth = lw; ctx.lineJoin = 'round';
      ctx.setLineDash(s.dash ?? []);
      ctx.stroke(path);
      ctx.restore();
    });
  }

  resize() {
    if (this.u) this.u.setSize({ width: width(this.host), height: this.height });
  }

  drawOverlay(u) {
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    const { left, top, width: w, height: h } = u.bbox;
    this.strokeOnTop(u);
    ctx.save();
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    // Labels are placed where they overlap no other label (the limit's, the marks'), each on a
    // patch of the card's colour, so a line drawn through it does not cross the text (review F3,
    // session 15: the Cancel label ran through two limit labels). `this.labels` keeps where each
    // went, in canvas px (the tests read it).
    const placed = [];
    this.labels = placed;
    // Labels not drawn because every place for them would have hidden a line, a tick or another
    // label (a phone's narrow plot): the legend names them (review, session 19: at 390 px the
    // queue's capacity and Cancel() were drawn over the lines they label).
    this.unplaced = [];
    // What a label must not cover: the series as drawn (steps, or dots), the ticks of the marks,
    // as boxes [x0, x1, y0, y1] in columns of 16 px, so a label looks only at its own columns
    // (a 1280 px chart holds thousands of steps, and a label may try a few hundred places).
    const COL = 16 * dpr;
    const cols = new Map();
    const segs = { push(sg) { for (let c = Math.floor(sg[0] / COL), c1 = Math.floor(sg[1] / COL); c <= c1; c++) { if (!cols.has(c)) cols.set(c, []); cols.get(c).push(sg); } } };
    u.series.forEach((s, i) => {
      if (i === 0 || !s.show) return;
      const [xs, ys] = [u.data[0], u.data[i]];
      const lw = Math.max(1, (s.width ?? 1) * dpr) / 2 + 1 * dpr;
      const dots = this.defs[i - 1]?.dots;
      let px = null, py = null;
      for (let k = 0; k < xs.length; k++) {
        if (ys[k] == null) continue;
        const x = u.valToPos(xs[k], 'x', true), y = u.valToPos(ys[k], 'y', true);
        if (dots) segs.push([x - 5 * dpr, x + 5 * dpr, y - 5 * dpr, y + 5 * dpr]);
        else if (px != null) {
          segs.push([px, x, py - lw, py + lw]); // held to the next sample
          segs.push([x - lw, x + lw, Math.min(py, y), Math.max(py, y)]); // the step
        }
        px = x; py = y;
      }
    });
    for (const m of this.marks.filter((mk) => !LINE_MARKS.has(mk.kind))) {
      const x = u.valToPos(m.t_ms, 'x', true);
      const band = (['done', 'release', 'wait_returned'].includes(m.kind) ? 1 : 0) * 10 * dpr;
      segs.push([x - 1.5 * dpr, x + 1.5 * dpr, top + band, top + band + 9 * dpr]);
    }
    const covers = (x0, x1, y0, y1) => {
      for (let k = Math.floor(x0 / COL), k1 = Math.floor(x1 / COL); k <= k1; k++) {
        if (cols.get(k)?.some(([a, b, c, d]) => x0 < b && a < x1 && y0 < d && c < y1)) return true;
      }
      return false;
    };
    // The limit lines' y: a mark's label is not drawn across one either.
    const across = [];
    const up = 11 * dpr, down = 3 * dpr; // a label's box around its baseline
    const patch = ink('card'), red = ink('red');
    // `at`: a mark's x. Its label goes right of its line, or left of it (clear of the line) where
    // it would leave the plot, and never elsewhere along the axis: "panic" drawn at 0 ms beside a
    // panic at 107 ms would say another time.
    // `near`: a limit line's y. Its label stays within 36 px of it (two rows), or it is left to the legend:
    // moved further, "the queue's capacity: 10" sat under the queue's line at 7, as if it named
    // that one (390 px, session 20).
    const label = (full, x, y, color, { right = false, at = null, near = null, row = false } = {}) => {
      // Cut to the plot's width (a phone's chart is ~220 px; the legend has the whole text).
      let text = full;
      while (text.length > 8 && ctx.measureText(text).width > w - 8 * dpr) text = `${text.slice(0, -2)}…`;
      const tw = ctx.measureText(text).width;
      let tx = right || x + tw > left + w ? (at == null ? x : at - 4 * dpr) - tw : x;
      tx = Math.max(left + 2 * dpr, tx);
      let ty = y;
      // A label away from its mark's line has a dotted leader to it: first a place where that
      // crosses nothing drawn either (add-inside's ran through the counter's rise: review N4,
      // session 20), else the first place the label itself is clear.
      let strict = true;
      const leadHits = () => {
        if (!strict || at == null || (tx <= at + 4 * dpr && tx + tw >= at - 4 * dpr)) return false;
        const ym = Math.round(ty + (down - up) / 2);
        const [a, b] = tx > at ? [at + 2 * dpr, tx - 2 * dpr] : [tx + tw + 2 * dpr, at - 2 * dpr];
        return covers(a, b, ym - 1 * dpr, ym + 1 * dpr);
      };
      const hits = () => placed.some((b) => tx < b.x + b.w && tx + tw > b.x && ty - up < b.y1 && ty + down > b.y0)
        || across.some((ly) => ty - up < ly && ly < ty + down)
        || covers(tx - 2 * dpr, tx + tw + 2 * dpr, ty - up, ty + down)
        || (near != null && Math.abs(ty + (down - up) / 2 - near) > 36 * dpr)
        || leadHits();
      // Down from where it belongs, half a row at a time, round the plot; then the same at the
      // plot's left edge and along its line (a limit's label) or further along (a mark's); else
      // not drawn (this.unplaced).
      const y0 = ty;
      // A mark's label: right of its line or left of it; else a little further right, past the
      // data beside the line, with a leader to it (add-inside's "wg.Wait() returned", the
      // lesson, had no place between its line and the counter's rise 1.5 ms later).
      const xs = at == null ? [tx, left + 2 * dpr, ...[0.75, 0.5, 0.25].map((k) => left + (w - tw) * k)]
        : [tx, ...(tx >= at ? [at - 4 * dpr - tw] : [at + 4 * dpr]), ...[12, 20, 28, 40, 56].flatMap((d) => [at + d * dpr, at - d * dpr - tw])];
      // `row`: first anywhere along its own row (its line's side) before moving off it:
      // rate-limit/no-limit's over-limit label went under the limit line beneath, where it
      // named neither (review N4, session 20), while the line's left end was free.
      if (row) {
        for (const x of xs.filter((v) => v >= left && v + tw <= left + w + 2 * dpr)) {
          tx = x; ty = y0;
          if (!hits()) { placed.push({ text, x: tx, w: tw, y0: ty - up, y1: ty + down, color, lead: null }); return; }
        }
      }
      for (const pass of [true, false]) {
        strict = pass;
        for (const x of xs.filter((v) => v >= left && v + tw <= left + w + 2 * dpr)) {
          tx = x; ty = y0;
          for (let i = 0; i < 24 && hits(); i++) {
            ty += (up + down) / 2;
            if (ty > top + h - 4 * dpr) ty = top + 14 * dpr;
          }
          if (!hits()) { placed.push({ text, x: tx, w: tw, y0: ty - up, y1: ty + down, color, lead: at != null && (tx > at + 4 * dpr || tx + tw < at - 4 * dpr) ? at : null }); return; }
        }
      }
      this.unplaced.push(full);
    };
    // Drawn last, over every line; the patch is see-through enough that a line under a label
    // still shows (dimmed), as no line may hide another (review F6).
    const drawLabels = () => {
      for (const b of placed) {
        if (b.lead != null) {
          // A dotted leader from the mark's line to its label, across what lies between.
          const y = Math.round((b.y0 + b.y1) / 2);
          ctx.strokeStyle = b.color; ctx.lineWidth = 1 * dpr; ctx.setLineDash([1 * dpr, 2 * dpr]);
          ctx.beginPath(); ctx.moveTo(b.lead, y); ctx.lineTo(b.lead < b.x ? b.x - 2 * dpr : b.x + b.w + 2 * dpr, y); ctx.stroke();
          ctx.setLineDash([]);
        }
        ctx.fillStyle = patch;
        ctx.globalAlpha = 0.7;
        ctx.fillRect(b.x - 2 * dpr, b.y0, b.w + 4 * dpr, b.y1 - b.y0);
        ctx.globalAlpha = 1;
        ctx.fillStyle = legible(b.color, 4.5, patch);
        ctx.fillText(b.text, b.x, b.y0 + up);
      }
    };
    const hline = (value, color, dash) => {
      const y = Math.round(u.valToPos(value, 'y', true));
      ctx.strokeStyle = color; ctx.lineWidth = 1.5 * dpr;
      ctx.setLineDash(dash.map((d) => d * dpr));
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + w, y); ctx.stroke();
      ctx.setLineDash([]);
      return y;
    };
    this.refusedAt = null;
    if (this.refused && !this.log) {
      // The refused step: dashed from the counter's last value down to where it would have gone,
      // a cross there, and what it was.
      const r = this.refused;
      const x = Math.round(u.valToPos(r.t_ms, 'x', true));
      const ya = u.valToPos(r.from, 'y', true), yb = u.valToPos(r.to, 'y', true);
      const c = 4 * dpr;
      ctx.strokeStyle = red; ctx.lineWidth = 2 * dpr;
      ctx.setLineDash([3 * dpr, 3 * dpr]);
      ctx.beginPath(); ctx.moveTo(x, ya); ctx.lineTo(x, yb); ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath(); ctx.moveTo(x - c, yb - c); ctx.lineTo(x + c, yb + c); ctx.moveTo(x + c, yb - c); ctx.lineTo(x - c, yb + c); ctx.stroke();
      this.refusedAt = { x, from: ya, to: yb };
      segs.push([x - c, x + c, Math.min(ya, yb), yb + c]);
      label(r.label, x - 8 * dpr, yb + 4 * dpr, red, { right: true, at: x - 4 * dpr });
    }
    if (this.over && !this.log) {
      // What went over: the first series' area above the line, shaded.
      const y0 = hline(this.over.value, red, [2, 3]);
      // Nor across a limit line drawn below (its label was placed before the limits were).
      across.push(y0, ...this.limits.map((l) => Math.round(u.valToPos(l.value, 'y', true))));
      const [xs, ys] = u.data;
      ctx.save();
      ctx.beginPath(); ctx.rect(left, top, w, Math.max(0, y0 - top)); ctx.clip();
      ctx.fillStyle = `${red}47`; // 28 % of the theme's red, as the legend's swatch (style.css .swatch.over)
      ctx.beginPath();
      let started = false;
      for (let i = 0; i < xs.length; i++) {
        if (ys[i] == null) continue;
        const x = u.valToPos(xs[i], 'x', true), y = u.valToPos(ys[i], 'y', true);
        if (!started) { ctx.moveTo(x, y0); started = true; }
        ctx.lineTo(x, y);
      }
      if (started) { ctx.lineTo(u.valToPos(xs.at(-1), 'x', true), y0); ctx.closePath(); ctx.fill(); }
      ctx.restore();
      // The shaded area is drawn too: its label goes outside it (rate-limit/no-limit's sat in it:
      // review N4, session 20).
      let prev = null;
      for (let i = 0; i < xs.length; i++) {
        if (ys[i] == null) continue;
        const p = [u.valToPos(xs[i], 'x', true), u.valToPos(ys[i], 'y', true)];
        if (prev && Math.min(prev[1], p[1]) < y0) segs.push([prev[0], p[0], Math.min(prev[1], p[1]), y0]);
        prev = p;
      }
      // (Its first clause: "limit + burst: 25 in one second"; the legend says what is shaded.)
      label(this.over.label.replace(/;.*$/, ''), left + w - 6 * dpr, y0 - 4 * dpr, red, { right: true, near: y0, row: true });
    }
    {
      // Two runs' limits at the same value are one line: one label where they say the same
      // ("A and B: the queue's capacity: 10"), else the first above the line and the next below
      // it. Review F3 (session 15): A's and B's labels were drawn over each other and the line.
      const byValue = new Map();
      for (const l of this.limits) byValue.set(l.value, [...(byValue.get(l.value) ?? []), l]);
      for (const [value, ls] of byValue) {
        const color = ls[0].color ?? red;
        const y = hline(value, color, ls[0].dash ?? [6, 4]);
        across.push(y);
        const bare = new Set(ls.map((l) => l.label.replace(/^[AB]: /, '')));
        const texts = ls.length > 1 && bare.size === 1 ? [`${ls.map((l) => /^([AB]): /.exec(l.label)?.[1]).filter(Boolean).join(' and ')}: ${[...bare][0]}`] : ls.map((l) => l.label);
        texts.forEach((text, i) => label(text, left + w - 6 * dpr, i === 0 ? y - 4 * dpr : y + 4 * dpr + up + (i - 1) * (up + down + dpr), color, { right: true, near: y }));
      }
    }
    const ticks = this.marks.filter((m) => !LINE_MARKS.has(m.kind));
    const lines = this.marks.filter((m) => LINE_MARKS.has(m.kind));
    for (const m of ticks) {
      const x = Math.round(u.valToPos(m.t_ms, 'x', true));
      if (x < left - 1 || x > left + w + 1) continue;
      const [color] = markStyle(m.kind);
      ctx.strokeStyle = color; ctx.lineWidth = 2 * dpr;
      const band = (['done', 'release', 'wait_returned'].includes(m.kind) ? 1 : 0) * 10 * dpr;
      ctx.beginPath(); ctx.moveTo(x, top + band); ctx.lineTo(x, top + band + 9 * dpr); ctx.stroke();
    }
    for (const m of lines) {
      const x = Math.round(u.valToPos(m.t_ms, 'x', true));
      if (x < left - 1 || x > left + w + 1) continue;
      const [color] = markStyle(m.kind);
      ctx.strokeStyle = color; ctx.lineWidth = 2 * dpr;
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + h); ctx.stroke();
      const text = markText(m);
      label(text, x + 4 * dpr, top + 34 * dpr, color, { at: x });
    }
    drawLabels();
    ctx.restore();
  }

  /** The chart as a PNG that stands alone: a title, the chart, a legend of series and marks. */
  png(title, subtitle = '') {
    const src = this.u.ctx.canvas;
    const dpr = devicePixelRatio || 1;
    const pad = 12 * dpr, titleH = (subtitle ? 46 : 30) * dpr, legendH = 28 * dpr;
    const kinds = [...new Set(this.marks.map((m) => m.kind))];
    const out = document.createElement('canvas');
    out.width = src.width + 2 * pad;
    out.height = src.height + titleH + legendH * (kinds.length ? 2 : 1) + 2 * pad;
    const c = out.getContext('2d');
    // On the page's own card, as svgpng.js draws the pictures: the chart under it was drawn in the
    // theme's colours (its axis words were light grey on white in the dark theme).
    const text = ink('fg'), red = ink('red');
    c.fillStyle = ink('card'); c.fillRect(0, 0, out.width, out.height);
    c.fillStyle = text; c.font = `600 ${16 * dpr}px system-ui, sans-serif`;
    c.fillText(title, pad, pad + 16 * dpr);
    if (subtitle) { c.font = `${12 * dpr}px system-ui, sans-serif`; c.fillStyle = ink('muted'); c.fillText(subtitle, pad, pad + 36 * dpr); }
    c.drawImage(src, pad, pad + titleH);
    let x = pad, y = pad + titleH + src.height + 18 * dpr;
    c.font = `${12 * dpr}px system-ui, sans-serif`;
    const item = (color, label, dashed) => {
      c.strokeStyle = color; c.lineWidth = 3 * dpr; c.setLineDash(dashed ? [5 * dpr, 3 * dpr] : []);
      c.beginPath(); c.moveTo(x, y - 4 * dpr); c.lineTo(x + 18 * dpr, y - 4 * dpr); c.stroke(); c.setLineDash([]);
      c.fillStyle = text; c.fillText(label, x + 24 * dpr, y);
      x += 24 * dpr + c.measureText(label).width + 18 * dpr;
      if (x > out.width - 120 * dpr) { x = pad; y += legendH; }
    };
    for (const d of this.defs) item(d.color, d.label, Boolean(d.dash));
    for (const l of this.limits) item(l.color ?? red, l.label, true);
    if (this.over) item(red, this.over.label, true);
    if (kinds.length) { x = pad; y += legendH; for (const k of kinds) item(markStyle(k)[0], `mark: ${markStyle(k)[1]}`); }
    return out.toDataURL('image/png');
  }

  destroy() { this.u?.destroy(); this.u = null; this.signature = ''; }
}
