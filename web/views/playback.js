// Playback: the first seed's animation. Tokens appear one at a time; the current token is
// boxed; arcs run from it to the tokens it attends to, width and colour by weight, and those
// tokens are shaded by weight. Self-attention lays the text out as one paragraph; for
// cross-attention (encoder-decoder) the source is shown whole above and the output grows below.
// Play/pause, scrub (slider) and speed; with trace steps the order follows generation.
// The token text is sized to the canvas (textSize): a dozen tokens in a full window were one
// strip of 14 px words; they grow until the paragraph fills its share of the height, never
// below MIN_FONT (long texts keep the small size and scroll).
import { api } from '../api.js';
import { state, set, currentLayer, queryTokens, keyTokens } from '../state.js';
import { cssOf } from '../util/color.js';
import { makeCanvas, fitCanvas, frameScheduler, fillLabel } from '../util/canvas.js';
import { tokenLabel, fmtWeight, quoteToken } from '../util/format.js';
import { noWeightsLine } from '../util/stats_view.js';

const K = 12, CHUNK = 128, PAD = 16, THRESHOLD = 0.005;
const MIN_FONT = 14, MAX_FONT = 30;
// Per px of font: line pitch, box height, box padding (at 14 px: 34, 22, 8 as before).
const LINE_PER_PX = 34 / 14, BOX_PER_PX = 22 / 14, PADX_PER_PX = 8 / 14;
let canvas, schedule, slider, playBtn, label;
const chunks = new Map();   // "layer/head/chunk" -> edges | 'pending'
const widthCache = new Map(); // sequence -> { tokens, widths at MIN_FONT, boxes per 'w/px' }
let lastTick = 0;
let lastSize = MIN_FONT;    // px of the token text last painted

function stepsOf() {
  const L = currentLayer(), steps = state.meta.steps;
  return steps && steps.length ? steps.filter((q) => q < L.queries) : null;
}
function stepCount() { const s = stepsOf(); return s ? s.length : currentLayer().queries; }
function queryAt(step) { const s = stepsOf(); return s ? s[step] : step; }
function cross() { const L = currentLayer(); return L.query_seq !== L.key_seq; }

function edgesFor(q) {
  const c = Math.floor(q / CHUNK), key = `${state.layer}/${state.head}/${c}`, L = currentLayer();
  const e = chunks.get(key);
  if (e === undefined) {
    chunks.set(key, 'pending');
    api.edges(state.layer, state.head, c * CHUNK, Math.min(L.queries, (c + 1) * CHUNK), Math.min(K, L.keys))
      .then((r) => { chunks.set(key, r); schedule(); })
      .catch((err) => { chunks.delete(key); set({ status: `edges: ${err.message}` }); });
    return null;
  }
  if (e === 'pending') return null;
  const i = q - e.q0, out = [];
  for (let j = 0; j < e.k; j++) if (e.index[i * e.k + j] >= 0) out.push([e.index[i * e.k + j], e.weight[i * e.k + j]]);
  return out;
}

// Word boxes for a token list at font size px, wrapped at width w. Label widths are measured once
// per list at MIN_FONT and scaled (canvas text widths are proportional to the font size), so
// trying sizes costs no text measuring.
function layout(ctx, tokens, w, key, px) {
  let c = widthCache.get(key);
  if (!c || c.tokens !== tokens) {
    ctx.font = `${MIN_FONT}px sans-serif`;
    c = { tokens, widths: tokens.map((t) => ctx.measureText(tokenLabel(t, 24)).width), boxes: new Map() };
    widthCache.set(key, c);
  }
  const memo = `${w}/${px}`;
  if (c.boxes.has(memo)) return c.boxes.get(memo);
  if (c.boxes.size > 32) c.boxes.clear();  // window resizes
  const boxes = [], line = Math.round(px * LINE_PER_PX), f = px / MIN_FONT;
  let x = PAD, y = 0;
  for (const tw of c.widths) {
    const bw = tw * f + px * PADX_PER_PX;
    if (x + bw > w - PAD && x > PAD) { x = PAD; y += line; }
    boxes.push({ x, y, w: bw });
    x += bw + 3;
  }
  c.boxes.set(memo, boxes);
  return boxes;
}

