// Heads view: the layers x heads grid of head measures and roles, computed in the page from the
// trace it shows (util/head_stats.js, the twin of focus/head_stats.cpp: what `attnscope analyze`
// writes into report.json) and drawn as the report page draws it (util/heads_grid.js). A
// selector picks the measure; hover prints a head's numbers; click opens it in the matrix view.
import { api } from '../api.js';
import { state, set } from '../state.js';
import { makeCanvas, fitCanvas, frameScheduler } from '../util/canvas.js';
import { MEASURES, paintGrid, hit, describe, cellOrigin } from '../util/heads_grid.js';
import { traceHeadReports } from '../util/head_stats.js';

// The page reads every weight once (exact f32 tiles): past this many, it leaves the measures
// to `attnscope analyze` (the same limit as an HTML export holds).
export const MAX_WEIGHTS = 16 << 20;

let canvas, schedule, select, g = null;
let measure = 'role';
let layers = null;     // report-shaped layers as they are measured
let failed = '';       // why the measures are not shown
let started = false;

function placeholders() {
  return state.meta.layers.map((L) => ({ name: L.name, nheads: L.heads, heads: [], stats: !L.has_matrix, pending: L.has_matrix }));
}

function start() {
  started = true;
  const total = state.meta.layers.reduce((n, L) => n + (L.has_matrix ? L.heads * L.queries * L.keys : 0), 0);
  if (total > MAX_WEIGHTS) {
    failed = `${total} weights: too many to measure in the page (at most ${MAX_WEIGHTS}); use attnscope analyze TRACE --html`;
    return;
  }
  layers = placeholders();
  const t0 = performance.now();
  traceHeadReports(api, state.meta, (l, L) => { layers[l] = L; schedule(); })
    .then(() => set({ status: `heads: ${state.meta.layers.length} layers measured in ${Math.round(performance.now() - t0)} ms · click a head to open it` }))
    .catch((e) => { failed = `heads: ${e.message}`; set({ status: failed }); schedule(); });
}

export function paint(ctx, w, h) {
  const shown = layers || placeholders();
  const title = failed || (layers && !layers.some((L) => L.pending) ? 'measures as attnscope analyze computes them · click a head to open it' : 'measuring heads…');
  g = paintGrid(ctx, w, h, { layers: failed ? shown.map((L) => ({ ...L, pending: false, heads: [] })) : shown,
    key: measure, cmap: state.cmap, selected: state.head === 'mean' ? null : { l: state.layer, h: state.head }, title });
}

function render() {
  if (!started) start();
  const { ctx, w, h } = fitCanvas(canvas);
  paint(ctx, w, h);
}

function cellAt(ev) {
  if (!g || !layers) return null;
  const r = canvas.getBoundingClientRect(), c = hit(g, ev.clientX - r.left, ev.clientY - r.top, layers);
  return c && layers[c.l].heads[c.h] ? c : null;
}

export function mount(container) {
  const bar = document.createElement('div');
  bar.className = 'playbar';
  const label = document.createElement('label');
  label.append('colour by ');
  select = document.createElement('select');
  select.id = 'heads-measure';
  for (const m of MEASURES.filter((x) => x.key !== 'probe_induction')) {
    const o = document.createElement('option');
    o.value = m.key;
    o.textContent = m.label;
    select.appendChild(o);
  }
  label.appendChild(select);
  bar.appendChild(label);
  container.appendChild(bar);
  select.addEventListener('change', () => { measure = select.value; schedule(); });
  canvas = makeCanvas(container);
  schedule = frameScheduler(render);
  canvas.addEventListener('click', (ev) => {
    const c = cellAt(ev);
    if (c) set({ layer: c.l, head: c.h, view: 'matrix', hover: null });
  });
  canvas.addEventListener('mousemove', (ev) => {
    const c = cellAt(ev);
    set({ hover: c ? { view: 'heads', text: describe(layers[c.l], c.h) } : null });
  });
  canvas.addEventListener('mouseleave', () => { if (state.hover) set({ hover: null }); });
}

export { render };
export function update() { schedule(); }
export function getCanvas() { return canvas; }
export const name = 'heads';
export const hint = 'heads: hover a head for its numbers · click one to open it in the matrix view';
// For tests: the measured layers (null until started), and the page point of cell (l, h).
export function results() { return layers && !layers.some((L) => L.pending) ? layers : null; }
export function cellPoint(l, h, fx = 0.5, fy = 0.5) {
  const r = canvas.getBoundingClientRect(), o = cellOrigin(g, l, h);
  return { x: r.left + o.x + fx * g.cell, y: r.top + o.y + fy * g.cell };
}
export function setMeasure(key) { measure = key; select.value = key; schedule(); }
