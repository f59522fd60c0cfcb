// One colour per head, for views that overlay heads: hue h * 360 / H at HSL(·, 70%, 42%),
// twin of viz::head_color (src/attnscope/viz/head_colors.h), so the viewer and `render --view
// head` colour head h alike.
export function headRgb(h, H) {
  const hue = (h * 360) / Math.max(1, H), s = 0.7, l = 0.42;
  const c = (1 - Math.abs(2 * l - 1)) * s, x = c * (1 - Math.abs(((hue / 60) % 2) - 1)), m = l - c / 2;
  const [r, g, b] = hue < 60 ? [c, x, 0] : hue < 120 ? [x, c, 0] : hue < 180 ? [0, c, x] : hue < 240 ? [0, x, c] : hue < 300 ? [x, 0, c] : [c, 0, x];
  return [r, g, b].map((v) => Math.round((v + m) * 255));
}

export function headCss(h, H, alpha = 1) {
  const [r, g, b] = headRgb(h, H);
  return alpha === 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
}
