// IEEE binary16 -> float32 through a 64 Ki lookup table (the server sends tiles as f16:
// half the bytes of f32, 11 significant bits, plenty for colour).
const table = new Float32Array(65536);
for (let h = 0; h < 65536; h++) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) table[h] = s * m * 2 ** -24;
  else if (e === 31) table[h] = m ? NaN : s * Infinity;
  else table[h] = s * (1 + m / 1024) * 2 ** (e - 15);
}

export function f16ToF32(u16) {
  const out = new Float32Array(u16.length);
  for (let i = 0; i < u16.length; i++) out[i] = table[u16[i]];
  return out;
}
