// The viewer's entry point: loads metadata and tokens, builds the selectors, mounts the five
// views and routes state changes: layer/head/view -> render() (full redraw) of the visible
// view, hover/colour map/step -> update() (cheap). window.__attnscope exposes the state and
// timings to the browser tests and the first-paint benchmark.
import { api, useLocal } from './api.js';
import { state, set, subscribe } from './state.js';
import { colormapNames } from './util/colormaps.js';
import { LocalSource } from './util/local_source.js';
import { exportPng, exportSvg } from './util/export.js';
import * as matrix from './views/matrix.js';
import * as head from './views/head.js';
import * as model from './views/model.js';
import * as playback from './views/playback.js';
import * as heads from './views/heads.js';
import * as next from './views/next.js';

const views = { matrix, head, model, heads, playback, next };
const containers = {};
window.__attnscope = { state, set, views, firstPaint: null, start: performance.now() };

const $ = (id) => document.getElementById(id);

function fillSelect(sel, items) {
  sel.innerHTML = '';
  for (const [value, text] of items) {
    const o = document.createElement('option');
    o.value = String(value);
    o.textContent = text;
    sel.appendChild(o);
  }
}

function syncControls() {
  const L = state.meta.layers[state.layer];
  fillSelect($('head'), [...Array.from({ length: L.heads }, (_, h) => [h, `head ${h}`]), ['mean', 'mean of heads']]);
  $('layer').value = String(state.layer);
  $('head').value = String(state.head);
  $('cmap').value = state.cmap;
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.view === state.view);
  for (const [n, c] of Object.entries(containers)) c.hidden = n !== state.view;
}

function route(keys) {
  const v = views[state.view];
  if (keys.includes('layer') || keys.includes('head') || keys.includes('view')) {
    syncControls();
    v.render();
  } else if (keys.some((k) => ['hover', 'cmap', 'gamma', 'step', 'playing', 'speed'].includes(k))) {
    if (keys.includes('cmap')) $('cmap').value = state.cmap;
    v.update();
  }
  // Each tab's own hint replaces the last one's (the matrix hint stayed on every tab).
  if (keys.includes('view')) state.status = v.hint || '';
  if (keys.includes('hover') || keys.includes('status') || keys.includes('view')) {
    $('status').textContent = state.hover ? state.hover.text : state.status;
  }
}

async function start() {
  const data = document.getElementById('attnscope-data');
  if (data) useLocal(await LocalSource.fromBase64(data.textContent));
  const meta = await api.meta();
  // Tokens load while the first tiles are fetched and drawn (labels appear when they arrive).
  const tokensReady = Promise.all(meta.sequences.map((s) => api.tokens(s.name)));
  const tokens = {};
  for (const s of meta.sequences) tokens[s.name] = [];
  const first = Math.max(0, meta.layers.findIndex((L) => L.has_matrix));
  set({ meta, tokens, layer: first });
  document.title = `attnscope · ${meta.meta.model || 'trace'}`;
  $('title').textContent = meta.meta.model ? `attnscope · ${meta.meta.model}` : 'attnscope';
  fillSelect($('layer'), meta.layers.map((L, i) => [i, `${i}: ${L.name}${L.has_matrix ? '' : ' (stats)'}`]));
  fillSelect($('cmap'), colormapNames.map((n) => [n, n]));
  for (const [n, v] of Object.entries(views)) {
    const c = document.createElement('section');
    c.className = 'view';
    c.id = `view-${n}`;
    $('views').appendChild(c);
    containers[n] = c;
    v.mount(c);
  }
  $('layer').addEventListener('change', (e) => {
    const L = meta.layers[Number(e.target.value)];
    set({ layer: Number(e.target.value), head: state.head === 'mean' || state.head < L.heads ? state.head : 0, hover: null });
  });
  $('head').addEventListener('change', (e) => set({ head: e.target.value === 'mean' ? 'mean' : Number(e.target.value), hover: null }));
  $('cmap').addEventListener('change', (e) => set({ cmap: e.target.value }));
  $('gamma').addEventListener('change', (e) => set({ gamma: Number(e.target.value) }));
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => set({ view: b.dataset.view, hover: null }));
  // Exports frame the view's content (util/export.js), not the whole viewport.
  for (const [id, fn] of [['png', exportPng], ['svg', exportSvg]])
    $(id).addEventListener('click', () => {
      const c = views[state.view].getCanvas();
      fn(views[state.view], c.clientWidth, c.clientHeight, `attnscope-${state.view}.${id}`);
    });
  window.addEventListener('resize', () => views[state.view].render());
  window.addEventListener('keydown', (e) => {
    if (e.target.tagName === 'SELECT' || e.target.tagName === 'INPUT') return;
    if (e.key === ' ' && state.view === 'playback') { e.preventDefault(); playback.play(!state.playing); }
  });
  subscribe(route);
  syncControls();
  views[state.view].render();
  const lists = await tokensReady;
  meta.sequences.forEach((s, i) => { tokens[s.name] = lists[i]; });
  views[state.view].render();
  set({ status: views[state.view].hint || '' });
  window.__attnscope.ready = true;
}

start().catch((e) => {
  $('status').textContent = `error: ${e.message}`;
  window.__attnscope.error = e.message;
});
