// The raw published colour-map tables (defined in colormap_tables.cpp, the single source that
// web/util/colormaps.js is generated from). Use viz/colormap.h, not these, in code.
#pragma once

namespace attnscope::viz::tables {
extern const double kViridis[256][3];
extern const double kMagma[256][3];
extern const double kCividis[256][3];
}  // namespace attnscope::viz::tables
