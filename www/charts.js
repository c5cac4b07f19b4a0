// Charts: each uPlot chart is created once and fed with setData on requestAnimationFrame.
import uPlot from './vendor/uPlot.esm.js';

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const COLORS = { goroutines: '#2156c7', running: '#1a7f37', blocked: '#c62828', queued: '#9a6700', heap: '#7b3fbf', other: '#888' };

function width(el) {
  return Math.max(280, Math.floor(el.getBoundingClientRect().width || 600));
}

function axes(yLabel, fmt) {
  const stroke = css('--muted') || '#666';
  const grid = { stroke: css('--line') || '#ddd', width: 1 };
  return [
    { stroke, grid, label: 'runtime ms' },
    { stroke, grid, label: yLabel, size: 60, values: fmt ? (u, v) => v.map(fmt) : undefined },
  ];
}

export const fmtBytes = (b) => (b == null ? '' : b >= 1048576 ? `${(b / 1048576).toFixed(1)} MB` : b >= 1024 ? `${(b / 1024).toFixed(0)} KB` : `${Math.round(b)} B`);

/** The charts of one page; `update(data)` is cheap, drawing happens on the next frame. */
export class Charts {
  constructor({ goroutinesEl, heapEl, timelineEl }) {
    this.logScale = false;
    this.pending = null;
    this.goroutinesEl = goroutinesEl;
    this.heapEl = heapEl;
    this.timelineEl = timelineEl;
    this.received = 0; // how many updates reached the charts (tests read it)
    this.makeGoroutineChart();
    this.heap = new uPlot({
      width: width(heapEl), height: 180, scales: { x: { time: false } },
      series: [{}, { label: 'heap bytes', stroke: COLORS.heap, fill: 'rgba(123,63,191,.12)', value: (u, v) => fmtBytes(v) }],
      axes: axes('heap', fmtBytes),
    }, [[], []], heapEl);
    let resizeFrame = 0;
    window.addEventListener('resize', () => {
      cancelAnimationFrame(resizeFrame);
      resizeFrame = requestAnimationFrame(() => {
        this.goroutines.setSize({ width: width(this.goroutinesEl), height: 260 });
        this.heap.setSize({ width: width(this.heapEl), height: 180 });
        this.drawTimeline(this.lastReport);
      });
    });
  }

  makeGoroutineChart() {
    this.goroutines?.destroy();
    this.goroutines = new uPlot({
      width: width(this.goroutinesEl), height: 260,
      scales: { x: { time: false }, y: this.logScale ? { distr: 3 } : {} },
      series: [{},
        { label: 'goroutines', stroke: COLORS.goroutines, width: 2 },
        { label: 'running', stroke: COLORS.running },
        { label: 'blocked', stroke: COLORS.blocked },
        { label: 'queued', stroke: COLORS.queued },
        { label: 'compared run: goroutines', stroke: COLORS.other, dash: [6, 4], width: 2 },
      ],
      axes: axes('goroutines'),
    }, [[], [], [], [], [], []], this.goroutinesEl);
  }

  setLogScale(on) {
    this.logScale = on;
    this.makeGoroutineChart();
    if (this.lastData) this.goroutines.setData(this.lastData.g);
  }

  /** `series` of this run, and optionally of a run to compare with (shared axes). */
  update(series, compare) {
    this.pending = { series, compare };
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const { series: s, compare: c } = this.pending;
      const log = (v) => (this.logScale ? v.map((x) => (x > 0 ? x : null)) : v);
      let g;
      if (c) {
        const joined = uPlot.join([
          [s.t_ms, s.goroutines, s.running, s.blocked, s.queued],
          [c.t_ms, c.goroutines],
        ]);
        g = joined.map((col, i) => (i === 0 ? col : log(col)));
      } else {
        g = [s.t_ms, log(s.goroutines), log(s.running), log(s.blocked), log(s.queued), s.t_ms.map(() => null)];
      }
      this.lastData = { g };
      this.goroutines.setData(g);
      this.heap.setData([s.t_ms, s.heap_bytes]);
      this.received++;
    });
  }

  /** The per-worker timeline: one row per worker, a bar per task, colour by outcome. */
  drawTimeline(report) {
    this.lastReport = report;
    const el = this.timelineEl;
    const rows = report?.timeline ?? [];
    const shown = rows.slice(0, 60);
    const dpr = window.devicePixelRatio || 1;
    const w = width(el), rowH = shown.length > 20 ? 6 : 16, h = Math.max(40, shown.length * (rowH + 2) + 24);
    let canvas = el.querySelector('canvas');
    if (!canvas) { canvas = document.createElement('canvas'); canvas.setAttribute('role', 'img'); el.append(canvas); }
    canvas.width = w * dpr; canvas.height = h * dpr; canvas.style.width = `${w}px`; canvas.style.height = `${h}px`;
    const ctx = canvas.getContext('2d');
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, w, h);
    const end = Math.max(1, report?.runtime_ms ?? 1);
    const left = 70, span = w - left - 10;
    const colors = { success: css('--ok') || '#1a7f37', failed: css('--bad') || '#c62828', panicked: '#ff6f00', timed_out: '#9a6700', cancelled: '#888' };
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = css('--muted') || '#666';
    shown.forEach((row, i) => {
      const y = 4 + i * (rowH + 2);
      if (rowH >= 12) ctx.fillText(row.worker === 0 ? 'never ran' : `worker ${row.worker}`, 4, y + rowH - 4);
      for (const t of row.tasks) {
        ctx.fillStyle = colors[t.outcome] ?? '#888';
        const x = left + (t.start_ms / end) * span;
        ctx.fillRect(x, y, Math.max(1, ((t.end_ms - t.start_ms) / end) * span - 0.5), rowH);
      }
      ctx.fillStyle = css('--muted') || '#666';
    });
    ctx.fillText(`0 ms`, left, h - 6);
    ctx.fillText(`${end.toFixed(0)} ms`, w - 60, h - 6);
    canvas.setAttribute('aria-label', `Timeline of ${rows.length} workers${rows.length > shown.length ? ` (first ${shown.length} shown)` : ''}; the table below lists the same tasks.`);
  }

  png() {
    return this.goroutines.ctx.canvas.toDataURL('image/png');
  }
}
