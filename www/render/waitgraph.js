// The wait-for graph of a Report (`wait_graph`: {nodes: [{id, kind, label}], edges: [{from, to,
// label}]}), drawn so the lesson is visible at a glance: goroutines on the left, what they wait on
// (channels, WaitGroups, mutexes…) on the right. "Waits" arrows go right; "could release" arrows
// come back. A cycle of waits is drawn red (a deadlock); waiters that nobody alive can release are
// drawn amber (a leak). Goroutines that wait alike are drawn once, "worker ×5". Only draws.
import { el, svg, widthOf } from '../dom.js';
import { ink, legible } from './ink.js';

const GOROUTINE = new Set(['goroutine', 'exited_goroutine']);
/** A leak's amber and an exited goroutine's grey, each with 3:1 against the card in both themes;
 * a cycle is the theme's red (ink.js), and an edge's words take its colour's legible shade
 * (tests/e2e/contrast.test.mjs). */
export const WAITGRAPH_COLORS = { amber: '#9a6700', grey: '#6b6b7b' };

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

/** A goroutine as a sentence names it: "main", "worker 2", "the 2 workers" (its state, "[chan
 * send]", is said by the verb). */
function who(n, g) {
  const plain = (m) => m.label.replace(/\s*\[[^\]]*\]/g, '').replace(/\s*\(exited\)/, '').replace(/\s*×\d+$/, '').trim();
  const bare = plain(n);
  if (n.count > 1) return `the ${n.count} ${bare.replace(/\s*#\d+/, '')}s`;
  // The number only where another goroutine has the same name ("main", but "worker 2").
  const base = bare.replace(/\s*#\d+/, '');
  const alone = !g.nodes.some((m) => m !== n && GOROUTINE.has(m.kind) && plain(m).replace(/\s*#\d+/, '') === base);
  return alone ? base : bare.replace(/\s*#(\d+)/, ' $1');
}

/** A channel, lock or WaitGroup as a sentence names it: "jobs (unbuffered)" → "jobs, an
 * unbuffered channel"; "jobs (3/3 buffered)" → "jobs, its buffer full (3 of 3)". */
function what(n) {
  const m = /^(.*?)\s*\((.*)\)$/.exec(n.label);
  if (!m) return n.label;
  const [, base, q] = m;
  if (q === 'unbuffered') return `${base}, an unbuffered channel`;
  const buf = /^(\d+)\/(\d+) buffered$/.exec(q);
  if (buf) return buf[1] === buf[2] ? `${base}, its buffer full (${buf[1]} of ${buf[2]})` : `${base} (${buf[1]} of ${buf[2]} buffered)`;
  return n.label;
}

/** A wait edge's words with its object: "waits to send on jobs". */
const waitWords = (label, obj) => (label === 'waits to send' ? `${label} on ${obj}` : label === 'waits to receive' ? `${label} from ${obj}` : `${label} (${obj})`);

/** What a releaser could do, from the edge's label ("could receive" → "could
 * receive from results", "holds the lock" → "holds mu"); null for a label this does not know. */
function releaseWords(label, obj) {
  if (label === 'holds the lock') return `holds ${obj}`;
  const verb = /^(?:its maker \()?could ([^)]*)\)?$/.exec(label)?.[1];
  const words = { receive: `receive from ${obj}`, send: `send on ${obj}`, close: `close ${obj}`, 'send or close': `send on or close ${obj}`, 'call Done': `call Done on ${obj}` }[verb];
  return words ? `could ${words}` : null;
}

/**
 * A cycle of waits told around its ring, in plain words: "main waits to send on jobs, an
 * unbuffered channel; only the 2 workers could receive from jobs, and they wait to send on
 * results, …; only main could receive from results, and main is itself waiting to send on jobs."
 * Built from the graph's structure (the node kinds and the edges), not by gluing the edges'
 * labels together: review F7 (session 18) read "results (unbuffered) its maker (could receive)
 * main #1 [chan send]". Null where the ring is not goroutine → object → goroutine … (the
 * caller then lists the edges).
 */
function cycleSentence(g, cyc) {
  const ring = cycleOrder(g, cyc);
  const node = new Map(g.nodes.map((n) => [n.id, n]));
  if (ring.length < 2 || ring.length % 2 || !GOROUTINE.has(node.get(ring[0])?.kind)) return null;
  const edge = (a, b) => g.edges.find((e) => e.from === a && e.to === b);
  const first = node.get(ring[0]);
  const parts = [];
  for (let i = 0; i < ring.length; i += 2) {
    const gr = node.get(ring[i]), ob = node.get(ring[i + 1]), next = node.get(ring[(i + 2) % ring.length]);
    const wait = edge(gr.id, ob.id);
    if (!GOROUTINE.has(gr.kind) || GOROUTINE.has(ob.kind) || !wait) return null;
    const objName = ob.label.replace(/\s*\(.*\)$/, '');
    // Everyone who could release it: in a deadlock each of them is on the ring, waiting too.
    const rel = g.edges.filter((e) => e.from === ob.id && GOROUTINE.has(node.get(e.to)?.kind));
    const can = rel.map((e) => releaseWords(e.label, objName));
    if (!rel.length || can.some((c) => c == null) || new Set(can).size !== 1) return null;
    const names = rel.map((e) => who(node.get(e.to), g));
    const words = waitWords(wait.label, what(ob));
    // After the first clause the goroutines were just named ("only the 2 workers could…, and
    // they wait…"); a group's verb is plural.
    const lead = i === 0 ? `${who(gr, g)} ${words}` : gr.count > 1 ? `they ${words.replace(/^waits/, 'wait')}` : `${who(gr, g)} ${words}`;
    parts.push(i === 0 ? lead : `, and ${lead}`);
    const firstWait = edge(first.id, ring[1]);
    const back = next.id === first.id
      ? `, and ${who(first, g)} ${first.count > 1 ? 'are themselves' : 'is itself'} ${waitWords(firstWait.label, node.get(ring[1]).label.replace(/\s*\(.*\)$/, '')).replace(/^waits/, 'waiting')}`
      : '';
    parts.push(`; only ${names.join(' and ')} ${can[0]}${back}`);
  }
  return `${parts.join('')}. None of them can move first, so every goroutine sleeps: a deadlock.`;
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
    const ring = cycleSentence(g, cyc);
    if (ring) return ring;
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

// Text is measured, not guessed: boxes had a fixed width (190 px, or a third of the drawing) and
// "worker [chan receive] ×5" ran out of its oval in a pair; at 390 px labels overlapped borders
// and each other (independent review N4, session 16). Sizes match style.css's .wg-* rules.
const FONT = { label: [12, 600], kind: [10, 400], edge: [11, 400], head: [11, 400] };
const LINE = 14, EDGE_H = 14, HEAD_BOTTOM = 22;
let canvas2d = null;
function measurer(host) {
  const family = getComputedStyle(host).fontFamily || 'sans-serif';
  canvas2d ??= document.createElement('canvas').getContext('2d');
  return (text, [size, weight]) => { canvas2d.font = `${weight} ${size}px ${family}`; return canvas2d.measureText(text).width; };
}

/** `text` in lines no wider than `max` px (words kept whole; a word too long, or a third line, ends in "…"). */
function wrap(text, max, width, maxLines = 2) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (!line || width(next) <= max) line = next;
    else { lines.push(line); line = word; }
  }
  if (line) lines.push(line);
  const out = lines.slice(0, maxLines);
  if (lines.length > maxLines) out[maxLines - 1] += ` ${lines.slice(maxLines).join(' ')}`;
  return out.map((l) => {
    if (width(l) <= max) return l;
    let cut = l;
    while (cut.length > 1 && width(`${cut}…`) > max) cut = cut.slice(0, -1);
    return `${cut.trimEnd()}…`;
  });
}

/** Point and unit normal of the cubic Bézier `c` ([x0,y0,x1,y1,x2,y2,x3,y3]) at t. */
function onCurve(c, t) {
  const u = 1 - t;
  const p = (i) => u ** 3 * c[i] + 3 * u * u * t * c[i + 2] + 3 * u * t * t * c[i + 4] + t ** 3 * c[i + 6];
  const d = (i) => 3 * u * u * (c[i + 2] - c[i]) + 6 * u * t * (c[i + 4] - c[i + 2]) + 3 * t * t * (c[i + 6] - c[i + 4]);
  const dx = d(0), dy = d(1), len = Math.hypot(dx, dy) || 1;
  return [p(0), p(1), -dy / len, dx / len];
}

const overlaps = (a, b, pad = 0) => a.x < b.x + b.w + pad && b.x < a.x + a.w + pad && a.y < b.y + b.h + pad && b.y < a.y + a.h + pad;

/**
 * Where an edge's label goes: the first spot near the middle of its curve whose box stays inside
 * the drawing's width, below the headings, off every node and off every label placed before it.
 * Tried nearest first (along the curve, then farther out on either side). `outward`: the side
 * (unit vector) to prefer, out of a ring. A label that fits nowhere takes the spot it overlaps
 * least, which the e2e test (tests/e2e/waitgraph.test.mjs) reports.
 */
function placeLabel(curve, w, { W, obstacles, placed, outward = null, lines = [] }) {
  let best = null;
  for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78]) {
    const [px, py, nx, ny] = onCurve(curve, t);
    for (const off of [10, 18, 26, 34, 42, 52, 62, 74, 86]) {
      for (const sign of [1, -1]) {
        const cx = px + nx * off * sign, cy = py + ny * off * sign;
        const box = { x: cx - w / 2, y: cy - EDGE_H / 2, w, h: EDGE_H };
        // Kept inside the width by sliding, not by giving up the spot.
        box.x = Math.min(Math.max(box.x, 2), W - 2 - w);
        let cost = off + Math.abs(t - 0.5) * 30;
        if (outward) cost -= (nx * sign * outward[0] + ny * sign * outward[1]) * 6;
        let bad = box.y < HEAD_BOTTOM + 2 ? 1e6 : 0;
        for (const o of obstacles) if (overlaps(box, o, 3)) bad += 1e3 + Math.min(box.x + box.w, o.x + o.w) - Math.max(box.x, o.x);
        for (const o of placed) if (overlaps(box, o, 2)) bad += 1e3 + Math.min(box.x + box.w, o.x + o.w) - Math.max(box.x, o.x);
        // Off the arrows where it can be (a cost, not a rule: the halo keeps a crossed line legible).
        for (const [lx, ly] of lines) if (lx > box.x && lx < box.x + box.w && ly > box.y && ly < box.y + box.h) cost += 4;
        const score = bad + cost;
        if (!best || score < best.score) best = { score, box };
      }
    }
    if (best.score < 1e3) break;
  }
  return best.box;
}

