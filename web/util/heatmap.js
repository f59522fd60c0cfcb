// A small labelled heatmap: a whole rows x cols matrix in one picture (rollout, flow), token
// labels on both axes (thinned when cells are small), a colour bar. For matrices that fit on
// the screen; the viewer's matrix view (tiles, zoom) is for attention layers of any size.
import { colorize, cssOf } from './color.js';
import { tokenLabel, fmtWeight } from './format.js';
import { fillLabel } from './canvas.js';

const LEFT = 96, TOP = 96, BAR = 64;

// Colour scale top: the 99th percentile of the nonzero values of the rows with more than one
// (as the viewer's matrix view: a causal first row is exactly [1, 0, ...] and would otherwise
// darken everything else).
export function scaleTop(values, rows, cols) {
  const nz = [];
  for (let i = 0; i < rows; i++) {
    const r = values.subarray(i * cols, (i + 1) * cols);
    if (r.filter((v) => v > 0).length > 1) for (const v of r) if (v > 0) nz.push(v);
  }
  nz.sort((a, b) => a - b);
  return nz.length ? nz[Math.min(nz.length - 1, Math.floor(nz.length * 0.99))] : 1;
}

// Layout for a canvas w wide: the cell size and the canvas height it needs.
export function layout(w, rows, cols) {
  const cell = Math.max(2, Math.min(32, Math.floor((w - LEFT - BAR) / cols)));
  return { left: LEFT, top: TOP, cell, rows, cols, height: TOP + rows * cell + 16 };
}

export function hit(g, x, y) {
  const j = Math.floor((x - g.left) / g.cell), i = Math.floor((y - g.top) / g.cell);
  return i >= 0 && j >= 0 && i < g.rows && j < g.cols && x >= g.left && y >= g.top ? { i, j } : null;
}

// m: { rows, cols, values (Float32Array, row-major), rowLabels, colLabels }; returns the layout.
export function paintMatrix(ctx, w, m, { cmap, vmax, gamma = 1, hover = null }) {
  const g = layout(w, m.rows, m.cols);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, g.height);
  const img = document.createElement('canvas');
  img.width = m.cols;
  img.height = m.rows;
  const ic = img.getContext('2d'), data = ic.createImageData(m.cols, m.rows);
  colorize(m.values, data.data, cmap, vmax, gamma);
  ic.putImageData(data, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(img, g.left, g.top, m.cols * g.cell, m.rows * g.cell);
  // Labels: one per cell when cells are >= 11 px, else every `every`-th with its index.
  const every = Math.max(1, Math.ceil(11 / g.cell)), font = Math.max(8, Math.min(12, g.cell - 1));
  ctx.fillStyle = '#222';
  ctx.font = `${font}px sans-serif`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < m.rows; i += every)
    fillLabel(ctx, every > 1 ? `${i} ${tokenLabel(m.rowLabels[i], 8)}` : tokenLabel(m.rowLabels[i], 12), g.left - 4, g.top + (i + 0.5) * g.cell);
  for (let j = 0; j < m.cols; j += every) {
    ctx.save();
    ctx.translate(g.left + (j + 0.5) * g.cell, g.top - 4);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'left';
    fillLabel(ctx, every > 1 ? `${j} ${tokenLabel(m.colLabels[j], 8)}` : tokenLabel(m.colLabels[j], 12), 0, 0);
    ctx.restore();
  }
  const x = g.left + m.cols * g.cell + 12, bh = Math.max(40, m.rows * g.cell), n = 64;
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = cssOf(cmap, 1 - (i + 0.5) / n);
    ctx.fillRect(x, g.top + (i * bh) / n, 12, bh / n + 0.5);
  }
  ctx.fillStyle = '#222';
  ctx.font = '10px sans-serif';
  ctx.textAlign = 'left';
  ctx.fillText(`≥ ${fmtWeight(vmax)}`, x + 15, g.top + 4);
  ctx.fillText(gamma === 1 ? '0' : '0 (√)', x + 15, g.top + bh - 4);
  if (hover) {
    ctx.strokeStyle = '#ff3b30';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(g.left + hover.j * g.cell, g.top + hover.i * g.cell, g.cell, g.cell);
  }
  return g;
}
