// The wait-for graph of a Report (`wait_graph`: {nodes: [{id, kind, label}], edges: [{from, to,
// label}]}), drawn so the lesson is visible at a glance: goroutines on the left, what they wait on
// (channels, WaitGroups, mutexes…) on the right. "Waits" arrows go right; "could release" arrows
// come back. A cycle of waits is drawn red (a deadlock); waiters that nobody alive can release are
// drawn amber (a leak). Goroutines that wait alike are drawn once, "worker ×5". Only draws.
import { el, svg, widthOf } from '../dom.js';

const GOROUTINE = new Set(['goroutine', 'exited_goroutine']);
const RED = '#c62828', AMBER = '#9a6700', GREY = '#6b6b7b';

/** Groups goroutines whose waits are the same; returns {nodes, edges} with group nodes. */
export function groupGraph(graph) {
  const out = new Map(), inn = new Map();
  for (const e of graph.edges) {
    (out.get(e.from) ?? out.set(e.from, []).get(e.from)).push(`${e.to}|${e.label}`);
    (inn.get(e.to) ?? inn.set(e.to, []).get(e.to)).push(`${e.from}|${e.label}`);
  }
  // `worker #3 [chan send]` → `worker [chan send]`: goroutines that differ only by number group.
  const base = (label) => label.replace(/\s*#\d+/g, '').replace(/\s*\d+$/, '');
  const groups = new Map();
  for (const n of graph.nodes) {
    const key = GOROUTINE.has(n.kind)
      ? [n.kind, base(n.label), (out.get(n.id) ?? []).sort().join(','), (inn.get(n.id) ?? []).sort().join(',')].join('§')
      : `object§${n.id}`;
    (groups.get(key) ?? groups.set(key, []).get(key)).push(n);
  }
  const idOf = new Map();
  const nodes = [];
  for (const members of groups.values()) {
    const first = members[0];
    const id = members.length > 1 ? `group:${first.id}` : first.id;
    for (const m of members) idOf.set(m.id, id);
    nodes.push(members.length > 1
      ? { id, kind: first.kind, label: `${base(first.label)} ×${members.length}`, count: members.length }
      : { ...first, count: 1 });
  }
  const seen = new Set();
  const edges = [];
  for (const e of graph.edges) {
    const from = idOf.get(e.from), to = idOf.get(e.to);
    if (from == null || to == null) continue;
    const k = `${from}>${to}>${e.label}`;
    if (seen.has(k)) continue;
    seen.add(k);
    edges.push({ from, to, label: e.label });
  }
  return { nodes, edges };
}

/** Strongly connected components (Tarjan): the node ids that lie on a cycle of waits. */
export function onCycle({ nodes, edges }) {
  const adj = new Map(nodes.map((n) => [n.id, []]));
  for (const e of edges) adj.get(e.from)?.push(e.to);
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), result = new Set();
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); on.delete(w); comp.push(w); } while (w !== v);
      const selfLoop = edges.some((e) => e.from === v && e.to === v);
      if (comp.length > 1 || selfLoop) for (const c of comp) result.add(c);
    }
  };
  for (const n of nodes) if (!idx.has(n.id)) visit(n.id);
  return result;
}

/** Waiters that no live goroutine can release: the goroutines a leak leaves behind. */
export function orphans({ nodes, edges }) {
  const kind = new Map(nodes.map((n) => [n.id, n.kind]));
  const result = new Set();
  for (const o of nodes.filter((n) => !GOROUTINE.has(n.kind))) {
    const live = edges.some((e) => e.from === o.id && kind.get(e.to) === 'goroutine');
    if (live) continue;
    for (const e of edges) if (e.to === o.id && kind.get(e.from) === 'goroutine') result.add(e.from);
  }
  return result;
}

/**
 * One or two sentences that say what the graph shows. `deadlock`: the run ended in one (Go's
 * detector found every goroutine asleep), so waiters nobody can release are a deadlock, not a
 * leak.
 */
