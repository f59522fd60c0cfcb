// A canvas that fills its container at device-pixel resolution; views draw in CSS pixels.
export function makeCanvas(container) {
  const canvas = document.createElement('canvas');
  canvas.className = 'view-canvas';
  container.appendChild(canvas);
  return canvas;
}

// Resizes the backing store to the element's size; returns a context scaled to CSS pixels.
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, canvas.clientWidth), h = Math.max(1, canvas.clientHeight);
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}

// Coalesces redraw requests into one per animation frame.
export function frameScheduler(fn) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; fn(); });
  };
}

// A label's base direction: that of its first letter (Hebrew, Arabic and the other right-to-left
// scripts: 'rtl'), as Pango's auto-direction in the static pictures, so "דג abc" reads the same
// in both. The canvas's textAlign left/right/center are absolute, so the label's box does not
// move with its direction.
const RTL_LETTER = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}]/u;
export function textDirection(s) {
  const m = String(s).match(/\p{L}/u);
  return m && RTL_LETTER.test(m[0]) ? 'rtl' : 'ltr';
}

// fillText of one label in its own direction (the context's direction is left as it was).
export function fillLabel(ctx, text, x, y) {
  const before = ctx.direction;
  ctx.direction = textDirection(text);
  ctx.fillText(text, x, y);
  ctx.direction = before;
}
