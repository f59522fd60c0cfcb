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
