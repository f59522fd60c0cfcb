// Next-token view (Ecco's most-used view): for each position of a language model's input, the
// token that actually follows with its probability and rank, then the k most probable next
// tokens as bars (the actual one outlined). From the trace's predictions (--capture ...,next:K);
// a trace without them says how to get them. Long inputs show a window of rows (wheel scrolls).
import { api } from '../api.js';
import { state, set } from '../state.js';
import { cssOf } from '../util/color.js';
import { makeCanvas, fitCanvas, frameScheduler, fillLabel } from '../util/canvas.js';
import { tokenLabel, quoteToken } from '../util/format.js';

const ROW = 22, TOP = 34, XTOK = 40, XNEXT = 170, XCAND = 330;
let canvas, schedule;
let preds = null;  // /api/predictions | 'pending' | { error }
let start = 0;

function rowsIn(h) { return Math.max(1, Math.floor((h - TOP - 8) / ROW)); }
function pct(p) { return p >= 0.0995 ? `${(100 * p).toFixed(0)}%` : p >= 0.000995 ? `${(100 * p).toFixed(1)}%` : `${(100 * p).toExponential(0)}%`; }

function load() {
  if (preds || !state.meta.predictions) return;
  preds = 'pending';
  api.predictions().then((p) => { preds = p; schedule(); }).catch((e) => { preds = { error: e.message }; schedule(); });
}

export function paint(ctx, w, h) {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  if (!state.meta.predictions) {
    ctx.fillText('next tokens: this trace has no next-token predictions (trace a language model with --capture dense,next:5)', 6, 6);
    return;
  }
  if (!preds || preds === 'pending' || preds.error) { ctx.fillText(preds?.error ? `next tokens: ${preds.error}` : 'next tokens: loading…', 6, 6); return; }
  const toks = state.tokens[preds.seq] || [], Q = preds.target_rank.length, n = rowsIn(h), K = preds.k;
  start = Math.max(0, Math.min(start, Q - n));
  ctx.fillText(`next tokens · positions ${start}–${Math.min(Q, start + n) - 1} of ${Q}${state.exporting ? '' : ' (wheel scrolls)'} · top ${K} per position`, 6, 6);
  ctx.fillStyle = '#888';
  ctx.fillText('position · token', 6, 20);
  ctx.fillText('actual next: rank, p', XNEXT, 20);
  ctx.fillText('most probable next tokens', XCAND, 20);
  const cw = Math.max(40, (w - XCAND - 6) / K);
  for (let q = start; q < Math.min(Q, start + n); q++) {
    const y = TOP + (q - start) * ROW, ym = y + ROW / 2;
    ctx.font = '12px sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillStyle = '#999';
    ctx.fillText(String(q), 6, ym);
    ctx.fillStyle = '#222';
    fillLabel(ctx, tokenLabel(toks[q], 14), XTOK, ym);
    const rank = preds.target_rank[q], next = toks[q + 1];
    if (rank > 0) {
      ctx.fillStyle = rank === 1 ? '#1a7f37' : rank <= K ? '#9a6700' : '#d0021b';
      ctx.fillText(`#${rank} ${pct(preds.target_prob[q])}`, XNEXT, ym);
      if (next !== undefined) { ctx.fillStyle = '#555'; fillLabel(ctx, tokenLabel(next, 8), XNEXT + 82, ym); }
    } else {
      ctx.fillStyle = '#aaa';
      ctx.fillText('—', XNEXT, ym);
    }
    for (let j = 0; j < K; j++) {
      const p = preds.prob[q * K + j], x = XCAND + j * cw;
      ctx.fillStyle = cssOf(state.cmap, Math.sqrt(Math.min(1, p)), 1);
      ctx.fillRect(x, y + 2, Math.max(1, (cw - 4) * Math.min(1, p)), ROW - 4);
      ctx.strokeStyle = '#ddd';
      ctx.lineWidth = 1;
      ctx.strokeRect(x, y + 2, cw - 4, ROW - 4);
      if (rank === j + 1) { ctx.strokeStyle = '#d0021b'; ctx.lineWidth = 2; ctx.strokeRect(x, y + 2, cw - 4, ROW - 4); }
      ctx.fillStyle = '#000';
      ctx.font = '11px sans-serif';
      ctx.textAlign = 'left';
      fillLabel(ctx, `${tokenLabel(preds.labels[q * K + j], 10)} ${pct(p)}`, x + 3, ym);
    }
  }
}

function render() {
  load();
  const { ctx, w, h } = fitCanvas(canvas);
  paint(ctx, w, h);
}

export function mount(container) {
  canvas = makeCanvas(container);
  schedule = frameScheduler(render);
  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    start = Math.max(0, start + Math.sign(ev.deltaY) * Math.max(1, Math.floor(rowsIn(canvas.clientHeight) / 4)));
    schedule();
  }, { passive: false });
  canvas.addEventListener('mousemove', (ev) => {
    if (!preds || preds === 'pending' || preds.error) return;
    const r = canvas.getBoundingClientRect(), q = start + Math.floor((ev.clientY - r.top - TOP) / ROW), K = preds.k;
    if (ev.clientY - r.top < TOP || q >= Math.min(preds.target_rank.length, start + rowsIn(r.height))) { if (state.hover) set({ hover: null }); return; }
    const toks = state.tokens[preds.seq] || [];
    const cands = Array.from({ length: K }, (_, j) => `${quoteToken(preds.labels[q * K + j])} ${pct(preds.prob[q * K + j])}`).join(', ');
    const actual = preds.target_rank[q] > 0 ? `next ${quoteToken(toks[q + 1] ?? '(generated)')} rank ${preds.target_rank[q]} p=${preds.target_prob[q].toPrecision(4)}` : 'nothing follows';
    set({ hover: { view: 'next', q, text: `position ${q} ${quoteToken(toks[q])}: ${actual} · top: ${cands}` } });
  });
  canvas.addEventListener('mouseleave', () => { if (state.hover) set({ hover: null }); });
}

export { render };
export function update() { schedule(); }
export function getCanvas() { return canvas; }
export const name = 'next';
export const hint = 'next tokens: per position the actual next token\'s rank and probability, then the most probable ones · wheel scrolls';
