// Matrix view: queries x keys heatmap on a canvas with zoom (wheel), pan (drag) and levels of
// detail. At scale s pixels per weight the view asks for level ceil(log2(1/s)) (a tile cell
// covers 2^level x 2^level weights, aggregated by max so a single hot weight stays visible),
// only for the visible 256x256 tiles; the coarsest level (the whole matrix in one tile) is
// always drawn first underneath, so panning never shows holes. Hover reads the exact weight.
import { api } from '../api.js';
import { state, set, currentLayer, queryTokens, keyTokens } from '../state.js';
import { colorize, cssOf } from '../util/color.js';
import { makeCanvas, fitCanvas, frameScheduler, fillLabel } from '../util/canvas.js';
import { tokenLabel, fmtWeight, quoteToken } from '../util/format.js';
import { paintStats, statsQueryAt, statsText } from '../util/stats_view.js';
import { segmentBreaks, segmentName, segmentsOf } from '../util/segments.js';

const TILE = 256;
const M = { left: 96, top: 96, right: 70, bottom: 12 };  // margins: labels and colour bar

let canvas, schedule;
let view = { scale: 1, x: 0, y: 0 };  // pixels per weight; weight coords at the plot's top-left
let viewKey = '';                      // layer/head the view was fitted for
const tiles = new Map();               // key -> { values, rows, cols, factor, image, cmapKey } | 'pending'
const rows = new Map();                // exact rows for hover: key -> Float32Array
const stats = new Map();               // stats-only layers: layer/head -> { entropy, max_weight, argmax } | 'pending'
let vmax = 0;                          // colour scale top (p99 of the coarsest tile)
let firstPaintDone = false;

function layerHeadKey() { return `${state.layer}/${state.head}`; }
function plotSize(w, h) { return { pw: Math.max(10, w - M.left - M.right), ph: Math.max(10, h - M.top - M.bottom) }; }

function fit(w, h) {
  const L = currentLayer(), { pw, ph } = plotSize(w, h);
  view = { scale: Math.min(pw / L.keys, ph / L.queries), x: 0, y: 0 };
}

function levelFor(scale) {
  const L = currentLayer();
  // ceil: a tile cell is >= 1 screen pixel, so drawing never drops a cell (a lone hot column).
  return Math.max(0, Math.min(L.max_level, Math.ceil(Math.log2(1 / scale) - 1e-9)));
}

function tileKey(level, ty, tx) { return `${layerHeadKey()}/${level}/${ty}/${tx}`; }

function request(level, ty, tx) {
  const key = tileKey(level, ty, tx);
  if (tiles.has(key)) return tiles.get(key);
  tiles.set(key, 'pending');
  api.tile(state.layer, state.head, level, ty, tx).then((t) => {
    // Colour scale top: the 99th percentile of the nonzero cells, not the max — causal rows
    // start with a weight of exactly 1 (query 0 sees one key), which would darken the rest.
    const nz = t.values.filter((v) => v > 0).sort();
    t.max = nz.length ? nz[Math.min(nz.length - 1, Math.floor(nz.length * 0.99))] : 0;
    tiles.set(key, t);
    schedule();
  }).catch((e) => { tiles.delete(key); set({ status: `tile: ${e.message}` }); });
  return 'pending';
}

// The tile's pixels in the current colour map (recoloured only when the map changes).
function imageOf(t) {
  const cmapKey = `${state.cmap}/${state.gamma}/${vmax}`;
  if (t.image && t.cmapKey === cmapKey) return t.image;
  const c = t.image || document.createElement('canvas');
  c.width = t.cols;
  c.height = t.rows;
  const ctx = c.getContext('2d'), img = ctx.createImageData(t.cols, t.rows);
  colorize(t.values, img.data, state.cmap, vmax, state.gamma);
  ctx.putImageData(img, 0, 0);
  t.image = c;
  t.cmapKey = cmapKey;
  return c;
}

// One rule per axis: the matrix never leaves the plot — at least KEEP px of it (all of it when
// smaller) stay visible. The matrix may sit anywhere else, so a wheel zoom anchored at a pointer
// over a cell (>= KEEP px inside the plot) needs no correction on either axis.
const KEEP = 32;
function clampAxis(pos, n, plotPx, s) {
  const keep = Math.min(n, plotPx / s, KEEP / s);  // in weights
  return Math.min(n - keep, Math.max(keep - plotPx / s, pos));
}

function clampView(w, h) {
  const L = currentLayer(), { pw, ph } = plotSize(w, h);
  const minScale = Math.min(pw / L.keys, ph / L.queries) / 2;
  view.scale = Math.min(64, Math.max(minScale, view.scale));
  view.x = clampAxis(view.x, L.keys, pw, view.scale);
  view.y = clampAxis(view.y, L.queries, ph, view.scale);
}

