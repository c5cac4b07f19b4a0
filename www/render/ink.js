// Colours against the card they are drawn on, in the theme the page is in when it draws: WCAG
// asks 3:1 for lines and shapes and 4.5:1 for words. A series colour is one colour in both
// themes (its legend swatch must match it), chosen to have 3:1 on both cards; words drawn beside
// a line take its colour's legible shade (below); a few colours change with the theme outright
// (style.css: --red, --hatch…). Checked in both themes by tests/e2e/contrast.test.mjs. A drawing
// keeps the colours of the theme it was drawn in until it is drawn again, as marks.js's do.

const root = () => getComputedStyle(document.documentElement);

/** The theme's colour `--name` now (style.css :root). */
export function ink(name) {
  const v = root().getPropertyValue(`--${name}`).trim();
  if (!v) console.error(`ink: style.css has no --${name}`);
  return v || '#808080';
}

const rgbOf = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const hexOf = (rgb) => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
const linear = (v) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
const luminance = (rgb) => { const [r, g, b] = rgb.map(linear); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const ratio = (a, b) => { const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };

/**
 * `hex` (`#rrggbb`), or the nearest shade of its hue with `min`:1 against the card now: mixed
 * toward black on a light card, toward white on a dark one, a tenth of the way at a time. For
 * words drawn in a series' colour (a chart's limit and mark labels, the wait-for graph's edge
 * labels): the pool's green had 3.4:1 on the light card, a leak's amber 3.4:1 on the dark one.
 * Anything but `#rrggbb` (currentColor) is the text's own colour already.
 */
export function legible(hex, min = 4.5, card = ink('card')) {
  if (!/^#[0-9a-f]{6}$/i.test(hex) || !/^#[0-9a-f]{6}$/i.test(card)) return hex;
  const bg = rgbOf(card);
  const toward = luminance(bg) < 0.2 ? 255 : 0;
  let c = rgbOf(hex);
  for (let i = 0; i < 40 && ratio(c, bg) < min; i++) c = c.map((v) => Math.round(v + (toward - v) * 0.1));
  return hexOf(c);
}
