// The report page of `attnscope analyze --html` (src/attnscope/serve/report_page.h): reads the
// report JSON from #attnscope-report and renders it; it computes nothing the report does not
// hold. One state object; set(patch) tells every view which keys changed, and each view redraws
// (render) or only recolours (update). window.__report exposes the state to the browser tests.
import { colormapNames } from './util/colormaps.js';
import { MEASURES, valueOf } from './util/heads_grid.js';
import * as grid from './report/grid.js';
import * as roleTable from './report/role_table.js';
import * as histogram from './report/histogram.js';
import * as focusMaps from './report/focus_maps.js';
import * as attributions from './report/attributions.js';
import * as training from './report/training.js';

const $ = (id) => document.getElementById(id);
const views = { grid, roleTable, histogram, focusMaps, attributions, training };

// report.json "layers", each head also given its induction-probe score and its importance (by
// ablation and by gradient, per layer index) when the report has them.
function headLayers(report) {
  const probe = new Map(((report.induction || {}).layers || []).map((L) => [L.name, L.induction_mass]));
  const imp = report.head_importance;
  return (report.layers || []).map((L, l) => ({
    ...L,
    heads: L.heads.map((hd, h) => {
      const out = probe.has(L.name) ? { ...hd, probe_induction: probe.get(L.name)[h] } : { ...hd };
      if (imp && imp.layers[l] && imp.layers[l].length === L.heads.length) {
        out.importance_ablation = imp.layers[l][h];
        out.importance_gradient = imp.gradient ? imp.gradient.layers[l][h] : null;
      }
      return out;
    }),
  }));
}

export const state = {
  report: null,
  layers: [],          // headLayers(report)
  measures: [],        // MEASURES some head has
  measure: 'role',
  cmap: 'viridis',
  gamma: 1,            // rollout/flow colour scale exponent: 1 linear, 0.5 sqrt
  selected: null,      // { l, h } clicked in the grid
  status: '',
};

export function set(patch) {
  Object.assign(state, patch);
  const keys = Object.keys(patch);
  for (const v of Object.values(views)) v.update(keys);
  if (keys.includes('status')) $('status').textContent = state.status;
}

function fill(sel, items, value) {
  sel.innerHTML = '';
  for (const [v, text] of items) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = text;
    sel.appendChild(o);
  }
  sel.value = value;
}

function start() {
  const el = $('attnscope-report');
  if (!el) throw new Error('this page holds no report (#attnscope-report)');
  const report = JSON.parse(el.textContent);
  const layers = headLayers(report);
  const measures = MEASURES.filter((m) => m.key === 'role' || layers.some((L) => L.heads.some((hd) => valueOf(hd, m.key) !== null)));
  Object.assign(state, { report, layers, measures });
  const heads = layers.reduce((n, L) => n + L.heads.length, 0);
  const what = report.corpus ? `corpus ${report.corpus}` : report.text ? `"${report.text}"` : '';
  $('title').textContent = `attnscope report · ${report.source || ''}`;
  document.title = `attnscope report · ${report.source || ''}`;
  const runs = (report.training || []).length;
  $('summary').textContent = (layers.length
    ? [what, `${report.sequences_analyzed ?? 0} sequence(s)`, `${layers.length} layers`, `${heads} heads`]
    : [`focus over training of ${runs} run${runs === 1 ? '' : 's'}`]).filter(Boolean).join(' · ');
  // A training-only page (`analyze training -o page.html`) has no heads: only its section shows.
  for (const id of ['heads', 'roles', 'distribution']) $(id).hidden = !layers.length;
  $('measure').parentElement.hidden = !layers.length;
  $('cmap').parentElement.hidden = !layers.length;
  fill($('measure'), measures.map((m) => [m.key, m.label]), state.measure);
  fill($('cmap'), colormapNames.map((n) => [n, n]), state.cmap);
  $('measure').addEventListener('change', (e) => set({ measure: e.target.value }));
  $('cmap').addEventListener('change', (e) => set({ cmap: e.target.value }));
  $('gamma').parentElement.hidden = !(report.sequences || []).length;
  $('gamma').addEventListener('change', (e) => set({ gamma: Number(e.target.value) }));
  grid.mount($('heads'), state, set);
  roleTable.mount($('roles'), state, set);
  histogram.mount($('distribution'), state, set);
  focusMaps.mount($('maps'), state, set);
  attributions.mount($('attributions'), state, set);
  training.mount($('training'), state, set);
  for (const v of Object.values(views)) v.render();
  window.addEventListener('resize', () => { for (const v of Object.values(views)) v.render(); });
  set({ status: layers.length ? 'hover a head for its numbers · click to keep it · the selector recolours grid and histogram'
    : 'drag the step slider or press play to follow the focus through training' });
  window.__report.ready = true;
}

window.__report = { state, set, views, ready: false, error: null };
try {
  start();
} catch (e) {
  $('status').textContent = `error: ${e.message}`;
  window.__report.error = e.message;
}
