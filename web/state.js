// The viewer's one state object. Views read it and call set(); nothing is kept in the DOM.
// set(patch) merges and tells every subscriber which keys changed, so a view can choose
// between render() (full redraw: layer, head, view) and update() (cheap: hover, colour map).
export const state = {
  meta: null,          // /api/meta
  tokens: {},          // sequence name -> token strings
  view: 'matrix',      // matrix | head | model | heads | playback
  layer: 0,
  head: 'mean',        // index or 'mean' (the default of every CLI verb too)
  cmap: 'viridis',
  gamma: 0.5,          // colour scale exponent: 1 linear, 0.5 sqrt (default, as the rendered pictures)
  hover: null,         // { q, k, weight, text } under the pointer, if any
  status: '',          // one line at the bottom (errors, aggregation notes)
  step: 0,             // playback position
  playing: false,
  speed: 4,            // playback tokens per second
};

const subscribers = [];

export function subscribe(fn) { subscribers.push(fn); }

export function set(patch) {
  Object.assign(state, patch);
  const keys = Object.keys(patch);
  for (const fn of subscribers) fn(keys);
}

export function currentLayer() { return state.meta.layers[state.layer]; }
export function queryTokens() { return state.tokens[currentLayer().query_seq] || []; }
export function keyTokens() { return state.tokens[currentLayer().key_seq] || []; }
