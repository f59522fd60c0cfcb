// Token text for display: visible whitespace, tokenizer markers kept, long tokens shortened.
// A token's label: the convention of every view, twin of viz::display_token (a leading Ġ/▁ is a
// space, every space "·", newline "↵", tab "→", other controls "·", empty "∅";
// tests/data/token_labels.json), cut to `max` characters with "…".
export function tokenLabel(tok, max = 16) {
  let s = String(tok).replace(/^[\u0120\u2581]/, ' ').replace(/\n/g, '↵').replace(/\t/g, '→')
    .replace(/[ \x00-\x1f\x7f]/g, '·');
  if (s === '') s = '∅';
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function fmtWeight(w) {
  if (w === 0) return '0';
  if (Math.abs(w) >= 0.001) return w.toFixed(4);
  return w.toExponential(2);
}

// Plain text for hover lines: the exact token, quoted, with escapes shown.
export function quoteToken(tok) {
  return JSON.stringify(String(tok));
}
