// CellGrid: an attention map brought within a pixel budget. Past the budget, blocks of
// fr x fc weights become one cell holding their MAX (not the mean: a sharp weight must stay
// visible in a 4,096-token picture; the pictures state the aggregation). Grids are built from
// a layer's rows one at a time (top-k rows scattered sparsely), so memory is the grid plus one
// row, never [Q, N]: a 20k-token top-2 trace draws in megabytes. Drawing: vector rectangles for
// small grids (crisp in SVG/PDF), one nearest-neighbour image past kVectorCells or when asked
// (CellMarks); colours through
// the one ColorScale (viz/color_scale.h).
#pragma once
#include <cairo.h>

#include <cstdint>
#include <span>
#include <vector>

#include "attnscope/io/trace.h"
#include "attnscope/viz/color_scale.h"
#include "attnscope/viz/colormap.h"

namespace attnscope::viz {

struct CellGrid {
  int64_t rows = 0, cols = 0;  // cells
  int64_t fr = 1, fc = 1;      // weights per cell along queries / keys (1 = no aggregation)
  std::vector<float> v;        // [rows, cols] max over each block
  float max() const;
  float at(int64_t r, int64_t c) const { return v[static_cast<size_t>(r * cols + c)]; }
};

// Grids above this many cells are drawn as an image instead of one rectangle per cell.
inline constexpr int64_t kVectorCells = 128 * 128;

// The grid of head `head` (or focus::kHeadMean) of a dense or top-k layer, read row by row, with
// blocks chosen so that rows <= max_rows and cols <= max_cols (each factor independently).
// Errors as focus::check_head.
CellGrid aggregate_max(const io::TraceLayer& layer, int64_t head, int64_t max_rows, int64_t max_cols);
// Blocks of exactly fr x fc weights.
CellGrid aggregate_blocks(const io::TraceLayer& layer, int64_t head, int64_t fr, int64_t fc);

// The colour scale the viewer's matrix view would choose for this layer and head: spec.vmax, or
// the percentile top over its overview tile (the smallest power-of-two block f, the same along
// both axes, that brings the longer side to <= 256 cells; serve/'s top level of detail).
// With several (layer, head) pairs, one scale for all of them: the percentile over their overview
// tiles pooled (a grid of heads, training snapshots).
struct HeadRef {
  const io::TraceLayer* layer;
  int64_t head;
};
ColorScale viewer_scale(std::span<const HeadRef> shown, const ColorScaleSpec& spec);
inline ColorScale viewer_scale(const io::TraceLayer& layer, int64_t head, const ColorScaleSpec& spec) {
  const HeadRef one{&layer, head};
  return viewer_scale(std::span<const HeadRef>(&one, 1), spec);
}

// How draw_cells marks a grid. A rectangle per cell stays crisp at any zoom but costs ~160 bytes
// of SVG a cell: pictures of many grids (the model view's 5 x 8 thumbnails of 40 x 40 tokens made
// a 10 MB SVG) embed each grid as one image instead. PNG pixels are the same either way.
enum class CellMarks {
  fit,    // rectangles up to kVectorCells cells, one image past that
  image,  // always one image (a PNG inside SVG/PDF)
};

// Fills [x, x+w] x [y, y+h] with the cells, colour = cmap(scale.t(value)). Returns the number of
// marks drawn (cells, or 1 for an image).
int64_t draw_cells(cairo_t* cr, double x, double y, double w, double h, const CellGrid& g, const Colormap& cmap,
                   const ColorScale& scale, CellMarks marks = CellMarks::fit);

// A vertical colour bar (bottom = 0, top = the scale's top, labelled "≥ top", "(√)" for sqrt)
// with three tick labels to its right: the weights at t = 0, 0.5, 1.
void draw_colorbar(cairo_t* cr, double x, double y, double w, double h, const Colormap& cmap, const ColorScale& scale,
                   double font_size);
// Width of the tick labels draw_colorbar puts right of the bar.
inline constexpr double kColorbarText = 56;

}  // namespace attnscope::viz
