// Head roles (focus/head_stats.h) as categories with fixed colours, shared by the report page
// and the viewer's Heads tab. positional+d / positional-d are one category (the exact role is in
// the hover text); colours are Tableau 10, which stays distinguishable for most colour-blind readers.
export const ROLES = [
  { key: 'induction', label: 'induction', rgb: [214, 39, 40] },
  { key: 'duplicate-token', label: 'duplicate-token', rgb: [255, 127, 14] },
  { key: 'previous-token', label: 'previous-token', rgb: [31, 119, 180] },
  { key: 'positional', label: 'positional ±d', rgb: [23, 190, 207] },
  { key: 'self', label: 'self', rgb: [148, 103, 189] },
  { key: 'rare-token', label: 'rare-token', rgb: [227, 119, 194] },
  { key: 'sink', label: 'sink', rgb: [140, 86, 75] },
  { key: 'focused', label: 'focused', rgb: [44, 160, 44] },
  { key: 'broad', label: 'broad', rgb: [188, 189, 34] },
  { key: 'mixed', label: 'mixed', rgb: [199, 199, 199] },
  { key: 'none', label: 'none (no rows)', rgb: [240, 240, 240] },
];

const byKey = new Map(ROLES.map((r) => [r.key, r]));

export function roleCategory(role) {
  const r = String(role);
  return r.startsWith('positional') ? 'positional' : byKey.has(r) ? r : 'none';
}

export function roleRgb(role) { return byKey.get(roleCategory(role)).rgb; }
export function roleCss(role) { const [r, g, b] = roleRgb(role); return `rgb(${r},${g},${b})`; }
export function roleLabel(category) { return byKey.get(category).label; }

// Counts per category and the heads of each, in ROLES order (categories with no head left out).
// layers: report "layers"; each entry: { key, label, rgb, heads: [{ l, h, layer, role, score }] }.
export function roleTable(layers) {
  const groups = new Map(ROLES.map((r) => [r.key, { ...r, heads: [] }]));
  layers.forEach((L, l) => (L.heads || []).forEach((hd, h) => {
    groups.get(roleCategory(hd.role)).heads.push({ l, h, layer: L.name, role: hd.role, score: hd.role_score });
  }));
  return [...groups.values()].filter((g) => g.heads.length > 0);
}
