// Sentence pairs (BERT's A/B segments, `segments` of a sequence in the trace): where a
// sequence's segment changes, and a segment's display name (A, B, C, ...).
export function segmentBreaks(segments) {
  const out = [];
  if (!segments) return out;
  for (let i = 1; i < segments.length; i++) if (segments[i] !== segments[i - 1]) out.push(i);
  return out;
}
export function segmentName(id) { return String.fromCharCode(65 + Math.max(0, Math.min(25, id))); }
export function segmentsOf(meta, seqName) {
  const s = meta.sequences.find((x) => x.name === seqName);
  return s && s.segments ? s.segments : null;
}
