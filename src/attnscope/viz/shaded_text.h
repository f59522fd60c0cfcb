// The sentence with its words shaded by attention — the picture of attention-based sentiment
// analysis (Yang et al. 2016): a title line (the predicted label and its probability), then the
// words wrapped to the width, each on a box whose colour grows with its weight (scaled to the
// row's largest weight, so the strongest word is always fully coloured). The terminal's
// version (`classify`) uses the same shade.
#pragma once
#include <string>
#include <vector>

#include "attnscope/viz/colormap.h"

namespace attnscope::viz {

// White (t = 0) to a strong orange-red (t = 1); t clamped to [0, 1].
Rgb8 attention_shade(double t);

struct ShadedTextOptions {
  int width = 720;          // pixels; words wrap within it
  double font_size = 20;
};

// Writes PNG/SVG/PDF (by extension), atomically. ValueError when words and weights differ in
// length or the sentence is empty; weights must be finite and >= 0.
void render_shaded_text(const std::vector<std::string>& words, const std::vector<double>& weights,
                        const std::string& title, const std::string& path, const ShadedTextOptions& o = {});

}  // namespace attnscope::viz