function drawLevel(ctx, level, pw, ph, need) {
  const L = currentLayer(), f = 2 ** level, span = TILE * f;
  const ty0 = Math.max(0, Math.floor(view.y / span)), ty1 = Math.floor(Math.min(L.queries - 1, view.y + ph / view.scale) / span);
  const tx0 = Math.max(0, Math.floor(view.x / span)), tx1 = Math.floor(Math.min(L.keys - 1, view.x + pw / view.scale) / span);
  let complete = true;
  for (let ty = ty0; ty <= ty1; ty++)
    for (let tx = tx0; tx <= tx1; tx++) {
      const t = need ? request(level, ty, tx) : tiles.get(tileKey(level, ty, tx));
      if (!t || t === 'pending') { complete = false; continue; }
      // Tile cells cover f weights each; the last ones may cover fewer (clip at the matrix edge).
      const x = M.left + (tx * span - view.x) * view.scale, y = M.top + (ty * span - view.y) * view.scale;
      const w = Math.min(t.cols * f, L.keys - tx * span) * view.scale, h = Math.min(t.rows * f, L.queries - ty * span) * view.scale;
      const img = imageOf(t);
      ctx.drawImage(img, 0, 0, Math.min(t.cols, (L.keys - tx * span) / f), Math.min(t.rows, (L.queries - ty * span) / f), x, y, w, h);
    }
  return complete;
}

function drawLabels(ctx, pw, ph) {
  const qt = queryTokens(), kt = keyTokens(), s = view.scale;
  const every = Math.max(1, Math.ceil(13 / s));  // thin labels to one per 13 px
  const font = Math.max(8, Math.min(12, s - 1));
  ctx.fillStyle = '#222';
  ctx.font = `${font}px sans-serif`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const q0 = Math.max(0, Math.floor(view.y)), q1 = Math.min(qt.length, Math.ceil(view.y + ph / s));
  for (let q = Math.ceil(q0 / every) * every; q < q1; q += every) {
    const y = M.top + (q + 0.5 - view.y) * s;
    if (y >= M.top && y <= M.top + ph) fillLabel(ctx, every > 1 ? `${q} ${tokenLabel(qt[q], 8)}` : tokenLabel(qt[q], 12), M.left - 4, y);
  }
  const k0 = Math.max(0, Math.floor(view.x)), k1 = Math.min(kt.length, Math.ceil(view.x + pw / s));
  for (let k = Math.ceil(k0 / every) * every; k < k1; k += every) {
    const x = M.left + (k + 0.5 - view.x) * s;
    if (x < M.left || x > M.left + pw) continue;
    ctx.save();
    ctx.translate(x, M.top - 4);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'left';
    fillLabel(ctx, every > 1 ? `${k} ${tokenLabel(kt[k], 8)}` : tokenLabel(kt[k], 12), 0, 0);
    ctx.restore();
  }
}

function drawColorbar(ctx, w, ph) {
  // Beside the matrix (or the plot's right edge when the matrix overflows it).
  const L = currentLayer(), { pw } = plotSize(w, ph + M.top + M.bottom);
  const x = M.left + Math.min(pw, (L.keys - view.x) * view.scale) + 14, n = 64;
  const y0 = M.top + Math.max(0, -view.y * view.scale);  // beside the visible rows
  const bh = Math.min(M.top + ph, M.top + (L.queries - view.y) * view.scale) - y0;
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = cssOf(state.cmap, 1 - (i + 0.5) / n);
    ctx.fillRect(x, y0 + (i * bh) / n, 12, bh / n + 0.5);
  }
  ctx.fillStyle = '#222';
  ctx.font = '10px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(`≥ ${fmtWeight(vmax)}`, x + 15, y0 + 4);
  ctx.fillText(state.gamma === 1 ? '0' : '0 (√)', x + 15, y0 + bh - 4);
}

