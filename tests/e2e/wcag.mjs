// WCAG's contrast and CIELAB for the colour tests (timeline.test.mjs, contrast.test.mjs), written
// out here so that the page is not checked against its own arithmetic (www/render/ink.js).
const srgbLinear = (v) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
/** `#rrggbb` as [r, g, b]. */
export const hexRgb = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const luminance = (rgb) => { const [r, g, b] = rgb.map(srgbLinear); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
/** WCAG's contrast ratio of two [r, g, b] colours, two decimals. */
export const ratio = (a, b) => { const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x); return Number(((hi + 0.05) / (lo + 0.05)).toFixed(2)); };
/** WCAG's contrast ratio of `hex` against a computed `rgb(r, g, b)` background, two decimals. */
export const contrast = (hex, background) => ratio(hexRgb(hex), background.match(/\d+/g).slice(0, 3).map(Number));
/** `hex` in CIELAB (D65), for CIE76 distances. */
export function lab(hex) {
  const rgb = hexRgb(hex);
  const [r, g, b] = rgb.map(srgbLinear);
  const f = (t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const [x, y, z] = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, luminance(rgb), (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883].map(f);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}
