// An SVG picture (the wait-for graph, the sends and the close, the sweep) as a PNG that stands
// alone: a title, a subtitle, each run's picture with its name. The page's stylesheet does not
// travel with a serialised SVG, so each element's computed style is written onto its copy first.
// Review F10 (session 15): "Picture (PNG)" exported the goroutine chart for these lessons.
import { ink } from './ink.js';

/** The properties the pictures' CSS classes set (style.css: .wg-*, .seq-*, .grid-line), all SVG
 * presentation attributes: written as attributes, not a style attribute, which the page's
 * Content-Security-Policy (style-src 'self') refuses. */
const PROPS = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-family', 'font-size', 'font-weight',
  'text-anchor', 'dominant-baseline', 'paint-order', 'letter-spacing', 'color'];

/** A copy of `svg` with every element's computed style as attributes, as a data: URL. */
function inlined(svg) {
  const copy = svg.cloneNode(true);
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  from.forEach((node, i) => {
    const cs = getComputedStyle(node);
    for (const p of PROPS) to[i].setAttribute(p, cs.getPropertyValue(p));
    to[i].removeAttribute('class');
    // (text-transform is CSS only: the headings' capitals are written out.)
    if (node.tagName === 'text' && cs.getPropertyValue('text-transform') === 'uppercase') to[i].textContent = node.textContent.toUpperCase();
  });
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const xml = new XMLSerializer().serializeToString(copy);
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(xml)}`;
}

async function load(src) {
  const img = new Image();
  img.src = src;
  await img.decode();
  return img;
}

/**
 * `pictures`: [{ tag, svg }] (tag: "A: deadlock-unbuffered / wrong", or '' for one run), drawn
 * side by side. Resolves to a PNG data: URL.
 */
export async function svgPng(pictures, title, subtitle = '') {
  const dpr = devicePixelRatio || 1;
  const imgs = await Promise.all(pictures.map((p) => load(inlined(p.svg))));
  const sizes = pictures.map((p) => {
    const vb = p.svg.viewBox?.baseVal;
    return vb && vb.width ? [vb.width, vb.height] : [p.svg.width.baseVal.value, p.svg.height.baseVal.value];
  });
  const pad = 12, gap = 24, titleH = subtitle ? 46 : 30, tagH = pictures.some((p) => p.tag) ? 22 : 0;
  const w = 2 * pad + sizes.reduce((s, [sw]) => s + sw, 0) + gap * (sizes.length - 1);
  const h = 2 * pad + titleH + tagH + Math.max(...sizes.map(([, sh]) => sh));
  const out = document.createElement('canvas');
  out.width = Math.ceil(w * dpr);
  out.height = Math.ceil(h * dpr);
  const c = out.getContext('2d');
  c.scale(dpr, dpr);
  // The page's own card and text colours: the SVGs' inlined colours are the page's (light or dark).
  const bg = ink('card'), fg = ink('fg');
  c.fillStyle = bg; c.fillRect(0, 0, w, h);
  c.fillStyle = fg; c.font = '600 16px system-ui, sans-serif';
  c.fillText(title, pad, pad + 16);
  if (subtitle) { c.font = '12px system-ui, sans-serif'; c.fillStyle = ink('muted'); c.fillText(subtitle, pad, pad + 36); }
  let x = pad;
  pictures.forEach((p, i) => {
    const y = pad + titleH;
    if (p.tag) { c.font = '600 13px system-ui, sans-serif'; c.fillStyle = fg; c.fillText(p.tag, x, y + 14); }
    c.drawImage(imgs[i], x, y + tagH, sizes[i][0], sizes[i][1]);
    x += sizes[i][0] + gap;
  });
  return out.toDataURL('image/png');
}