// The largest font size in MIN_FONT..MAX_FONT at which each paragraph (self-attention: one;
// cross-attention: source and output, each in its share) fits its height; MIN_FONT when even
// that does not fit (the text scrolls). Widths scale with the size, so one measure per size.
export function textSize(ctx, lists, w, room) {
  for (let px = MAX_FONT; px > MIN_FONT; px -= 2) {
    const fits = lists.every(([tokens, key]) => {
      const b = layout(ctx, tokens, w, key, px);
      return !b.length || b[b.length - 1].y + Math.round(px * LINE_PER_PX) <= room;
    });
    if (fits) return px;
  }
  return MIN_FONT;
}

export function paint(ctx, w, h) {
  const L = currentLayer();
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  if (!L.has_matrix) {
    ctx.fillStyle = '#222';
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(noWeightsLine(L), 16, 8);
    return;
  }
  const step = Math.min(state.step, stepCount() - 1), q = queryAt(step);
  const qt = queryTokens(), kt = keyTokens(), isCross = cross();
  // Vertical placement below the caption, leaving room for the arcs above the first line; for
  // self-attention the text scrolls so that the current token's line stays in view.
  const top = 52 + (isCross ? 50 : 96);
  // The text's share of the height: self-attention half of it (arcs rise above the lines); the
  // source and output of cross-attention about a third each (arcs run between them).
  const px = textSize(ctx, isCross ? [[kt, L.key_seq], [qt, L.query_seq]] : [[kt, L.key_seq]], w,
    (h - top) * (isCross ? 0.3 : 0.5));
  const LINE = Math.round(px * LINE_PER_PX), BH = Math.round(px * BOX_PER_PX), font = `${px}px sans-serif`;
  lastSize = px;
  const kb = layout(ctx, kt, w, L.key_seq, px), qb = isCross ? layout(ctx, qt, w, L.query_seq, px) : kb;
  const kHeight = kb.length ? kb[kb.length - 1].y + LINE : 0;
  let kOff = top, qOff = top;
  if (isCross) {
    qOff = top + Math.min(kHeight, (h - top) * 0.45) + 110;
  } else {
    const cy = qb[q] ? qb[q].y : 0;
    kOff = qOff = top - Math.max(0, cy - (h - top) * 0.55);
  }
  const edges = edgesFor(q) || [];
  let wmax = 0;
  for (const [, v] of edges) wmax = Math.max(wmax, v);
  const weightOf = new Map(edges.filter(([, v]) => v >= THRESHOLD).map(([k, v]) => [k, v]));
  ctx.font = font;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  // Key tokens; for self-attention the ones not yet fed are pale (tokens appear one by one).
  for (let k = 0; k < kt.length; k++) {
    const b = kb[k], y = kOff + b.y;
    if (y < top - LINE || y > h + LINE) continue;
    const v = weightOf.get(k);
    if (v !== undefined) {
      ctx.fillStyle = cssOf(state.cmap, 0.25 + 0.75 * (v / wmax), 0.85);
      ctx.fillRect(b.x, y - BH / 2, b.w, BH);
    }
    ctx.fillStyle = !isCross && k > q && v === undefined ? '#c8c8c8' : '#222';
    fillLabel(ctx, tokenLabel(kt[k], 24), b.x + px * PADX_PER_PX / 2, y);
  }
  if (isCross) {
    ctx.fillStyle = '#777';
    ctx.font = '11px sans-serif';
    ctx.fillText(`${L.key_seq} (attended to)`, PAD, kOff - BH / 2 - 15);
    ctx.fillText(`${L.query_seq} (step by step)`, PAD, qOff + BH / 2 + 15);
    ctx.font = font;
    for (let s = 0; s <= step; s++) {
      const qi = queryAt(s), b = qb[qi], y = qOff + b.y;
      ctx.fillStyle = '#333';
      fillLabel(ctx, tokenLabel(qt[qi], 24), b.x + px * PADX_PER_PX / 2, y);
    }
  }
  // The current token, and arcs to what it attends to (drawn light to heavy).
  const cb = qb[q], cx = cb.x + cb.w / 2, cy = qOff + cb.y;
  const sorted = [...weightOf.entries()].sort((a, b) => a[1] - b[1]);
  for (const [k, v] of sorted) {
    const b = kb[k], x = b.x + b.w / 2, y = kOff + b.y, t = v / wmax;
    const lift = isCross ? 0 : Math.min(88, 16 + Math.abs(x - cx) * 0.2 + Math.abs(y - cy) * 0.3);
    ctx.strokeStyle = cssOf(state.cmap, 0.2 + 0.8 * t, 0.35 + 0.6 * t);
    ctx.lineWidth = 1 + 7 * t;
    ctx.beginPath();
    if (isCross) {
      ctx.moveTo(cx, cy - BH / 2 - 1);
      ctx.bezierCurveTo(cx, (cy + y) / 2, x, (cy + y) / 2, x, y + BH / 2 + 1);
    } else {
      ctx.moveTo(cx, cy - BH / 2);
      ctx.quadraticCurveTo((cx + x) / 2, Math.min(cy, y) - lift, x, y - BH / 2);
    }
    ctx.stroke();
  }
  ctx.strokeStyle = '#d0021b';
  ctx.lineWidth = 2.5;
  ctx.strokeRect(cb.x - 1, cy - BH / 2 - 1, cb.w + 2, BH + 2);
  // Attended tokens scrolled off the top: named, stacked, where their arcs leave the picture
  // (far above, an arc leaves nearly straight up from the current token).
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'middle';
  let above = 0;
  for (const [k, v] of [...weightOf.entries()].sort((a, b) => b[1] - a[1])) {
    if (kOff + kb[k].y >= 52 + 12 || above >= 4) continue;
    const text = `↑ ${tokenLabel(kt[k], 12)} ${fmtWeight(v)}`, tw = ctx.measureText(text).width + 8;
    const x = Math.min(w - tw - 4, Math.max(4, cx + 8)), y = 58 + 20 * above++;
    ctx.fillStyle = cssOf(state.cmap, 0.25 + 0.75 * (v / wmax), 0.95);
    ctx.fillRect(x, y, tw, 18);
    ctx.fillStyle = v / wmax > 0.5 ? '#000' : '#fff';
    ctx.fillText(text, x + 4, y + 9);
  }
  // Caption: what is playing.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, 52);
  ctx.fillStyle = '#222';
  ctx.font = '13px sans-serif';
  ctx.textBaseline = 'top';
  const head = state.head === 'mean' ? 'mean of heads' : `head ${state.head}`;
  ctx.fillText(`${L.name} · ${head} · step ${step + 1}/${stepCount()} · token ${q} ${quoteToken(qt[q])}`, PAD, 8);
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  const strongest = edges.slice(0, 3).map(([k, v]) => `${tokenLabel(kt[k], 12)} ${fmtWeight(v)}`).join(' · ');
  ctx.fillText(edges.length ? `strongest: ${strongest}` : 'loading…', PAD, 28);
}

