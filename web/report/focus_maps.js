// Report view: rollout and flow (Abnar & Zuidema 2020, focus/rollout.h, focus/attention_flow.h)
// of each analysed sequence as heatmaps, top-layer positions down, input tokens across; with
// `analyze --flow --query Q` flow is that one row. Hidden when the report has no sequences.
import { makeCanvas, fitCanvas } from '../util/canvas.js';
import { paintMatrix, layout, hit, scaleTop } from '../util/heatmap.js';
import { fmtWeight, quoteToken } from '../util/format.js';

let section, picker, box, state;
const maps = [];  // { kind, canvas, info, m, vmax, g, hover }

function matrixOf(seq, kind) {
  const rows = seq[kind], cols = seq.tokens.length;
  const values = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => values.set(r, i * cols));
  const rowLabels = kind === 'flow' && seq.query !== undefined ? [seq.tokens[seq.query]] : seq.tokens;
  const rowIndex = kind === 'flow' && seq.query !== undefined ? [seq.query] : seq.tokens.map((_, i) => i);
  return { rows: rows.length, cols, values, rowLabels, colLabels: seq.tokens, rowIndex };
}

function build() {
  box.innerHTML = '';
  maps.length = 0;
  const seq = state.report.sequences[Number(picker.value) || 0];
  for (const kind of ['rollout', 'flow']) {
    if (!seq[kind]) continue;
    const fig = document.createElement('figure');
    fig.dataset.kind = kind;
    const cap = document.createElement('figcaption');
    cap.textContent = kind === 'rollout' ? 'rollout' : seq.query !== undefined ? `flow (query ${seq.query})` : 'flow';
    fig.appendChild(cap);
    const canvas = makeCanvas(fig);
    canvas.id = `map-${kind}`;
    const info = document.createElement('div');
    info.className = 'info';
    fig.appendChild(info);
    box.appendChild(fig);
    const m = matrixOf(seq, kind), e = { kind, canvas, info, m, vmax: scaleTop(m.values, m.rows, m.cols), g: null, hover: null };
    canvas.addEventListener('mousemove', (ev) => {
      const r = canvas.getBoundingClientRect(), c = e.g && hit(e.g, ev.clientX - r.left, ev.clientY - r.top);
      e.hover = c;
      info.textContent = c ? `${kind}: position ${m.rowIndex[c.i]} ${quoteToken(m.rowLabels[c.i])} → token ${c.j} ${quoteToken(m.colLabels[c.j])}: ${fmtWeight(m.values[c.i * m.cols + c.j])}` : '';
      draw(e);
    });
    maps.push(e);
  }
}

function draw(e) {
  const w = e.canvas.clientWidth || 500;
  e.canvas.style.height = `${layout(w, e.m.rows, e.m.cols).height}px`;
  const { ctx, w: cw } = fitCanvas(e.canvas);
  e.g = paintMatrix(ctx, cw, e.m, { cmap: state.cmap, vmax: e.vmax, gamma: state.gamma, hover: e.hover });
}

export function mount(sec, s) {
  section = sec;
  state = s;
  const seqs = state.report.sequences || [];
  section.hidden = seqs.length === 0;
  if (!seqs.length) return;
  const p = document.createElement('p');
  p.className = 'note';
  p.append(`layers ${seqs[0].layers.join(', ')} · `);
  picker = document.createElement('select');
  picker.id = 'sequence';
  seqs.forEach((s, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.textContent = `${s.name} (${s.tokens.length} tokens)`;
    picker.appendChild(o);
  });
  p.append(picker);
  section.appendChild(p);
  box = document.createElement('div');
  box.className = 'maps';
  section.appendChild(box);
  picker.addEventListener('change', () => { build(); render(); });
  build();
}

export function render() { for (const e of maps) draw(e); }
export function update(keys) { if (keys.includes('cmap') || keys.includes('gamma')) render(); }
export function mapCanvas(kind) { return maps.find((e) => e.kind === kind)?.canvas; }
