// The API answered in the page, for exported HTML files: the trace travels inside the file as
// one deflated binary block (see src/attnscope/serve/html_export.h) and this module computes
// tiles, rows, edges and thumbnails from it with the same rules as serve/trace_source.cpp
// (max/mean aggregation over 2^level blocks) and focus/ (rowInto is focus::add_row: head mean,
// top-k rows scattered into zeros; edges follow focus::row_topk: positive weights only,
// descending, ties to the lower key). tests/web/rows_twin.test.mjs compares the two.
import { decodeBlock } from '../api.js';

const TILE = 256;

async function inflate(base64) {
  const bin = atob(base64.trim());
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Response(stream).arrayBuffer();
}

export class LocalSource {
  static async fromBase64(base64) { return new LocalSource(decodeBlock(await inflate(base64))); }

  constructor(block) {
    this.metaDoc = block.header.meta;
    this.tokenLists = block.header.tokens;
    this.layers = this.metaDoc.layers.map((L, i) => ({
      ...L,
      weights: block.arrays[`${i}/weights`]?.data,  // [NH, Q, N]
      index: block.arrays[`${i}/index`]?.data,      // [NH, Q, K]
      kweight: block.arrays[`${i}/weight`]?.data,   // [NH, Q, K]
      entropy: block.arrays[`${i}/entropy`]?.data,        // [NH, Q], stats-only layers
      max_weight: block.arrays[`${i}/max_weight`]?.data,  // [NH, Q]
      argmax: block.arrays[`${i}/argmax`]?.data,          // [NH, Q]
      query: block.arrays[`${i}/query`],                  // [NH, Q, D] neuron view (f32)
      key: block.arrays[`${i}/key`],                      // [NH, N, D]
    }));
    const P = block.header.predictions;
    this.preds = P && {
      seq: P.seq, k: P.k, labels: P.labels,
      index: block.arrays['predictions/index'].data, prob: block.arrays['predictions/prob'].data,
      target_prob: block.arrays['predictions/target_prob'].data, target_rank: block.arrays['predictions/target_rank'].data,
    };
  }

  // As /api/qk: head h's query vector at q and key vector at k, and the score's scale.
  async qk(l, h, q, k) {
    const L = this.layers[l];
    if (!L || !L.query || !L.key) throw new Error(`layer ${l} has no query/key vectors`);
    if (!(h >= 0 && h < L.heads && q >= 0 && q < L.queries && k >= 0 && k < L.keys)) throw new Error('qk out of range');
    const D = L.query.shape[2];
    return { query: L.query.data.subarray((h * L.queries + q) * D, (h * L.queries + q + 1) * D),
      key: L.key.data.subarray((h * L.keys + k) * D, (h * L.keys + k + 1) * D), scale: 1 / Math.sqrt(D) };
  }

  // As /api/predictions.
  async predictions() {
    if (!this.preds) throw new Error('the trace has no next-token predictions');
    return this.preds;
  }

  async meta() { return this.metaDoc; }
  async tokens(seq) {
    if (!(seq in this.tokenLists)) throw new Error(`unknown sequence '${seq}'`);
    return this.tokenLists[seq];
  }

  layer(l) {
    const L = this.layers[l];
    if (!L) throw new Error(`layer ${l} out of range`);
    if (!L.has_matrix) throw new Error(`layer ${l} keeps only row statistics`);
    return L;
  }

  // Adds row q's weights for keys [c0, c1) into out[0 .. c1 - c0).
  rowInto(L, head, q, c0, c1, out) {
    const h0 = head === 'mean' ? 0 : head, h1 = head === 'mean' ? L.heads : head + 1;
    const scale = head === 'mean' ? 1 / L.heads : 1;
    for (let h = h0; h < h1; h++) {
      const r = h * L.queries + q;
      if (L.weights) {
        const base = r * L.keys;
        for (let c = c0; c < c1; c++) out[c - c0] += scale * L.weights[base + c];
      } else {
        const base = r * L.k;
        for (let j = 0; j < L.k; j++) {
          const c = L.index[base + j];
          if (c >= c0 && c < c1) out[c - c0] += scale * L.kweight[base + j];
        }
      }
    }
  }