// Sentence pairs: a white rule where the query or key segment changes (A | B), and the
// segment's letter in the margin at its first visible position.
function drawSegments(ctx, pw, ph) {
  const L = currentLayer(), s = view.scale;
  const qs = segmentsOf(state.meta, L.query_seq), ks = segmentsOf(state.meta, L.key_seq);
  if (!qs && !ks) return;
  ctx.save();
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 2;
  const x0 = M.left + Math.max(0, -view.x * s), x1 = M.left + Math.min(pw, (L.keys - view.x) * s);
  const y0 = M.top + Math.max(0, -view.y * s), y1 = M.top + Math.min(ph, (L.queries - view.y) * s);
  for (const i of segmentBreaks(qs)) {
    const y = M.top + (i - view.y) * s;
    if (y < M.top || y > M.top + ph) continue;
    ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(x1, y); ctx.stroke();
  }
  for (const i of segmentBreaks(ks)) {
    const x = M.left + (i - view.x) * s;
    if (x < M.left || x > M.left + pw) continue;
    ctx.beginPath(); ctx.moveTo(x, y0); ctx.lineTo(x, y1); ctx.stroke();
  }
  ctx.restore();
  ctx.fillStyle = '#2d5fa8';
  ctx.font = 'bold 11px sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  if (qs) for (const i of [0, ...segmentBreaks(qs)]) {
    const y = M.top + (i + 0.5 - view.y) * s;
    if (y >= M.top && y <= M.top + ph) ctx.fillText(segmentName(qs[i]), 2, y);
  }
  ctx.textAlign = 'center';
  if (ks) for (const i of [0, ...segmentBreaks(ks)]) {
    const x = M.left + (i + 0.5 - view.x) * s;
    if (x >= M.left && x <= M.left + pw) ctx.fillText(segmentName(ks[i]), x, 24);
  }
}

function drawHover(ctx, pw, ph) {
  const hv = state.hover;
  if (!hv || hv.view !== 'matrix' || state.exporting) return;
  const s = view.scale, f = hv.factor || 1;
  const x = M.left + (hv.k0 - view.x) * s, y = M.top + (hv.q0 - view.y) * s;
  ctx.strokeStyle = '#ff3b30';
  ctx.lineWidth = 1.5;
  ctx.strokeRect(x, y, Math.max(2, f * s), Math.max(2, f * s));
}

// Draws everything on ctx (a canvas or an SvgContext) in CSS pixels.
export function paint(ctx, w, h) {
  const L = currentLayer(), { pw, ph } = plotSize(w, h);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  if (!L.has_matrix) {
    // No weights: the layer's row statistics (util/stats_view.js), fetched once per layer/head.
    const s = statsOf();
    const head = state.head === 'mean' ? 'mean of heads' : `head ${state.head}`;
    if (s && s !== 'pending') paintStats(ctx, w, h, L, s, queryTokens(), keyTokens(), state.cmap, head);
    return !!s && s !== 'pending';
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top, pw, ph);
  if (ctx.clip) ctx.clip();
  ctx.imageSmoothingEnabled = false;
  const top = tiles.get(tileKey(L.max_level, 0, 0));
  if (top && top !== 'pending') vmax = top.max;
  const level = levelFor(view.scale);
  const base = drawLevel(ctx, L.max_level, pw, ph, true);  // background, always complete soon
  if (level !== L.max_level) drawLevel(ctx, level, pw, ph, true);
  drawHover(ctx, pw, ph);
  ctx.restore();
  drawSegments(ctx, pw, ph);
  drawLabels(ctx, pw, ph);
  drawColorbar(ctx, w, ph);
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  const head = state.head === 'mean' ? 'mean of heads' : `head ${state.head}`;
  const agg = level > 0 ? ` · each cell = max of ${2 ** level}×${2 ** level} weights` : '';
  ctx.fillText(`${L.name} · ${head} · ${L.queries}×${L.keys}${agg}`, 6, 6);
  return base;
}

function render() {
  const { ctx, w, h } = fitCanvas(canvas);
  if (viewKey !== `${state.layer}`) { fit(w, h); viewKey = `${state.layer}`; }
  clampView(w, h);
  const base = paint(ctx, w, h);
  if (base && !firstPaintDone) {
    firstPaintDone = true;
    window.__attnscope.firstPaint = performance.now();
  }
}

function statsOf() {
  const key = layerHeadKey();
  if (!stats.has(key)) {
    stats.set(key, 'pending');
    api.stats(state.layer, state.head).then((s) => { stats.set(key, s); schedule(); })
      .catch((e) => { stats.delete(key); set({ status: `stats: ${e.message}` }); });
  }
  return stats.get(key);
}

function cellAt(ev) {
  const r = canvas.getBoundingClientRect(), L = currentLayer();
  const { pw, ph } = plotSize(canvas.clientWidth, canvas.clientHeight);
  const px = ev.clientX - r.left - M.left, py = ev.clientY - r.top - M.top;
  const k = Math.floor(view.x + px / view.scale), q = Math.floor(view.y + py / view.scale);
  if (px < 0 || py < 0 || px > pw || py > ph || k < 0 || q < 0 || k >= L.keys || q >= L.queries) return null;
  return { q, k };
}

