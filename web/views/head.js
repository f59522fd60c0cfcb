// Head view (the BertViz picture, for any length): query tokens on the left, key tokens on the
// right, a line for each of a query's strongest weights, width by weight. One head (or the
// mean) is coloured by the colour map; "all heads" overlays every head, each in its own colour
// (util/head_colors.js), with a chip per head to toggle it. Long inputs show a window of rows
// (wheel scrolls it); edges come from /api/edges for that window, per head shown.
// Hover a query token to keep only its lines; click it to pin it, then click a key token for
// the neuron view of that weight (query and key vectors, when the trace has them: --capture
// ...,qk). Sentence pairs (segments) are split by a rule and labelled A / B on both sides.
import { api } from '../api.js';
import { state, set, currentLayer, queryTokens, keyTokens } from '../state.js';
import { cssOf } from '../util/color.js';
import { headCss } from '../util/head_colors.js';
import { makeCanvas, fitCanvas, frameScheduler, fillLabel } from '../util/canvas.js';
import { tokenLabel, fmtWeight, quoteToken } from '../util/format.js';
import { noWeightsLine } from '../util/stats_view.js';
import { segmentBreaks, segmentName, segmentsOf } from '../util/segments.js';
import { paintNeuron } from '../util/neuron.js';

const ROW = 18, TOP = 40, K = 12, K_OVERLAY = 6, THRESHOLD = 0.01, NEURON_H = 110;
let canvas, schedule, bar;
let start = 0;            // first query row of the window
const edges = new Map();  // head -> { key, q0, q1, k, index, weight }
const loading = new Map();
let focus = -1;           // hovered query row, or -1
let pinned = -1;          // clicked query row, or -1
let overlay = null;       // Set of heads drawn together, or null: the toolbar's head (or mean)
let neuron = null;        // { key, head, q, k, query, keyv, scale } | 'pending' | null
let layerSeen = -1;

function neuronHeight() { return neuron && neuron !== 'pending' ? NEURON_H : 0; }
function windowRows(h) { return Math.max(1, Math.floor((h - TOP - 10 - neuronHeight()) / ROW)); }
// Key window: the same rows for self-attention, else the start of the key sequence scrolled alike.
function keyStart(n) { return Math.max(0, Math.min(start, keyTokens().length - n)); }
function shownHeads() { return overlay ? [...overlay].sort((a, b) => a - b) : [state.head]; }

function want(h) {
  const L = currentLayer(), n = windowRows(h);
  start = Math.max(0, Math.min(start, L.queries - n));
  const q1 = Math.min(L.queries, start + n), k = Math.min(overlay ? K_OVERLAY : K, L.keys);
  for (const hd of shownHeads()) {
    const key = `${state.layer}/${hd}/${start}/${q1}/${k}`;
    if (edges.get(hd)?.key === key || loading.get(hd) === key) continue;
    loading.set(hd, key);
    api.edges(state.layer, hd, start, q1, k).then((e) => {
      if (loading.get(hd) !== key) return;
      edges.set(hd, { ...e, key });
      loading.delete(hd);
      schedule();
    }).catch((e) => { loading.delete(hd); set({ status: `edges: ${e.message}` }); });
  }
}

function edgesOf(hd) {
  const e = edges.get(hd);
  return e && e.key.startsWith(`${state.layer}/${hd}/${start}/`) ? e : null;
}

