// Image overlay: attention over an image's grid of regions, upsampled (bilinear, so the grid
// reads as a smooth field rather than blocks) and blended over the image in the colour map,
// opacity growing with the weight. Used by `render --view overlay` (one panel per generated
// word) and by image-caption animations (the overlay moves per word).
#pragma once
#include <cairo.h>

#include <string>

#include "attnscope/io/trace.h"
#include "attnscope/viz/color_scale.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/frame.h"

namespace attnscope::viz {

// The trace's image: its embedded pixels, else the file at image_path (a relative
// path is tried as given, then against base_dir; JPEG or PNG, viz/image_decode.h). Throws
// IoError/FormatError/ValueError.
Frame load_trace_image(const io::Trace& trace, const std::string& base_dir = "");


// Draws img fitted (aspect kept, centred) into the rectangle, then the [gh, gw] weights over it,
// each at t = scale.t(weight). Returns the image's drawn rectangle through x/y/w/h.
void draw_overlay(cairo_t* cr, double& x, double& y, double& w, double& h, const Frame& img, const float* weights,
                  int64_t gh, int64_t gw, const ColorScale& scale, const Colormap& cmap);

struct OverlayOptions {
  std::string colormap = "viridis";
  ColorScaleSpec scale;  // per panel: its own automatic top unless vmax is given
  int panel = 240;       // px per panel side
  int max_panels = 30;   // words shown (the first ones)
  std::string base_dir;  // for a relative image_path
};

// One panel per query (generated word) of a layer whose keys are an image grid.
void render_overlay(const io::Trace& trace, int64_t layer, int64_t head, const std::string& path,
                    const OverlayOptions& opts = {});

// The image grid (h, w) of a layer's key side, or (0, 0) when the keys are not an image.
std::pair<int64_t, int64_t> image_grid(const io::Trace& trace, const io::TraceLayer& layer);

}  // namespace attnscope::viz