/**
 * Draws `graph` into `host` (an SVG sized to the host's width), with a text list for screen
 * readers. `when` says when it was taken ("At the deadlock, 1.7 ms in", "Now, 120 ms in"). A cycle
 * of waits is drawn as a ring, in the order the waits go, so it reads as a circle at a glance;
 * anything else, goroutines on the left and what they wait on on the right. Nodes are as wide as
 * their text (wrapped onto a second line where the drawing is narrow); edge labels sit where no
 * node, heading or other label is.
 */
export function drawWaitGraph(host, graph, { caption = null, when = null, deadlock = false } = {}) {
  const g = groupGraph(graph);
  const cyc = onCycle(g);
  const orph = orphans(g);
  const W = Math.max(260, Math.floor(widthOf(host)));
  const width = measurer(host);
  const ring = cycleOrder(g, cyc);
  const isRing = ring.length >= 2;
  // Two nodes side by side with room between them for an arrow.
  const maxW = Math.max(80, Math.floor((W - 16 - 36) / 2));
  const size = new Map(g.nodes.map((n) => {
    const exited = n.kind === 'exited_goroutine';
    const text = exited && !/exited/.test(n.label) ? `${n.label} (exited)` : n.label;
    const padX = GOROUTINE.has(n.kind) ? 16 : 10;
    const kind = n.kind.replace('_', ' ');
    const lines = wrap(text, maxW - 2 * padX, (s) => width(s, FONT.label));
    const inner = Math.max(...lines.map((l) => width(l, FONT.label)), width(kind, FONT.kind));
    return [n.id, { lines, kind, w: Math.min(maxW, Math.ceil(inner + 2 * padX)), h: 20 + LINE * lines.length }];
  }));
  const pos = new Map();
  const top = HEAD_BOTTOM + EDGE_H + 12; // room for a label above the top row
  if (isRing) {
    // The ring: its nodes on an ellipse, clockwise from the top left, in the order the waits go,
    // as far apart as the width allows (the nodes at 390 px had touched); anything off the ring
    // in rows beneath it.
    const bw = Math.max(...ring.map((id) => size.get(id).w)), bh = Math.max(...ring.map((id) => size.get(id).h));
    const angles = ring.map((_, i) => -3 * Math.PI / 4 + (i * 2 * Math.PI) / ring.length);
    const cosMax = Math.max(...angles.map((a) => Math.abs(Math.cos(a)))) || 1;
    const up = Math.max(...angles.map((a) => -Math.sin(a))), down = Math.max(...angles.map((a) => Math.sin(a)));
    const rx = Math.max(0, (W - 16 - bw) / 2 / cosMax);
    const ry = ring.length <= 4 ? Math.max(62, (bh + 2 * EDGE_H + 24) / (up + down || 1)) : 40 + ring.length * 12 + bh / 2;
    const cx = W / 2, cy = top + ry * up + bh / 2;
    ring.forEach((id, i) => {
      pos.set(id, { x: cx + rx * Math.cos(angles[i]) - bw / 2, y: cy + ry * Math.sin(angles[i]) - bh / 2, w: bw, h: bh });
    });
    let x = 8, y = cy + ry * down + bh / 2 + EDGE_H * 2 + 24, rowH = 0;
    for (const n of g.nodes.filter((m) => !ring.includes(m.id))) {
      const s = size.get(n.id);
      if (x > 8 && x + s.w > W - 8) { x = 8; y += rowH + 40; rowH = 0; }
      pos.set(n.id, { x, y, w: s.w, h: s.h });
      x += s.w + 24; rowH = Math.max(rowH, s.h);
    }
  } else {
    const left = g.nodes.filter((n) => GOROUTINE.has(n.kind));
    const right = g.nodes.filter((n) => !GOROUTINE.has(n.kind));
    left.sort((a, b) => (cyc.has(b.id) - cyc.has(a.id)) || (orph.has(b.id) - orph.has(a.id)) || (a.kind === 'exited_goroutine') - (b.kind === 'exited_goroutine'));
    // Each column as wide as its widest node, so the arrows start and end on one line.
    const colW = (list) => Math.max(0, ...list.map((n) => size.get(n.id).w));
    const lw = colW(left), rw = colW(right);
    const rowH = Math.max(34, ...g.nodes.map((n) => size.get(n.id).h)) + 2 * EDGE_H + 6;
    const rows = Math.max(left.length, right.length, 1);
    const place = (list, x, w) => list.forEach((n, i) => {
      const offset = (rows - list.length) * rowH / 2;
      pos.set(n.id, { x, y: top + offset + i * rowH, w, h: size.get(n.id).h });
    });
    place(left, 8, lw); place(right, W - 8 - rw, rw);
  }
  const RED = ink('red'), { amber: AMBER, grey: GREY } = WAITGRAPH_COLORS;
  const colorOf = (e) => (cyc.has(e.from) && cyc.has(e.to) ? RED : orph.has(e.from) ? AMBER : GREY);
  const defs = svg('defs', {}, [RED, AMBER, GREY].map((c) => svg('marker', {
    id: `arrow-${c.slice(1)}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: c }))));
  const ringCentre = isRing ? (() => { const ps = ring.map((id) => pos.get(id)); return [ps.reduce((s, p) => s + p.x + p.w / 2, 0) / ps.length, ps.reduce((s, p) => s + p.y + p.h / 2, 0) / ps.length]; })() : null;
  const obstacles = [...pos.values()];
  const placed = [];
  // The headings are labels too: none may sit on them.
  const headBox = (text, x) => ({ text, x, y: HEAD_BOTTOM - 14, w: width(text.toUpperCase(), FONT.head) + text.length * 0.55, h: 14 });
  const heads = isRing ? [headBox('a cycle of waits: follow the arrows around', 8)] : (() => {
    const l = headBox('goroutines', 8), r = headBox('what they wait on', 0);
    const rightX = g.nodes.some((n) => !GOROUTINE.has(n.kind)) ? Math.min(...g.nodes.filter((n) => !GOROUTINE.has(n.kind)).map((n) => pos.get(n.id).x)) : W / 2;
    r.x = Math.max(l.x + l.w + 12, Math.min(rightX, W - 4 - r.w));
    return [l, r];
  })();
  const routed = g.edges.map((e, i) => {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) return null;
    let curve, outward = null;
    if (ringCentre) {
      // Straight between the boxes; a pair of opposite edges bows apart.
      const [x1, y1] = exitPoint(a, b), [x2, y2] = exitPoint(b, a);
      const back = g.edges.some((f) => f.from === e.to && f.to === e.from);
      const mx = (x1 + x2) / 2, my = (y1 + y2) / 2;
      const nx = -(y2 - y1), ny = x2 - x1, len = Math.hypot(nx, ny) || 1;
      const bow = back ? 18 : 0;
      const qx = mx + (nx / len) * bow, qy = my + (ny / len) * bow;
      curve = [x1, y1, x1 + (2 / 3) * (qx - x1), y1 + (2 / 3) * (qy - y1), x2 + (2 / 3) * (qx - x2), y2 + (2 / 3) * (qy - y2), x2, y2];
      const ox = mx - ringCentre[0], oy = my - ringCentre[1], ol = Math.hypot(ox, oy) || 1;
      outward = [ox / ol, oy / ol];
    } else {
      const forward = a.x < b.x;
      const x1 = forward ? a.x + a.w : a.x, y1 = a.y + a.h * (forward ? 0.35 : 0.7);
      const x2 = forward ? b.x : b.x + b.w, y2 = b.y + b.h * (forward ? 0.35 : 0.7);
      const bow = forward ? 0 : 22 + (i % 3) * 10;
      const mx = (x1 + x2) / 2;
      curve = [x1, y1, mx, y1 + bow, mx, y2 + bow, x2, y2];
    }
    return { e, curve, outward };
  }).filter(Boolean);
  // Every arrowhead is kept clear too: "last sender (exited)" had sat on the head of its arrow.
  const arrowheads = routed.map(({ curve }) => ({ x: curve[6] - 7, y: curve[7] - 7, w: 14, h: 14 }));
  const lines = routed.flatMap(({ curve }) => Array.from({ length: 25 }, (_, k) => onCurve(curve, k / 24).slice(0, 2)));
  const edges = routed.map(({ e, curve, outward }) => {
    const color = colorOf(e);
    const dashed = g.nodes.find((n) => n.id === e.to)?.kind === 'exited_goroutine';
    const [x0, y0, c1x, c1y, c2x, c2y, x3, y3] = curve.map((v) => Math.round(v * 10) / 10);
    const box = placeLabel(curve, Math.ceil(width(e.label, FONT.edge)) + 4, { W, obstacles: [...obstacles, ...heads, ...arrowheads], placed, outward, lines });
    placed.push(box);
    return svg('g', {},
      svg('path', { d: `M${x0},${y0} C${c1x},${c1y} ${c2x},${c2y} ${x3},${y3}`, fill: 'none', stroke: color, 'stroke-width': color === GREY ? 1.5 : 2.5, 'stroke-dasharray': dashed ? '5 4' : null, 'marker-end': `url(#arrow-${color.slice(1)})` }),
      svg('text', { x: box.x + box.w / 2, y: box.y + 11, 'text-anchor': 'middle', class: 'wg-edge', fill: legible(color) }, e.label));
  });
  const nodes = g.nodes.map((n) => {
    const p = pos.get(n.id), s = size.get(n.id);
    const exited = n.kind === 'exited_goroutine';
    const stroke = cyc.has(n.id) ? RED : orph.has(n.id) ? AMBER : exited ? GREY : 'currentColor';
    const shape = GOROUTINE.has(n.kind)
      ? svg('rect', { x: p.x, y: p.y, width: p.w, height: p.h, rx: 17, class: 'wg-node', stroke, 'stroke-width': 2, 'stroke-dasharray': exited ? '5 4' : null })
      : svg('rect', { x: p.x, y: p.y, width: p.w, height: p.h, rx: 3, class: 'wg-object', stroke, 'stroke-width': 2 });
    // Lines centred in the box: the box may be taller than the text (a ring's boxes share one size).
    const y0 = p.y + (p.h - s.h) / 2;
    return svg('g', { 'data-node': n.id }, shape,
      s.lines.map((l, k) => svg('text', { x: p.x + p.w / 2, y: y0 + 15 + LINE * k, 'text-anchor': 'middle', class: 'wg-label' }, l)),
      svg('text', { x: p.x + p.w / 2, y: y0 + 15 + LINE * s.lines.length, 'text-anchor': 'middle', class: 'wg-kind' }, s.kind));
  });
  const bottom = Math.max(...[...pos.values(), ...placed].map((b) => b.y + b.h));
  const H = Math.ceil(bottom + 10);
  const said = caption ?? describe(graph, { deadlock });
  const sentence = when ? `${when}: ${said[0].toLowerCase()}${said.slice(1)}` : said;
  const pic = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': sentence, class: 'waitgraph' }, defs,
    heads.map((h) => svg('text', { x: h.x, y: 16, class: 'wg-head' }, h.text)), edges, nodes);
  const list = el('details', { class: 'wg-list' }, el('summary', {}, 'The graph as a list'),
    el('ul', {}, graph.edges.map((e) => {
      const n = (id) => graph.nodes.find((x) => x.id === id)?.label ?? id;
      return el('li', {}, `${n(e.from)} → ${e.label} → ${n(e.to)}`);
    })));
  host.replaceChildren(el('p', { class: 'wg-caption' }, sentence), pic, list);
}
