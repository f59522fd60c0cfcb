// Report view: the layers x heads grid coloured by the selected measure or role
// (util/heads_grid.js), with a legend; hover prints a head's numbers, click keeps them.
import { makeCanvas, fitCanvas } from '../util/canvas.js';
import { paintGrid, layout, hit, describe, cellOrigin } from '../util/heads_grid.js';

let canvas, info, note, state, set, g = null;

export function mount(section, s, setter) {
  state = s;
  set = setter;
  note = document.createElement('p');
  note.className = 'note';
  section.appendChild(note);
  canvas = makeCanvas(section);
  info = document.createElement('div');
  info.className = 'info';
  section.appendChild(info);
  const probe = state.report.induction;
  note.textContent = probe
    ? `induction probe: ${probe.sequences} random sequences of ${probe.length} tokens repeated twice; best head ${probe.best.layer} head ${probe.best.head} (induction mass ${probe.best.induction_mass.toFixed(3)})`
    : 'one cell per head; roles and thresholds: docs/FOCUS.md';
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect(), c = g && hit(g, ev.clientX - r.left, ev.clientY - r.top, state.layers);
    info.textContent = c ? describe(state.layers[c.l], c.h) : selectedText();
  });
  canvas.addEventListener('mouseleave', () => { info.textContent = selectedText(); });
  canvas.addEventListener('click', (ev) => {
    const r = canvas.getBoundingClientRect(), c = g && hit(g, ev.clientX - r.left, ev.clientY - r.top, state.layers);
    set({ selected: c });
  });
}

function selectedText() { return state.selected ? describe(state.layers[state.selected.l], state.selected.h) : ''; }

export function render() {
  const w = canvas.clientWidth || 800;
  canvas.style.height = `${layout(w, Infinity, state.layers).height}px`;
  const { ctx, w: cw } = fitCanvas(canvas);
  g = paintGrid(ctx, cw, Infinity, { layers: state.layers, key: state.measure, cmap: state.cmap, selected: state.selected });
  info.textContent = selectedText();
}

export function update(keys) {
  if (keys.some((k) => ['measure', 'cmap', 'selected'].includes(k))) render();
}

// Page coordinates of a point inside cell (l, h), fx/fy in [0, 1] of the cell (tests).
export function cellPoint(l, h, fx = 0.5, fy = 0.5) {
  const r = canvas.getBoundingClientRect(), o = cellOrigin(g, l, h);
  return { x: r.left + o.x + fx * g.cell, y: r.top + o.y + fy * g.cell, cell: g.cell };
}
export function getCanvas() { return canvas; }