export function describe(graph, { deadlock = false } = {}) {
  const g = groupGraph(graph);
  const cyc = onCycle(g);
  const orph = orphans(g);
  const name = new Map(g.nodes.map((n) => [n.id, n.label.replace(/\s*\(exited\)/, '')]));
  if (cyc.size) {
    const parts = g.edges.filter((e) => cyc.has(e.from) && cyc.has(e.to)).map((e) => `${name.get(e.from)} ${e.label} ${name.get(e.to)}`);
    return `A cycle of waits: ${parts.join('; ')}. Nobody in it can move first, so every goroutine sleeps: a deadlock.`;
  }
  if (orph.size) {
    const parts = [];
    for (const id of orph) {
      const e = g.edges.find((x) => x.from === id);
      const obj = g.nodes.find((n) => n.id === e.to);
      const gone = g.edges.filter((x) => x.from === obj.id).map((x) => `${name.get(x.to)} (${x.label.replace(/\s*\(exited\)/, '')})`);
      parts.push(`${name.get(id)} ${e.label} ${obj.label}, and ${gone.length ? `the only goroutine that could release it, ${gone.join(', ')}, has exited` : 'no goroutine can release it'}`);
    }
    const one = orph.size === 1 && (g.nodes.find((n) => orph.has(n.id))?.count ?? 1) === 1;
    return `${parts.join('; ')}: ${one ? 'it waits' : 'they wait'} forever, ${deadlock ? 'and with no goroutine left awake, Go calls that a deadlock' : 'a leak'}.`;
  }
  const waits = g.edges.filter((e) => GOROUTINE.has(g.nodes.find((n) => n.id === e.from)?.kind));
  return waits.length ? `${waits.length} wait${waits.length === 1 ? '' : 's'}, each with a goroutine that can still release it.` : 'No goroutine is waiting.';
}

/**
 * One cycle through the nodes of `cyc` (the ids on a cycle), in the order its waits go: the ring
 * a deadlock is drawn as. Returns ids, or [] when there is none.
 */
export function cycleOrder(g, cyc) {
  if (!cyc.size) return [];
  const next = new Map();
  for (const e of g.edges) if (cyc.has(e.from) && cyc.has(e.to)) (next.get(e.from) ?? next.set(e.from, []).get(e.from)).push(e.to);
  const start = g.nodes.find((n) => cyc.has(n.id) && GOROUTINE.has(n.kind))?.id ?? [...cyc][0];
  // Depth-first from `start` back to it, the longest such path found (a ring with every node).
  let best = [];
  const path = [start], on = new Set([start]);
  const walk = (v) => {
    for (const w of next.get(v) ?? []) {
      if (w === start && path.length > best.length) best = [...path];
      if (on.has(w) || path.length > 40) continue;
      path.push(w); on.add(w); walk(w); path.pop(); on.delete(w);
    }
  };
  walk(start);
  return best;
}

/** Where the segment from the centre of `a` toward `b` leaves a's box. */
function exitPoint(a, b) {
  const ax = a.x + a.w / 2, ay = a.y + a.h / 2, bx = b.x + b.w / 2, by = b.y + b.h / 2;
  const dx = bx - ax, dy = by - ay;
  const t = Math.min(Math.abs((a.w / 2) / (dx || 1e-9)), Math.abs((a.h / 2) / (dy || 1e-9)));
  return [ax + dx * t, ay + dy * t];
}

/**
 * Draws `graph` into `host` (an SVG sized to the host's width), with a text list for screen
 * readers. `when` says when it was taken ("At the deadlock, 1.7 ms in", "Now, 120 ms in"). A cycle
 * of waits is drawn as a ring, in the order the waits go, so it reads as a circle at a glance;
 * anything else, goroutines on the left and what they wait on on the right.
 */
