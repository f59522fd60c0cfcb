// Data access for the views. Two backends with one interface:
//  - http: the attnscope server (src/attnscope/serve/api.h): JSON metadata, binary blocks;
//  - local: a trace embedded in an exported HTML file (util/local_source.js).
// Binary block layout: [u32 LE header length][JSON header][arrays at header.arrays[i].offset].
import { f16ToF32 } from './util/f16.js';

export function decodeBlock(buf) {
  const n = new DataView(buf).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n)));
  const base = 4 + n, arrays = {};
  for (const a of header.arrays) {
    const off = base + a.offset;
    let data;
    if (a.dtype === 'f32') data = new Float32Array(buf, off, a.bytes / 4);
    else if (a.dtype === 'i32') data = new Int32Array(buf, off, a.bytes / 4);
    else if (a.dtype === 'f16') data = f16ToF32(new Uint16Array(buf, off, a.bytes / 2));
    else if (a.dtype === 'u8') data = new Uint8Array(buf, off, a.bytes);
    else throw new Error(`unknown dtype ${a.dtype}`);
    arrays[a.name] = { ...a, data };
  }
  return { header, arrays };
}

function headParam(head) { return head === 'mean' ? 'mean' : String(head); }

class HttpBackend {
  async json(path) {
    const r = await fetch(path);
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
    return body;
  }
  async block(path) {
    const r = await fetch(path);
    if (!r.ok) {
      let msg = `HTTP ${r.status}`;
      try { msg = (await r.json()).error || msg; } catch (e) { /* keep status */ }
      throw new Error(msg);
    }
    return decodeBlock(await r.arrayBuffer());
  }
  meta() { return this.json('api/meta'); }
  tokens(seq) { return this.json(`api/tokens?seq=${encodeURIComponent(seq)}`); }
  // fmt: f16 (the default: half the bytes) or f32 (exact weights, for measures).
  async tile(layer, head, level, ty, tx, agg = 'max', fmt = 'f16') {
    const b = await this.block(`api/tile?layer=${layer}&head=${headParam(head)}&level=${level}&ty=${ty}&tx=${tx}&agg=${agg}&fmt=${fmt}`);
    const v = b.arrays.values;
    return { rows: v.shape[0], cols: v.shape[1], factor: b.header.factor, values: v.data };
  }
  async row(layer, head, q) {
    const b = await this.block(`api/row?layer=${layer}&head=${headParam(head)}&q=${q}`);
    return b.arrays.values.data;
  }
  // Per query of a layer: { entropy, max_weight, argmax } (each absent when not kept).
  async stats(layer, head) {
    const b = await this.block(`api/stats?layer=${layer}&head=${headParam(head)}`);
    return { entropy: b.arrays.entropy?.data, max_weight: b.arrays.max_weight?.data, argmax: b.arrays.argmax?.data };
  }
  async edges(layer, head, q0, q1, k) {
    const b = await this.block(`api/edges?layer=${layer}&head=${headParam(head)}&q0=${q0}&q1=${q1}&k=${k}`);
    return { q0, q1, k: b.header.k, index: b.arrays.index.data, weight: b.arrays.weight.data };
  }
  // Neuron view: { query, key: Float32Array(D), scale } of one head at one query/key pair.
  async qk(layer, head, q, k) {
    const b = await this.block(`api/qk?layer=${layer}&head=${head}&q=${q}&k=${k}`);
    return { query: b.arrays.query.data, key: b.arrays.key.data, scale: b.header.scale };
  }
  // Next-token candidates: { seq, k, labels, index, prob, target_prob, target_rank }.
  async predictions() {
    const b = await this.block('api/predictions');
    const a = b.arrays;
    return { seq: b.header.seq, k: b.header.k, labels: b.header.labels, index: a.index.data, prob: a.prob.data,
      target_prob: a.target_prob.data, target_rank: a.target_rank.data };
  }
  async thumbs(size) {
    const b = await this.block(`api/thumbs?size=${size}`);
    const out = new Map();
    for (const [name, a] of Object.entries(b.arrays))
      out.set(name, { rows: a.shape[0], cols: a.shape[1], values: a.data, scale: a.scale });
    return out;
  }
}

let backend = new HttpBackend();

// Switches every call to an in-page source (exported HTML).
export function useLocal(source) { backend = source; }

export const api = {
  meta: () => backend.meta(),
  tokens: (seq) => backend.tokens(seq),
  tile: (...a) => backend.tile(...a),
  row: (...a) => backend.row(...a),
  edges: (...a) => backend.edges(...a),
  stats: (...a) => backend.stats(...a),
  thumbs: (size) => backend.thumbs(size),
  qk: (...a) => backend.qk(...a),
  predictions: () => backend.predictions(),
};