async function hover(ev) {
  if (!currentLayer().has_matrix) {
    const s = stats.get(layerHeadKey()), r = canvas.getBoundingClientRect();
    const q = s && s !== 'pending' ? statsQueryAt(ev.clientX - r.left, ev.clientY - r.top, canvas.clientWidth, canvas.clientHeight, currentLayer()) : -1;
    if (q < 0) { if (state.hover) set({ hover: null }); return; }
    set({ hover: { view: 'matrix', q, text: statsText(q, s, queryTokens(), keyTokens()) } });
    return;
  }
  const cell = cellAt(ev);
  if (!cell) { if (state.hover) set({ hover: null }); return; }
  const level = levelFor(view.scale), f = 2 ** level, qt = queryTokens(), kt = keyTokens();
  if (level === 0) {
    const key = `${layerHeadKey()}/${cell.q}`;
    let row = rows.get(key);
    if (!row) {
      row = await api.row(state.layer, state.head, cell.q);
      if (rows.size > 256) rows.delete(rows.keys().next().value);
      rows.set(key, row);
    }
    const w = row[cell.k];
    set({ hover: { view: 'matrix', q: cell.q, k: cell.k, q0: cell.q, k0: cell.k, factor: 1, weight: w,
      text: `query ${cell.q} ${quoteToken(qt[cell.q])} → key ${cell.k} ${quoteToken(kt[cell.k])}: ${fmtWeight(w)}` } });
  } else {
    const q0 = cell.q - (cell.q % f), k0 = cell.k - (cell.k % f);
    const t = tiles.get(tileKey(level, Math.floor(q0 / (TILE * f)), Math.floor(k0 / (TILE * f))));
    if (!t || t === 'pending') return;
    const v = t.values[((q0 / f) % TILE) * t.cols + ((k0 / f) % TILE)];
    set({ hover: { view: 'matrix', q: cell.q, k: cell.k, q0, k0, factor: f, weight: v,
      text: `queries ${q0}–${q0 + f - 1} × keys ${k0}–${k0 + f - 1}: max ${fmtWeight(v)} (zoom in for single weights)` } });
  }
}

export function mount(container) {
  canvas = makeCanvas(container);
  schedule = frameScheduler(render);
  let drag = null;
  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const r = canvas.getBoundingClientRect();
    const px = ev.clientX - r.left - M.left, py = ev.clientY - r.top - M.top;
    const wx = view.x + px / view.scale, wy = view.y + py / view.scale;
    view.scale *= Math.exp(-ev.deltaY * 0.0015);
    const { w, h } = { w: canvas.clientWidth, h: canvas.clientHeight };
    clampView(w, h);  // the scale's bounds first, then the anchor at that scale
    view.x = wx - px / view.scale;
    view.y = wy - py / view.scale;
    clampView(w, h);
    schedule();
    // The readout follows the zoom: the cell (or block, at a new level) now under the pointer.
    hover(ev).catch((e) => set({ status: `hover: ${e.message}` }));
  }, { passive: false });
  canvas.addEventListener('mousedown', (ev) => { drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y }; });
  window.addEventListener('mouseup', () => { drag = null; });
  canvas.addEventListener('mousemove', (ev) => {
    if (drag) {
      view.x = drag.vx - (ev.clientX - drag.x) / view.scale;
      view.y = drag.vy - (ev.clientY - drag.y) / view.scale;
      clampView(canvas.clientWidth, canvas.clientHeight);
      schedule();
    } else {
      hover(ev).catch((e) => set({ status: `hover: ${e.message}` }));
    }
  });
  canvas.addEventListener('mouseleave', () => { if (state.hover) set({ hover: null }); });
  canvas.addEventListener('dblclick', () => { fit(canvas.clientWidth, canvas.clientHeight); schedule(); });
}

// Full redraw: layer or head changed (the tile cache stays, so going back is instant).
export { render };

// Cheap change: hover outline or colour map only.
export function update() { schedule(); }

export const name = 'matrix';
export const hint = 'matrix: wheel zooms around the pointer, drag pans, double-click fits · hover reads a weight';
export function getCanvas() { return canvas; }
// Zoom to show a query/key window (tests and links): scale so `cells` weights fill the plot.
export function zoomTo(q, k, cells) {
  const { pw, ph } = plotSize(canvas.clientWidth, canvas.clientHeight);
  view.scale = Math.min(pw, ph) / cells;
  view.x = k;
  view.y = q;
  schedule();
}
// The weight coordinates (fractional) under a client-space point (tests).
export function weightAt(x, y) {
  const r = canvas.getBoundingClientRect();
  return { q: view.y + (y - r.top - M.top) / view.scale, k: view.x + (x - r.left - M.left) / view.scale };
}
export function cellCenter(q, k) {
  const r = canvas.getBoundingClientRect();
  return { x: r.left + M.left + (k + 0.5 - view.x) * view.scale, y: r.top + M.top + (q + 0.5 - view.y) * view.scale };
}
