// Token text for display: visible whitespace, tokenizer markers kept, long tokens shortened.
export function tokenLabel(tok, max = 16) {
  let s = String(tok).replace(/\n/g, '⏎').replace(/\t/g, '⇥').replace(/ /g, '·');
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
