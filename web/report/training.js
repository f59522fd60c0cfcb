// Report view: focus over training (`attnscope analyze training RUN -o page.html`, report key
// "training": one or two runs, each a focus series of focus/training_series.h). A panel per
// measure group as the PNG chart draws it (src/attnscope/viz/series_chart.h): task measures one
// line per run, a layer's head entropies one line per head in the head colours; the second run
// dashed. A step slider (and play) moves a cursor through training: lines are drawn up to it and
// the readout lists every value at that step. Hidden when the report has no training series.
import { headCss } from '../util/head_colors.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 300, H = 140, PAD = { l: 44, r: 8, t: 18, b: 20 };
let section, slider, stepLabel, play, info, panelsEl, state, timer = null;
let runs = [], panels = [];
export let steps = [];  // every step of the runs' points, in order

// "entropy/decoder.cross/h2" -> ["entropy decoder.cross", "h2"]; "exact" -> ["exact", ""].
export function panelOf(measure) {
  const parts = measure.split('/');
  if (parts.length < 3) return [measure, ''];
  return [`${parts[0]} ${parts.slice(1, -1).join('/')}`, parts[parts.length - 1]];
}

function buildPanels() {
  const byName = new Map();
  runs.forEach((run, ri) => run.series.forEach((p) => {
    for (const [m, v] of Object.entries(p.values)) {
      const [name, line] = panelOf(m);
      if (!byName.has(name)) byName.set(name, { name, lines: [], lo: Infinity, hi: -Infinity, s0: Infinity, s1: -Infinity, measures: new Map() });
      const P = byName.get(name);
      if (line && !P.lines.includes(line)) P.lines.push(line);
      P.measures.set(`${ri}|${line}`, m);
      P.s0 = Math.min(P.s0, p.step);
      P.s1 = Math.max(P.s1, p.step);
      if (Number.isFinite(v)) { P.lo = Math.min(P.lo, v); P.hi = Math.max(P.hi, v); }
    }
  }));
  const out = [...byName.values()];
  // Task measures first (as the chart orders them), then head panels.
  out.sort((a, b) => (a.lines.length > 0) - (b.lines.length > 0));
  for (const P of out) {
    if (!Number.isFinite(P.lo)) { P.lo = 0; P.hi = 1; }
    if (!P.lines.length && P.lo >= 0 && P.hi <= 1) { P.lo = 0; P.hi = 1; } else {
      const pad = P.hi > P.lo ? 0.05 * (P.hi - P.lo) : 0.5;
      P.lo -= pad; P.hi += pad;
    }
    if (P.s1 <= P.s0) P.s1 = P.s0 + 1;
  }
  return out;
}

const px = (P, s) => PAD.l + (W - PAD.l - PAD.r) * (s - P.s0) / (P.s1 - P.s0);
const py = (P, v) => PAD.t + (H - PAD.t - PAD.b) * (1 - (v - P.lo) / (P.hi - P.lo));
const fmt = (v) => (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(3));

