// Perceptually uniform colour maps: viridis, magma, cividis — the exact published 256-entry
// tables (colormap_tables.cpp).
//
// For the web viewer (viewer engineer): the SAME tables are in web/util/colormaps.js, generated
// from colormap_tables.cpp by viz::colormaps_js() (regenerate with
// `ATTNSCOPE_UPDATE_COLORMAPS_JS=1 build/tests/test_viz --gtest_filter='Colormap.*'`; the test
// fails when the two disagree). Import it in JS as
//   import { colormaps, colormapIndex } from './util/colormaps.js';
//   const rgb8 = colormaps.viridis.rgb8;  // Uint8Array(768), [r,g,b] per entry
// and map a weight t in [0,1] with colormapIndex(t) — the same rule as Colormap::index below.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope::viz {

struct Rgb8 {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb8&) const = default;
};

class Colormap {
 public:
  Colormap(std::string name, const double (*table)[3]);
  const std::string& name() const { return name_; }
  // Table entry for t in [0, 1]: index = min(255, floor(t * 256)); t < 0 (or NaN) -> 0.
  // (matplotlib's ListedColormap rule; colormapIndex in colormaps.js is the same.)
  static int index(double t);
  Rgb8 rgb8(double t) const { return rgb8_[static_cast<size_t>(index(t))]; }
  Rgb8 entry8(int i) const { return rgb8_[static_cast<size_t>(i)]; }
  // The published value of entry i, channel c, in [0, 1].
  double entry(int i, int c) const { return table_[i][c]; }
  // 8-bit entries: round(value * 255), computed once.
  const std::array<Rgb8, 256>& rgb8_table() const { return rgb8_; }

 private:
  std::string name_;
  const double (*table_)[3];
  std::array<Rgb8, 256> rgb8_{};
};

// The map called `name` (viridis, magma, cividis). Throws ConfigError naming the valid maps.
const Colormap& colormap(std::string_view name);
std::vector<std::string> colormap_names();

// The ES module web/util/colormaps.js, generated from the same tables (see the comment above).
std::string colormaps_js();

}  // namespace attnscope::viz
