#include "attnscope/viz/colormap.h"

#include <cmath>
#include <cstdio>

#include "attnscope/core/error.h"
#include "attnscope/viz/colormap_tables.h"

namespace attnscope::viz {

Colormap::Colormap(std::string name, const double (*table)[3]) : name_(std::move(name)), table_(table) {
  for (int i = 0; i < 256; ++i)
    rgb8_[static_cast<size_t>(i)] = {static_cast<uint8_t>(std::lround(table[i][0] * 255.0)),
                                     static_cast<uint8_t>(std::lround(table[i][1] * 255.0)),
                                     static_cast<uint8_t>(std::lround(table[i][2] * 255.0))};
}

int Colormap::index(double t) {
  if (!(t > 0)) return 0;  // also NaN
  if (t >= 1) return 255;
  return std::min(255, static_cast<int>(std::floor(t * 256.0)));
}

namespace {
const std::vector<Colormap>& all_maps() {
  static const std::vector<Colormap> maps = {{"viridis", tables::kViridis},
                                             {"magma", tables::kMagma},
                                             {"cividis", tables::kCividis}};
  return maps;
}
}  // namespace

const Colormap& colormap(std::string_view name) {
  for (const auto& m : all_maps())
    if (m.name() == name) return m;
  throw ConfigError("unknown colour map '" + std::string(name) + "' (expected viridis, magma or cividis)");
}

std::vector<std::string> colormap_names() {
  std::vector<std::string> out;
  for (const auto& m : all_maps()) out.push_back(m.name());
  return out;
}

std::string colormaps_js() {
  std::string js =
      "// GENERATED from src/attnscope/viz/colormap_tables.cpp by attnscope::viz::colormaps_js();\n"
      "// do not edit (tests/viz/colormap_test.cpp checks it). Published 256-entry tables:\n"
      "// viridis and magma (Smith & van der Walt, CC0), cividis (Nunez, Anderton & Renslow 2018).\n"
      "// rgb8[3*i + c] = round(table[i][c] * 255); a weight t maps to entry colormapIndex(t).\n\n"
      "export function colormapIndex(t) {\n"
      "  if (!(t > 0)) return 0;\n"
      "  if (t >= 1) return 255;\n"
      "  return Math.min(255, Math.floor(t * 256));\n"
      "}\n\n"
      "function table(values) {\n"
      "  const rgb8 = new Uint8Array(values.length);\n"
      "  for (let i = 0; i < values.length; i++) rgb8[i] = Math.round(values[i] * 255);\n"
      "  return { values, rgb8 };\n"
      "}\n\n"
      "export const colormaps = {\n";
  char buf[64];
  for (const auto& m : all_maps()) {
    js += "  " + m.name() + ": table([\n";
    for (int i = 0; i < 256; ++i) {
      std::snprintf(buf, sizeof buf, "    %.6f, %.6f, %.6f,\n", m.entry(i, 0), m.entry(i, 1), m.entry(i, 2));
      js += buf;
    }
    js += "  ]),\n";
  }
  js += "};\n\nexport const colormapNames = Object.keys(colormaps);\n";
  return js;
}

}  // namespace attnscope::viz