  aggregate(L, head, r0, c0, rows, cols, f, agg) {
    const values = new Float32Array(rows * cols);
    const k0 = c0 * f, k1 = Math.min(L.keys, (c0 + cols) * f), line = new Float32Array(k1 - k0);
    for (let i = 0; i < rows; i++) {
      const q0 = (r0 + i) * f, q1 = Math.min(L.queries, q0 + f), o = i * cols;
      for (let q = q0; q < q1; q++) {
        line.fill(0);
        this.rowInto(L, head, q, k0, k1, line);
        for (let j = 0; j < cols; j++) {
          const a = j * f, e = Math.min(a + f, k1 - k0);
          let acc = values[o + j];
          if (agg === 'max') for (let c = a; c < e; c++) acc = Math.max(acc, line[c]);
          else for (let c = a; c < e; c++) acc += line[c];
          values[o + j] = acc;
        }
      }
      if (agg === 'mean')
        for (let j = 0; j < cols; j++) values[o + j] /= (q1 - q0) * Math.min(f, (k1 - k0) - j * f);
    }
    return { rows, cols, factor: f, values };
  }

  // (No fmt argument as in the http API: here the values are always f32, the stored weights.)
  async tile(l, head, level, ty, tx, agg = 'max') {
    const L = this.layer(l), f = 2 ** level;
    const R = Math.ceil(L.queries / f), C = Math.ceil(L.keys / f);
    if (level < 0 || level > L.max_level || ty * TILE >= R || tx * TILE >= C) throw new Error('tile out of range');
    return this.aggregate(L, head, ty * TILE, tx * TILE, Math.min(TILE, R - ty * TILE),
      Math.min(TILE, C - tx * TILE), f, agg);
  }

  async row(l, head, q) {
    const L = this.layer(l), out = new Float32Array(L.keys);
    this.rowInto(L, head, q, 0, L.keys, out);
    return out;
  }

  // A stats-only layer's statistics of one head or the mean, as focus::row_stats: the mean
  // averages entropy and max weight over heads and takes the most confident head's argmax.
  async stats(l, head) {
    const L = this.layers[l];
    if (!L) throw new Error(`layer ${l} out of range`);
    if (L.has_matrix) throw new Error(`layer ${l} has weights: its statistics are computed by the server only`);
    const Q = L.queries, heads = head === 'mean' ? [...Array(L.heads).keys()] : [head];
    const avg = (a) => {
      if (!a) return undefined;
      const out = new Float32Array(Q);
      for (const h of heads) for (let q = 0; q < Q; q++) out[q] += a[h * Q + q];
      if (heads.length > 1) for (let q = 0; q < Q; q++) out[q] /= heads.length;
      return out;
    };
    let argmax;
    if (L.argmax) {
      argmax = new Int32Array(Q);
      for (let q = 0; q < Q; q++) {
        let best = -Infinity;
        for (const h of heads) {
          const m = L.max_weight ? L.max_weight[h * Q + q] : 0;
          if (h === heads[0] || m > best) { best = m; argmax[q] = L.argmax[h * Q + q]; }
          if (!L.max_weight) break;
        }
      }
    }
    return { entropy: avg(L.entropy), max_weight: avg(L.max_weight), argmax };
  }

  async edges(l, head, q0, q1, k) {
    const L = this.layer(l);
    k = Math.min(k, L.keys);
    const n = q1 - q0, index = new Int32Array(n * k).fill(-1), weight = new Float32Array(n * k);
    const line = new Float32Array(L.keys);
    for (let q = q0; q < q1; q++) {
      line.fill(0);
      this.rowInto(L, head, q, 0, L.keys, line);
      const order = Array.from(line.keys()).sort((a, b) => line[b] - line[a] || a - b);
      for (let j = 0; j < k && line[order[j]] > 0; j++) {
        index[(q - q0) * k + j] = order[j];
        weight[(q - q0) * k + j] = line[order[j]];
      }
    }
    return { q0, q1, k, index, weight };
  }

  async thumbs(size) {
    const out = new Map();
    this.layers.forEach((L, l) => {
      if (!L.has_matrix) return;
      const f = Math.ceil(Math.max(L.queries, L.keys) / size);
      for (let h = 0; h < L.heads; h++) {
        const b = this.aggregate(L, h, 0, 0, Math.ceil(L.queries / f), Math.ceil(L.keys / f), f, 'max');
        let scale = 0;
        for (const v of b.values) scale = Math.max(scale, v);
        const values = new Uint8Array(b.values.length);
        for (let i = 0; i < values.length; i++) values[i] = scale > 0 ? Math.round((b.values[i] / scale) * 255) : 0;
        out.set(`${l}/${h}`, { rows: b.rows, cols: b.cols, values, scale });
      }
    });
    return out;
  }
}