export function drawWaitGraph(host, graph, { caption = null, when = null, deadlock = false } = {}) {
  const g = groupGraph(graph);
  const cyc = onCycle(g);
  const orph = orphans(g);
  const W = Math.max(300, Math.floor(widthOf(host)));
  const boxW = Math.min(190, W * 0.34), boxH = 34;
  const pos = new Map();
  const ring = cycleOrder(g, cyc);
  let H;
  if (ring.length >= 2) {
    // The ring: its nodes on an ellipse, clockwise from the top left, in the order the waits go;
    // anything off the ring in a row beneath it.
    const rest = g.nodes.filter((n) => !ring.includes(n.id));
    const rx = Math.max(60, (W - boxW) / 2 - 12), ry = ring.length <= 4 ? 62 : 40 + ring.length * 12;
    const cx = W / 2, cy = 30 + ry + boxH / 2;
    ring.forEach((id, i) => {
      const a = -3 * Math.PI / 4 + (i * 2 * Math.PI) / ring.length;
      pos.set(id, { x: cx + rx * Math.cos(a) - boxW / 2, y: cy + ry * Math.sin(a) - boxH / 2, w: boxW, h: boxH });
    });
    const restY = cy + ry + boxH / 2 + 40;
    const perRow = Math.max(1, Math.floor(W / (boxW + 16)));
    rest.forEach((n, i) => pos.set(n.id, { x: 8 + (i % perRow) * (boxW + 16), y: restY + Math.floor(i / perRow) * 64, w: boxW, h: boxH }));
    H = (rest.length ? restY + Math.ceil(rest.length / perRow) * 64 : cy + ry + boxH / 2 + 34);
  } else {
    const left = g.nodes.filter((n) => GOROUTINE.has(n.kind));
    const right = g.nodes.filter((n) => !GOROUTINE.has(n.kind));
    left.sort((a, b) => (cyc.has(b.id) - cyc.has(a.id)) || (orph.has(b.id) - orph.has(a.id)) || (a.kind === 'exited_goroutine') - (b.kind === 'exited_goroutine'));
    const rowH = 64, top = 28;
    const rows = Math.max(left.length, right.length, 1);
    H = top + rows * rowH + 10;
    const lx = 8, rx = W - boxW - 8;
    const place = (list, x) => list.forEach((n, i) => {
      const offset = (rows - list.length) * rowH / 2;
      pos.set(n.id, { x, y: top + offset + i * rowH + 6, w: boxW, h: boxH });
    });
    place(left, lx); place(right, rx);
  }
  const colorOf = (e) => (cyc.has(e.from) && cyc.has(e.to) ? RED : orph.has(e.from) ? AMBER : GREY);
  const defs = svg('defs', {}, [RED, AMBER, GREY].map((c) => svg('marker', {
    id: `arrow-${c.slice(1)}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: c }))));
  const ringCentre = ring.length >= 2 ? (() => { const ps = ring.map((id) => pos.get(id)); return [ps.reduce((s, p) => s + p.x + p.w / 2, 0) / ps.length, ps.reduce((s, p) => s + p.y + p.h / 2, 0) / ps.length]; })() : null;
  const edges = g.edges.map((e, i) => {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) return null;
    const color = colorOf(e);
    const dashed = g.nodes.find((n) => n.id === e.to)?.kind === 'exited_goroutine';
    let d, lx0, ly0, anchor = 'middle';
    if (ringCentre) {
      // Straight between the boxes; a pair of opposite edges bows apart. The label sits outside
      // the ring, beside the middle of its edge.
      const [x1, y1] = exitPoint(a, b), [x2, y2] = exitPoint(b, a);
      const back = g.edges.some((f) => f.from === e.to && f.to === e.from);
      const mx = (x1 + x2) / 2, my = (y1 + y2) / 2;
      const nx = -(y2 - y1), ny = x2 - x1, len = Math.hypot(nx, ny) || 1;
      const bow = back ? 18 : 0;
      const qx = mx + (nx / len) * bow, qy = my + (ny / len) * bow;
      d = `M${x1},${y1} Q${qx},${qy} ${x2},${y2}`;
      const ox = mx - ringCentre[0], oy = my - ringCentre[1];
      const horizontal = Math.abs(x2 - x1) >= Math.abs(y2 - y1);
      if (horizontal) { lx0 = mx; ly0 = my + (oy < 0 ? -8 : 16); } else { lx0 = mx + (ox < 0 ? -8 : 8); ly0 = my + 4; anchor = ox < 0 ? 'end' : 'start'; }
      if (back) { lx0 += (nx / len) * bow; ly0 += (ny / len) * bow; }
    } else {
      const forward = a.x < b.x;
      const x1 = forward ? a.x + a.w : a.x, y1 = a.y + (forward ? 12 : 24);
      const x2 = forward ? b.x : b.x + b.w, y2 = b.y + (forward ? 12 : 24);
      const bow = forward ? 0 : 22 + (i % 3) * 10;
      const mx = (x1 + x2) / 2;
      const c1 = [mx, y1 + bow], c2 = [mx, y2 + bow];
      d = `M${x1},${y1} C${c1[0]},${c1[1]} ${c2[0]},${c2[1]} ${x2},${y2}`;
      // The label sits on the curve: a wait's near its middle, a release's near the object it
      // leaves, so the two labels of a pair of rows do not land on each other.
      const t = forward ? 0.5 : 0.22;
      const at = (p, q, r, s2) => (1 - t) ** 3 * p + 3 * (1 - t) ** 2 * t * q + 3 * (1 - t) * t ** 2 * r + t ** 3 * s2;
      lx0 = at(x1, c1[0], c2[0], x2); ly0 = at(y1, c1[1], c2[1], y2) + (forward ? -6 : 13);
      anchor = forward ? 'middle' : 'end';
    }
    return svg('g', {},
      svg('path', { d, fill: 'none', stroke: color, 'stroke-width': color === GREY ? 1.5 : 2.5, 'stroke-dasharray': dashed ? '5 4' : null, 'marker-end': `url(#arrow-${color.slice(1)})` }),
      svg('text', { x: lx0, y: ly0, 'text-anchor': anchor, class: 'wg-edge', fill: color }, e.label));
  });
  const nodes = g.nodes.map((n) => {
    const p = pos.get(n.id);
    const exited = n.kind === 'exited_goroutine';
    const stroke = cyc.has(n.id) ? RED : orph.has(n.id) ? AMBER : exited ? GREY : 'currentColor';
    const shape = GOROUTINE.has(n.kind)
      ? svg('rect', { x: p.x, y: p.y, width: p.w, height: p.h, rx: 17, class: 'wg-node', stroke, 'stroke-width': 2, 'stroke-dasharray': exited ? '5 4' : null })
      : svg('rect', { x: p.x, y: p.y, width: p.w, height: p.h, rx: 3, class: 'wg-object', stroke, 'stroke-width': 2 });
    const text = exited && !/exited/.test(n.label) ? `${n.label} (exited)` : n.label;
    return svg('g', {}, shape,
      svg('text', { x: p.x + p.w / 2, y: p.y + 15, 'text-anchor': 'middle', class: 'wg-label' }, text.length > 30 ? `${text.slice(0, 29)}…` : text),
      svg('text', { x: p.x + p.w / 2, y: p.y + 29, 'text-anchor': 'middle', class: 'wg-kind' }, n.kind.replace('_', ' ')));
  });
  const heads = ringCentre ? [svg('text', { x: 8, y: 16, class: 'wg-head' }, 'a cycle of waits: follow the arrows around')] : [
    svg('text', { x: 8, y: 16, class: 'wg-head' }, 'goroutines'),
    svg('text', { x: W - boxW - 8, y: 16, class: 'wg-head' }, 'what they wait on'),
  ];
  const said = caption ?? describe(graph, { deadlock });
  const sentence = when ? `${when}: ${said[0].toLowerCase()}${said.slice(1)}` : said;
  const pic = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': sentence, class: 'waitgraph' }, defs, heads, edges, nodes);
  const list = el('details', { class: 'wg-list' }, el('summary', {}, 'The graph as a list'),
    el('ul', {}, graph.edges.map((e) => {
      const n = (id) => graph.nodes.find((x) => x.id === id)?.label ?? id;
      return el('li', {}, `${n(e.from)} → ${e.label} → ${n(e.to)}`);
    })));
  host.replaceChildren(el('p', { class: 'wg-caption' }, sentence), pic, list);
}
