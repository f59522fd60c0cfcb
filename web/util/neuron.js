// The neuron view (BertViz's): the query vector q of one position, the key vector k of another,
// their elementwise product q∘k and its sum times the scale — the score before the softmax whose
// weight the head view draws. Drawn in a strip: one cell per dimension, blue < 0 < orange.
import { fmtWeight } from './format.js';

function cellColor(v, vmax) {
  const t = Math.min(1, Math.abs(v) / (vmax || 1));
  const [r, g, b] = v >= 0 ? [230, 120, 20] : [40, 100, 200];
  const mix = (c) => Math.round(255 + (c - 255) * t);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

export function neuronScore(n) {
  let dot = 0;
  for (let d = 0; d < n.query.length; d++) dot += n.query[d] * n.key[d];
  return dot * n.scale;
}

// n: { query, key, scale, q, k, head, qTok, kTok, weight }; draws in [x, y, w, h].
export function paintNeuron(ctx, n, x, y, w, h) {
  const D = n.query.length, prod = n.query.map((v, d) => v * n.key[d]);
  let vmax = 0, pmax = 0;
  for (let d = 0; d < D; d++) { vmax = Math.max(vmax, Math.abs(n.query[d]), Math.abs(n.key[d])); pmax = Math.max(pmax, Math.abs(prod[d])); }
  const LW = 70, cw = Math.max(1, (w - LW - 10) / D), rh = Math.min(22, (h - 34) / 3);
  ctx.fillStyle = '#222';
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  const score = neuronScore(n);
  ctx.fillText(`neuron view · head ${n.head} · query ${n.q} ${n.qTok} · key ${n.k} ${n.kTok} · q·k × ${fmtWeight(n.scale)} = ${score.toFixed(4)}` +
    (n.weight !== undefined ? ` · weight ${fmtWeight(n.weight)}` : ''), x, y);
  const rows = [['query q', n.query, vmax], ['key k', n.key, vmax], ['q∘k', prod, pmax]];
  rows.forEach(([label, v, m], r) => {
    const ry = y + 18 + r * (rh + 4);
    ctx.fillStyle = '#444';
    ctx.textBaseline = 'middle';
    ctx.fillText(label, x, ry + rh / 2);
    for (let d = 0; d < D; d++) {
      ctx.fillStyle = cellColor(v[d], m);
      ctx.fillRect(x + LW + d * cw, ry, Math.max(1, cw - (cw > 3 ? 1 : 0)), rh);
    }
  });
}
