// Weight -> colour through the shared tables (util/colormaps.js, generated from the C++ ones,
// so the viewer and the rendered pictures colour a weight identically).
import { colormaps, colormapIndex } from './colormaps.js';

// t = (w / vmax) ^ gamma, clamped to [0, 1]; gamma 0.5 lifts small weights.
export function normalize(w, vmax, gamma = 1) {
  if (!(vmax > 0)) return 0;
  const t = Math.min(1, Math.max(0, w / vmax));
  return gamma === 1 ? t : Math.pow(t, gamma);
}

export function rgbOf(cmap, t) {
  const rgb = (colormaps[cmap] || colormaps.viridis).rgb8, i = 3 * colormapIndex(t);
  return [rgb[i], rgb[i + 1], rgb[i + 2]];
}

export function cssOf(cmap, t, alpha = 1) {
  const [r, g, b] = rgbOf(cmap, t);
  return alpha === 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha})`;
}

// Fills RGBA pixels from values (one pixel per value).
export function colorize(values, rgba, cmap, vmax, gamma = 1) {
  const rgb = (colormaps[cmap] || colormaps.viridis).rgb8;
  for (let i = 0; i < values.length; i++) {
    const c = 3 * colormapIndex(normalize(values[i], vmax, gamma));
    rgba[4 * i] = rgb[c];
    rgba[4 * i + 1] = rgb[c + 1];
    rgba[4 * i + 2] = rgb[c + 2];
    rgba[4 * i + 3] = 255;
  }
}
