// Export of the current view as a file: PNG from its canvas, SVG by painting it again into an
// SvgContext (vector lines and text).
import { SvgContext } from './svg.js';

function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function exportPng(canvas, name) {
  canvas.toBlob((blob) => download(blob, name), 'image/png');
}

// view.paint(ctx, width, height) draws the view in CSS pixels.
export function exportSvg(view, width, height, name) {
  const svg = new SvgContext(width, height);
  view.paint(svg, width, height);
  download(new Blob([svg.toString()], { type: 'image/svg+xml' }), name);
}
