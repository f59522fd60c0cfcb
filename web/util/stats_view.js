// The statistics of a layer that kept no weights (capture "stats"), as render's picture
// (src/attnscope/viz/stats_view.h): along the query axis a strip of entropy as a fraction of
// ln N, a strip of the max weight (both 0..1 in the colour map) and a panel with a dot at each
// query's most-attended key (a faint diagonal marks key = query for self-attention).
import { cssOf } from './color.js';
import { tokenLabel, fmtWeight, quoteToken } from './format.js';
import { fillLabel } from './canvas.js';

const LEFT = 120, TOP = 64, RIGHT = 40, STRIP = 16, GAP = 6;

// Geometry for a w x h canvas and Q queries, N keys.
export function statsLayout(w, h, Q, N) {
  const cw = Math.max(0.5, Math.min(24, (w - LEFT - RIGHT) / Q));
  const panel = Math.max(48, Math.min(h - TOP - 2 * (STRIP + GAP) - 90, N * cw, 320));
  return { left: LEFT, cw, entropyY: TOP, maxY: TOP + STRIP + GAP, panelY: TOP + 2 * (STRIP + GAP), panel, width: cw * Q };
}

export function paintStats(ctx, w, h, L, s, qt, kt, cmap, headName) {
  const g = statsLayout(w, h, L.queries, L.keys), lnN = L.keys > 1 ? Math.log(L.keys) : 1;
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(`${L.name} · ${headName} · ${L.queries}×${L.keys} · row statistics (the trace kept no weights) · hover a query`, 6, 6);
  for (let i = 0; i < 32; i++) {
    ctx.fillStyle = cssOf(cmap, (i + 0.5) / 32);
    ctx.fillRect(g.left + i * 3, 30, 3.5, 10);
  }
  ctx.fillStyle = '#222';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  ctx.fillText('0', g.left - 4, 35);
  ctx.textAlign = 'left';
  ctx.fillText('1   strips: entropy as a fraction of ln N, max weight', g.left + 100, 35);
  const rows = [['entropy / ln N', g.entropyY, STRIP], ['max weight', g.maxY, STRIP], ['most-attended key', g.panelY, g.panel]];
  for (const [name, y, hh] of rows) {
    ctx.fillStyle = '#222';
    ctx.textAlign = 'right';
    ctx.fillText(name, g.left - 8, y + STRIP / 2);
    ctx.strokeStyle = '#bbb';
    ctx.lineWidth = 1;
    ctx.strokeRect(g.left - 0.5, y - 0.5, g.width + 1, hh + 1);
  }
  [[s.entropy, g.entropyY, lnN], [s.max_weight, g.maxY, 1]].forEach(([v, y, div]) => {
    if (!v) { ctx.fillStyle = '#999'; ctx.textAlign = 'left'; ctx.fillText('not kept', g.left + 4, y + STRIP / 2); return; }
    for (let q = 0; q < L.queries; q++) {
      ctx.fillStyle = cssOf(cmap, Math.min(1, Math.max(0, v[q] / div)));
      ctx.fillRect(g.left + q * g.cw, y, g.cw + 0.3, STRIP);
    }
  });
  const ky = g.panel / L.keys;
  if (L.query_seq === L.key_seq) {
    ctx.strokeStyle = '#ddd';
    ctx.beginPath();
    ctx.moveTo(g.left, g.panelY);
    ctx.lineTo(g.left + Math.min(g.width, L.keys * g.cw), g.panelY + Math.min(g.panel, L.queries * ky));
    ctx.stroke();
  }
  if (s.argmax) {
    ctx.fillStyle = '#294a9e';
    const dh = Math.max(3, ky), dw = Math.max(2, g.cw);
    for (let q = 0; q < L.queries; q++) {
      const k = s.argmax[q];
      if (k >= 0 && k < L.keys) ctx.fillRect(g.left + q * g.cw + (g.cw - dw) / 2, g.panelY + Math.min(k * ky, g.panel - dh), dw, dh);
    }
  }
  ctx.fillStyle = '#999';
  ctx.textAlign = 'left';
  ctx.fillText('0', g.left + g.width + 4, g.panelY + 6);
  ctx.fillText(String(L.keys - 1), g.left + g.width + 4, g.panelY + g.panel - 6);
  // Query labels below, rotated, thinned to one per 13 px.
  const every = Math.max(1, Math.ceil(13 / g.cw));
  ctx.fillStyle = '#222';
  ctx.font = `${Math.max(8, Math.min(12, g.cw - 1))}px sans-serif`;
  for (let q = 0; q < L.queries; q += every) {
    ctx.save();
    ctx.translate(g.left + (q + 0.5) * g.cw, g.panelY + g.panel + 6);
    ctx.rotate(Math.PI / 2);
    ctx.textAlign = 'left';
    fillLabel(ctx, every > 1 ? `${q} ${tokenLabel(qt[q], 8)}` : tokenLabel(qt[q], 12), 0, 0);
    ctx.restore();
  }
}

// The query under canvas point (x, y) (anywhere in the strips' and panel's column), or -1.
export function statsQueryAt(x, y, w, h, L) {
  const g = statsLayout(w, h, L.queries, L.keys), q = Math.floor((x - g.left) / g.cw);
  return x >= g.left && q < L.queries && y >= g.entropyY && y <= g.panelY + g.panel ? q : -1;
}

// The hover line: the statistics of query q.
export function statsText(q, s, qt, kt) {
  const parts = [`query ${q} ${quoteToken(qt[q])}`];
  if (s.entropy) parts.push(`entropy ${s.entropy[q].toFixed(4)}`);
  if (s.max_weight) parts.push(`max weight ${fmtWeight(s.max_weight[q])}`);
  if (s.argmax) parts.push(s.argmax[q] >= 0 ? `most-attended key ${s.argmax[q]} ${quoteToken(kt[s.argmax[q]])}` : 'most-attended key -');
  return parts.join(' · ');
}

// What the views that need weights (head, playback) say for such a layer: one line everywhere.
export function noWeightsLine(L) {
  return `layer ${L.name} kept only row statistics, not the weights this view draws: the Matrix tab shows them`;
}