function render() {
  const { ctx, w, h } = fitCanvas(canvas);
  slider.max = String(stepCount() - 1);
  slider.value = String(Math.min(state.step, stepCount() - 1));
  playBtn.textContent = state.playing ? '❚❚ pause' : '▶ play';
  label.textContent = `${Math.min(state.step, stepCount() - 1) + 1} / ${stepCount()}`;
  paint(ctx, w, h);
}

function tick(now) {
  if (!state.playing) return;
  if (now - lastTick >= 1000 / state.speed) {
    lastTick = now;
    if (state.step + 1 >= stepCount()) set({ playing: false });
    else set({ step: state.step + 1 });
  }
  requestAnimationFrame(tick);
}

export function play(on) {
  set({ playing: on });
  if (on) {
    if (state.step + 1 >= stepCount()) set({ step: 0 });
    lastTick = performance.now();
    requestAnimationFrame(tick);
  }
}

export function mount(container) {
  const bar = document.createElement('div');
  bar.className = 'playbar';
  bar.innerHTML = `<button id="play">▶ play</button>
    <input id="scrub" type="range" min="0" max="0" value="0" step="1">
    <span id="steplabel"></span>
    <label>speed <select id="speed"><option>1</option><option>2</option><option selected>4</option><option>8</option><option>16</option><option>32</option></select> tokens/s</label>`;
  container.appendChild(bar);
  canvas = makeCanvas(container);
  canvas.classList.add('with-bar');
  schedule = frameScheduler(render);
  slider = bar.querySelector('#scrub');
  playBtn = bar.querySelector('#play');
  label = bar.querySelector('#steplabel');
  playBtn.addEventListener('click', () => play(!state.playing));
  slider.addEventListener('input', () => set({ step: Number(slider.value), playing: false }));
  bar.querySelector('#speed').addEventListener('change', (ev) => set({ speed: Number(ev.target.value) }));
}

export { render };
export function update() { schedule(); }
export function getCanvas() { return canvas; }
export function tokenFontSize() { return lastSize; }
export const name = 'playback';
export const hint = 'playback: space plays and pauses · the slider scrubs · speed in tokens per second';