function el(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

// The panel's lines: one per (run, line), its points up to `upTo`.
function drawLines(P, g, upTo) {
  g.replaceChildren();
  const lines = P.lines.length ? P.lines : [''];
  runs.forEach((run, ri) => lines.forEach((line, li) => {
    const m = P.measures.get(`${ri}|${line}`);
    if (!m) return;
    const pts = run.series.filter((p) => p.step <= upTo && Number.isFinite(p.values[m]))
      .map((p) => `${px(P, p.step).toFixed(1)},${py(P, p.values[m]).toFixed(1)}`);
    if (!pts.length) return;
    el('polyline', {
      points: pts.join(' '), fill: 'none', 'stroke-width': 2, stroke: headCss(P.lines.length ? li : ri),
      'stroke-dasharray': ri > 0 ? '6 4' : 'none', 'data-run': ri, 'data-line': line, 'data-measure': m,
    }, g);
  }));
  const cx = px(P, Math.min(upTo, P.s1));
  P.cursor.setAttribute('x1', cx);
  P.cursor.setAttribute('x2', cx);
}

function render() {
  if (!section || section.hidden) return;
  panelsEl.replaceChildren();
  for (const P of panels) {
    const svg = el('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: 'series-panel', 'data-panel': P.name }, panelsEl);
    el('text', { x: PAD.l, y: 12, 'font-weight': 600, 'font-size': 11 }, svg).textContent = P.name;
    el('rect', { x: PAD.l, y: PAD.t, width: W - PAD.l - PAD.r, height: H - PAD.t - PAD.b, fill: 'none', stroke: '#bbb' }, svg);
    for (const v of [P.lo, (P.lo + P.hi) / 2, P.hi])
      el('text', { x: PAD.l - 4, y: py(P, v) + 3, 'text-anchor': 'end', 'font-size': 10 }, svg).textContent = fmt(v);
    el('text', { x: PAD.l, y: H - 6, 'font-size': 10 }, svg).textContent = String(P.s0);
    el('text', { x: W - PAD.r, y: H - 6, 'text-anchor': 'end', 'font-size': 10 }, svg).textContent = `${P.s1} steps`;
    P.lines.slice(0, 10).forEach((line, li) => {
      el('text', { x: W - PAD.r - 3, y: PAD.t + 11 + 11 * li, 'text-anchor': 'end', 'font-size': 10, fill: headCss(li) }, svg).textContent = line;
    });
    P.g = el('g', {}, svg);
    P.cursor = el('line', { y1: PAD.t, y2: H - PAD.b, stroke: '#999' }, svg);
  }
  update(['trainingStep']);
}

// Every value at the cursor's step (the last point at or before it, per run).
function readout(step) {
  const lines = [`step ${step}`];
  runs.forEach((run, ri) => {
    const p = [...run.series].reverse().find((q) => q.step <= step);
    if (!p) return;
    const task = Object.entries(p.values).filter(([m]) => !m.includes('/')).map(([m, v]) => `${m}=${fmt(v)}`);
    const roles = Object.entries(p.roles || {}).map(([h, r]) => `${h}:${r}`);
    lines.push(`${runs.length > 1 ? (ri ? 'dashed' : 'solid') + ' ' : ''}${run.label}: ${task.join(' ')}${roles.length ? '  roles ' + roles.join(' ') : ''}`);
  });
  return lines.join('\n');
}

export function update(keys) {
  if (!section || section.hidden || !keys.includes('trainingStep')) return;
  const step = steps[Math.min(steps.length - 1, state.trainingStep ?? steps.length - 1)];
  for (const P of panels) drawLines(P, P.g, step);
  slider.value = String(state.trainingStep ?? steps.length - 1);
  stepLabel.textContent = `step ${step}`;
  info.textContent = readout(step);
}

export function mount(sec, s, set) {
  section = sec;
  state = s;
  runs = (state.report.training || []).map((r) => ({ label: r.label, series: r.series, exact99: r.exact_99_step, roles: r.role_changes || [] }));
  section.hidden = runs.length === 0;
  if (section.hidden) return;
  panels = buildPanels();
  steps = [...new Set(runs.flatMap((r) => r.series.map((p) => p.step)))].sort((a, b) => a - b);
  const bar = document.createElement('div');
  bar.className = 'series-bar';
  play = document.createElement('button');
  play.textContent = 'play';
  slider = document.createElement('input');
  Object.assign(slider, { type: 'range', min: 0, max: steps.length - 1, step: 1, value: steps.length - 1 });
  stepLabel = document.createElement('span');
  bar.append(play, slider, stepLabel);
  const note = document.createElement('p');
  note.className = 'note';
  note.textContent = runs.map((r, i) => `${runs.length > 1 ? (i ? 'dashed: ' : 'solid: ') : ''}${r.label}` +
    (r.exact99 !== undefined ? ` · exact ≥ 99% at step ${r.exact99}` : '') + (r.roles.length ? ` · roles ${r.roles.join('; ')}` : '')).join('\n');
  panelsEl = document.createElement('div');
  panelsEl.className = 'series-panels';
  info = document.createElement('div');
  info.className = 'info';
  section.append(note, bar, panelsEl, info);
  slider.addEventListener('input', () => set({ trainingStep: Number(slider.value) }));
  play.addEventListener('click', () => {
    if (timer) { clearInterval(timer); timer = null; play.textContent = 'play'; return; }
    play.textContent = 'pause';
    let i = 0;
    set({ trainingStep: 0 });
    timer = setInterval(() => {
      if (++i >= steps.length) { clearInterval(timer); timer = null; play.textContent = 'play'; return; }
      set({ trainingStep: i });
    }, 400);
  });
  state.trainingStep = steps.length - 1;
}

export { render };
