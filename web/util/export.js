// Export of the current view as a file, framed to what the view drew: the view is painted again
// (with state.exporting set, so it leaves out UI hints such as "wheel scrolls" and the hover
// outline) into an offscreen canvas, the box of its non-white pixels plus a small margin is the
// frame, and the PNG (at device resolution) or the SVG (vector lines and text, viewBox = frame)
// is painted once more into that frame. No mostly-white viewport, no hints.
import { SvgContext } from './svg.js';
import { state } from '../state.js';

const MARGIN = 8;

function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function exporting(fn) {
  state.exporting = true;
  try { return fn(); } finally { state.exporting = false; }
}

// The frame of a view's content in CSS pixels: the box of pixels darker than near-white.
export function contentBox(view, w, h) {
  return exporting(() => {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    view.paint(ctx, w, h);
    const d = ctx.getImageData(0, 0, w, h).data;
    let x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = 4 * (y * w + x);
        if (d[i] < 248 || d[i + 1] < 248 || d[i + 2] < 248) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    if (x1 < 0) return { x: 0, y: 0, w, h };
    const x = Math.max(0, x0 - MARGIN), y = Math.max(0, y0 - MARGIN);
    return { x, y, w: Math.min(w, x1 + 1 + MARGIN) - x, h: Math.min(h, y1 + 1 + MARGIN) - y };
  });
}

// The view framed to its content, as a canvas at device resolution (PNG export; tests).
export function framedCanvas(view, w, h) {
  const box = contentBox(view, w, h), dpr = window.devicePixelRatio || 1;
  const c = document.createElement('canvas');
  c.width = Math.round(box.w * dpr);
  c.height = Math.round(box.h * dpr);
  const ctx = c.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, -box.x * dpr, -box.y * dpr);
  exporting(() => view.paint(ctx, w, h));
  return { canvas: c, box };
}

export function framedSvg(view, w, h) {
  const box = contentBox(view, w, h);
  const svg = new SvgContext(box.w, box.h, box.x, box.y);
  exporting(() => view.paint(svg, w, h));
  return svg.toString();
}

// view.paint(ctx, width, height) draws the view in CSS pixels; w, h: the view's size on screen.
export function exportPng(view, w, h, name) {
  framedCanvas(view, w, h).canvas.toBlob((blob) => download(blob, name), 'image/png');
}

export function exportSvg(view, w, h, name) {
  download(new Blob([framedSvg(view, w, h)], { type: 'image/svg+xml' }), name);
}
