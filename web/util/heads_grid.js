// The layers x heads grid of head measures (report.json "layers", or the same computed in the
// page by util/head_stats.js), shared by the report page and the viewer's Heads tab: which
// measures there are and their colour scales, the layout, painting (grid + legend, on a canvas
// or an SvgContext), hit testing and the hover text. One cell per head: its role's colour, or
// its measure through the colour map; heads without the measure are light grey with a dash.
import { rgbOf, cssOf } from './color.js';
import { ROLES, roleRgb, roleCategory } from './roles.js';
import { fmtWeight } from './format.js';

// range 'unit': [0, 1] (masses and shares); 'max': [0, largest value in the grid]; 'signed':
// [−m, m] with m the largest |value| (0 in the middle of the colour map).
export const MEASURES = [
  { key: 'role', label: 'role' },
  { key: 'role_score', label: 'role score', range: 'unit' },
  { key: 'entropy', label: 'entropy (nats)', range: 'max' },
  { key: 'entropy_norm', label: 'entropy / log(keys)', range: 'unit' },
  { key: 'max_weight', label: 'max weight', range: 'unit' },
  { key: 'topk_mass', label: 'top-3 mass', range: 'unit' },
  { key: 'first_mass', label: 'first-token mass', range: 'unit' },
  { key: 'prev_mass', label: 'previous-token mass', range: 'unit' },
  { key: 'distance', label: 'mean distance', range: 'max' },
  { key: 'best_offset_share', label: 'argmax offset share', range: 'unit' },
  { key: 'dup_mass', label: 'duplicate-token mass', range: 'unit' },
  { key: 'induction_mass', label: 'induction mass', range: 'unit' },
  { key: 'probe_induction', label: 'induction (probe)', range: 'unit' },
  { key: 'rare_mass', label: 'rare-token mass', range: 'unit' },
  { key: 'rare_lift', label: 'rare-token lift over chance', range: 'max' },
  { key: 'importance_ablation', label: 'importance: ablation (loss change)', range: 'signed' },
  { key: 'importance_gradient', label: 'importance: gradient estimate', range: 'signed' },
];

export function measureOf(key) { return MEASURES.find((m) => m.key === key) || MEASURES[0]; }

