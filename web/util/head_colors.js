// One colour per head, for views that overlay heads: the tab10 table of viz::head_color8
// (src/attnscope/viz/color.h), so the viewer and `render --view head` colour head h alike.
const TAB10 = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];

export function headRgb(h) { return TAB10[((h % 10) + 10) % 10]; }

export function headCss(h, H, alpha = 1) {
  const [r, g, b] = headRgb(h);
  return alpha === 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
}
