// Model view: a layers x heads grid of small heatmaps (each normalised to its own maximum, so
// every head's pattern is visible). Click one to open it in the matrix view.
import { api } from '../api.js';
import { state, set } from '../state.js';
import { colorize } from '../util/color.js';
import { makeCanvas, fitCanvas, frameScheduler } from '../util/canvas.js';
import { fmtWeight } from '../util/format.js';

const SIZE = 64, LEFT = 110, TOP = 44, GAP = 6;
let canvas, schedule;
let thumbs = null, loading = false;
const images = new Map();  // "l/h" -> { canvas, cmapKey }

function grid(w, h) {
  const layers = state.meta.layers, maxHeads = Math.max(...layers.map((L) => L.heads));
  const cell = Math.max(16, Math.min(96, Math.floor((w - LEFT - 10) / maxHeads) - GAP,
    Math.floor((h - TOP - 10) / layers.length) - GAP));
  return { cell, maxHeads };
}

function imageOf(name, t) {
  const key = `${state.cmap}/${state.gamma}`;
  let e = images.get(name);
  if (e && e.cmapKey === key) return e.canvas;
  const c = e ? e.canvas : document.createElement('canvas');
  c.width = t.cols;
  c.height = t.rows;
  const ctx = c.getContext('2d'), img = ctx.createImageData(t.cols, t.rows);
  colorize(t.values, img.data, state.cmap, 255, state.gamma);
  ctx.putImageData(img, 0, 0);
  images.set(name, { canvas: c, cmapKey: key });
  return c;
}

export function paint(ctx, w, h) {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  const { cell, maxHeads } = grid(w, h);
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(thumbs ? 'each head scaled to its own maximum · click to open' : 'loading…', 6, 6);
  ctx.textAlign = 'center';
  for (let hd = 0; hd < maxHeads; hd++) ctx.fillText(`head ${hd}`, LEFT + hd * (cell + GAP) + cell / 2, TOP - 16);
  ctx.imageSmoothingEnabled = false;
  state.meta.layers.forEach((L, l) => {
    const y = TOP + l * (cell + GAP);
    ctx.fillStyle = '#222';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(L.name.length > 16 ? L.name.slice(0, 15) + '…' : L.name, LEFT - 8, y + cell / 2);
    for (let hd = 0; hd < L.heads; hd++) {
      const x = LEFT + hd * (cell + GAP), t = thumbs && thumbs.get(`${l}/${hd}`);
      if (t) ctx.drawImage(imageOf(`${l}/${hd}`, t), x, y, cell, cell * (t.rows / Math.max(t.rows, t.cols)));
      const sel = l === state.layer && (hd === state.head || state.head === 'mean');
      ctx.strokeStyle = sel ? '#d0021b' : '#ccc';
      ctx.lineWidth = sel ? 2 : 1;
      ctx.strokeRect(x - 0.5, y - 0.5, cell + 1, cell + 1);
    }
  });
}

function render() {
  const { ctx, w, h } = fitCanvas(canvas);
  if (!thumbs && !loading) {
    loading = true;
    api.thumbs(SIZE).then((t) => { thumbs = t; schedule(); })
      .catch((e) => set({ status: `thumbnails: ${e.message}` }))
      .finally(() => { loading = false; });
  }
  paint(ctx, w, h);
}

function hit(ev) {
  const r = canvas.getBoundingClientRect(), { cell } = grid(r.width, r.height);
  const l = Math.floor((ev.clientY - r.top - TOP) / (cell + GAP)), hd = Math.floor((ev.clientX - r.left - LEFT) / (cell + GAP));
  const L = state.meta.layers[l];
  return L && hd >= 0 && hd < L.heads ? { l, hd } : null;
}

export function mount(container) {
  canvas = makeCanvas(container);
  schedule = frameScheduler(render);
  canvas.addEventListener('click', (ev) => {
    const c = hit(ev);
    if (c) set({ layer: c.l, head: c.hd, view: 'matrix' });
  });
  canvas.addEventListener('mousemove', (ev) => {
    const c = hit(ev), t = c && thumbs && thumbs.get(`${c.l}/${c.hd}`);
    set({ hover: c ? { view: 'model', text: `${state.meta.layers[c.l].name} head ${c.hd}${t ? `: max weight ${fmtWeight(t.scale)}` : ''}` } : null });
  });
}

export { render };
export function update() { schedule(); }
export function getCanvas() { return canvas; }
export const name = 'model';
export const hint = 'model: every layer and head, each on its own scale · click one to open it in the matrix view';