// The value of one head for a numeric measure: a number, or null when the head has none
// (cross-attention has no distance; rows without an earlier copy of their token no dup_mass).
export function valueOf(head, key) {
  const v = head ? head[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

// The colour scale [0, top] of a measure over the grid.
export function scaleTop(layers, key) {
  const m = measureOf(key);
  if (m.range !== 'max' && m.range !== 'signed') return 1;
  let top = 0;
  for (const L of layers)
    for (const hd of L.heads || []) top = Math.max(top, m.range === 'signed' ? Math.abs(valueOf(hd, key) ?? 0) : valueOf(hd, key) ?? 0);
  return top > 0 ? top : 1;
}

// A cell's colour as [r, g, b], or null (no value: drawn grey).
export function cellRgb(head, key, top, cmap) {
  if (!head) return null;
  if (key === 'role') return roleRgb(head.role);
  const v = valueOf(head, key);
  if (v === null) return null;
  const t = measureOf(key).range === 'signed' ? (v / top + 1) / 2 : v / top;
  return rgbOf(cmap, Math.min(1, Math.max(0, t)));
}

const LEFT = 120, TOP = 36, GAP = 3, LEGEND = 190;

// Cell size for a canvas w wide (and h high when the grid must fit in it; Infinity otherwise).
export function layout(w, h, layers) {
  const maxHeads = Math.max(1, ...layers.map((L) => (L.heads || []).length || L.nheads || 0));
  const byW = Math.floor((w - LEFT - LEGEND - 10) / maxHeads) - GAP;
  const byH = Number.isFinite(h) ? Math.floor((h - TOP - 10) / Math.max(1, layers.length)) - GAP : 64;
  const cell = Math.max(12, Math.min(64, byW, byH));
  return { cell, maxHeads, left: LEFT, top: TOP, gap: GAP, legendX: LEFT + maxHeads * (cell + GAP) + 16,
    // tall enough for the legend too (every role, or the colour bar)
    height: Math.max(TOP + layers.length * (cell + GAP) + 10, TOP + ROLES.length * 18 + 10) };
}

// The top-left corner of cell (l, h).
export function cellOrigin(g, l, h) { return { x: g.left + h * (g.cell + g.gap), y: g.top + l * (g.cell + g.gap) }; }

export function hit(g, x, y, layers) {
  const l = Math.floor((y - g.top) / (g.cell + g.gap)), h = Math.floor((x - g.left) / (g.cell + g.gap));
  const L = layers[l];
  if (!L || x < g.left || y < g.top || h < 0 || h >= (L.heads || []).length) return null;
  return { l, h };
}

function legend(ctx, g, layers, key, top, cmap) {
  const x = g.legendX;
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  if (key === 'role') {
    const present = new Set();
    for (const L of layers) for (const hd of L.heads || []) present.add(roleCategory(hd.role));
    let y = g.top + 6;
    for (const r of ROLES) {
      if (!present.has(r.key)) continue;
      ctx.fillStyle = `rgb(${r.rgb.join(',')})`;
      ctx.fillRect(x, y - 6, 12, 12);
      ctx.strokeStyle = '#999';
      ctx.lineWidth = 1;
      ctx.strokeRect(x - 0.5, y - 6.5, 13, 13);
      ctx.fillStyle = '#222';
      ctx.fillText(r.label, x + 18, y);
      y += 18;
    }
    return;
  }
  const bh = Math.max(60, Math.min(200, g.height - g.top - 40)), n = 64;
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = cssOf(cmap, 1 - (i + 0.5) / n);
    ctx.fillRect(x, g.top + (i * bh) / n, 12, bh / n + 0.5);
  }
  ctx.fillStyle = '#222';
  const signed = measureOf(key).range === 'signed';
  ctx.fillText(signed ? `+${fmtWeight(top)}` : fmtWeight(top), x + 16, g.top + 4);
  if (signed) ctx.fillText('0', x + 16, g.top + bh / 2);
  ctx.fillText(signed ? `−${fmtWeight(top)}` : '0', x + 16, g.top + bh - 4);
  ctx.fillStyle = '#bbb';
  ctx.fillRect(x, g.top + bh + 12, 12, 12);
  ctx.fillStyle = '#222';
  ctx.fillText('no value', x + 16, g.top + bh + 18);
}

// Paints the grid of `layers` (report "layers"; a layer may carry `stats: true` or `pending:
// true` instead of heads, with `nheads` for its width) coloured by `key`; `selected` {l, h}
// is outlined. Returns the layout.
export function paintGrid(ctx, w, h, { layers, key, cmap, selected = null, title = '' }) {
  const g = layout(w, h, layers), top = scaleTop(layers, key);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, Number.isFinite(h) ? h : g.height);
  ctx.font = '11px sans-serif';
  ctx.fillStyle = '#555';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  if (title) ctx.fillText(title, 6, 4);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  for (let hd = 0; hd < g.maxHeads; hd++) ctx.fillText(g.cell >= 28 ? `head ${hd}` : `${hd}`, g.left + hd * (g.cell + g.gap) + g.cell / 2, g.top - 4);
  layers.forEach((L, l) => {
    const y = g.top + l * (g.cell + g.gap);
    ctx.fillStyle = '#222';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(L.name.length > 18 ? L.name.slice(0, 17) + '…' : L.name, g.left - 8, y + g.cell / 2);
    if (L.stats || L.pending) {
      ctx.fillStyle = '#888';
      ctx.textAlign = 'left';
      ctx.fillText(L.stats ? 'row statistics only (attnscope analyze measures them)' : 'measuring…', g.left, y + g.cell / 2);
      return;
    }
    L.heads.forEach((hd, h) => {
      const x = g.left + h * (g.cell + g.gap), rgb = cellRgb(hd, key, top, cmap);
      ctx.fillStyle = rgb ? `rgb(${rgb.join(',')})` : '#bbb';
      ctx.fillRect(x, y, g.cell, g.cell);
      if (g.cell >= 30) {
        // The number (or role initial) in the lower half, so the upper half shows pure colour.
        const v = key === 'role' ? null : valueOf(hd, key);
        const light = rgb ? rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114 > 140 : true;
        ctx.fillStyle = light ? '#111' : '#fff';
        ctx.textAlign = 'center';
        ctx.font = '10px sans-serif';
        ctx.fillText(key === 'role' ? shortRole(hd.role) : v === null ? '–' : v.toFixed(2), x + g.cell / 2, y + g.cell * 0.75);
        ctx.font = '11px sans-serif';
      }
    });
  });
  if (selected && layers[selected.l] && !layers[selected.l].stats) {
    const { x, y } = cellOrigin(g, selected.l, selected.h);
    ctx.strokeStyle = '#d0021b';
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 1, y - 1, g.cell + 2, g.cell + 2);
  }
  legend(ctx, g, layers, key, top, cmap);
  return g;
}

function shortRole(role) {
  const r = String(role);
  if (r.startsWith('positional')) return r.replace('positional', 'pos');
  return { 'duplicate-token': 'dup', 'previous-token': 'prev', induction: 'ind', 'rare-token': 'rare' }[r] || r.slice(0, 5);
}

const num = (v, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '–');

// One line describing a head: its role and every measure it has.
export function describe(L, h) {
  const hd = L.heads[h];
  const parts = [`${L.name} head ${h}: ${hd.role} (${num(hd.role_score)})`, `entropy ${num(hd.entropy)} (norm ${num(hd.entropy_norm)})`,
    `max ${num(hd.max_weight)}`, `top-3 ${num(hd.topk_mass)}`, `first ${num(hd.first_mass)}`];
  if ('prev_mass' in hd) {
    parts.push(`prev ${num(hd.prev_mass)}`, `distance ${num(hd.distance, 2)}`,
      `offset ${hd.best_offset} (${num(100 * hd.best_offset_share, 0)}%)`, `dup ${num(hd.dup_mass)}`, `induction ${num(hd.induction_mass)}`);
  }
  if ('probe_induction' in hd) parts.push(`probe induction ${num(hd.probe_induction)}`);
  if ('rare_mass' in hd) parts.push(`rare ${num(hd.rare_mass)} (lift ${num(hd.rare_lift, 2)})`);
  if ('importance_ablation' in hd) parts.push(`ablation ${num(hd.importance_ablation, 4)}`, `gradient estimate ${num(hd.importance_gradient, 4)}`);
  parts.push(`rows ${hd.rows}`);
  return parts.join(' · ');
}
