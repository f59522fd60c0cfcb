// CellGrid: an attention map brought within a pixel budget. Past the budget, blocks of
// fr x fc weights become one cell holding their MAX (not the mean: a sharp weight must stay
// visible in a 4,096-token picture; the pictures state the aggregation). Drawing: vector
// rectangles for small grids (crisp in SVG/PDF), one nearest-neighbour image past kVectorCells.
#pragma once
#include <cairo.h>

#include <cstdint>
#include <vector>

#include "attnscope/focus/attention_map.h"
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

// Blocks chosen so that rows <= max_rows and cols <= max_cols (each factor independently).
CellGrid aggregate_max(const focus::AttentionMap& m, int64_t max_rows, int64_t max_cols);

// Fills [x, x+w] x [y, y+h] with the cells, colour = cmap(value / vmax). Returns the number of
// marks drawn (cells, or 1 for an image).
int64_t draw_cells(cairo_t* cr, double x, double y, double w, double h, const CellGrid& g, const Colormap& cmap,
                   float vmax);

// A vertical colour bar (bottom = 0, top = vmax) with three tick labels to its right.
void draw_colorbar(cairo_t* cr, double x, double y, double w, double h, const Colormap& cmap, double vmax,
                   double font_size);

}  // namespace attnscope::viz
