// SvgContext: the subset of CanvasRenderingContext2D the views draw with, recorded as SVG, so
// "export SVG" re-runs a view's paint() into it: vector lines and text, canvases as <image>.
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v) => (Math.round(v * 100) / 100).toString();

export class SvgContext {
  // The picture is width x height CSS pixels, showing the painted area from (x0, y0).
  constructor(width, height, x0 = 0, y0 = 0) {
    this.width = width;
    this.height = height;
    this.x0 = x0;
    this.y0 = y0;
    this.parts = [];
    this.stack = [];
    this.m = [1, 0, 0, 1, 0, 0];  // a b c d e f, as canvas setTransform
    this.fillStyle = '#000';
    this.strokeStyle = '#000';
    this.lineWidth = 1;
    this.globalAlpha = 1;
    this.font = '12px sans-serif';
    this.textAlign = 'start';
    this.textBaseline = 'alphabetic';
    this.direction = 'ltr';
    this.imageSmoothingEnabled = true;
    this.path = '';
    this.measure = document.createElement('canvas').getContext('2d');
  }
  save() {
    this.stack.push({ m: [...this.m], fillStyle: this.fillStyle, strokeStyle: this.strokeStyle,
      lineWidth: this.lineWidth, globalAlpha: this.globalAlpha, font: this.font,
      textAlign: this.textAlign, textBaseline: this.textBaseline, direction: this.direction });
  }
  restore() { const s = this.stack.pop(); if (s) Object.assign(this, s); }
  setTransform(a, b, c, d, e, f) { this.m = [a, b, c, d, e, f]; }
  transform(a, b, c, d, e, f) {
    const [A, B, C, D, E, F] = this.m;
    this.m = [A * a + C * b, B * a + D * b, A * c + C * d, B * c + D * d, A * e + C * f + E, B * e + D * f + F];
  }
  translate(x, y) { this.transform(1, 0, 0, 1, x, y); }
  scale(x, y) { this.transform(x, 0, 0, y, 0, 0); }
  rotate(t) { const c = Math.cos(t), s = Math.sin(t); this.transform(c, s, -s, c, 0, 0); }
  pt(x, y) { const [a, b, c, d, e, f] = this.m; return `${num(a * x + c * y + e)},${num(b * x + d * y + f)}`; }
  matrixAttr() { return `matrix(${this.m.map(num).join(' ')})`; }
  alpha() { return this.globalAlpha < 1 ? ` opacity="${num(this.globalAlpha)}"` : ''; }
  clearRect() {}
  beginPath() { this.path = ''; }
  moveTo(x, y) { this.path += `M${this.pt(x, y)}`; }
  lineTo(x, y) { this.path += `L${this.pt(x, y)}`; }
  quadraticCurveTo(cx, cy, x, y) { this.path += `Q${this.pt(cx, cy)} ${this.pt(x, y)}`; }
  bezierCurveTo(c1x, c1y, c2x, c2y, x, y) { this.path += `C${this.pt(c1x, c1y)} ${this.pt(c2x, c2y)} ${this.pt(x, y)}`; }
  closePath() { this.path += 'Z'; }
  rect(x, y, w, h) { this.moveTo(x, y); this.lineTo(x + w, y); this.lineTo(x + w, y + h); this.lineTo(x, y + h); this.closePath(); }
  stroke() {
    if (this.path) this.parts.push(`<path d="${this.path}" fill="none" stroke="${esc(this.strokeStyle)}" stroke-width="${num(this.lineWidth * Math.hypot(this.m[0], this.m[1]))}" stroke-linecap="round"${this.alpha()}/>`);
  }
  fill() { if (this.path) this.parts.push(`<path d="${this.path}" fill="${esc(this.fillStyle)}"${this.alpha()}/>`); }
  fillRect(x, y, w, h) { this.beginPath(); this.rect(x, y, w, h); this.fill(); }
  strokeRect(x, y, w, h) { this.beginPath(); this.rect(x, y, w, h); this.stroke(); }
  measureText(t) { this.measure.font = this.font; return this.measure.measureText(t); }
  fillText(text, x, y) {
    // SVG's text-anchor start/end follow the text's direction, as canvas's start/end do; canvas's
    // left/right are absolute, so for right-to-left text they swap.
    const rtl = this.direction === 'rtl';
    const anchor = { center: 'middle', start: 'start', end: 'end', left: rtl ? 'end' : 'start', right: rtl ? 'start' : 'end' }[this.textAlign] || 'start';
    const base = { middle: 'central', top: 'hanging', hanging: 'hanging', bottom: 'text-after-edge' }[this.textBaseline] || 'alphabetic';
    this.parts.push(`<text transform="${this.matrixAttr()}" x="${num(x)}" y="${num(y)}" fill="${esc(this.fillStyle)}" style="font:${esc(this.font)}" text-anchor="${anchor}" dominant-baseline="${base}"${rtl ? ' direction="rtl" unicode-bidi="embed"' : ''}${this.alpha()}>${esc(text)}</text>`);
  }
  // Canvases (heatmap tiles) become embedded PNG images.
  // All three canvas forms: (img, dx, dy), (img, dx, dy, dw, dh) and (img, sx, sy, sw, sh, dx, dy,
  // dw, dh). The source rectangle becomes the viewBox of a nested <svg> placed at the destination.
  drawImage(img, ...a) {
    const [sx, sy, sw, sh] = a.length === 8 ? a.slice(0, 4) : [0, 0, img.width, img.height];
    const [dx, dy, dw = sw, dh = sh] = a.length === 8 ? a.slice(4) : a;
    const href = img.toDataURL ? img.toDataURL('image/png') : img.src;
    const smooth = this.imageSmoothingEnabled ? '' : ' style="image-rendering:pixelated"';
    this.parts.push(`<g transform="${this.matrixAttr()}"${this.alpha()}><svg x="${num(dx)}" y="${num(dy)}" width="${num(dw)}" height="${num(dh)}" viewBox="${num(sx)} ${num(sy)} ${num(sw)} ${num(sh)}" preserveAspectRatio="none"><image width="${num(img.width)}" height="${num(img.height)}" href="${href}"${smooth}/></svg></g>`);
  }
  setLineDash() {}
  toString() {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${num(this.width)}" height="${num(this.height)}" viewBox="${num(this.x0)} ${num(this.y0)} ${num(this.width)} ${num(this.height)}">\n<rect x="${num(this.x0)}" y="${num(this.y0)}" width="${num(this.width)}" height="${num(this.height)}" fill="#fff"/>\n${this.parts.join('\n')}\n</svg>\n`;
  }
}
