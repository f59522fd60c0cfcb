// Report view: the distribution of the selected measure over all heads (20 bins over the
// measure's scale, each bar in the colour of its bin's centre), or the count of heads per role.
import { makeCanvas, fitCanvas } from '../util/canvas.js';
import { measureOf, valueOf, scaleTop } from '../util/heads_grid.js';
import { roleTable } from '../util/roles.js';
import { cssOf } from '../util/color.js';

const BINS = 20, H = 220, M = { left: 44, right: 16, top: 24, bottom: 40 };
let canvas, state;

export function mount(section, s) {
  state = s;
  canvas = makeCanvas(section);
  canvas.style.height = `${H}px`;
}

// The bars: [{ label, count, css }].
export function bars() {
  if (state.measure === 'role')
    return roleTable(state.layers).map((g) => ({ label: g.key, count: g.heads.length, css: `rgb(${g.rgb.join(',')})` }));
  const top = scaleTop(state.layers, state.measure), counts = new Array(BINS).fill(0);
  for (const L of state.layers)
    for (const hd of L.heads) {
      const v = valueOf(hd, state.measure);
      if (v !== null) counts[Math.min(BINS - 1, Math.max(0, Math.floor((v / top) * BINS)))]++;
    }
  return counts.map((count, i) => ({ label: ((i * top) / BINS).toFixed(2), count, css: cssOf(state.cmap, (i + 0.5) / BINS) }));
}

export function paint(ctx, w, h) {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  const b = bars(), max = Math.max(1, ...b.map((x) => x.count));
  const pw = w - M.left - M.right, ph = h - M.top - M.bottom, bw = pw / Math.max(1, b.length);
  ctx.font = '11px sans-serif';
  ctx.fillStyle = '#555';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  const m = measureOf(state.measure);
  const n = b.reduce((a, x) => a + x.count, 0);
  ctx.fillText(`${m.label}: ${n} heads${m.key === 'role' ? '' : ` · ${BINS} bins over [0, ${scaleTop(state.layers, m.key).toFixed(2)}]`}`, 4, 4);
  ctx.strokeStyle = '#999';
  ctx.lineWidth = 1;
  ctx.strokeRect(M.left - 0.5, M.top - 0.5, pw + 1, ph + 1);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillText(String(max), M.left - 4, M.top);
  ctx.fillText('0', M.left - 4, M.top + ph);
  b.forEach((x, i) => {
    const bh = (x.count / max) * ph, bx = M.left + i * bw;
    ctx.fillStyle = x.css;
    ctx.fillRect(bx + 1, M.top + ph - bh, bw - 2, bh);
    ctx.fillStyle = '#222';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    if (x.count) ctx.fillText(String(x.count), bx + bw / 2, M.top + ph - bh - 1);
    ctx.textBaseline = 'top';
    if (m.key === 'role' || i % 2 === 0) ctx.fillText(m.key === 'role' ? x.label : x.label, bx + bw / 2 + (m.key === 'role' ? 0 : -bw / 2), M.top + ph + 4);
  });
}

export function render() {
  const { ctx, w, h } = fitCanvas(canvas);
  paint(ctx, w, h);
}

export function update(keys) {
  if (keys.some((k) => ['measure', 'cmap'].includes(k))) render();
}
export function getCanvas() { return canvas; }