function drawSegments(ctx, xl, xr, yq, yk, q0, q1, k0, k1, w) {
  const L = currentLayer();
  const sides = [[segmentsOf(state.meta, L.query_seq), yq, q0, q1, 6, xl], [segmentsOf(state.meta, L.key_seq), yk, k0, k1, xr, w - 6]];
  ctx.save();
  for (const [segs, y, a, b, x0, x1] of sides) {
    if (!segs) continue;
    ctx.strokeStyle = '#888';
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1;
    for (const i of segmentBreaks(segs)) {
      if (i <= a || i >= b) continue;
      ctx.beginPath();
      ctx.moveTo(x0, y(i) - ROW / 2);
      ctx.lineTo(x1, y(i) - ROW / 2);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.fillStyle = '#2d5fa8';
    ctx.font = 'bold 10px sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = x0 < xl ? 'left' : 'right';
    for (let i = a; i < b; i++)
      if (i === a || segs[i] !== segs[i - 1]) ctx.fillText(segmentName(segs[i]), x0 < xl ? 28 : x1, y(i));
  }
  ctx.restore();
}

export function paint(ctx, w, h) {
  const L = currentLayer(), qt = queryTokens(), kt = keyTokens(), n = windowRows(h);
  const ks = keyStart(n), xl = Math.round(w * 0.36), xr = Math.round(w * 0.64);
  const exporting = !!state.exporting;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  const heads = shownHeads();
  const what = overlay ? `${heads.length} of ${L.heads} heads overlaid` : state.head === 'mean' ? 'mean of heads' : `head ${state.head}`;
  const q1 = Math.min(L.queries, start + n);
  ctx.fillText(`${L.name} · ${what} · queries ${start}–${q1 - 1} of ${L.queries}${exporting ? '' : ' (wheel scrolls)'} · top ${overlay ? K_OVERLAY : K} keys per query${overlay ? ' per head' : ''}`, 6, 6);
  if (!L.has_matrix) { ctx.fillStyle = '#222'; ctx.fillText(noWeightsLine(L), 6, 28); return; }
  const yq = (q) => TOP + (q - start) * ROW + ROW / 2, yk = (k) => TOP + (k - ks) * ROW + ROW / 2;
  const sel = pinned >= 0 ? pinned : focus;
  // Width (and, for one head, colour) relative to the strongest weight shown (the focused row's).
  let wmax = 0;
  for (const hd of heads) {
    const e = edgesOf(hd);
    if (e) for (let i = 0; i < e.weight.length; i++)
      if (sel < 0 || e.q0 + Math.floor(i / e.k) === sel) wmax = Math.max(wmax, e.weight[i]);
  }
  const focusW = new Map();  // key -> [head, weight] of the strongest line to it from the focused row
  for (const hd of heads) {
    const e = edgesOf(hd);
    if (!e) continue;
    for (let i = 0; i < e.q1 - e.q0; i++) {
      const q = e.q0 + i;
      if (sel >= 0 && q !== sel) continue;
      for (let j = 0; j < e.k; j++) {
        const k = e.index[i * e.k + j], v = e.weight[i * e.k + j];
        if (k < 0 || v < THRESHOLD || k < ks || k >= ks + n) continue;
        if (q === sel && !(focusW.get(k)?.[1] >= v)) focusW.set(k, [hd, v]);
        const t = wmax > 0 ? v / wmax : 0;
        const alpha = sel >= 0 ? 0.9 : 0.25 + 0.6 * t;
        ctx.strokeStyle = overlay ? headCss(hd, L.heads, overlay.size > 1 ? 0.15 + 0.75 * t : alpha) : cssOf(state.cmap, 0.15 + 0.85 * t, alpha);
        ctx.lineWidth = 0.5 + 4 * t;
        ctx.beginPath();
        ctx.moveTo(xl + 4, yq(q));
        ctx.bezierCurveTo((xl + xr) / 2, yq(q), (xl + xr) / 2, yk(k), xr - 4, yk(k));
        ctx.stroke();
      }
    }
  }
  drawSegments(ctx, xl, xr, yq, yk, start, q1, ks, Math.min(kt.length, ks + n), w);
  ctx.font = '12px sans-serif';
  ctx.textBaseline = 'middle';
  for (let q = start; q < Math.min(qt.length, start + n); q++) {
    ctx.textAlign = 'right';
    ctx.fillStyle = q === sel ? '#d0021b' : '#222';
    fillLabel(ctx, tokenLabel(qt[q]), xl, yq(q));
    ctx.fillStyle = '#999';
    ctx.textAlign = 'left';
    ctx.fillText(String(q), 6, yq(q));
  }
  const nk = neuron && neuron !== 'pending' ? neuron.k : -1;
  for (let k = ks; k < Math.min(kt.length, ks + n); k++) {
    ctx.textAlign = 'left';
    ctx.fillStyle = focusW.has(k) || k === nk ? '#000' : '#222';
    fillLabel(ctx, tokenLabel(kt[k]), xr, yk(k));
    if (focusW.has(k)) {
      const [hd, v] = focusW.get(k);
      ctx.fillStyle = overlay ? headCss(hd, L.heads) : '#d0021b';
      ctx.fillText(overlay ? `${fmtWeight(v)} h${hd}` : fmtWeight(v), xr + 130, yk(k));
    }
    if (k === nk) { ctx.strokeStyle = '#d0021b'; ctx.lineWidth = 1; ctx.strokeRect(xr - 2, yk(k) - ROW / 2 + 1, 126, ROW - 2); }
  }
  if (overlay) {  // legend: the heads drawn, in their colours
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'left';
    let x = 6;
    for (const hd of heads) {
      ctx.fillStyle = headCss(hd, L.heads);
      ctx.fillRect(x, 22, 10, 10);
      ctx.fillStyle = '#222';
      ctx.fillText(`h${hd}`, x + 13, 27);
      x += 40;
    }
  }
  if (neuron && neuron !== 'pending') {
    const e = edgesOf(neuron.head), row = e ? e.q1 : 0;
    let weight;
    if (e && neuron.q >= e.q0 && neuron.q < row)
      for (let j = 0; j < e.k; j++) if (e.index[(neuron.q - e.q0) * e.k + j] === neuron.k) weight = e.weight[(neuron.q - e.q0) * e.k + j];
    paintNeuron(ctx, { ...neuron, key: neuron.keyv, qTok: quoteToken(qt[neuron.q]), kTok: quoteToken(kt[neuron.k]), weight },
      6, h - NEURON_H + 6, w - 12, NEURON_H - 10);
  }
}

function render() {
  if (layerSeen !== state.layer) {  // another layer: its head count, no pinned pair
    layerSeen = state.layer;
    if (overlay) overlay = new Set([...Array(currentLayer().heads).keys()]);
    pinned = -1;
    neuron = null;
    buildBar();
  }
  const { ctx, w, h } = fitCanvas(canvas);
  want(h);
  paint(ctx, w, h);
}

// The overlay chips: "all heads" and one toggle per head, in its colour.
function buildBar() {
  if (!bar || !state.meta) return;
  const L = currentLayer();
  bar.innerHTML = '';
  const all = document.createElement('button');
  all.id = 'head-all';
  all.textContent = overlay ? 'one head' : 'all heads';
  all.title = overlay ? 'Back to the toolbar\'s head (or the mean)' : 'Overlay every head, each in its own colour';
  all.addEventListener('click', () => { overlay = overlay ? null : new Set([...Array(L.heads).keys()]); buildBar(); schedule(); });
  bar.appendChild(all);
  if (!overlay) return;
  for (let hd = 0; hd < L.heads; hd++) {
    const b = document.createElement('button');
    b.className = 'head-chip' + (overlay.has(hd) ? ' on' : '');
    b.dataset.head = String(hd);
    b.textContent = `h${hd}`;
    b.style.borderColor = headCss(hd, L.heads);
    if (overlay.has(hd)) { b.style.background = headCss(hd, L.heads); b.style.color = '#fff'; }
    b.addEventListener('click', () => {
      if (overlay.has(hd)) overlay.delete(hd); else overlay.add(hd);
      buildBar();
      schedule();
    });
    bar.appendChild(b);
  }
}

function rowAt(ev) {
  const r = canvas.getBoundingClientRect(), y = ev.clientY - r.top, x = ev.clientX - r.left;
  const n = windowRows(r.height), L = currentLayer();
  const i = Math.floor((y - TOP) / ROW);
  if (y < TOP || i >= n) return null;
  if (x < r.width * 0.5) { const q = start + i; return q < L.queries ? { side: 'q', i: q } : null; }
  const k = keyStart(n) + i;
  return k < L.keys ? { side: 'k', i: k } : null;
}

async function openNeuron(q, k) {
  const L = currentLayer();
  if (!L.has_qk) { set({ status: 'neuron view: this trace has no query/key vectors (trace with --capture dense,qk)' }); return; }
  // The head: the one shown, or (mean / overlay) the head of the strongest line from q to k.
  let hd = typeof state.head === 'number' && !overlay ? state.head : -1, best = -1;
  if (hd < 0)
    for (const h of overlay ? shownHeads() : [...Array(L.heads).keys()]) {
      const e = edgesOf(h);
      if (!e || q < e.q0 || q >= e.q1) continue;
      for (let j = 0; j < e.k; j++) if (e.index[(q - e.q0) * e.k + j] === k && e.weight[(q - e.q0) * e.k + j] > best) { best = e.weight[(q - e.q0) * e.k + j]; hd = h; }
    }
  if (hd < 0) hd = overlay ? shownHeads()[0] ?? 0 : 0;
  const key = `${state.layer}/${hd}/${q}/${k}`;
  neuron = 'pending';
  const r = await api.qk(state.layer, hd, q, k);
  neuron = { key, head: hd, q, k, query: r.query, keyv: r.key, scale: r.scale };
  schedule();
}

export function mount(container) {
  bar = document.createElement('div');
  bar.className = 'headbar';
  container.appendChild(bar);
  canvas = makeCanvas(container);
  schedule = frameScheduler(render);
  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    start = Math.max(0, start + Math.sign(ev.deltaY) * Math.max(1, Math.floor(windowRows(canvas.clientHeight) / 4)));
    schedule();
  }, { passive: false });
  canvas.addEventListener('mousemove', (ev) => {
    const at = rowAt(ev), f = at && at.side === 'q' ? at.i : -1;
    if (f !== focus) {
      focus = f;
      const qt = queryTokens();
      set({ hover: f >= 0 ? { view: 'head', q: f, text: `query ${f} ${quoteToken(qt[f])}: its top ${overlay ? K_OVERLAY : K} keys${overlay ? ' per head' : ''} · click to pin it` } : null });
      if (pinned < 0) schedule();
    }
  });
  canvas.addEventListener('click', (ev) => {
    const at = rowAt(ev);
    if (!at) return;
    if (at.side === 'q') { pinned = pinned === at.i ? -1 : at.i; neuron = null; schedule(); return; }
    if (pinned >= 0) openNeuron(pinned, at.i).catch((e) => { neuron = null; set({ status: `neuron view: ${e.message}` }); schedule(); });
  });
  canvas.addEventListener('mouseleave', () => { focus = -1; set({ hover: null }); });
}

export { render };
export function update() { schedule(); }
export function getCanvas() { return canvas; }
// Tests: overlay these heads (null: one head), pin a query and open the neuron view of (q, k).
export function setOverlay(heads) { overlay = heads ? new Set(heads) : null; buildBar(); schedule(); }
export function pin(q) { pinned = q; neuron = null; schedule(); }
export function neuronOf(q, k) { pinned = q; return openNeuron(q, k); }
export function neuronState() { return neuron; }
export const name = 'head';
export const hint = 'head: hover a query token to keep only its lines, click it to pin, then click a key for the neuron view · wheel scrolls the rows · "all heads" overlays every head';
