// Head statistics in the page: the JavaScript twin of src/attnscope/focus/head_stats.cpp (same
// measures, same skipped rows, same roles and thresholds), so the viewer's Heads tab shows what
// `attnscope analyze` would write for the trace it holds. tests/web/heads_twin.test.mjs compares
// the two. The per-layer result has the shape of report.json's "layers" entries.
//   measures per head, means over the query rows that see more than one key:
//   entropy, entropy_norm, max_weight, topk_mass (3 largest), first_mass, and for self-attention
//   distance, prev_mass, the argmax offset histogram, dup_mass and induction_mass.
// Sums are plain doubles here; the C++ sums in fixed point (units of 2^-32, for exact merges),
// so the two agree to ~1e-9, not bit for bit. A trace carries no corpus token counts, so the
// rare-token measure and role (analyze --corpus only) have no twin here.

export const TOP_MASS = 3;    // focus::kTopMass
export const MAX_OFFSET = 8;  // focus::kMaxOffset
// Role thresholds (head_stats.cpp, docs/FOCUS.md).
export const thresholds = {
  induction: 0.4, duplicate: 0.4, previous: 0.5, positional: 0.9, sink: 0.5, focused: 0.7, broad: 0.8, sinkRate: 0.3,
};

export function emptySums() {
  return {
    rows: 0, entropy: 0, entropy_norm: 0, max_weight: 0, topk_mass: 0, distance: 0, first_mass: 0, prev_mass: 0,
    dup_rows: 0, dup_mass: 0, induction_rows: 0, induction_mass: 0,
    offsets: new Array(2 * MAX_OFFSET + 2).fill(0), self: true,
  };
}

// Sum of the k largest positive weights (focus::row_topk keeps positive weights only).
function topMass(w, N, k) {
  const top = [];
  for (let i = 0; i < N; i++) {
    const v = w[i];
    if (!(v > 0)) continue;
    if (top.length < k) { top.push(v); top.sort((a, b) => b - a); } else if (v > top[k - 1]) { top[k - 1] = v; top.sort((a, b) => b - a); }
  }
  return top.reduce((a, b) => a + b, 0);
}

// focus::row_argmax: the largest positive weight, ties to the lower key; -1 when none.
function argmax(w, N) {
  let best = -1;
  for (let i = 0; i < N; i++) if (w[i] > 0 && (best < 0 || w[i] > w[best])) best = i;
  return best;
}

// One query row q (weights w[0, N)) of one head into s (add_row_measures in head_stats.cpp).
export function addRow(s, w, N, q, self, tokens) {
  let sum = 0, visible = 0;
  for (let k = 0; k < N; k++) {
    if (!(w[k] >= 0) || !Number.isFinite(w[k])) throw new Error('a weight is negative or not a number');
    if (w[k] > 0) { sum += w[k]; visible++; }
  }
  // Rows with one visible key (causal row 0) or none (padding) tell nothing about focus.
  if (visible <= 1 || !(sum > 0)) return;
  s.rows++;
  let h = 0, mx = 0, dist = 0;
  for (let k = 0; k < N; k++) {
    const p = w[k] / sum;
    if (p > 0) h -= p * Math.log(p);
    mx = Math.max(mx, p);
    if (self) dist += p * Math.abs(q - k);
  }
  s.entropy += h;
  s.entropy_norm += h / Math.log(visible);
  s.max_weight += mx;
  s.topk_mass += topMass(w, N, TOP_MASS) / sum;
  s.first_mass += w[0] / sum;
  if (!self) { s.self = false; return; }
  s.distance += dist;
  if (q >= 1 && q - 1 < N) s.prev_mass += w[q - 1] / sum;
  const d = q - argmax(w, N);
  s.offsets[Math.abs(d) <= MAX_OFFSET ? d + MAX_OFFSET : 2 * MAX_OFFSET + 1]++;
  if (!tokens || q >= tokens.length) return;
  // Duplicate-token and induction targets: earlier positions p < q holding the query's token.
  let dup = 0, ind = 0, hasDup = false, hasInd = false;
  for (let p = 0; p < q && p < N; p++) {
    if (tokens[p] !== tokens[q]) continue;
    hasDup = true;
    dup += w[p];
    if (p + 1 < q && p + 1 < N) { hasInd = true; ind += w[p + 1]; }
  }
  if (hasDup) { s.dup_rows++; s.dup_mass += dup / sum; }
  if (hasInd) { s.induction_rows++; s.induction_mass += ind / sum; }
}

