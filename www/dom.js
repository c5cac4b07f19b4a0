// A ten-line DOM helper, as uPlot's src/dom.js: build elements without innerHTML.
//
//   el('p', { class: 'muted', 'aria-live': 'polite' }, 'text', el('strong', {}, 'bold'))
//
// Attributes whose value is null, undefined or false are left out; `true` sets an empty one.
// Properties that are not attributes (`value`, `checked`, `disabled`, `hidden`, `onclick`…)
// are assigned; children may be strings, nodes, arrays of them, or null (skipped).

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'textContent', 'htmlFor']);

export function el(tag, attrs = {}, ...children) {
  const node = tag === 'svg' || attrs?.xmlns === SVG ? document.createElementNS(SVG, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (PROPS.has(k)) node[k] = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

export const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element (`svg('line', {x1: 0, …})`). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v != null && v !== false) node.setAttribute(k, String(v));
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
}

export const $ = (id) => document.getElementById(id);

/**
 * A legend entry: a swatch of `color` (`kind`: '' a line, 'box', 'dashed') and its text. The
 * colour goes through the CSSOM: the page's CSP allows no inline style attribute.
 */
export function legendKey(color, text, kind = '') {
  const s = el('span', { class: kind ? `swatch ${kind}` : 'swatch' });
  s.style.setProperty('--c', color);
  return el('span', { class: 'k' }, s, text);
}

/** Replaces the children of the element with this id (or element). */
export function fill(target, ...children) {
  const node = typeof target === 'string' ? $(target) : target;
  node.replaceChildren();
  append(node, children);
  return node;
}

// Element widths, measured once and then kept up to date by a ResizeObserver, so drawing a chart
// never forces a layout of the whole page (which cost tens of ms after the tables changed).
const widths = new WeakMap();
const observer = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => { for (const e of entries) widths.set(e.target, e.contentRect.width); })
  : null;

/** The content width of `node` in px (its parent's when it has none yet, e.g. hidden). */
export function widthOf(node, fallback = 600) {
  let w = widths.get(node);
  if (w == null) {
    w = node.getBoundingClientRect().width;
    widths.set(node, w);
    observer?.observe(node);
  }
  return w || (node.parentElement ? widthOf(node.parentElement, fallback) : fallback);
}
