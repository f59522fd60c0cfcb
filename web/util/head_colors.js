// One colour per head, the same as the pictures' (src/attnscope/viz/color.h): Tableau 10,
// distinguishable for most colour-blind readers, cycling after 10 heads.
const TAB10 = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];

export function headRgb(h) { return TAB10[((h % 10) + 10) % 10]; }
export function headCss(h) { const [r, g, b] = headRgb(h); return `rgb(${r}, ${g}, ${b})`; }