// focus::head_report + the JSON of to_json: means, role and role_score.
export function headReport(s) {
  if (s.rows === 0) {
    const r = { rows: 0, role: 'none', role_score: 0, entropy: 0, entropy_norm: 0, max_weight: 0, topk_mass: 0, first_mass: 0 };
    return s.self ? { ...r, distance: 0, prev_mass: 0, best_offset: 0, best_offset_share: 0, dup_mass: null, induction_mass: null } : r;
  }
  const n = s.rows, T = thresholds;
  const r = {
    rows: n, role: '', role_score: 0, entropy: s.entropy / n, entropy_norm: s.entropy_norm / n,
    max_weight: s.max_weight / n, topk_mass: s.topk_mass / n, first_mass: s.first_mass / n,
  };
  const hasDup = s.dup_rows > 0, hasInd = s.induction_rows > 0;
  const dupMass = hasDup ? s.dup_mass / s.dup_rows : 0, indMass = hasInd ? s.induction_mass / s.induction_rows : 0;
  const prev = s.prev_mass / n;
  let counted = 0, best = -1;
  s.offsets.forEach((c, i) => {
    counted += c;
    if (i + 1 < s.offsets.length && (best < 0 || c > s.offsets[best])) best = i;
  });
  const bestOffset = counted > 0 ? best - MAX_OFFSET : 0, share = counted > 0 ? s.offsets[best] / counted : 0;
  if (s.self) {
    Object.assign(r, { distance: s.distance / n, prev_mass: prev, best_offset: bestOffset, best_offset_share: share,
      dup_mass: hasDup ? dupMass : null, induction_mass: hasInd ? indMass : null });
  }
  const role = (name, score) => { r.role = name; r.role_score = score; };
  // The first role whose score passes its threshold, most specific first.
  if (s.self && hasInd && indMass >= T.induction) role('induction', indMass);
  else if (s.self && hasDup && dupMass >= T.duplicate) role('duplicate-token', dupMass);
  else if (s.self && prev >= T.previous) role('previous-token', prev);
  else if (s.self && counted > 0 && share >= T.positional && bestOffset !== 0)
    role(`positional${bestOffset > 0 ? '-' : '+'}${Math.abs(bestOffset)}`, share);
  else if (s.self && counted > 0 && share >= T.positional) role('self', share);
  else if (r.first_mass >= T.sink) role('sink', r.first_mass);
  else if (r.max_weight >= T.focused) role('focused', r.max_weight);
  else if (r.entropy_norm >= T.broad) role('broad', r.entropy_norm);
  else role('mixed', r.max_weight);
  return r;
}

// Share of measured heads whose mean mass on the first token exceeds 0.3 (Gu et al. 2025).
export function sinkRate(heads) {
  const measured = heads.filter((h) => h.rows > 0);
  return measured.length ? measured.filter((h) => h.first_mass > thresholds.sinkRate).length / measured.length : 0;
}

const TILE = 256;

// The exact weights of one head as [Q, N] f32, from level-0 tiles (src: the page's api, or a
// LocalSource; both answer tile(layer, head, level, ty, tx, agg, fmt)).
export async function headMatrix(src, L, l, head) {
  const out = new Float32Array(L.queries * L.keys);
  for (let ty = 0; ty * TILE < L.queries; ty++)
    for (let tx = 0; tx * TILE < L.keys; tx++) {
      const t = await src.tile(l, head, 0, ty, tx, 'max', 'f32');
      for (let i = 0; i < t.rows; i++)
        out.set(t.values.subarray(i * t.cols, (i + 1) * t.cols), (ty * TILE + i) * L.keys + tx * TILE);
    }
  return out;
}

// The report "layers" of a whole trace (meta: /api/meta), one layer at a time; onLayer(l, layer)
// is told as each is done. Stats-only layers come back as { ..., stats: true, heads: [] }: the page
// has no rows for them (`attnscope analyze` measures their kept statistics).
export async function traceHeadReports(src, meta, onLayer = () => {}) {
  const out = [], tokenCache = {};
  for (let l = 0; l < meta.layers.length; l++) {
    const L = meta.layers[l], self = L.query_seq === L.key_seq;
    const base = { name: L.name, query_seq: L.query_seq, key_seq: L.key_seq };
    if (!L.has_matrix) {
      out.push({ ...base, stats: true, sink_rate: 0, heads: [] });
      onLayer(l, out[l]);
      continue;
    }
    if (self && !(L.query_seq in tokenCache)) tokenCache[L.query_seq] = await src.tokens(L.query_seq);
    const tokens = self ? tokenCache[L.query_seq] : null;
    const heads = await Promise.all(Array.from({ length: L.heads }, async (_, h) => {
      const M = await headMatrix(src, L, l, h), s = emptySums();
      for (let q = 0; q < L.queries; q++) addRow(s, M.subarray(q * L.keys, (q + 1) * L.keys), L.keys, q, self, tokens);
      return headReport(s);
    }));
    out.push({ ...base, sink_rate: sinkRate(heads), heads });
    onLayer(l, out[l]);
  }
  return out;
}
