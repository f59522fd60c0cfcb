// Report view: the gradient attributions of one text's next-token prediction (`analyze MODEL
// "text" --attributions`, focus/gradient_attribution.h): one row per method over the input
// tokens — input gradient, Chefer rollout (minus its identity), and for the chosen layer attention × ‖value‖ and
// gradient × attention. Methods have different units, so each row is coloured by |value| / its
// row's largest |value|; hover prints the raw value. Hidden when the report has no attributions.
import { makeCanvas, fitCanvas } from '../util/canvas.js';
import { paintMatrix, layout, hit } from '../util/heatmap.js';
import { quoteToken } from '../util/format.js';

let section, picker, canvas, info, state, m = null, g = null, hover = null;

function matrix() {
  const a = state.report.attributions, L = a.layers[Number(picker.value)];
  // Chefer's R = I + ...: its query cell holds the identity's 1, which would darken the rest;
  // the row shows R − I (what flowed in from the tokens).
  const chefer = a.grad_rollout.map((v, j) => (j === a.query ? v - 1 : v));
  const rows = [
    ['input grad', a.input_gradient],
    ['Chefer R−I', chefer],
    ['attn×‖value‖', L.attention_norm],
    ['grad×attn', L.grad_attention],
  ];
  const cols = a.tokens.length, values = new Float32Array(rows.length * cols), raw = [];
  rows.forEach(([, r], i) => {
    const top = Math.max(...r.map(Math.abs)) || 1;
    r.forEach((v, j) => { values[i * cols + j] = Math.abs(v) / top; });
    raw.push(r);
  });
  return { rows: rows.length, cols, values, raw, rowLabels: rows.map(([n]) => n), colLabels: a.tokens };
}

function draw() {
  if (!m) return;
  const w = canvas.clientWidth || 600;
  canvas.style.height = `${layout(w, m.rows, m.cols).height}px`;
  const { ctx, w: cw } = fitCanvas(canvas);
  g = paintMatrix(ctx, cw, m, { cmap: state.cmap, vmax: 1, gamma: 1, hover });
}

export function mount(sec, s) {
  section = sec;
  state = s;
  const a = state.report.attributions;
  section.hidden = !a;
  if (!a) return;
  const p = document.createElement('p');
  p.className = 'note';
  p.append(`the prediction after position ${a.query} ${quoteToken(a.tokens[a.query])} (token id ${a.target}, log p ${a.logprob.toFixed(3)}) · layer `);
  picker = document.createElement('select');
  picker.id = 'attribution-layer';
  a.layers.forEach((L, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.textContent = L.name;
    picker.appendChild(o);
  });
  picker.value = String(a.layers.length - 1);
  p.append(picker);
  section.appendChild(p);
  const fig = document.createElement('figure');
  canvas = makeCanvas(fig);
  canvas.id = 'map-attributions';
  info = document.createElement('div');
  info.className = 'info';
  fig.appendChild(info);
  section.appendChild(fig);
  m = matrix();
  picker.addEventListener('change', () => { m = matrix(); draw(); });
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect(), c = g && hit(g, ev.clientX - r.left, ev.clientY - r.top);
    hover = c;
    info.textContent = c ? `${m.rowLabels[c.i]}: token ${c.j} ${quoteToken(m.colLabels[c.j])}: ${m.raw[c.i][c.j].toPrecision(4)}` : '';
    draw();
  });
}

export function render() { draw(); }
export function update(keys) { if (keys.includes('cmap')) draw(); }
export function cellCenter(i, j) {
  const r = canvas.getBoundingClientRect();
  return { x: r.left + g.left + (j + 0.5) * g.cell, y: r.top + g.top + (i + 0.5) * g.cell };
}
