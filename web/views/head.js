// Head view (the BertViz picture, for any length): query tokens on the left, key tokens on the
// right, a line for each of a query's strongest weights, width and colour by weight. Long
// inputs show a window of rows (wheel scrolls it); edges come from /api/edges for that window.
// Hovering a token keeps only its lines and prints the weights beside the keys.
import { api } from '../api.js';
import { state, set, currentLayer, queryTokens, keyTokens } from '../state.js';
import { cssOf } from '../util/color.js';
import { makeCanvas, fitCanvas, frameScheduler, fillLabel } from '../util/canvas.js';
import { tokenLabel, fmtWeight, quoteToken } from '../util/format.js';
import { noWeightsLine } from '../util/stats_view.js';

const ROW = 18, TOP = 40, K = 12, THRESHOLD = 0.01;
let canvas, schedule;
let start = 0;          // first query row of the window
let edges = null;       // { key, q0, q1, k, index, weight }
let focus = -1;         // hovered query row, or -1
let loading = '';

function windowRows(h) { return Math.max(1, Math.floor((h - TOP - 10) / ROW)); }
// Key window: the same rows for self-attention, else the start of the key sequence scrolled alike.
function keyStart(n) { return Math.max(0, Math.min(start, keyTokens().length - n)); }

function want(h) {
  const L = currentLayer(), n = windowRows(h);
  start = Math.max(0, Math.min(start, L.queries - n));
  const q1 = Math.min(L.queries, start + n);
  const key = `${state.layer}/${state.head}/${start}/${q1}`;
  if ((edges && edges.key === key) || loading === key) return;
  loading = key;
  api.edges(state.layer, state.head, start, q1, Math.min(K, L.keys)).then((e) => {
    if (loading !== key) return;
    edges = { ...e, key };
    loading = '';
    schedule();
  }).catch((e) => { loading = ''; set({ status: `edges: ${e.message}` }); });
}

export function paint(ctx, w, h) {
  const L = currentLayer(), qt = queryTokens(), kt = keyTokens(), n = windowRows(h);
  const ks = keyStart(n), xl = Math.round(w * 0.36), xr = Math.round(w * 0.64);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  const head = state.head === 'mean' ? 'mean of heads' : `head ${state.head}`;
  ctx.fillText(`${L.name} · ${head} · queries ${start}–${Math.min(L.queries, start + n) - 1} of ${L.queries} (wheel scrolls) · top ${K} keys per query`, 6, 6);
  if (!L.has_matrix) { ctx.fillStyle = '#222'; ctx.fillText(noWeightsLine(L), 6, 28); return; }
  const yq = (q) => TOP + (q - start) * ROW + ROW / 2, yk = (k) => TOP + (k - ks) * ROW + ROW / 2;
  // Colour and width relative to the strongest weight shown (the focused row's, when hovering).
  let wmax = 0;
  if (edges)
    for (let i = 0; i < edges.weight.length; i++)
      if (focus < 0 || edges.q0 + Math.floor(i / edges.k) === focus) wmax = Math.max(wmax, edges.weight[i]);
  const focusW = new Map();
  if (edges && edges.key.startsWith(`${state.layer}/${state.head}/`)) {
    for (let i = 0; i < edges.q1 - edges.q0; i++) {
      const q = edges.q0 + i;
      if (focus >= 0 && q !== focus) continue;
      for (let j = 0; j < edges.k; j++) {
        const k = edges.index[i * edges.k + j], v = edges.weight[i * edges.k + j];
        if (k < 0 || v < THRESHOLD || k < ks || k >= ks + n) continue;
        if (q === focus) focusW.set(k, v);
        const t = wmax > 0 ? v / wmax : 0;
        ctx.strokeStyle = cssOf(state.cmap, 0.15 + 0.85 * t, focus >= 0 ? 0.9 : 0.25 + 0.6 * t);
        ctx.lineWidth = 0.5 + 4 * t;
        ctx.beginPath();
        ctx.moveTo(xl + 4, yq(q));
        ctx.bezierCurveTo((xl + xr) / 2, yq(q), (xl + xr) / 2, yk(k), xr - 4, yk(k));
        ctx.stroke();
      }
    }
  }
  ctx.font = '12px sans-serif';
  ctx.textBaseline = 'middle';
  for (let q = start; q < Math.min(qt.length, start + n); q++) {
    ctx.textAlign = 'right';
    ctx.fillStyle = q === focus ? '#d0021b' : '#222';
    fillLabel(ctx, tokenLabel(qt[q]), xl, yq(q));
    ctx.fillStyle = '#999';
    ctx.textAlign = 'left';
    ctx.fillText(String(q), 6, yq(q));
  }
  for (let k = ks; k < Math.min(kt.length, ks + n); k++) {
    ctx.textAlign = 'left';
    ctx.fillStyle = focusW.has(k) ? '#000' : '#222';
    fillLabel(ctx, tokenLabel(kt[k]), xr, yk(k));
    if (focusW.has(k)) {
      ctx.fillStyle = '#d0021b';
      ctx.fillText(fmtWeight(focusW.get(k)), xr + 130, yk(k));
    }
  }
}

function render() {
  const { ctx, w, h } = fitCanvas(canvas);
  want(h);
  paint(ctx, w, h);
}

export function mount(container) {
  canvas = makeCanvas(container);
  schedule = frameScheduler(render);
  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    start = Math.max(0, start + Math.sign(ev.deltaY) * Math.max(1, Math.floor(windowRows(canvas.clientHeight) / 4)));
    schedule();
  }, { passive: false });
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect(), y = ev.clientY - r.top, x = ev.clientX - r.left;
    const q = start + Math.floor((y - TOP) / ROW), L = currentLayer();
    const f = x < r.width * 0.5 && y >= TOP && q < Math.min(L.queries, start + windowRows(r.height)) ? q : -1;
    if (f !== focus) {
      focus = f;
      const qt = queryTokens();
      set({ hover: f >= 0 ? { view: 'head', q: f, text: `query ${f} ${quoteToken(qt[f])}: its top ${K} keys` } : null });
    }
  });
  canvas.addEventListener('mouseleave', () => { focus = -1; set({ hover: null }); });
}

export { render };
export function update() { schedule(); }
export function getCanvas() { return canvas; }
export const name = 'head';
export const hint = 'head: hover a query token to keep only its lines · wheel scrolls the rows';
